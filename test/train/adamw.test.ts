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
    expect(Array.from(kernel.dataSync())).toEqual([0.95, -1.9, 2.85, 3.8].map((v) => expect.closeTo(v, 6)));
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
    expect(Array.from(w2.dataSync())).toEqual(Array.from(w.dataSync()).map((v) => expect.closeTo(v, 6)));
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
