import * as tf from "@tensorflow/tfjs";
import { beforeAll, expect, test } from "vitest";
import { initBackend } from "../../src/core/tf/backend";
import { inputGradientFreeShapes, trainStep, withoutInputGradients } from "../../src/core/tf/train-step";

beforeAll(async () => {
  await initBackend({ prefer: "wasm" });
});

function smallNet(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 2] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: "relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: "same", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function batch(n: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const xs = tf.randomUniform<tf.Rank.R4>([n, 12, 12, 2], 0, 1, "float32", 5);
    const ys = xs.mean([1, 2, 3]).greater(0.5).cast("float32").reshape<tf.Tensor2D>([n, 1]);
    return { xs, ys };
  });
}

test("the first convolution's input is recognised, with its batch size", () => {
  const model = smallNet();
  const { xs, ys } = batch(3);
  expect(inputGradientFreeShapes(model, [xs])).toEqual([[3, 12, 12, 2]]);
  const sequential = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })],
  });
  expect(inputGradientFreeShapes(sequential, [xs])).toEqual([[3, 12, 12, 2]]);
  tf.dispose([xs, ys]);
});

test("skipping is disabled when another convolution sees the input's shape, or a layer is unknown", () => {
  const input = tf.input({ shape: [8, 8, 3] });
  const same = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same" }).apply(input) as tf.SymbolicTensor;
  const second = tf.layers.conv2d({ filters: 5, kernelSize: 3 }).apply(same) as tf.SymbolicTensor;
  const ambiguous = tf.model({ inputs: input, outputs: second });
  const transposed = tf.sequential({ layers: [tf.layers.conv2dTranspose({ inputShape: [8, 8, 3], filters: 3, kernelSize: 3 })] });
  const xs = tf.zeros([2, 8, 8, 3]);
  expect(inputGradientFreeShapes(ambiguous, [xs])).toEqual([]);
  expect(inputGradientFreeShapes(transposed, [xs])).toEqual([]);
  xs.dispose();
});

test("weight gradients are unchanged while the input gradient is skipped", () => {
  const model = smallNet();
  const { xs, ys } = batch(4);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = () => tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(ys, model.apply(xs, { training: false }) as tf.Tensor);
  const plain = tf.variableGrads(loss, variables);
  const skipped = withoutInputGradients(model, xs, () => tf.variableGrads(loss, variables));
  for (const v of variables) {
    const a = plain.grads[v.name].dataSync();
    const b = skipped.grads[v.name].dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
  }
  // The skip is real: inside the scope the (discarded) input gradient comes back as zeros.
  const inputGrad = (x: tf.Tensor) => tf.grad((t: tf.Tensor) => (model.apply(t, { training: false }) as tf.Tensor).sum())(x);
  const outside = inputGrad(xs);
  const inside = withoutInputGradients(model, xs, () => inputGrad(xs));
  expect(outside.abs().max().dataSync()[0]).toBeGreaterThan(0);
  expect(inside.abs().max().dataSync()[0]).toBe(0);
  tf.dispose([xs, ys, plain.value, skipped.value, outside, inside, ...Object.values(plain.grads), ...Object.values(skipped.grads)]);
});

test("trainStep lowers the loss and leaks no tensors", () => {
  const model = smallNet();
  const optimizer = tf.train.adam(0.03);
  const { xs, ys } = batch(16);
  const first = trainStep(tf, model, optimizer, xs, ys, (t, p) => tf.metrics.binaryCrossentropy(t, p));
  const tensors = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 30; i++) last = trainStep(tf, model, optimizer, xs, ys, (t, p) => tf.metrics.binaryCrossentropy(t, p));
  expect(tf.memory().numTensors).toBe(tensors);
  expect(last).toBeLessThan(first * 0.5);
  tf.dispose([xs, ys]);
});
