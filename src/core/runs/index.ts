// The run store: runs/<id>/{run.json, metrics.jsonl, model/, checkpoint/, eval.json, predictions.csv, events.out.tfevents.*}.
export * from "./types";
export { RunStore, slugOf, type RunStoreOptions } from "./store";
export { RunHandle, type RecordPatch } from "./handle";
export { DEFAULT_RUNS_DIR, RunStoreError, runPaths } from "./layout";
export { resolveRunFolder } from "./run-folder";
export { CRASHED_MESSAGE, crashedVersion, processAlive, processStartedAt } from "./liveness";
export { formatSubmissionCsv, writeSubmissionCsv } from "./predictions";
export { TensorBoardWriter } from "./tensorboard";
export { gitCommitOf } from "./git";
