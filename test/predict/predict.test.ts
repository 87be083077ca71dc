import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveWindows } from "../../src/core/data/windows";
import { LABELS } from "../../src/shared/labels";
import { buildModel, saveModel } from "../../src/core/models";
import { predictFiles } from "../../src/core/predict/predict-files";
import { writeSyntheticDataset, type SyntheticDataset } from "../../src/core/synth";
import { writeModelInput } from "../../src/core/train/model-input";
import { initBackend } from "../../src/core/tf/backend";

const root = mkdtempSync(join(tmpdir(), "ich-predict-"));
const runDir = join(root, "run");
let data: SyntheticDataset;

beforeAll(async () => {
  data = await writeSyntheticDataset({ out: join(root, "dicom"), patients: 2, slices: 3, seed: 11, size: 32 });
  const { tf } = await initBackend({ prefer: "wasm" });
  // Untrained weights are enough to check the bookkeeping: ids, grouping and max aggregation.
  const model = buildModel(tf, { architecture: "small-cnn", inputSize: null, channels: 3, outputs: 6, seed: 1 });
  await saveModel(model, join(runDir, "model"));
  await writeModelInput(join(runDir, "model"), {
    preprocess: { size: 32, windows: resolveWindows(["brain", "subdural", "bone"]), context: 0, rsnaFix: true },
    channels: 3,
    labels: [...LABELS],
    sourceKind: "synthetic",
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("predictFiles", () => {
  it("predicts every slice of a folder and aggregates each study by the max over its slices", async () => {
    const broken = join(root, "dicom", "broken.dcm");
    writeFileSync(broken, "not a dicom file");
    const result = await predictFiles(runDir, [join(root, "dicom"), join(root, "missing.dcm")], { backend: "wasm" });
    expect(result.slices).toHaveLength(6);
    expect(result.failures.map((f) => f.file).sort()).toEqual([broken, join(root, "missing.dcm")].sort());
    expect(result.studies).toHaveLength(2);
    for (const study of result.studies) {
      const members = result.slices.filter((s) => s.studyUid === study.studyUid && s.seriesUid === study.seriesUid);
      expect(members).toHaveLength(3);
      expect(study.slices).toBe(3);
      for (const label of LABELS) {
        const max = Math.max(...members.map((m) => m.probabilities[label]!));
        expect(study.probabilities[label]).toBeCloseTo(max, 6);
        for (const m of members) expect(m.probabilities[label]! >= 0 && m.probabilities[label]! <= 1).toBe(true);
      }
    }
    const ids = new Set(data.files.map((f) => f.split("/").pop()!.replace(".dcm", "")));
    expect(new Set(result.slices.map((s) => s.id))).toEqual(ids);
  });

  it("with --tta averages the probabilities of the image and its horizontal (left-right) mirror", async () => {
    // A position-sensitive linear model (flatten → dense logits) on a PNG whose pixels the test
    // knows exactly, so the expected outputs are computed here in plain JS, independent of TF.js.
    const size = 32;
    const channels = 3;
    const random = lcg(42);
    const rgb = Uint8Array.from({ length: size * size * channels }, () => Math.floor(random() * 256));
    const png = new PNG({ width: size, height: size });
    for (let p = 0; p < size * size; p++) {
      png.data.set(rgb.subarray(p * channels, (p + 1) * channels), p * 4);
      png.data[p * 4 + 3] = 255;
    }
    const file = join(root, "asymmetric.png");
    writeFileSync(file, PNG.sync.write(png));
    const x = Float64Array.from(rgb, (v) => Math.fround(v / 255));

    const k = LABELS.length;
    const kernel = Float32Array.from({ length: size * size * channels * k }, () => (random() - 0.5) * 0.1);
    const bias = Float32Array.from({ length: k }, () => random() - 0.5);
    const { tf } = await initBackend({ prefer: "wasm" });
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [size, size, channels] }), tf.layers.dense({ units: k, activation: "linear" })] });
    model.setWeights([tf.tensor2d(kernel, [size * size * channels, k]), tf.tensor1d(bias)]);
    const ttaRun = join(root, "run-tta");
    await saveModel(model, join(ttaRun, "model"));
    model.dispose();
    await writeModelInput(join(ttaRun, "model"), { preprocess: { size, windows: resolveWindows(["brain", "subdural", "bone"]), context: 0, rsnaFix: true }, channels, labels: [...LABELS], sourceKind: "image" });

    // HWC: pixel (row, column) channel ch is x[(row * size + column) * channels + ch], Flatten's order.
    const at = (image: Float64Array, row: number, column: number, ch: number) => image[(row * size + column) * channels + ch];
    const mirrored = (flip: (row: number, column: number) => [number, number]) =>
      Float64Array.from(x, (_, i) => {
        const ch = i % channels;
        const pixel = (i - ch) / channels;
        const [row, column] = flip(Math.floor(pixel / size), pixel % size);
        return at(x, row, column, ch);
      });
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const probabilities = (image: Float64Array) =>
      Array.from({ length: k }, (_, j) => sigmoid(image.reduce((sum, v, i) => sum + v * kernel[i * k + j], bias[j])));
    const average = (a: number[], b: number[]) => a.map((v, j) => (v + b[j]) / 2);
    const plain = probabilities(x);
    const horizontal = average(plain, probabilities(mirrored((row, column) => [row, size - 1 - column])));
    const vertical = average(plain, probabilities(mirrored((row, column) => [size - 1 - row, column])));
    // the test can tell the right flip axis, and TTA from none
    const gap = (a: number[], b: number[]) => Math.max(...a.map((v, j) => Math.abs(v - b[j])));
    expect(gap(horizontal, vertical)).toBeGreaterThan(0.02);
    expect(gap(horizontal, plain)).toBeGreaterThan(0.02);

    const withoutTta = await predictFiles(ttaRun, [file], { backend: "wasm" });
    const withTta = await predictFiles(ttaRun, [file], { backend: "wasm", tta: true });
    expect(withoutTta.failures).toEqual([]);
    expect(withTta.tta).toBe(true);
    LABELS.forEach((label, j) => {
      expect(withoutTta.slices[0].probabilities[label]).toBeCloseTo(plain[j], 5);
      expect(withTta.slices[0].probabilities[label]).toBeCloseTo(horizontal[j], 5);
    });
  });
});

/** Deterministic numbers in [0, 1) (a 32-bit LCG), so the test image and weights never change. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
