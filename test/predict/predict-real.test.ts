import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { command as predictCommand } from "../../src/cli/commands/predict";
import { resolveWindows } from "../../src/core/data/windows";
import { LABELS } from "../../src/shared/labels";
import { buildModel, saveModel } from "../../src/core/models";
import { predictFiles } from "../../src/core/predict/predict-files";
import { initBackend } from "../../src/core/tf/backend";
import type { PredictOutput } from "../../src/protocol/engine-output";
import { writeModelInput } from "../../src/core/train/model-input";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";

const root = mkdtempSync(join(tmpdir(), "ich-predict-real-"));
const runDir = join(root, "run");
const corpus = join(SHARED_DATA, "dicom-corpus");

/** FORMAT_CORPUS.tsv rows: file, transfer syntax, modality, frames, reference decode. */
function corpusRows(): { file: string; syntax: string; modality: string; frames: number; ok: boolean }[] {
  const [, ...lines] = readFileSync(join(corpus, "FORMAT_CORPUS.tsv"), "utf8").trimEnd().split("\n");
  return lines.map((line) => {
    const c = line.split("\t");
    return { file: c[0], syntax: c[3].split(" ")[0], modality: c[4], frames: Number(c[6]), ok: c[10].startsWith("ok") };
  });
}

beforeAll(async () => {
  if (!HAS_SHARED_DATA) return;
  const { tf } = await initBackend({ prefer: "wasm" });
  const model = buildModel(tf, { architecture: "small-cnn", inputSize: null, channels: 3, outputs: 6, seed: 2 });
  await saveModel(model, join(runDir, "model"));
  await writeModelInput(join(runDir, "model"), { preprocess: { size: 32, windows: resolveWindows(["brain", "subdural", "bone"]), context: 0, rsnaFix: true }, channels: 3, labels: [...LABELS], sourceKind: "dicom" });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!HAS_SHARED_DATA)("predictFiles on real DICOM files", () => {
  it("predicts every readable CT slice of the corpus, whatever its transfer syntax, and reports the rest", async () => {
    const rows = corpusRows();
    const result = await predictFiles(runDir, [corpus], { backend: "wasm" });
    const predicted = new Set(result.slices.map((s) => s.file.split("/").pop()));
    const failed = new Set(result.failures.map((f) => f.file.split("/").pop()));
    const dicomFiles = readdirSync(corpus).filter((f) => f.endsWith(".dcm"));
    expect(predicted.size + failed.size).toBe(dicomFiles.length);
    const ctSlices = rows.filter((r) => r.modality === "CT" && r.frames === 1 && r.ok);
    for (const r of ctSlices) expect(predicted.has(r.file), `${r.file} (${r.syntax}) was not predicted: ${result.failures.find((f) => f.file.endsWith(r.file))?.error}`).toBe(true);
    expect(new Set(ctSlices.map((r) => r.syntax)).size).toBeGreaterThanOrEqual(6);
    for (const r of rows.filter((r) => !r.ok)) expect(failed.has(r.file) || r.modality === "CT", r.file).toBe(true);
    // Non-CT modalities fail one by one, naming the file, while the CT slices above were predicted
    const nonCt = rows.filter((r) => r.modality !== "" && r.modality !== "CT");
    expect(nonCt.map((r) => r.file)).toContain("MR_small_jpeg_ls_lossless.dcm");
    for (const r of nonCt.filter((r) => r.ok)) {
      expect(predicted.has(r.file), `${r.file} (${r.modality}) was predicted`).toBe(false);
      const failure = result.failures.find((f) => f.file.endsWith(`/${r.file}`));
      expect(failure?.error, r.file).toContain(`${r.file}: modality ${r.modality} is not CT; the ICH models are trained on head CT`);
    }
    for (const f of result.failures) expect(f.error.length).toBeGreaterThan(0);
    // RSNA files carry "ID_<hex>" as their SOPInstanceUID: the id must not be prefixed twice
    expect(result.slices.find((s) => s.file.endsWith("rsna_implicitLE_12bit_unsigned.dcm"))?.id).toMatch(/^ID_[0-9a-f]+$/);
    for (const s of result.slices) expect(s.id).toMatch(/^ID_(?!ID_)/);
  });

  it("ich predict names each refused file once on stderr, predicts the rest and exits 1", async () => {
    const mr = join(corpus, "MR_small_jpeg_ls_lossless.dcm");
    const ct = join(corpus, "rsna_implicitLE_12bit_unsigned.dcm");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const code = await predictCommand.run([runDir, mr, ct, "--json"]);
      expect(code).toBe(1);
      const printed = JSON.parse(String(stdout.mock.calls[0][0])) as PredictOutput;
      expect(printed.slices.map((s) => s.file)).toEqual([ct]);
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([`${mr}: modality MR is not CT; the ICH models are trained on head CT\n`]);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
  });

  it("aggregates a real 36-slice RSNA series into one study with the max over its slices", async () => {
    const result = await predictFiles(runDir, [join(SHARED_DATA, "rsna-samples", "series_ID_f10de2d018")], { backend: "wasm" });
    expect(result.failures).toEqual([]);
    expect(result.slices).toHaveLength(36);
    expect(result.studies).toHaveLength(1);
    expect(result.studies[0].slices).toBe(36);
    expect(result.slices.map((s) => s.id).sort()).toEqual(readdirSync(join(SHARED_DATA, "rsna-samples", "series_ID_f10de2d018")).filter((f) => f.endsWith(".dcm")).map((f) => f.slice(0, -4)).sort());
    for (const label of LABELS) expect(result.studies[0].probabilities[label]).toBe(Math.max(...result.slices.map((s) => s.probabilities[label]!)));
  });
});
