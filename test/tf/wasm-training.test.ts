import * as tf from "@tensorflow/tfjs";
import { expect, test } from "vitest";
import { initBackend } from "../../src/core/tf/backend";

/** Images with a bright square in the left or right half; label 1 for right. */
function syntheticBatch(count: number, size: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  let state = seed;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pixels = new Float32Array(count * size * size);
  const labels = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const right = next() < 0.5;
    labels[i] = right ? 1 : 0;
    const x0 = Math.floor(next() * (size / 2 - 3)) + (right ? size / 2 : 0);
    const y0 = Math.floor(next() * (size - 3));
    for (let p = 0; p < size * size; p++) pixels[i * size * size + p] = next() * 0.3;
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) pixels[i * size * size + (y0 + dy) * size + x0 + dx] += 1;
  }
  return { xs: tf.tensor4d(pixels, [count, size, size, 1]), ys: tf.tensor2d(labels, [count, 1]) };
}

test("a small conv net (conv → batchnorm → relu → pool → dense) trains on WASM", async () => {
  const info = await initBackend({ prefer: "wasm" });
  expect(info.backend).toBe("wasm");
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, strides: 2, padding: "same", useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: "relu" }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: "same" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, activation: "sigmoid" }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: "binaryCrossentropy", metrics: ["accuracy"] });
  const train = syntheticBatch(64, 16, 1);
  const test = syntheticBatch(64, 16, 2);
  const before = (model.evaluate(test.xs, test.ys) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  const history = await model.fit(train.xs, train.ys, { epochs: 12, batchSize: 16, verbose: 0 });
  const after = (model.evaluate(test.xs, test.ys) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  const losses = history.history.loss as number[];
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
  expect(after[0]).toBeLessThan(before[0] * 0.5);
  expect(after[1]).toBeGreaterThanOrEqual(0.9);
});
