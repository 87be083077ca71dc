// The optimizer worker thread (workers/adam.worker.ts): one per ONNX training runner, started when
// the model is big enough for the message round trip to pay off.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { workerEntry } from "../../workers/task-pool";
import type { AdamHyper, AdamJob } from "./adam-kernels";

export class AdamThread {
  private pending: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: { ok: boolean; error?: string }) => {
      const pending = this.pending;
      this.pending = null;
      worker.unref();
      if (reply.ok) pending?.resolve();
      else pending?.reject(new Error(`optimizer worker: ${reply.error}`));
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => this.fail(new Error(`optimizer worker exited (code ${code})`)));
  }

  /** Starts the worker; null where it cannot run (no bundle and no tsx, or no worker threads): AdamW then runs on the training thread alone. */
  static start(): AdamThread | null {
    const entry = workerEntry(join(__dirname, "adam-worker.js"), join(__dirname, "workers", "adam.worker.ts"));
    if (!entry) return null;
    try {
      const worker = new Worker(entry.script, { eval: entry.eval });
      worker.unref();
      return new AdamThread(worker);
    } catch {
      return null;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  /** Runs `jobs` (shared-memory arrays only) on the worker. */
  run(jobs: AdamJob[], hyper: AdamHyper): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error("optimizer worker: a step is already running"));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      // Referenced only while it works: an idle worker never keeps the process alive.
      this.worker.ref();
      this.worker.postMessage({ jobs, hyper });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error("optimizer worker closed");
    await this.worker.terminate();
  }
}
