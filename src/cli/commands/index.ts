import type { Command } from "../usage";
import { command as backend } from "./backend";
import { command as runs } from "./runs";
import { command as info } from "./info";
import { command as render } from "./render";
import { command as synth } from "./synth";
import { command as train } from "./train";
import { command as evalCommand } from "./eval";
import { command as predict } from "./predict";
import { command as lrFind } from "./lr-find";

// One line per sub-command; each module exports `command: Command`.
export const commands: Record<string, Command> = {
  info,
  backend,
  runs,
  render,
  synth,
  train,
  eval: evalCommand,
  predict,
  "lr-find": lrFind,
};
