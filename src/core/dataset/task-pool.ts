// Worker threads for the per-file work of `ich index` (header reads) and `ich clean` (pixel
// decodes): dist/dataset-worker.js when bundled, the TypeScript entry through tsx from the source tree.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { workerEntry, WorkerTaskPool } from "../workers/task-pool";
import { runDatasetTask, type DatasetTask, type DatasetTaskResult } from "./dataset-task";

export class DatasetTaskPool extends WorkerTaskPool<DatasetTask, DatasetTaskResult> {
  constructor(workers: number) {
    super(workers, () => workerEntry(join(__dirname, "dataset-worker.js"), join(__dirname, "workers", "dataset.worker.ts")), runDatasetTask, {
      pool: "dataset",
      task: "task",
    });
  }

  /** Tasks that can usefully be in flight at once. */
  get capacity(): number {
    return Math.max(1, this.workerCount) * 2;
  }
}

/** Default worker count: every core but the one the main thread (directory walk, output) uses. */
export function defaultDatasetWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}
