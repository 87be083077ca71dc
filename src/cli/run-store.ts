// The run store every command that reads or writes runs opens: `--runs DIR`, else $ICH_RUNS_DIR, else ./runs.
import { DEFAULT_RUNS_DIR, RunStore } from "../core/runs";

/** Usage line of the `--runs` option, identical in every command that has it. */
export const RUNS_OPTION_HELP = `  --runs DIR  run store folder (default: $ICH_RUNS_DIR or ./${DEFAULT_RUNS_DIR})`;

export function openRunStore(dirOption: string | undefined): RunStore {
  // An empty ICH_RUNS_DIR counts as unset (it would otherwise open the current folder as the store).
  return new RunStore(dirOption ?? (process.env.ICH_RUNS_DIR || DEFAULT_RUNS_DIR));
}
