// torchvision → ONNX → ICH Lab: each architecture, exported by Debian's PyTorch with random weights
// (and random batch-norm statistics), imported by `ich import-weights` with its classifier kept,
// gives torchvision's logits within 1e-4 on the same input (ImageNet normalisation included: the
// model applies it). Skips when /usr/bin/python3 has no torch/torchvision.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tfjs from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateExperiment } from "../../src/core/experiment";
import { HEAD_LAYER_NAME, INPUT_NORMALIZATION_LAYER, loadModel, type Architecture } from "../../src/core/models";
import type { HeadKind } from "../../src/core/models/types";
import { importWeightsToFolder } from "../../src/core/onnx/import-weights";
import { RunStore } from "../../src/core/runs";
import { initialModel } from "../../src/core/train/initial-model";
import { readModelInput } from "../../src/core/train/model-input";
import { initBackend } from "../../src/core/tf/backend";

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(__dirname, "fixtures", "torchvision_export.py");
const HAS_TORCH = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" }).status === 0;
const SKIP = HAS_TORCH ? "" : " (skipped: /usr/bin/python3 has no torch/torchvision; apt-get install python3-torch python3-torchvision)";

interface Case {
  architecture: Architecture;
  size: number;
  /** Exported with training=PRESERVE: BatchNormalization nodes kept instead of folded into Conv. */
  preserve?: boolean;
  head?: HeadKind;
}

// AlexNet is exported at 224 px (torch exports its adaptive pool only then) and compared at 100 px,
// where the 2×2 feature map is pooled to 6×6 by overlapping bins.
const CASES: Case[] = [
  { architecture: "resnet18", size: 67 },
  { architecture: "resnet18", size: 64, preserve: true },
  { architecture: "resnet34", size: 64 },
  { architecture: "resnet50", size: 64 },
  { architecture: "resnet101", size: 64 },
  { architecture: "densenet121", size: 64 },
  { architecture: "alexnet", size: 100, head: "torchvision" },
];

interface Fixture {
  size: number;
  input: number[];
  logits: number[][];
}

const fixtureName = (c: Case) => `${c.architecture}${c.preserve ? "-preserve" : ""}`;
let tf: typeof tfjs;
let fixtures: string;
const out = mkdtempSync(join(tmpdir(), "ich-import-"));

beforeAll(async () => {
  if (!HAS_TORCH) return;
  tf = (await initBackend({ prefer: "wasm", trainingKernels: false })).tf;
  // Exports are cached per script version: a rerun skips the minute PyTorch needs.
  const key = createHash("sha256").update(readFileSync(SCRIPT)).update(JSON.stringify(CASES)).digest("hex").slice(0, 12);
  fixtures = join(tmpdir(), `ich-torchvision-fixtures-${key}`);
  if (CASES.every((c) => existsSync(join(fixtures, `${fixtureName(c)}.json`)))) return;
  mkdirSync(fixtures, { recursive: true });
  const specs = CASES.map((c) => `${c.architecture}:${c.size}${c.preserve ? ":preserve" : ""}`);
  const run = spawnSync(PYTHON, [SCRIPT, fixtures, ...specs], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`${SCRIPT} failed:\n${run.stderr.slice(-3000)}`);
}, 600_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

function readFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(fixtures, `${name}.json`), "utf8")) as Fixture;
}

function worstError(expected: number[][], actual: number[][]): number {
  const scale = Math.max(1, ...expected.flat().map(Math.abs));
  let worst = 0;
  expected.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - actual[i][j])))));
  return worst / scale;
}

/** NCHW values from PyTorch → NHWC tensor. */
function nhwc(f: Fixture): tfjs.Tensor4D {
  const n = f.input.length / (3 * f.size * f.size);
  return tf.tidy(() => tf.transpose(tf.tensor4d(f.input, [n, 3, f.size, f.size]), [0, 2, 3, 1]));
}

/** The model's pre-sigmoid outputs: the classifier's input features times its kernel plus bias. */
function logitsOf(model: tfjs.LayersModel, x: tfjs.Tensor4D): number[][] {
  return tf.tidy(() => {
    const head = model.getLayer(HEAD_LAYER_NAME);
    const features = tf.model({ inputs: model.inputs, outputs: head.input }).predict(x) as tfjs.Tensor2D;
    const [kernel, bias] = head.getWeights();
    return tf.add(tf.matMul(features, kernel), bias).arraySync() as number[][];
  });
}

describe(`torchvision ONNX import${SKIP}`, () => {
  it.skipIf(!HAS_TORCH).each(CASES.map((c) => ({ ...c, name: `${fixtureName(c)} at ${c.size} px` })))(
    "$name: ich import-weights gives torchvision's logits within 1e-4",
    { timeout: 300_000 },
    async (c) => {
      const fixture = readFixture(fixtureName(c));
      const dir = join(out, fixtureName(c));
      const result = await importWeightsToFolder(tf, { onnx: join(fixtures, `${fixtureName(c)}.onnx`), architecture: c.architecture, size: c.size, out: dir, head: c.head });
      expect(result.report.classifier).toBe("kept");
      expect(result.labels).toHaveLength(6);
      if (c.architecture !== "alexnet") expect(result.report.foldedBatchNorms > 0).toBe(!c.preserve);
      const spec = await readModelInput(dir);
      expect(spec.preprocess.size).toBe(c.size);
      expect(spec.channels).toBe(3);

      const model = await loadModel(tf, dir);
      const x = nhwc(fixture);
      try {
        expect(worstError(fixture.logits, logitsOf(model, x))).toBeLessThan(1e-4);
        const probs = tf.tidy(() => (model.predict(x) as tfjs.Tensor).arraySync() as number[][]);
        fixture.logits.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(probs[i][j] - 1 / (1 + Math.exp(-v)))).toBeLessThan(1e-4)));
      } finally {
        x.dispose();
        model.dispose();
      }
    },
  );
});

describe(`torchvision ONNX import: adaptation and errors${SKIP}`, () => {
  it.skipIf(!HAS_TORCH)("6 input channels (2 windows × 3 slices): RGB filters repeated × 1/2 give torchvision's logits on R,G,B,R,G,B", { timeout: 120_000 }, async () => {
    const fixture = readFixture("resnet18");
    const dir = join(out, "six-channels");
    const result = await importWeightsToFolder(tf, { onnx: join(fixtures, "resnet18.onnx"), architecture: "resnet18", size: 67, out: dir, windows: ["brain", "subdural"], context: 1 });
    expect(result.spec.channels).toBe(6);
    expect(result.report.inputAdaptation).toMatch(/repeated over 6 channels/);
    const model = await loadModel(tf, dir);
    const rgb = nhwc(fixture);
    const x = tf.concat<tfjs.Tensor4D>([rgb, rgb], 3);
    try {
      expect(worstError(fixture.logits, logitsOf(model, x))).toBeLessThan(1e-4);
    } finally {
      tf.dispose([rgb, x]);
      model.dispose();
    }
  });

  it.skipIf(!HAS_TORCH)("model.pretrained: x.onnx starts training from the imported body with a new `any` head", { timeout: 120_000 }, async () => {
    const config = validateExperiment(
      { data: { kind: "synthetic", patients: 2 }, model: { architecture: "resnet18", pretrained: join(fixtures, "resnet18.onnx"), labels: "any" } },
      join(out, "exp.ich.json"),
    );
    const model = await initialModel(tf, config, 3, 1, new RunStore(join(out, "runs")));
    const imported = await loadModel(tf, join(out, "resnet18"));
    try {
      expect(model.outputs[0].shape).toEqual([null, 1]);
      expect(model.getLayer(INPUT_NORMALIZATION_LAYER).trainable).toBe(false);
      for (const name of ["conv1", "layer4_1_bn2"]) expect(model.getLayer(name).getWeights()[0].dataSync()).toEqual(imported.getLayer(name).getWeights()[0].dataSync());
    } finally {
      model.dispose();
      imported.dispose();
    }
  });

  it.skipIf(!HAS_TORCH)("a fastai head replaces the classifier and keeps the body", { timeout: 120_000 }, async () => {
    const result = await importWeightsToFolder(tf, { onnx: join(fixtures, "densenet121.onnx"), architecture: "densenet121", size: 64, out: join(out, "fastai"), head: "fastai" });
    expect(result.report.classifier).toBe("replaced");
    expect(result.report.tensors).toBeGreaterThan(300);
  });

  it.skipIf(!HAS_TORCH)("the wrong architecture is refused with the mis-shaped and unmatched tensors listed", { timeout: 120_000 }, async () => {
    const attempt = importWeightsToFolder(tf, { onnx: join(fixtures, "resnet34.onnx"), architecture: "resnet18", size: 64, out: join(out, "wrong") });
    await expect(attempt).rejects.toThrow(/resnet34\.onnx: cannot import the ONNX weights into resnet18/);
    await expect(attempt).rejects.toThrow(/ONNX weights left without a layer:\n {4}Conv .*\[64, 64, 3, 3\]/);
    expect(existsSync(join(out, "wrong"))).toBe(false);
  });

  it.skipIf(!HAS_TORCH)("AlexNet with a fastai or linear head keeps the five convolutions and drops the ImageNet classifier, as fastai cuts it", { timeout: 120_000 }, async () => {
    for (const head of ["fastai", "linear"] as const) {
      const result = await importWeightsToFolder(tf, { onnx: join(fixtures, "alexnet.onnx"), architecture: "alexnet", size: 100, out: join(out, `alexnet-${head}`), head });
      expect(result.report.classifier).toBe("replaced");
      expect(result.report.tensors).toBe(10); // kernel and bias of conv1…conv5
    }
  });
});
