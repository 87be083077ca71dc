import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { featureLayer, gradCam } from "../../src/core/predict/gradcam";

const SIZE = 16;

/** 1×1 conv (identity, ReLU) → global average pool → two sigmoid outputs: +mean and −mean of the map. */
function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 1] });
  const conv = tf.layers.conv2d({ name: "features", filters: 1, kernelSize: 1, activation: "relu", kernelInitializer: "ones", biasInitializer: "zeros" }).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 2, activation: "sigmoid", name: "predictions" });
  const output = dense.apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  dense.setWeights([tf.tensor2d([[4, -4]]), tf.zeros([2])]);
  return model;
}

/** Image with a bright 4×4 "bleed" at rows 2..5, columns 9..12 on a dim background. */
function blobImage(): tf.Tensor4D {
  const values = new Float32Array(SIZE * SIZE).fill(0.05);
  for (let r = 2; r < 6; r++) for (let c = 9; c < 13; c++) values[r * SIZE + c] = 1;
  return tf.tensor4d(values, [1, SIZE, SIZE, 1]);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("gradCam", () => {
  it("returns a feature-map-sized grid in [0, 1] that peaks on the region driving the output", () => {
    const model = tinyModel();
    const grid = gradCam(tf, model, blobImage(), 0);
    expect(grid.layer).toBe("features");
    expect([grid.width, grid.height]).toEqual([SIZE, SIZE]);
    expect(grid.values.length).toBe(SIZE * SIZE);
    expect(Math.min(...grid.values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...grid.values)).toBeCloseTo(1, 5);
    let inside = 0;
    let outside = 0;
    for (let r = 0; r < SIZE; r++)
      for (let c = 0; c < SIZE; c++) {
        const v = grid.values[r * SIZE + c];
        if (r >= 2 && r < 6 && c >= 9 && c < 13) inside = Math.max(inside, v);
        else outside = Math.max(outside, v);
      }
    expect(inside).toBeCloseTo(1, 5);
    expect(outside).toBeLessThan(0.1);
  });

  it("gives an all-zero map for an output the features argue against (ReLU), and restores the layer", () => {
    const model = tinyModel();
    const layer = featureLayer(model);
    // The method is compared by identity (restored, not left patched), never called unbound.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const call = layer.call;
    const grid = gradCam(tf, model, blobImage(), 1);
    expect(grid.values.every((v) => v === 0)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/unbound-method
    expect(layer.call).toBe(call);
  });

  it("works through a residual (non-sequential) graph built for any input size", () => {
    const input = tf.input({ shape: [null, null, 1] });
    const a = tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: "same", activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: "same", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(a) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    const act = tf.layers.activation({ activation: "relu", name: "trunk_out" }).apply(sum) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(act) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 6, activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const grid = gradCam(tf, model, tf.randomUniform<tf.Rank.R4>([1, 32, 32, 1], 0, 1, "float32", 7), 3);
    expect(grid.layer).toBe("trunk_out");
    expect([grid.width, grid.height]).toEqual([16, 16]);
    expect(grid.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(() => gradCam(tf, model, tf.zeros([1, 32, 32, 1]), 6)).toThrow(/output 6 does not exist/);
  });
});
