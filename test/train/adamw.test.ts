import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { AdamW, isDecayed } from "../../src/core/train/adamw";
import { weightedBce } from "../../src/core/train/loss";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("AdamW", () => {
  it("decays kernels by lr·wd per step and leaves biases alone", () => {
    const kernel = tf.variable(tf.tensor2d([[1, -2], [3, 4]]), true, "dense/kernel");
    const bias = tf.variable(tf.tensor1d([1, 1]), true, "dense/bias");
    const optimizer = new AdamW(tf, 0.1, 0.5);
    expect(isDecayed(kernel)).toBe(true);
    expect(isDecayed(bias)).toBe(false);
    // zero gradients: Adam moves nothing, only the decoupled decay acts
    optimizer.apply([kernel, bias], { "dense/kernel": tf.zeros([2, 2]), "dense/bias": tf.zeros([2]) });
    expect(Array.from(kernel.dataSync())).toEqual([0.95, -1.9, 2.85, 3.8].map((v): unknown => expect.closeTo(v, 6)));
    expect(Array.from(bias.dataSync())).toEqual([1, 1]);
    optimizer.setLearningRate(0.2);
    optimizer.apply([kernel, bias], { "dense/kernel": tf.zeros([2, 2]), "dense/bias": tf.zeros([2]) });
    expect(kernel.dataSync()[0]).toBeCloseTo(0.95 * 0.9, 6);
  });

  it("round-trips its moments through serialize/restore", async () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]), true, "w/kernel");
    const a = new AdamW(tf, 0.01, 0);
    a.apply([w], { "w/kernel": tf.tensor1d([0.5, -1, 2]) });
    const saved = await a.serialize();
    expect(saved.names).toHaveLength(3);
    const b = new AdamW(tf, 0.01, 0);
    await b.restore(saved);
    const w2 = tf.variable(w.clone(), true, "w2/kernel");
    a.apply([w], { "w/kernel": tf.tensor1d([0.1, 0.1, 0.1]) });
    b.apply([w2], { "w2/kernel": tf.tensor1d([0.1, 0.1, 0.1]) });
    expect(Array.from(w2.dataSync())).toEqual(Array.from(w.dataSync()).map((v): unknown => expect.closeTo(v, 6)));
  });
});

describe("weightedBce", () => {
  it("weights labels like the RSNA metric", () => {
    const p = tf.tensor2d([[0.9, 0.2]]);
    const y = tf.tensor2d([[1, 0]]);
    const loss = weightedBce(tf, p, y, [2, 1], false).dataSync()[0];
    expect(loss).toBeCloseTo((2 * -Math.log(0.9) + -Math.log(0.8)) / 3, 5);
    const logits = tf.log(p.div(tf.scalar(1).sub(p)));
    expect(weightedBce(tf, logits, y, [2, 1], true).dataSync()[0]).toBeCloseTo(loss, 5);
  });
});

describe("AdamW parameter groups", () => {
  it("gives each group its rate and its own Adam state, and round-trips them through serialize/restore", async () => {
    const make = (suffix: string) => [tf.variable(tf.tensor1d([1, 2]), true, `body${suffix}/kernel`), tf.variable(tf.tensor1d([3]), true, `head${suffix}/kernel`)];
    const grads = (vars: tf.Variable[]) => ({ [vars[0].name]: tf.tensor1d([0.5, -1]), [vars[1].name]: tf.tensor1d([2]) });
    const a = new AdamW(tf, 0.1, 0);
    const va = make("a");
    a.setGroups([{ key: "0", names: [va[0].name], multiplier: 0.01 }, { key: "2", names: [va[1].name], multiplier: 1 }]);
    a.apply(va, grads(va));
    // Adam's first step moves each weight by its learning rate (sign of the gradient).
    expect(Array.from(va[0].dataSync())).toEqual([1 - 0.001, 2 + 0.001].map((v): unknown => expect.closeTo(v, 6)));
    expect(va[1].dataSync()[0]).toBeCloseTo(3 - 0.1, 5);
    expect(a.learningRateOf(va[0].name)).toBeCloseTo(0.001, 12);

    const saved = await a.serialize();
    expect(saved.names.filter((n) => n.startsWith("group:0/"))).toHaveLength(3);
    const b = new AdamW(tf, 0.1, 0);
    const vb = make("b");
    vb[0].assign(va[0]);
    vb[1].assign(va[1]);
    // Same layout under other variable names: restore by group key and position.
    await b.restore({ ...saved, names: saved.names.map((n) => n.replace("bodya", "bodyb").replace("heada", "headb")) });
    b.setGroups([{ key: "0", names: [vb[0].name], multiplier: 0.01 }, { key: "2", names: [vb[1].name], multiplier: 1 }]);
    // Different gradients than the first step, so the result depends on the restored moments.
    const second = (vars: tf.Variable[]) => ({ [vars[0].name]: tf.tensor1d([0.1, -3]), [vars[1].name]: tf.tensor1d([0.05]) });
    const fresh = va[1].dataSync()[0] - 0.1; // where a first step (no state) would put the head
    a.apply(va, second(va));
    b.apply(vb, second(vb));
    expect(Math.abs(va[1].dataSync()[0] - fresh)).toBeGreaterThan(0.01);
    expect(Array.from(vb[0].dataSync())).toEqual(Array.from(va[0].dataSync()).map((v): unknown => expect.closeTo(v, 6)));
    expect(vb[1].dataSync()[0]).toBeCloseTo(va[1].dataSync()[0], 6);
    a.dispose();
    b.dispose();
  });
});
