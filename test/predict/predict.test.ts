import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveWindows } from "../../src/core/data/windows";
import { LABELS } from "../../src/core/labels";
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

  it("with --tta averages in the flipped image, changing the probabilities of an asymmetric model", async () => {
    const file = data.files[1];
    const plain = await predictFiles(runDir, [file], { backend: "wasm" });
    const tta = await predictFiles(runDir, [file], { backend: "wasm", tta: true });
    expect(plain.slices).toHaveLength(1);
    expect(tta.tta).toBe(true);
    const a = LABELS.map((l) => plain.slices[0].probabilities[l]!);
    const b = LABELS.map((l) => tta.slices[0].probabilities[l]!);
    expect(b).not.toEqual(a);
    for (const v of b) expect(v > 0 && v < 1).toBe(true);
  });
});
