import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Batch } from "../../src/core/data/batch-loader";
import type { Sample } from "../../src/core/data/sample";
import { LABELS } from "../../src/shared/labels";
import type { MetricsLine } from "../../src/core/runs/types";
import { RunStore } from "../../src/core/runs";
import { initBackend } from "../../src/core/tf/backend";
import { AdamW } from "../../src/core/train/adamw";
import type { BatchTrainer } from "../../src/core/train/batch-training";
import { resolveTrainWorkers } from "../../src/core/train/parallel";
import { ReplicaPool } from "../../src/core/train/parallel/replica-pool";
import { splitBatch } from "../../src/core/train/parallel/shares";
import { batchGradients, trainableVariables } from "../../src/core/train/step";
import type { LayersModel, Tf, Variable } from "../../src/core/train/tf-types";
import { train } from "../../src/core/train/train";
import { tinyConfig } from "./tiny-config";

const SIZE = 16;
const CHANNELS = 3;
let tf: Tf;
const root = mkdtempSync(join(tmpdir(), "ich-parallel-"));

beforeAll(async () => {
  tf = (await initBackend({ prefer: "wasm" })).tf;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** conv → [batch norm] → relu → global average pool → 6 logits, seeded. */
function smallModel(batchNorm: boolean): LayersModel {
  const layers = [
    tf.layers.conv2d({ inputShape: [SIZE, SIZE, CHANNELS], filters: 8, kernelSize: 3, strides: 2, padding: "same", useBias: !batchNorm, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    ...(batchNorm ? [tf.layers.batchNormalization({ momentum: 0.9 })] : []),
    tf.layers.reLU(),
    tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: LABELS.length, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
  ];
  return tf.sequential({ layers });
}

function trainerFor(model: LayersModel): BatchTrainer {
  const optimizer = new AdamW(tf, 1e-3, 0.01);
  return { tf, model, optimizer, variables: trainableVariables(model), logits: true, labels: [...LABELS], weights: [2, 1, 1, 1, 1, 1], channels: CHANNELS };
}

/** A batch of `n` deterministic pseudo-random images and 0/1 labels. */
function batchOf(n: number, seed: number): Batch {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const x = Float32Array.from({ length: n * SIZE * SIZE * CHANNELS }, next);
  const y = Float32Array.from({ length: n * LABELS.length }, () => (next() > 0.5 ? 1 : 0));
  const samples = Array.from({ length: n }, (_, i) => ({ id: `s${i}` }) as Sample);
  return { index: 0, samples, x, y, errors: samples.map(() => null) };
}

function fullBatchGradients(trainer: BatchTrainer, batch: Batch): { loss: number; grads: Float32Array } {
  const n = batch.samples.length;
  return tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [n, SIZE, SIZE, CHANNELS]);
    const y = tf.tensor2d(batch.y, [n, LABELS.length]);
    const { value, grads } = batchGradients(tf, trainer.model, trainer.variables, x, y, trainer.weights, true);
    const flat = trainer.variables.map((v) => grads[v.name].dataSync() as Float32Array);
    const out = new Float32Array(flat.reduce((s, g) => s + g.length, 0));
    let offset = 0;
    for (const g of flat) {
      out.set(g, offset);
      offset += g.length;
    }
    return { loss: value.dataSync()[0], grads: out };
  });
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const values = (vars: Variable[]) => vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));

describe("splitBatch", () => {
  it("splits into contiguous shares differing by at most one, never empty", () => {
    expect(splitBatch(16, 2)).toEqual([{ start: 0, count: 8 }, { start: 8, count: 8 }]);
    expect(splitBatch(7, 3)).toEqual([{ start: 0, count: 3 }, { start: 3, count: 2 }, { start: 5, count: 2 }]);
    expect(splitBatch(2, 4)).toEqual([{ start: 0, count: 1 }, { start: 1, count: 1 }]);
    expect(splitBatch(5, 1)).toEqual([{ start: 0, count: 5 }]);
  });
});

describe("resolveTrainWorkers", () => {
  const machine = { cores: 4, memory: 16 * 2 ** 30 };
  it("auto is one replica per core on wasm, bounded by batch size and memory; other backends use 1", () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(resolveTrainWorkers("auto", "wasm", 16, warn, machine)).toBe(4);
    expect(resolveTrainWorkers("auto", "wasm", 2, warn, machine)).toBe(2);
    expect(resolveTrainWorkers("auto", "wasm", 16, warn, { cores: 4, memory: 3 * 2 ** 30 })).toBe(1);
    expect(resolveTrainWorkers("auto", "tensorflow", 16, warn, machine)).toBe(1);
    expect(warnings).toEqual([]);
    expect(resolveTrainWorkers(3, "wasm", 16, warn, machine)).toBe(3);
    expect(resolveTrainWorkers(3, "tensorflow", 16, warn, machine)).toBe(1);
    expect(resolveTrainWorkers(8, "wasm", 4, warn, machine)).toBe(4);
    expect(warnings).toHaveLength(2);
  });
});

describe("ReplicaPool", () => {
  it.each([
    [2, 6],
    [3, 7],
  ])("gradients averaged over %i replicas equal the full-batch gradient (no batch norm, batch %i)", async (replicas, n) => {
    const trainer = trainerFor(smallModel(false));
    const batch = batchOf(n, 11);
    const expected = fullBatchGradients(trainer, batch);
    const pool = await ReplicaPool.start(trainer, replicas - 1);
    try {
      expect(pool.replicas).toBe(replicas);
      const got = await pool.batchGradients(batch, SIZE);
      expect(got.grads.length).toBe(expected.grads.length);
      const largest = expected.grads.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(largest).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(got.grads, expected.grads)).toBeLessThan(1e-5);
      expect(Math.abs(got.loss - expected.loss)).toBeLessThan(1e-5);
    } finally {
      await pool.close();
      trainer.model.dispose();
    }
  });

  it("trains the variables the trainer lists, in its order, whatever the model's own order (fine-tuning stages)", async () => {
    const trainer = trainerFor(smallModel(false));
    trainer.variables = trainer.variables.slice(1).reverse();
    const batch = batchOf(6, 7);
    const expected = fullBatchGradients(trainer, batch);
    const pool = await ReplicaPool.start(trainer, 1);
    try {
      const got = await pool.batchGradients(batch, SIZE);
      expect(got.grads.length).toBe(expected.grads.length);
      expect(maxAbsDiff(got.grads, expected.grads)).toBeLessThan(1e-5);
    } finally {
      await pool.close();
      trainer.model.dispose();
    }
  });

  it("a data-parallel step updates the weights as the one-thread step does, and the replicas follow the update", async () => {
    const one = trainerFor(smallModel(false));
    const two = trainerFor(smallModel(false));
    const pool = await ReplicaPool.start(two, 1);
    try {
      for (const seed of [1, 2, 3]) {
        const batch = batchOf(8, seed);
        const { tf: t } = one;
        const loss = t.tidy(() => {
          const x = t.tensor4d(batch.x, [8, SIZE, SIZE, CHANNELS]);
          const y = t.tensor2d(batch.y, [8, LABELS.length]);
          const { value, grads } = batchGradients(t, one.model, one.variables, x, y, one.weights, true);
          one.optimizer.apply(one.variables, grads);
          return value.dataSync()[0];
        });
        expect(Math.abs((await pool.trainOnBatch(batch, SIZE, 1e-3)) - loss)).toBeLessThan(1e-5);
      }
      const a = values(one.variables);
      const b = values(two.variables);
      a.forEach((w, i) => expect(maxAbsDiff(w, b[i])).toBeLessThan(1e-5));
    } finally {
      await pool.close();
      one.model.dispose();
      two.model.dispose();
    }
  });

  it("batch norm: moving means equal the full-batch update; moving variances leave out the spread between shares", async () => {
    const reference = trainerFor(smallModel(true));
    const parallel = trainerFor(smallModel(true));
    const batch = batchOf(8, 5);
    fullBatchGradients(reference, batch);
    const pool = await ReplicaPool.start(parallel, 1);
    try {
      await pool.batchGradients(batch, SIZE);
    } finally {
      await pool.close();
    }
    const stats = (m: LayersModel) => Object.fromEntries(m.nonTrainableWeights.map((w) => [w.name.replace(/^.*\//, ""), Float32Array.from(w.read().dataSync() as Float32Array)]));
    const full = stats(reference.model);
    const averaged = stats(parallel.model);
    expect(Object.keys(full).sort()).toEqual(["moving_mean", "moving_variance"]);
    expect(maxAbsDiff(averaged.moving_mean, full.moving_mean)).toBeLessThan(1e-6);
    // Within-share variance ≤ whole-batch variance, channel by channel, and strictly less somewhere.
    averaged.moving_variance.forEach((v, c) => expect(v).toBeLessThanOrEqual(full.moving_variance[c] + 1e-6));
    expect(maxAbsDiff(averaged.moving_variance, full.moving_variance)).toBeGreaterThan(1e-6);
    reference.model.dispose();
    parallel.model.dispose();
  });

  it("a replica's failure is an error naming the replica, not a hang", async () => {
    const trainer = trainerFor(smallModel(false));
    const pool = await ReplicaPool.start(trainer, 1);
    try {
      // A replica that dies (out of memory, say) between two steps.
      await (pool as unknown as { slots: { worker: Worker }[] }).slots[0].worker.terminate();
      await expect(pool.batchGradients(batchOf(4, 1), SIZE)).rejects.toThrow(/training replica 1: worker exited/);
    } finally {
      await pool.close();
      trainer.model.dispose();
    }
  });
});

describe("train with train.workers", () => {
  function stepLosses(dir: string): number[] {
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as MetricsLine);
    return lines.filter((m) => m.kind === "step").map((m) => (m as { loss: number }).loss);
  }

  it("is deterministic for a seed and worker count, logs the replicas, and learns like one worker", async () => {
    const store = new RunStore(join(root, "runs"));
    const run = async (trainWorkers: number) => {
      const logs: string[] = [];
      const result = await train({ config: tinyConfig({ epochs: 3, engine: "tfjs" }), runStore: store, trainWorkers, loaderWorkers: 0, onEvent: (e) => e.type === "log" && logs.push(e.message) });
      expect(result.status).toBe("completed");
      return { losses: stepLosses(result.runDir), logs, best: result.best! };
    };
    const a = await run(2);
    const b = await run(2);
    const single = await run(1);
    expect(a.logs).toContain("training steps: TF.js wasm, 2 data-parallel replicas");
    expect(single.logs.some((m) => /data-parallel/.test(m))).toBe(false);
    expect(b.losses).toEqual(a.losses);
    expect(a.losses).toHaveLength(6);
    // small-cnn has batch norm, normalised per share: close to the one-worker losses, not equal.
    expect(Math.abs(a.losses[0] - single.losses[0])).toBeLessThan(0.05 * single.losses[0]);
    expect(a.losses[5]).toBeLessThan(a.losses[0]);
    expect(single.losses[5]).toBeLessThan(single.losses[0]);
  });
});
