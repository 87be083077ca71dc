import { join } from "node:path";
import type { RunPaths } from "./types";

/** Default run store folder, relative to the workspace. */
export const DEFAULT_RUNS_DIR = "runs";

/**
 * Run ids are folder names: no separators, no `..`, not hidden. Spaces and brackets are allowed
 * because file managers name copies "<run> copy" or "<run> (2)", and a copy must stay listed.
 */
export function assertRunId(id: string): void {
  if (!/^[^./\\\0][^/\\\0]*$/.test(id) || id.includes("..")) throw new RunStoreError(`'${id}' is not a valid run id`);
}

export function runPaths(root: string, id: string): RunPaths {
  assertRunId(id);
  const dir = join(root, id);
  return {
    dir,
    runJson: join(dir, "run.json"),
    metricsJsonl: join(dir, "metrics.jsonl"),
    modelDir: join(dir, "model"),
    checkpointDir: join(dir, "checkpoint"),
    evalJson: join(dir, "eval.json"),
    predictionsCsv: join(dir, "predictions.csv"),
    tensorboardDir: dir,
    logFile: join(dir, "train.log"),
  };
}

/** A run store problem; the message names the run or file. */
export class RunStoreError extends Error {
  override name = "RunStoreError";
}
