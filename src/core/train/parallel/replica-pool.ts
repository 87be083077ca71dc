// Data-parallel training steps over worker threads. The training thread keeps the one true model
// and optimizer (checkpoints, validation and resume see nothing new) and computes the first share
// of each batch itself; each replica worker computes the gradients of another share with its own
// WASM instance. The gradients are averaged, weighted by share size, which is exactly the
// gradient of the mean loss over the whole batch; AdamW updates the training thread's weights once,
// and the replicas load them from shared memory before their next share.
//
// Batch norm: each replica normalises with its own share's statistics (as PyTorch's
// DistributedDataParallel does without SyncBatchNorm), and the moving mean and variance are
// averaged over the replicas after every step. The averaged moving mean equals the one-replica
// update exactly; the averaged variance leaves out the spread between the shares' means.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Batch } from "../../data/batch-loader";
import { selectTargets } from "../../predict/infer";
import { assertBatchLoaded, type BatchTrainer } from "../batch-training";
import { batchGradients } from "../step";
import type { Tensor, Variable } from "../tf-types";
import { workerEntry, type WorkerEntry } from "../../workers/task-pool";
import type { ReplicaReply, ReplicaRequest } from "./protocol";
import { splitBatch } from "./shares";

/** How to start a replica worker: dist/replica-worker.js when bundled, else the TypeScript source through tsx. */
export function replicaWorkerEntry(): WorkerEntry | null {
  return workerEntry(join(__dirname, "replica-worker.js"), join(__dirname, "workers", "replica.worker.ts"));
}

interface Slot {
  worker: Worker;
  out: Float32Array;
  waiting: { resolve: (reply: ReplicaReply) => void; reject: (error: Error) => void } | null;
  heapBytes: number;
}

export class ReplicaPool {
  private failure: Error | null = null;
  private closed = false;
  private readonly weights: Float32Array;
  private readonly trainable: Variable[];
  private readonly nonTrainable: Variable[];
  private readonly trainableSize: number;

  private constructor(
    private readonly trainer: BatchTrainer,
    private readonly slots: Slot[],
    weights: SharedArrayBuffer,
  ) {
    this.weights = new Float32Array(weights);
    this.trainable = trainer.variables;
    this.nonTrainable = ReplicaPool.layout(trainer).otherIndices.map((i) => trainer.model.weights[i].read() as Variable);
    this.trainableSize = this.trainable.reduce((n, v) => n + v.size, 0);
  }

  /** Starts `workers` replica threads holding copies of `trainer.model`; the training thread is one more replica. */
  static async start(trainer: BatchTrainer, workers: number): Promise<ReplicaPool> {
    const entry = replicaWorkerEntry();
    if (!entry) throw new Error("the replica worker script (replica-worker.js) was not found beside the bundle");
    const { model } = trainer;
    const { trainableIndices, otherIndices } = ReplicaPool.layout(trainer);
    const shapes = model.weights.map((w) => (w.read() as Variable).shape.slice());
    const total = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    const weights = new SharedArrayBuffer(total * 4);
    const topology = model.toJSON(null, false);
    const slots: Slot[] = [];
    const pool = new ReplicaPool(trainer, slots, weights);
    try {
      for (let i = 0; i < workers; i++) {
        const out = new SharedArrayBuffer(total * 4);
        const worker = new Worker(entry.script, { eval: entry.eval });
        const slot: Slot = { worker, out: new Float32Array(out), waiting: null, heapBytes: 0 };
        pool.listen(slot, i + 1);
        slots.push(slot);
        const init: ReplicaRequest = { type: "init", topology, weights, out, trainableIndices, otherIndices, shapes };
        worker.postMessage(init);
      }
      await Promise.all(slots.map((slot) => pool.await(slot)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    pool.publishWeights();
    return pool;
  }

  /**
   * Where the trained variables sit in `model.weights` (the order a replica rebuilt from the
   * topology has too), and every other weight: the trained list need not follow the model's own
   * trainable flags or order (fine-tuning stages pass their own).
   */
  private static layout(trainer: BatchTrainer): { trainableIndices: number[]; otherIndices: number[] } {
    const all = trainer.model.weights.map((w) => w.read());
    const trainableIndices = trainer.variables.map((v) => {
      const index = all.indexOf(v);
      if (index < 0) throw new Error(`trained variable ${v.name} is not a weight of the model`);
      return index;
    });
    const trained = new Set(trainableIndices);
    return { trainableIndices, otherIndices: all.map((_, i) => i).filter((i) => !trained.has(i)) };
  }

  /** Replicas including the training thread. */
  get replicas(): number {
    return this.slots.length + 1;
  }

  /** Size of each worker's WASM heap after its last step, in bytes. */
  get workerHeapBytes(): number[] {
    return this.slots.map((s) => s.heapBytes);
  }

  private listen(slot: Slot, index: number): void {
    const fail = (error: Error) => {
      const wrapped = new Error(`training replica ${index}: ${error.message}`);
      this.failure ??= wrapped;
      slot.waiting?.reject(wrapped);
      slot.waiting = null;
      slot.worker.unref();
    };
    slot.worker.on("message", (reply: ReplicaReply) => {
      const waiting = slot.waiting;
      slot.waiting = null;
      slot.worker.unref();
      if (reply.type !== "error") slot.heapBytes = reply.heapBytes;
      if (reply.type === "error") fail(new Error(reply.message));
      else waiting?.resolve(reply);
    });
    slot.worker.on("error", fail);
    slot.worker.on("exit", (code) => {
      if (!this.closed) fail(new Error(`worker exited with code ${code}`));
    });
  }

  private await(slot: Slot): Promise<ReplicaReply> {
    if (this.failure) return Promise.reject(this.failure);
    // Only a replica at work keeps the process alive.
    slot.worker.ref();
    return new Promise((resolve, reject) => (slot.waiting = { resolve, reject }));
  }

  /** Copies the training thread's weights (trainable, then non-trainable) to the replicas' shared buffer. */
  private publishWeights(): void {
    let offset = 0;
    for (const v of [...this.trainable, ...this.nonTrainable]) {
      this.weights.set(v.dataSync(), offset);
      offset += v.size;
    }
  }

  /** One data-parallel step at learning rate `lr`; returns the loss of the whole batch. */
  async trainOnBatch(batch: Batch, size: number, lr: number): Promise<number> {
    const { loss, grads } = await this.batchGradients(batch, size);
    const { tf } = this.trainer;
    tf.tidy(() => {
      this.trainer.optimizer.setLearningRate(lr);
      const tensors: Record<string, Tensor> = {};
      let offset = 0;
      for (const v of this.trainable) {
        tensors[v.name] = tf.tensor(grads.subarray(offset, offset + v.size), v.shape, "float32");
        offset += v.size;
      }
      this.trainer.optimizer.apply(this.trainable, tensors);
    });
    this.publishWeights();
    return loss;
  }

  /**
   * Loss and gradient of the mean loss over the whole batch (trainable variables flattened in
   * order), computed share by share on the replicas; the moving statistics are averaged in place.
   */
  async batchGradients(batch: Batch, size: number): Promise<{ loss: number; grads: Float32Array }> {
    if (this.closed) throw new Error("the replica pool is closed");
    if (this.failure) throw this.failure;
    assertBatchLoaded(batch);
    const { tf, labels, channels } = this.trainer;
    const n = batch.samples.length;
    const targets = selectTargets(batch.y, labels);
    const pixels = size * size * channels;
    const shares = splitBatch(n, this.replicas);
    const workerShares = shares.slice(1);
    const replies = workerShares.map((share, i) => {
      const slot = this.slots[i];
      const reply = this.await(slot);
      slot.worker.postMessage({
        type: "step",
        x: batch.x.slice(share.start * pixels, (share.start + share.count) * pixels),
        xShape: [share.count, size, size, channels],
        y: targets.slice(share.start * labels.length, (share.start + share.count) * labels.length),
        labelWeights: [...this.trainer.weights],
        logits: this.trainer.logits,
      } satisfies ReplicaRequest);
      return reply;
    });
    // The training thread's own share, while the workers compute theirs.
    const own = shares[0];
    const fraction = (count: number) => count / n;
    const sums = new Float32Array(this.trainableSize);
    let loss: number;
    tf.tidy(() => {
      const x = tf.tensor4d(batch.x.subarray(0, own.count * pixels), [own.count, size, size, channels]);
      const y = tf.tensor2d(targets.slice(0, own.count * labels.length), [own.count, labels.length]);
      const { value, grads } = batchGradients(tf, this.trainer.model, this.trainable, x, y, this.trainer.weights, this.trainer.logits);
      loss = value.dataSync()[0] * fraction(own.count);
      let offset = 0;
      const w = fraction(own.count);
      for (const v of this.trainable) {
        const grad = grads[v.name];
        if (grad) {
          const g = grad.dataSync() as Float32Array;
          for (let k = 0; k < g.length; k++) sums[offset + k] = g[k] * w;
        }
        offset += v.size;
      }
    });
    const answers = await Promise.all(replies);
    // Moving statistics: Σ wᵢ·vᵢ written as v₀ + Σᵢ₌₁ wᵢ·(vᵢ − v₀), so a statistic no replica changed
    // (a frozen layer's) stays bit-exact.
    const base = this.nonTrainable.map((v) => v.dataSync() as Float32Array);
    const averaged = base.map((b) => Float32Array.from(b));
    answers.forEach((answer, i) => {
      if (answer.type !== "done") throw new Error(`training replica ${i + 1} answered ${answer.type}`);
      const w = fraction(workerShares[i].count);
      loss += answer.loss * w;
      const out = this.slots[i].out;
      for (let k = 0; k < this.trainableSize; k++) sums[k] += out[k] * w;
      let offset = this.trainableSize;
      base.forEach((b, j) => {
        const avg = averaged[j];
        for (let k = 0; k < b.length; k++) avg[k] += w * (out[offset + k] - b[k]);
        offset += b.length;
      });
    });
    if (answers.length > 0) {
      tf.tidy(() => this.nonTrainable.forEach((v, j) => v.assign(tf.tensor(averaged[j], v.shape, "float32"))));
    }
    return { loss: loss!, grads: sums };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) slot.waiting?.reject(new Error("the replica pool closed"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
