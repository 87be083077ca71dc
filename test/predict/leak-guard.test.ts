import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset } from "../../src/core/data/dataset";
import { validateExperiment } from "../../src/core/experiment";
import { evaluateRun } from "../../src/core/predict/evaluate-run";
import { groupOf, inputKindRefusal, LeakError, readTrainingGroups, TRAIN_GROUPS_FILE } from "../../src/core/predict/leak-guard";
import { predictFiles } from "../../src/core/predict/predict-files";
import { RunStore } from "../../src/core/runs";
import { writeSyntheticDataset } from "../../src/core/synth";
import { readModelInput } from "../../src/core/train/model-input";
import { train } from "../../src/core/train/train";

const root = mkdtempSync(join(tmpdir(), "ich-leak-"));
const data = join(root, "data");
const store = new RunStore(join(root, "runs"));
let runId: string;
let trainImages: number;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function config(extra: { pretrained?: string; validationFraction?: number } = {}) {
  return validateExperiment(
    {
      data: { kind: "rsna", dicomDir: "data", labelsCsv: "data/labels.csv", split: { by: "patient", validationFraction: extra.validationFraction ?? 0.5, seed: 1 } },
      input: { size: 32 },
      model: { architecture: "small-cnn", dropout: 0, ...(extra.pretrained ? { pretrained: extra.pretrained } : {}) },
      train: { epochs: 1, batchSize: 8, maxStepsPerEpoch: 1, schedule: { kind: "constant", lr: 0.001 }, seed: 2, backend: "wasm", workers: 1 },
    },
    join(root, "leak.ich.json"),
  );
}
const opts = { backend: "wasm" as const, engine: "tfjs" as const, loaderWorkers: 0 };

beforeAll(async () => {
  await writeSyntheticDataset({ out: data, patients: 4, slices: 3, seed: 21, size: 32 });
  const result = await train({ config: config(), runStore: store, loaderWorkers: 0 });
  runId = result.runId;
  trainImages = (await openDataset(config())).train.length;
}, 180_000);

describe("ich eval never scores training patients silently", () => {
  it("the run records the patients it trained on", async () => {
    const groups = await readTrainingGroups(store.paths(runId).dir);
    const plan = await openDataset(config());
    expect(groups?.by).toBe("patient");
    expect([...groups!.groups].sort()).toEqual([...new Set(plan.train.map((s) => s.patientId))].sort());
  });

  it("refuses a folder holding training patients with a count; --allow-overlap scores and records it in eval.json", async () => {
    await expect(evaluateRun(store, runId, { ...opts, data })).rejects.toThrow(new RegExp(`${trainImages} of the 12 images to score belong to 2 training patients`));
    await expect(evaluateRun(store, runId, { ...opts, data })).rejects.toBeInstanceOf(LeakError);
    const scored = await evaluateRun(store, runId, { ...opts, data, allowOverlap: true });
    expect(scored.samples).toBe(12);
    const saved = JSON.parse(readFileSync(store.paths(runId).evalJson, "utf8")) as { overlap: unknown };
    expect(saved.overlap).toEqual({ images: trainImages, groups: 2, by: "patient", allowed: true });
  });

  it("the run's own split is scored when unchanged; after patients are added it is checked against the training patients", async () => {
    const own = await evaluateRun(store, runId, opts);
    expect(own.overlap).toMatchObject({ images: 0, fingerprint: { same: true } });
    const more = await writeSyntheticDataset({ out: join(root, "more"), patients: 6, slices: 3, seed: 22, size: 32 });
    for (const f of more.files) copyFileSync(f.startsWith("/") ? f : join(root, "more", f), join(data, basename(f)));
    appendFileSync(join(data, "labels.csv"), readFileSync(join(root, "more", "labels.csv"), "utf8").split("\n").slice(1).join("\n"));
    const groups = (await readTrainingGroups(store.paths(runId).dir))!;
    const validation = (await openDataset(config())).validation;
    const overlapping = validation.filter((s) => groups.groups.has(groupOf(s, "patient")));
    if (overlapping.length > 0) {
      await expect(evaluateRun(store, runId, opts)).rejects.toThrow(new RegExp(`run ${runId}: ${overlapping.length} of the ${validation.length} images to score belong to`));
    } else {
      const after = await evaluateRun(store, runId, opts);
      expect(after.overlap).toMatchObject({ images: 0, fingerprint: { same: false } });
    }
  });

  it("a run without train-groups.txt is only scored on its unchanged split, or with --allow-overlap", async () => {
    const old = await train({ config: config(), runStore: store, loaderWorkers: 0 });
    unlinkSync(join(store.paths(old.runId).dir, TRAIN_GROUPS_FILE));
    await expect(evaluateRun(store, old.runId, { ...opts, data })).rejects.toThrow(/has no record of its training patients/);
    const allowed = await evaluateRun(store, old.runId, { ...opts, data, allowOverlap: true });
    expect(allowed.overlap).toMatchObject({ allowed: true, by: "unknown" });
  }, 120_000);
});

describe("fine-tuning from a run checks its training patients", () => {
  it("refuses a validation split holding them; --allow-overlap trains with a warning and inherits them", async () => {
    // 3 of 4 original patients go to validation, so at least one of the run's 2 training patients is there.
    const finetune = config({ pretrained: `run:${runId}`, validationFraction: 0.75 });
    await expect(train({ config: finetune, runStore: store, loaderWorkers: 0 })).rejects.toThrow(new RegExp(`belong to \\d+ patients that model.pretrained run:${runId} trained on .*--allow-overlap`));
    const warnings: string[] = [];
    const tuned = await train({ config: finetune, runStore: store, loaderWorkers: 0, allowOverlap: true, onEvent: (e) => e.type === "warning" && warnings.push(e.message) });
    expect(tuned.status).toBe("completed");
    expect(warnings.some((w) => /model.pretrained run:.* \(--allow-overlap\)/.test(w))).toBe(true);
    const source = (await readTrainingGroups(store.paths(runId).dir))!;
    const inherited = (await readTrainingGroups(store.paths(tuned.runId).dir))!;
    for (const g of source.groups) expect(inherited.groups.has(g)).toBe(true);
    // The run's own evaluation scored those validation images: eval.json says so, as ich eval --allow-overlap does.
    const evaluation = JSON.parse(readFileSync(store.paths(tuned.runId).evalJson, "utf8")) as { overlap?: { images: number; groups: number; by: string; allowed: boolean } };
    expect(evaluation.overlap).toMatchObject({ by: "patient", allowed: true });
    expect(evaluation.overlap!.images).toBeGreaterThan(0);
    expect(evaluation.overlap!.groups).toBeGreaterThan(0);
  }, 180_000);
});

describe("ich predict refuses input of another kind than the model was trained on", () => {
  it("a PNG for a DICOM model is refused with the windows, and predicted with force", async () => {
    const png = new PNG({ width: 32, height: 32 });
    png.data.fill(90);
    const file = join(root, "ID_png1.png");
    writeFileSync(file, PNG.sync.write(png));
    const refused = await predictFiles(store.paths(runId).dir, [file], { ...opts });
    expect(refused.slices).toHaveLength(0);
    expect(refused.failures.map((f) => f.file)).toEqual([file]);
    expect(refused.failures[0].error).toContain("trained on DICOM slices windowed by ICH Lab with brain (W80 L40), subdural (W254 L100), bone (W2800 L600)");
    const forced = await predictFiles(store.paths(runId).dir, [file], { ...opts, force: true });
    expect(forced.failures).toEqual([]);
    expect(forced.slices.map((s) => s.id)).toEqual(["ID_png1"]);
  }, 60_000);

  it("DICOM for a model trained on JPG/PNG images names the windows ICH Lab would use", async () => {
    const spec = { ...(await readModelInput(store.paths(runId).modelDir)), sourceKind: "image" as const };
    expect(inputKindRefusal(spec, "dicom", "x.dcm")).toMatch(/^x\.dcm is DICOM, but this model was trained on PNG\/JPG images whose windows were baked into the pixels.*brain \(W80 L40\).*--force$/);
    expect(inputKindRefusal(spec, "image", "x.png")).toBeNull();
  });
});
