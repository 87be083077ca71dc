// The ONNX training graph computes what TF.js computes for one training step: the loss, the
// gradient of every trainable weight and the batch-norm batch statistics, for every catalog
// architecture and head, with ONNX Runtime against tf.variableGrads on the WASM backend.
import type * as tfjs from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModel, type Architecture } from "../../src/core/models";
import type { HeadKind } from "../../src/core/models/types";
import { initBackend } from "../../src/core/tf/backend";
import { batchGradients, trainableVariables } from "../../src/core/train/step";
import { gradientToTf, toOnnxLayout } from "../../src/core/train/onnx/weight-layout";
import { buildTrainingGraph, TRAIN_INPUT, TRAIN_LOSS, TRAIN_TARGETS, UnsupportedModelError } from "../../src/core/train/onnx/training-graph";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require("onnxruntime-node") as typeof import("onnxruntime-node");

type Tf = typeof tfjs;
let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend({ prefer: "wasm" })).tf;
});

const WEIGHTS = [2, 1, 1, 1, 1, 1];

/**
 * ‖a − b‖ / ‖b‖ per tensor (gradients span orders of magnitude between layers). Not the largest
 * single difference: float32 rounding in the two engines' batch statistics flips a few ReLUs whose
 * input is within rounding of 0 in deep, tiny feature maps, which moves single values.
 */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 1e-24;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

interface Tolerance {
  median: number;
  p90: number;
}
const STRICT: Tolerance = { median: 1e-3, p90: 1e-2 };

interface CompareOptions {
  freezeBody?: boolean;
  tolerance?: Tolerance;
}

async function compare(architecture: Architecture, head: HeadKind, size: number, outputs: number, options: CompareOptions = {}) {
  const model = buildModel(tf, { architecture, head, inputSize: null, channels: 3, outputs, dropout: 0, seed: 3 });
  await compareModel(model, size, outputs, `${architecture}/${head}`, options);
}

async function compareModel(model: tfjs.LayersModel, size: number, outputs: number, label: string, options: CompareOptions = {}) {
  if (options.freezeBody) for (const layer of model.layers) if (!layer.name.startsWith("head_") && layer.name !== "predictions") layer.trainable = false;
  const n = 4;
  const x = tf.randomUniform([n, size, size, 3], -1, 1, "float32", 5);
  const y = tf.tensor2d(Float32Array.from({ length: n * outputs }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), [n, outputs]);
  const weights = WEIGHTS.slice(0, outputs);
  const variables = trainableVariables(model);
  const graph = buildTrainingGraph(model, { size, channels: 3, labelWeights: weights, logits: false, trainable: new Set(variables.map((v) => v.name)) });

  // ONNX Runtime first: TF.js's training-mode forward moves the BN moving statistics.
  const session = await ort.InferenceSession.create(graph.bytes, { intraOpNumThreads: 2 });
  const feeds: Record<string, import("onnxruntime-node").Tensor> = {
    [TRAIN_INPUT]: new ort.Tensor("float32", x.dataSync() as Float32Array, x.shape),
    [TRAIN_TARGETS]: new ort.Tensor("float32", y.dataSync() as Float32Array, y.shape),
  };
  const byName = new Map(model.weights.map((w) => [w.name, w]));
  for (const w of graph.weights) feeds[w.input] = new ort.Tensor("float32", toOnnxLayout(w.layout, w.tfShape, byName.get(w.variable)!.read().dataSync() as Float32Array), w.shape);
  const out = await session.run(feeds);
  await session.release();

  const snapshot = (variable: string) => Float32Array.from(byName.get(variable)!.read().dataSync() as Float32Array);
  const movingBefore = new Map(graph.batchNorms.flatMap((b) => [b.movingMean, b.movingVariance]).map((name) => [name, snapshot(name)]));
  const { value, grads } = batchGradients(tf, model, variables, x, y, weights, false);
  expect(out[TRAIN_LOSS].data[0]).toBeCloseTo(value.dataSync()[0], 4);
  expect(graph.gradients.map((g) => g.variable).sort()).toEqual(variables.map((v) => v.name).sort());
  const layouts = new Map(graph.weights.map((w) => [w.variable, w]));
  const errors: number[] = [];
  for (const { variable, output } of graph.gradients) {
    const expected = grads[variable].dataSync() as Float32Array;
    const { layout, tfShape } = layouts.get(variable)!;
    const actual = gradientToTf(layout, tfShape, out[output].data as Float32Array);
    expect(actual.length, variable).toBe(expected.length);
    errors.push(relativeError(actual, expected));
  }
  // Rounding can flip a ReLU whose input is within float32 rounding of 0 (more likely the deeper
  // and smaller the feature maps), which moves that gradient and, less and less, those before it:
  // most tensors must agree to 1e-3 and nearly all to 1e-2; a wrong gradient rule fails them all.
  errors.sort((a, b) => a - b);
  const tolerance = options.tolerance ?? STRICT;
  expect(errors[Math.floor(errors.length / 2)], `${label}: median gradient error`).toBeLessThan(tolerance.median);
  expect(errors[Math.floor(errors.length * 0.9)], `${label}: 90th percentile gradient error`).toBeLessThan(tolerance.p90);
  // The batch statistics TF.js folded into the moving ones (momentum m): moving' = m·moving + (1 − m)·batch.
  for (const b of graph.batchNorms) {
    for (const [variable, output] of [[b.movingMean, b.mean], [b.movingVariance, b.variance]]) {
      const after = snapshot(variable);
      const before = movingBefore.get(variable)!;
      const batch = out[output].data as Float32Array;
      const implied = Float32Array.from(batch, (_, i) => (after[i] - b.momentum * before[i]) / (1 - b.momentum));
      expect(relativeError(batch, implied), `${variable} from the batch statistics`).toBeLessThan(1e-3);
    }
  }
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
}

describe("ONNX training graph vs TF.js gradients", () => {
  it("small CNN with the linear head, 6 labels", async () => {
    await compare("small-cnn", "linear", 32, 6);
  });
  it("small CNN with fastai's head (concat pool, BatchNorm1d, hidden layer), 1 label", async () => {
    await compare("small-cnn", "fastai", 40, 1);
  });
  it("ResNet-18 at an odd size (asymmetric same pads, strided gradients)", async () => {
    await compare("resnet18", "linear", 45, 6);
  }, 60_000);
  it("ResNet-50 bottlenecks, fastai head", async () => {
    await compare("resnet50", "fastai", 32, 6);
  }, 120_000);
  it("dense connections: concatenation with the block input, 1×1 and 3×3 convolutions, average-pool transition", async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const stem = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", name: "stem" }).apply(input) as tfjs.SymbolicTensor;
    const bn = tf.layers.activation({ activation: "relu", name: "relu" }).apply(tf.layers.batchNormalization({ name: "bn", epsilon: 1e-5 }).apply(stem)) as tfjs.SymbolicTensor;
    const grown = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: "grow" }).apply(bn) as tfjs.SymbolicTensor;
    const joined = tf.layers.concatenate({ axis: -1, name: "join" }).apply([stem, grown]) as tfjs.SymbolicTensor;
    const pooled = tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: "valid", name: "transition" }).apply(joined) as tfjs.SymbolicTensor;
    const features = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(pooled) as tfjs.SymbolicTensor;
    const out = tf.layers.dense({ units: 6, activation: "sigmoid", name: "predictions" }).apply(features) as tfjs.SymbolicTensor;
    await compareModel(tf.model({ inputs: input, outputs: out }), 15, 6, "dense block");
  });
  it("DenseNet-121 (concatenations, average-pool transitions)", async () => {
    // 58 batch norms over 16 values per channel in the last block: rounding flips a few ReLUs, and
    // dense connections carry each flip to every earlier layer, so this is the coarse check; the
    // exact one is the dense-block test above.
    await compare("densenet121", "linear", 64, 6, { tolerance: { median: 5e-2, p90: 1e-1 } });
  }, 120_000);
  it("AlexNet with torchvision's classifier (adaptive pool, flatten, biases)", async () => {
    await compare("alexnet", "torchvision", 67, 6);
  }, 120_000);
  it("a frozen body: gradients only for the head, none flow into frozen layers", async () => {
    await compare("small-cnn", "fastai", 32, 6, { freezeBody: true });
  });
  it("refuses a model it cannot train, naming the layer", () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, name: "dilated" }).apply(input) as tfjs.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, activation: "sigmoid" }).apply(tf.layers.flatten().apply(conv)) as tfjs.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const trainable = new Set(model.trainableWeights.map((w) => w.name));
    expect(() => buildTrainingGraph(model, { size: 8, channels: 3, labelWeights: [1], logits: false, trainable })).toThrow(
      new UnsupportedModelError(model, `layer "dilated" (Conv2D): dilated convolutions`),
    );
  });
});
