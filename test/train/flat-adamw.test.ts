// FlatAdamW (the ONNX engine's optimizer) takes the steps TF.js's AdamW takes — weight decay,
// parameter groups, OIHW kernels with HWOI gradients — on one thread or with the optimizer
// worker, and its state round-trips through AdamW's serialised form.
import type * as tfjs from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/core/tf/backend";
import { AdamW } from "../../src/core/train/adamw";
import { AdamThread } from "../../src/core/train/onnx/adam-thread";
import { FlatAdamW, type FlatParam } from "../../src/core/train/onnx/flat-adamw";
import { gradientFromTf, toOnnxLayout, toTfLayout } from "../../src/core/train/onnx/weight-layout";

let tf: typeof tfjs;
const threads: AdamThread[] = [];
beforeAll(async () => {
  tf = (await initBackend({ prefer: "wasm" })).tf;
});
afterAll(async () => {
  await Promise.all(threads.map((t) => t.close()));
});

let seed = 1;
const random = (n: number) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5);

/** A conv kernel (decayed), its bias, a dense kernel and a batch-norm gamma, as TF.js variables. */
function variables(prefix: string): tfjs.Variable[] {
  seed = 7;
  return [
    tf.variable(tf.tensor(random(3 * 3 * 5 * 4), [3, 3, 5, 4]), true, `${prefix}/conv/kernel`),
    tf.variable(tf.tensor(random(4), [4]), true, `${prefix}/conv/bias`),
    tf.variable(tf.tensor(random(6 * 3), [6, 3]), true, `${prefix}/dense/kernel`),
    tf.variable(tf.tensor(random(4), [4]), true, `${prefix}/bn/gamma`),
  ];
}

function gradients(vars: tfjs.Variable[], step: number): Float32Array[] {
  seed = 100 + step;
  return vars.map((v) => random(v.size));
}

function flatParams(vars: tfjs.Variable[]): Map<string, FlatParam> {
  return new Map(
    vars.map((v) => {
      const layout = v.rank === 4 ? "oihw" : "tf";
      return [v.name, { values: toOnnxLayout(layout, v.shape, v.dataSync() as Float32Array), layout, tfShape: [...v.shape] }] as const;
    }),
  );
}

async function compare(groups: boolean, thread: AdamThread | null) {
  const prefix = `${groups ? "g" : "p"}${thread ? "t" : "s"}`;
  const reference = variables(`${prefix}ref`);
  const ours = variables(`${prefix}ours`);
  const refOptimizer = new AdamW(tf, 0.01, 0.1);
  const ourOptimizer = new AdamW(tf, 0.01, 0.1);
  if (groups) {
    // Conv in a group at 0.5× the rate, the rest plain.
    refOptimizer.setGroups([{ key: "body", names: [reference[0].name, reference[1].name], multiplier: 0.5 }]);
    ourOptimizer.setGroups([{ key: "body", names: [ours[0].name, ours[1].name], multiplier: 0.5 }]);
  }
  const params = flatParams(ours);
  const flat = new FlatAdamW(ourOptimizer, params, ours.map((v) => v.name), await ourOptimizer.serialize(), thread);
  for (let step = 0; step < 3; step++) {
    const grads = gradients(reference, step);
    refOptimizer.apply(reference, Object.fromEntries(reference.map((v, i) => [v.name, tf.tensor(grads[i], v.shape)])));
    await flat.step(new Map(ours.map((v, i) => [v.name, gradientFromTf(params.get(v.name)!.layout, v.shape, grads[i])])), 0.01);
  }
  reference.forEach((v, i) => {
    const p = params.get(ours[i].name)!;
    const got = toTfLayout(p.layout, p.tfShape, p.values);
    const expected = v.dataSync() as Float32Array;
    for (let k = 0; k < got.length; k++) expect(got[k], `${v.name}[${k}]`).toBeCloseTo(expected[k], 6);
  });
  // The state goes into a TF.js AdamW (a checkpoint) and comes back unchanged.
  await ourOptimizer.restore(flat.serialize());
  const back = new FlatAdamW(ourOptimizer, params, ours.map((v) => v.name), await ourOptimizer.serialize());
  expect(back.serialize()).toEqual(flat.serialize());
  const state = await refOptimizer.serialize();
  const mine = flat.serialize();
  expect(mine.names.map((n) => n.replace(`${prefix}ours`, ""))).toEqual(state.names.map((n) => n.replace(`${prefix}ref`, "")));
  mine.data.forEach((x, k) => expect(x).toBeCloseTo(state.data[k], 6));
}

describe("FlatAdamW", () => {
  it("takes TF.js AdamW's steps, decay included, and serialises its state in AdamW's form", async () => {
    await compare(false, null);
  });
  it("with parameter groups (each its own rate and step count)", async () => {
    await compare(true, null);
  });
  it("with the optimizer worker updating part of the weights", async () => {
    const thread = AdamThread.start();
    expect(thread).not.toBeNull();
    threads.push(thread!);
    await compare(true, thread);
  });
});
