import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { modelLoss, trainingLogits, weightedBce } from "../../src/core/train/loss";
import { trainableVariables } from "../../src/core/train/step";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Plain-JS reference: mean over rows of Σ_l w_l·BCE(z, y) / Σ_l w_l, with BCE(z, y) = softplus(z) − z·y. */
function referenceLoss(z: number[][], y: number[][], w: number[]): number {
  const wSum = w.reduce((a, b) => a + b, 0);
  const rows = z.map((row, i) => row.reduce((s, v, l) => s + w[l] * (softplus(v) - v * y[i][l]), 0) / wSum);
  return rows.reduce((a, b) => a + b, 0) / rows.length;
}

/** Input [2] → Dense(3, sigmoid) with fixed weights; logits = x·K + b. */
function denseModel(kernel: number[][], bias: number[]): tf.LayersModel {
  const input = tf.input({ shape: [2] });
  const dense = tf.layers.dense({ units: 3, activation: "sigmoid", name: "head" });
  const model = tf.model({ inputs: input, outputs: dense.apply(input) as tf.SymbolicTensor });
  dense.setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]);
  return model;
}

describe("BCE from logits", () => {
  it("equals the plain-JS reference, extreme logits included", () => {
    const z = [[50, -50, 0.3], [-50, 50, -2], [12, -0.5, 3]];
    const y = [[0, 1, 1], [0, 1, 0], [1, 0, 1]];
    const w = [2, 1, 1];
    const value = weightedBce(tf, tf.tensor2d(z), tf.tensor2d(y), w, true).dataSync()[0];
    expect(value).toBeCloseTo(referenceLoss(z, y, w), 4);
    // confidently wrong rows cost ~50 per label, not the clipped -log(1e-7) ≈ 16.1
    expect(referenceLoss([[50, -50, 0]], [[0, 1, 0]], [1, 1, 1])).toBeGreaterThan(33);
  });

  it("reaches the logits of a sigmoid Dense head and matches the reference", () => {
    const kernel = [[25, -25, 0.5], [0, 0, -1]];
    const bias = [0, 0, 0.1];
    const model = denseModel(kernel, bias);
    const xs = [[2, 1], [-2, 0.5]];
    const z = xs.map(([a, b]) => [0, 1, 2].map((l) => a * kernel[0][l] + b * kernel[1][l] + bias[l]));
    const logits = trainingLogits(tf, model, tf.tensor2d(xs))!;
    expect(Array.from(logits.dataSync())).toEqual(z.flat().map((v): unknown => expect.closeTo(v, 4)));
    const y = [[0, 1, 1], [1, 0, 0]];
    const w = [2, 1, 1];
    const loss = modelLoss(tf, model, tf.tensor2d(xs), tf.tensor2d(y), w, false).dataSync()[0];
    expect(loss).toBeCloseTo(referenceLoss(z, y, w), 4);
  });

  it("keeps a gradient for confidently wrong predictions (logits ±50), where clipped probabilities had none", () => {
    const kernel = [[25, -25, 0], [0, 0, 0]];
    const model = denseModel(kernel, [0, 0, 0]);
    const x = tf.tensor2d([[2, 0]]); // logits 50, -50, 0
    const y = tf.tensor2d([[0, 1, 1]]); // first two labels confidently wrong
    const w = [1, 1, 1];
    const variables = trainableVariables(model);
    const { grads } = tf.variableGrads(() => modelLoss(tf, model, x, y, w, false) as tf.Scalar, variables);
    const kernelGrad = grads[variables[0].name].arraySync() as number[][];
    // dL/dz_l = w_l (σ(z_l) − y_l) / Σw; dL/dK[i][l] = x_i · dL/dz_l
    const dz = [50, -50, 0].map((v, l) => (w[l] * (sigmoid(v) - [0, 1, 1][l])) / 3);
    expect(kernelGrad[0]).toEqual(dz.map((v): unknown => expect.closeTo(2 * v, 5)));
    expect(Math.abs(kernelGrad[0][0])).toBeGreaterThan(0.5);

    // The old loss: BCE on clipped probabilities has exactly zero gradient at saturated outputs.
    const old = tf.variableGrads(() => weightedBce(tf, model.apply(x, { training: true }) as tf.Tensor, y, w, false) as tf.Scalar, variables);
    const oldKernel = old.grads[variables[0].name].arraySync() as number[][];
    expect(oldKernel[0][0]).toBe(0);
    expect(oldKernel[0][1]).toBe(0);
  });

  it("a model that already outputs logits is used as is", () => {
    const input = tf.input({ shape: [2] });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3, activation: "linear" }).apply(input) as tf.SymbolicTensor });
    expect(trainingLogits(tf, model, tf.zeros([1, 2]))).toBeNull();
    const x = tf.tensor2d([[1, -1]]);
    const z = Array.from((model.predict(x) as tf.Tensor).dataSync());
    const loss = modelLoss(tf, model, x, tf.tensor2d([[1, 0, 1]]), [1, 1, 1], true).dataSync()[0];
    expect(loss).toBeCloseTo(referenceLoss([z], [[1, 0, 1]], [1, 1, 1]), 5);
  });
});
