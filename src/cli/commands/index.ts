import type { Command } from "../usage";
import { command as backend } from "./backend";
import { command as runs } from "./runs";

// One line per sub-command; each module exports `command: Command`.
export const commands: Record<string, Command> = {
  backend,
  runs,
};
