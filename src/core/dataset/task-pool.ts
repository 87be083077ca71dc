// Worker threads for the per-file work of `ich index` (header reads) and `ich clean` (pixel
// decodes). Like the training LoaderPool: dist/dataset-worker.js when bundled, the TypeScript entry
// through tsx from the source tree, and in-thread when no worker entry exists or `workers` is 0.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { runDatasetTask, type DatasetTask, type DatasetTaskResult } from "./dataset-task";

function workerEntry(): { script: string; eval: boolean } | null {
  if (process.env.ICH_BUNDLED === "1") {
    const bundled = join(__dirname, "dataset-worker.js");
    return existsSync(bundled) ? { script: bundled, eval: false } : null;
  }
  const source = join(__dirname, "workers", "dataset.worker.ts");
  if (!existsSync(source)) return null;
  try {
    require.resolve("tsx/cjs/api");
  } catch {
    return null;
  }
  return { script: `require("tsx/cjs/api").register(); require(${JSON.stringify(source)});`, eval: true };
}

interface Slot {
  worker: Worker;
  busy: number;
}

export class DatasetTaskPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { resolve: (r: DatasetTaskResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(workers: number) {
    const entry = workers > 0 ? workerEntry() : null;
    if (!entry) return;
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(entry.script, { eval: entry.eval });
      worker.unref();
      const slot = { worker, busy: 0 };
      worker.on("message", (message: { id: number; result?: DatasetTaskResult; error?: string }) => {
        if (--slot.busy === 0) worker.unref();
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!pending) return;
        if (message.result) pending.resolve(message.result);
        else pending.reject(new Error(message.error ?? "dataset worker failed"));
      });
      worker.on("error", (error) => this.failAll(error));
      worker.on("exit", (code) => {
        if (code !== 0) this.failAll(new Error(`dataset worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  /** Tasks that can usefully be in flight at once. */
  get capacity(): number {
    return Math.max(1, this.slots.length) * 2;
  }

  private failAll(error: Error): void {
    this.failure = error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  run(task: DatasetTask): Promise<DatasetTaskResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.slots.length === 0) return Promise.resolve().then(() => runDatasetTask(task));
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, task });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

/** Default worker count: every core but the one the main thread (directory walk, output) uses. */
export function defaultDatasetWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}
