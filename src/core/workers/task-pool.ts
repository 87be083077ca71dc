// Worker threads that run one kind of task each, for the per-batch loader of training and
// prediction and the per-file work of `ich index` / `ich clean`. Tasks run on the calling thread
// when no worker entry exists (or with `workers: 0`).
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";

export interface WorkerEntry {
  script: string;
  eval: boolean;
}

/**
 * How to start a worker: the bundled script (dist/, ICH_BUNDLED=1); from the source tree (vitest,
 * tsx) a small CommonJS bootstrap that registers tsx and loads the TypeScript entry; null when
 * neither can run.
 */
export function workerEntry(bundled: string, source: string): WorkerEntry | null {
  if (process.env.ICH_BUNDLED === "1") return existsSync(bundled) ? { script: bundled, eval: false } : null;
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

interface Pending<R> {
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

export interface TaskPoolNames {
  /** "loader": in "loader worker failed", "loader pool is closed". */
  pool: string;
  /** "batch": in "loader pool closed before the batch was ready". */
  task: string;
}

export class WorkerTaskPool<T, R> {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending<R>>();
  private nextId = 1;
  private failure: Error | null = null;
  private closed = false;
  readonly inThread: boolean;

  /** `workers`: number of worker threads; 0 runs every task on the calling thread. */
  constructor(
    workers: number,
    entry: () => WorkerEntry | null,
    private readonly runInThread: (task: T) => R | Promise<R>,
    private readonly names: TaskPoolNames,
  ) {
    const found = workers > 0 ? entry() : null;
    this.inThread = found === null;
    if (!found) return;
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(found.script, { eval: found.eval });
      worker.unref();
      const slot = { worker, busy: 0 };
      worker.on("message", (message: { id: number; result?: R; error?: string }) => {
        // After close() a late answer (a prefetched task nobody will take) must not unref the
        // worker: terminate() refs it until it exits, and an unref then would let the process
        // exit before close() resolves.
        if (this.closed) return;
        // An idle worker must not keep the process alive; a busy one must (the caller awaits it).
        if (--slot.busy === 0) worker.unref();
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!pending) return;
        if (message.result) pending.resolve(message.result);
        else pending.reject(new Error(message.error ?? `${names.pool} worker failed`));
      });
      worker.on("error", (error) => this.failAll(error));
      worker.on("exit", (code) => {
        if (code !== 0) this.failAll(new Error(`${names.pool} worker exited with code ${code}`));
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

  run(task: T): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`${this.names.pool} pool is closed`));
    if (this.failure) return Promise.reject(this.failure);
    if (this.slots.length === 0) return Promise.resolve().then(() => this.runInThread(task));
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, task });
    });
  }

  /** Stops the workers; tasks still running are rejected (their consumer has gone). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error(`${this.names.pool} pool closed before the ${this.names.task} was ready`));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
