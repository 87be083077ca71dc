import { afterAll, describe, expect, it } from "vitest";
import { streamBatches, type Batch } from "../../src/core/data/batch-loader";
import type { BatchResult, BatchTask } from "../../src/core/data/batch-task";
import { LoaderPool } from "../../src/core/data/loader-pool";
import { openDataset, preprocessOptions } from "../../src/core/data/dataset";
import { LABELS } from "../../src/shared/labels";
import { synthesizeSlice } from "../../src/core/synth";
import { tinyConfig } from "../train/tiny-config";

const config = tinyConfig();
const preprocess = preprocessOptions(config);
const augment = {
  flip: { p: 0.5 }, rotate: { p: 0.5, degrees: 10 }, zoom: { p: 0.5, max: 1.1 }, brightnessContrast: { p: 0.5, brightness: 0.1, contrast: 0.1 },
};
const pools: LoaderPool[] = [];
afterAll(async () => Promise.all(pools.map((p) => p.close())));

describe("dataset streaming", () => {
  it("yields NHWC batches with the generated slices' labels", async () => {
    const plan = await openDataset(config);
    expect(plan.train).toHaveLength(16);
    expect(plan.validation).toHaveLength(8);
    expect(new Set(plan.validation.map((s) => s.patientId)).size).toBe(2);
    const pool = new LoaderPool(0);
    const batches = [];
    for await (const b of streamBatches(pool, { samples: plan.train, batchSize: 6, preprocess, channels: 3, augment: null })) batches.push(b);
    expect(batches.map((b) => b.samples.length)).toEqual([6, 6, 4]);
    expect(batches[0].x).toHaveLength(6 * 32 * 32 * 3);
    const first = plan.train[0];
    if (first.source.kind !== "synthetic") throw new Error("expected a synthetic sample");
    const slice = synthesizeSlice({ seed: first.source.seed, index: first.source.index, size: first.source.size, slices: first.source.slices });
    expect(Array.from(batches[0].y.subarray(0, 6))).toEqual(LABELS.map((l) => slice.labels[l]));
    for (const v of batches[0].x) expect(v >= 0 && v <= 1).toBe(true);
  });

  it("worker threads return exactly what in-thread preparation returns, augmentation included", async () => {
    const plan = await openDataset(config);
    const workers = new LoaderPool(2);
    pools.push(workers);
    expect(workers.inThread).toBe(false);
    expect(workers.workerCount).toBe(2);
    const task: BatchTask = { samples: plan.train.slice(0, 5), preprocess, channels: 3, augment, augmentSeed: 99 };
    const [a, b] = await Promise.all([workers.run(task), new LoaderPool(0).run(task)]);
    expect(a.errors).toEqual([null, null, null, null, null]);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
  });

  it("prepares the next batches while the consumer holds the current one", async () => {
    const requested: number[] = [];
    const inner = new LoaderPool(0);
    const spy = { run: (task: BatchTask): Promise<BatchResult> => (requested.push(requested.length), inner.run(task)) } as unknown as LoaderPool;
    const plan = await openDataset(config);
    const stream = streamBatches(spy, { samples: plan.train, batchSize: 2, preprocess, channels: 3, augment: null, prefetch: 3 });
    const first = await stream.next();
    expect((first.value as Batch | undefined)?.index).toBe(0);
    // batch 0 consumed, batches 1..3 already requested
    expect(requested).toHaveLength(4);
    let count = 1;
    for await (const _ of stream) count++;
    expect(count).toBe(8);
    expect(requested).toHaveLength(8);
  });

  it("resumes mid-epoch without preparing the skipped batches", async () => {
    const plan = await openDataset(config);
    const pool = new LoaderPool(0);
    const seeded = { samples: plan.train, batchSize: 4, preprocess, channels: 3, augment, shuffleSeed: 7, augmentSeed: 3 };
    const all = [];
    for await (const b of streamBatches(pool, seeded)) all.push(b);
    const tail = [];
    for await (const b of streamBatches(pool, { ...seeded, startBatch: 2 })) tail.push(b);
    expect(tail.map((b) => b.index)).toEqual([2, 3]);
    expect(tail.map((b) => b.samples.map((s) => s.id))).toEqual(all.slice(2).map((b) => b.samples.map((s) => s.id)));
    expect(Array.from(tail[0].x)).toEqual(Array.from(all[2].x));
  });
});

describe("adjacent-slice context on synthetic data", () => {
  it("stacks the real neighbouring phantom slices around the centre slice", async () => {
    const { prepareSample } = await import("../../src/core/data/preprocess");
    const { toModelTensor } = await import("../../src/core/imaging");
    const sample = { id: "s", patientId: "p", source: { kind: "synthetic" as const, seed: 4, index: 5, size: 32, slices: 8 } };
    const p = { ...preprocess, context: 1 };
    const prepared = await prepareSample(sample, p);
    expect(prepared.image).toHaveLength(32 * 32 * 9);
    const slice = (offset: number) => {
      const s = synthesizeSlice({ seed: 4, index: 5, size: 32, slices: 8, offset });
      return toModelTensor(s.hu, s.rows, s.columns, p.windows, 32);
    };
    const [below, centre, above] = [slice(-1), slice(0), slice(1)];
    for (const pixel of [0, 300, 517]) {
      const rgb = (image: Float32Array) => [...image.subarray(pixel * 3, pixel * 3 + 3)];
      expect(Array.from(prepared.image.subarray(pixel * 9, pixel * 9 + 9))).toEqual([...rgb(below), ...rgb(centre), ...rgb(above)]);
    }
    expect(Array.from(below)).not.toEqual(Array.from(centre));
  });
});
