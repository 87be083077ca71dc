// Streams batches of prepared samples with prefetching: while the caller trains on batch k,
// batches k+1..k+prefetch are already being prepared by the loader pool. Only those few
// batches are ever held in memory.
import type { AugmentOptions } from "./augment";
import type { BatchResult } from "./batch-task";
import type { LoaderPool } from "./loader-pool";
import { hashSeed, permutation } from "./rng";
import type { PreprocessOptions, Sample } from "./sample";

export interface Batch extends BatchResult {
  /** Index of the batch within the epoch. */
  index: number;
  samples: Sample[];
}

export interface BatchPlan {
  samples: readonly Sample[];
  batchSize: number;
  preprocess: PreprocessOptions;
  channels: number;
  augment: AugmentOptions | null;
  /** Shuffle with this seed (training); absent keeps the given order (validation, prediction). */
  shuffleSeed?: number;
  /** Seed for the augmentation draws of this epoch. */
  augmentSeed?: number;
  /** First batch to produce (resume mid-epoch); earlier batches are never prepared. */
  startBatch?: number;
  /** Stop after this many batches. */
  maxBatches?: number;
  /** Batches prepared ahead of the consumer (default 2). */
  prefetch?: number;
}

export function batchCount(samples: number, batchSize: number, maxBatches?: number): number {
  const all = Math.ceil(samples / batchSize);
  return maxBatches === undefined ? all : Math.min(all, maxBatches);
}

/** The per-epoch training order: a seeded permutation, different for every epoch. */
export function epochShuffleSeed(seed: number, epoch: number): number {
  return hashSeed(seed, "epoch", epoch);
}

export async function* streamBatches(pool: LoaderPool, plan: BatchPlan): AsyncGenerator<Batch> {
  const order = plan.shuffleSeed === undefined ? plan.samples.map((_, i) => i) : permutation(plan.samples.length, plan.shuffleSeed);
  const total = batchCount(order.length, plan.batchSize, plan.maxBatches);
  const prefetch = Math.max(1, plan.prefetch ?? 2);
  const queue: Promise<Batch>[] = [];
  let next = plan.startBatch ?? 0;
  const request = (index: number): Promise<Batch> => {
    const samples = order.slice(index * plan.batchSize, (index + 1) * plan.batchSize).map((i) => plan.samples[i]);
    const task = { samples, preprocess: plan.preprocess, channels: plan.channels, augment: plan.augment, augmentSeed: hashSeed(plan.augmentSeed ?? 0, index) };
    return pool.run(task).then((result) => ({ ...result, index, samples }));
  };
  // Keep rejections from surfacing as unhandled while a batch waits in the queue.
  const enqueue = (index: number) => {
    const promise = request(index);
    promise.catch(() => undefined);
    queue.push(promise);
  };
  while (next < total && queue.length < prefetch) enqueue(next++);
  while (queue.length > 0) {
    const batch = await queue.shift()!;
    if (next < total) enqueue(next++);
    yield batch;
  }
}
