import type { Command } from "../usage";

// One line per sub-command; each module exports `command: Command`.
export const commands: Record<string, Command> = {};
