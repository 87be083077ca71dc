// Worker threads running batch tasks, so decoding and augmentation overlap with training and
// inference on the main thread.
import { join } from "node:path";
import { workerEntry, WorkerTaskPool } from "../workers/task-pool";
import { runBatchTask, type BatchResult, type BatchTask } from "./batch-task";

/** dist/loader-worker.js when bundled, else src/core/train/workers/loader.worker.ts through tsx. */
export function loaderWorkerEntry() {
  return workerEntry(join(__dirname, "loader-worker.js"), join(__dirname, "..", "train", "workers", "loader.worker.ts"));
}

export class LoaderPool extends WorkerTaskPool<BatchTask, BatchResult> {
  /** `workers`: number of worker threads; 0 runs every task on the calling thread. */
  constructor(workers: number) {
    super(workers, loaderWorkerEntry, runBatchTask, { pool: "loader", task: "batch" });
  }
}
