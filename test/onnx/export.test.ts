// The ONNX export computes what the TF.js model computes: every catalog architecture, 1- and
// 6-label heads, adjacent-slice channels and odd sizes (asymmetric "same" pads), on slices prepared
// by the shared preprocessing, run with ONNX Runtime and compared with TF.js within 1e-4.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tfjs from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareSample } from "../../src/core/data/preprocess";
import type { PreprocessOptions, Sample } from "../../src/core/data/sample";
import { resolveWindows } from "../../src/core/data/windows";
import { LABELS, type Label } from "../../src/shared/labels";
import { buildModel, HEAD_LAYER_NAME, type Architecture } from "../../src/core/models";
import type { HeadKind } from "../../src/core/models/types";
import { modelToOnnx, ONNX_INPUT, ONNX_OUTPUT, type OnnxExportMetadata } from "../../src/core/onnx/export";
import { onnx, type OnnxTypes } from "../../src/core/onnx/schema";
import { outputsLogits, probabilities } from "../../src/core/predict/infer";
import { writeSyntheticDataset } from "../../src/core/synth";
import { initBackend } from "../../src/core/tf/backend";
import { SHARED_DATA } from "../helpers/shared-data";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require("onnxruntime-node") as typeof import("onnxruntime-node");

type Tf = typeof tfjs;
let tf: Tf;
let files: string[];
const root = mkdtempSync(join(tmpdir(), "ich-onnx-"));
const RSNA_SERIES = join(SHARED_DATA, "rsna-samples", "series_ID_f10de2d018");

beforeAll(async () => {
  tf = (await initBackend({ prefer: "wasm", trainingKernels: false })).tf;
  // Four consecutive real slices when ../shared is there, else synthetic DICOM phantoms.
  if (existsSync(RSNA_SERIES)) {
    files = readdirSync(RSNA_SERIES).filter((f) => f.endsWith(".dcm")).sort().slice(10, 14).map((f) => join(RSNA_SERIES, f));
  } else {
    // Slices spread over the head: four adjacent phantom slices are so alike that the head
    // calibration below (logit spread ≥ 0.1) would magnify float32 rounding past the tolerance.
    const series = (await writeSyntheticDataset({ out: join(root, "dicom"), patients: 1, slices: 16, seed: 21, size: 64 })).files;
    files = [2, 6, 10, 14].map((i) => series[i]);
  }
  expect(files).toHaveLength(4);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The batch `ich predict` would feed: each slice through prepareSample, its neighbours as context. */
async function preparedBatch(p: PreprocessOptions, channels: number): Promise<tfjs.Tensor4D> {
  const images = await Promise.all(
    files.map((file, i) => {
      const sample: Sample = { id: `s${i}`, patientId: "p", source: { kind: "dicom", file, neighbours: [files[i - 1] ?? null, files[i + 1] ?? null] } };
      return prepareSample(sample, p);
    }),
  );
  const x = new Float32Array(images.length * p.size * p.size * channels);
  images.forEach((im, i) => x.set(im.image, i * im.image.length));
  return tf.tensor4d(x, [images.length, p.size, p.size, channels]);
}

let seed = 1;
const uniform = (shape: number[], lo: number, hi: number) => tf.randomUniform(shape, lo, hi, "float32", seed++);

/** Batch-norm statistics and affine terms far from 0/1, so their conversion really is exercised. */
function randomiseBatchNorms(model: tfjs.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    const [c] = layer.getWeights()[0].shape;
    // Far enough from (1, 0, 0, 1) that a mis-mapped gamma/beta/mean/variance changes the outputs
    // by orders of magnitude more than 1e-4, near enough that 33 random residual blocks (ResNet-101)
    // stay well-conditioned in float32.
    const values = [uniform([c], 0.8, 1.2), uniform([c], -0.2, 0.2), uniform([c], -0.2, 0.2), uniform([c], 0.8, 1.25)];
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/**
 * Scales the classifier so its logits on this batch are centred with a spread of about 2: deep
 * random nets otherwise saturate the sigmoid at exactly 0 or 1, and equal outputs would prove nothing.
 */
function calibrateHead(model: tfjs.LayersModel, headName: string, x: tfjs.Tensor4D): void {
  const head = model.getLayer(headName);
  const features = tf.model({ inputs: model.inputs, outputs: head.input });
  const [kernel, bias] = head.getWeights();
  const weights = tf.tidy(() => {
    const logits = tf.matMul(features.predict(x) as tfjs.Tensor2D, kernel);
    const { mean, variance } = tf.moments(logits, 0);
    if (!bias) return [kernel.mul(tf.div(2, tf.sqrt(variance.add(mean.square())).add(1e-3)))]; // no bias to centre with (fastai head)
    const scale = tf.div(2, tf.sqrt(variance).add(1e-3));
    return [kernel.mul(scale), mean.mul(scale).neg()];
  });
  head.setWeights(weights);
  tf.dispose(weights);
}

interface Case {
  architecture: Architecture;
  size: number;
  windows: string[];
  context: number;
  labels: Label[];
  /** Built for exactly `size` rather than any size (training builds any-size models). */
  staticInput?: boolean;
  /** Replace the sigmoid head by a linear one: the export must add the sigmoid. */
  logitsHead?: boolean;
  head?: HeadKind;
}

const ALL = [...LABELS];
const ANY: Label[] = ["any"];
const CASES: Case[] = [
  { architecture: "small-cnn", size: 48, windows: ["brain", "subdural", "bone"], context: 0, labels: ALL, staticInput: true },
  { architecture: "small-cnn", size: 37, windows: ["brain"], context: 1, labels: ANY, logitsHead: true },
  { architecture: "small-cnn", size: 35, windows: ["brain", "subdural", "bone"], context: 0, labels: ALL, head: "fastai" },
  { architecture: "resnet18", size: 40, windows: ["brain", "subdural"], context: 1, labels: ANY },
  { architecture: "resnet34", size: 32, windows: ["brain", "subdural", "bone"], context: 0, labels: ALL },
  { architecture: "resnet50", size: 33, windows: ["brain"], context: 0, labels: ANY },
  { architecture: "resnet101", size: 32, windows: ["brain", "subdural", "bone"], context: 0, labels: ALL },
  { architecture: "densenet121", size: 36, windows: ["brain", "subdural", "bone"], context: 1, labels: ANY },
  { architecture: "alexnet", size: 67, windows: ["brain", "subdural", "bone"], context: 0, labels: ALL },
  { architecture: "alexnet", size: 63, windows: ["brain"], context: 0, labels: ANY, head: "torchvision" },
];

function buildCase(c: Case, channels: number): { model: tfjs.LayersModel; head: string } {
  const inputSize = c.staticInput ? c.size : null;
  const base = buildModel(tf, { architecture: c.architecture, inputSize, channels, outputs: c.labels.length, seed: 3, head: c.head });
  if (!c.logitsHead) return { model: base, head: HEAD_LAYER_NAME };
  const features = base.getLayer(HEAD_LAYER_NAME).input as tfjs.SymbolicTensor;
  const logits = tf.layers.dense({ name: "logits", units: c.labels.length, activation: "linear" }).apply(features) as tfjs.SymbolicTensor;
  return { model: tf.model({ inputs: base.inputs, outputs: logits }), head: "logits" };
}

async function runOnnx(bytes: Uint8Array, x: tfjs.Tensor4D): Promise<{ probs: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", x.dataSync() as Float32Array, x.shape) });
    const probs = out[ONNX_OUTPUT];
    return { probs: probs.data as Float32Array, dims: probs.dims };
  } finally {
    await session.release();
  }
}

describe("modelToOnnx", () => {
  const named = CASES.map((c) => ({ ...c, name: `${c.architecture}, ${c.size} px, ${c.windows.length} window(s) × context ${c.context}, ${c.labels.length} label(s)${c.logitsHead ? ", logits head" : ""}${c.head ? `, ${c.head} head` : ""}` }));
  it.each(named)("$name: ONNX Runtime = TF.js within 1e-4", { timeout: 180_000 }, async (c) => {
    const preprocess: PreprocessOptions = { size: c.size, windows: resolveWindows(c.windows as never), context: c.context, rsnaFix: true };
    const channels = c.windows.length * (1 + 2 * c.context);
    const x = await preparedBatch(preprocess, channels);
    const { model, head } = buildCase(c, channels);
    try {
      randomiseBatchNorms(model);
      calibrateHead(model, head, x);
      const expected = tf.tidy(() => probabilities(tf, model.predict(x) as tfjs.Tensor, outputsLogits(model)).dataSync() as Float32Array);
      // The comparison only means something when the outputs differ between slices and are not saturated.
      const spread = Math.max(...expected) - Math.min(...expected);
      expect(spread).toBeGreaterThan(0.1);

      const metadata: OnnxExportMetadata = { runId: "run-1", architecture: c.architecture, labels: c.labels, preprocess, channels, sourceKind: "dicom" };
      const { probs, dims } = await runOnnx(modelToOnnx(tf, model, metadata), x);
      expect(dims).toEqual([files.length, c.labels.length]);
      for (let i = 0; i < expected.length; i++) expect(Math.abs(probs[i] - expected[i]), `output ${i}: ONNX ${probs[i]}, TF.js ${expected[i]}`).toBeLessThan(1e-4);
    } finally {
      model.dispose();
      x.dispose();
    }
  });

  it("names its input and output, fixes H×W×C, leaves the batch dynamic and records the preprocessing in metadata_props", async () => {
    const preprocess: PreprocessOptions = { size: 32, windows: resolveWindows(["brain", "subdural", "bone"]), context: 1, rsnaFix: true };
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: null, channels: 9, outputs: 6, seed: 1 });
    try {
      const bytes = modelToOnnx(tf, model, { runId: "20260101-tiny", architecture: "small-cnn", labels: ALL, preprocess, channels: 9, sourceKind: "dicom" });
      const decoded = onnx.ModelProto.decode(bytes);
      const graph = decoded.graph!;
      expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([["", 17]]);
      const dims = (v: OnnxTypes.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
      expect(graph.input!.map((v) => [v.name, dims(v)])).toEqual([["input", ["batch", 32, 32, 9]]]);
      expect(graph.output!.map((v) => [v.name, dims(v)])).toEqual([["probabilities", ["batch", 6]]]);
      const props = Object.fromEntries(decoded.metadataProps.map((p): [string, string] => [p.key ?? "", p.value ?? ""]));
      expect(JSON.parse(props["ich.labels"])).toEqual(ALL);
      expect(JSON.parse(props["ich.windows"])).toEqual(preprocess.windows);
      expect(JSON.parse(props["ich.preprocess"])).toEqual(preprocess);
      expect(props).toMatchObject({ "ich.size": "32", "ich.channels": "9", "ich.runId": "20260101-tiny", "ich.architecture": "small-cnn", "ich.sourceKind": "dicom" });
      // A different batch size than any seen so far runs as well.
      const x = tf.zeros<tfjs.Rank.R4>([5, 32, 32, 9]);
      expect((await runOnnx(bytes, x)).dims).toEqual([5, 6]);
      x.dispose();
    } finally {
      model.dispose();
    }
  });

  it("refuses a layer it cannot convert, naming the layer, and a size the model was not built for", () => {
    const input = tf.input({ shape: [32, 32, 1] });
    const up = tf.layers.upSampling2d({ name: "up", size: [2, 2] }).apply(input) as tfjs.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(up) as tfjs.SymbolicTensor;
    const out = tf.layers.dense({ name: "out", units: 1, activation: "sigmoid" }).apply(pooled) as tfjs.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const metadata: OnnxExportMetadata = { runId: "r", architecture: "custom", labels: ANY, preprocess: { size: 32, windows: resolveWindows(["brain"]), context: 0, rsnaFix: true }, channels: 1, sourceKind: "dicom" };
    expect(() => modelToOnnx(tf, model, metadata)).toThrow(/layer "up" \(UpSampling2D\): this layer type has no ONNX conversion/);
    expect(() => modelToOnnx(tf, model, { ...metadata, preprocess: { ...metadata.preprocess, size: 64 } })).toThrow(/takes 32×32 inputs but the preprocessing makes 64×64/);
    model.dispose();
  });
});
