// A small pool of worker threads running batch tasks, so decoding and augmentation overlap
// with training on the main thread. Falls back to running tasks in-thread when no worker
// entry can be found (or when asked to, with `workers: 0`).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { runBatchTask, type BatchResult, type BatchTask } from "./batch-task";

interface Pending {
  resolve: (result: BatchResult) => void;
  reject: (error: Error) => void;
}

interface WorkerSlot {
  worker: Worker;
  busy: number;
}

/**
 * How to start a loader worker: dist/loader-worker.js when bundled; from the source tree (vitest,
 * tsx) a small CommonJS bootstrap that registers tsx and loads the TypeScript entry.
 */
export function loaderWorkerEntry(): { script: string; eval: boolean } | null {
  const bundled = join(__dirname, "loader-worker.js");
  if (process.env.ICH_BUNDLED === "1") return existsSync(bundled) ? { script: bundled, eval: false } : null;
  const source = join(__dirname, "..", "train", "workers", "loader.worker.ts");
  if (!existsSync(source)) return null;
  try {
    require.resolve("tsx/cjs/api");
  } catch {
    return null;
  }
  return { script: `require("tsx/cjs/api").register(); require(${JSON.stringify(source)});`, eval: true };
}

export class LoaderPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private closed = false;
  readonly inThread: boolean;

  /** `workers`: number of worker threads; 0 runs every task on the calling thread. */
  constructor(workers: number) {
    const entry = workers > 0 ? loaderWorkerEntry() : null;
    this.inThread = entry === null;
    if (!entry) return;
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(entry.script, { eval: entry.eval });
      worker.unref();
      const slot = { worker, busy: 0 };
      worker.on("message", (message: { id: number; result?: BatchResult; error?: string }) => {
        // After close() a late answer (a prefetched batch nobody will take) must not unref the
        // worker: terminate() refs it until it exits, and an unref then would let the process
        // exit before close() resolves.
        if (this.closed) return;
        slot.busy--;
        // An idle worker must not keep the process alive; a busy one must (the caller awaits it).
        if (slot.busy === 0) worker.unref();
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!pending) return;
        if (message.result) pending.resolve(message.result);
        else pending.reject(new Error(message.error ?? "loader worker failed"));
      });
      worker.on("error", (error) => this.failAll(error));
      worker.on("exit", (code) => {
        if (code !== 0) this.failAll(new Error(`loader worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  get workerCount(): number {
    return this.slots.length;
  }

  private failAll(error: Error): void {
    this.failure = error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  run(task: BatchTask): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new Error("loader pool is closed"));
    if (this.failure) return Promise.reject(this.failure);
    if (this.slots.length === 0) return runBatchTask(task);
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    if (slot.busy === 0) slot.worker.ref();
    slot.busy++;
    return new Promise<BatchResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, task });
    });
  }

  /** Stops the workers; batches still being prepared are rejected (their consumer has gone). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error("loader pool closed before the batch was ready"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
