import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_BASELINE_OPTIONS, metadataBaseline } from "../../src/core/baseline/metadata-baseline";
import { runMetadataBaseline } from "../../src/core/baseline/run-baseline";
import { mulberry32 } from "../../src/core/data/rng";
import type { IndexEntry } from "../../src/core/dataset/types";
import { LABELS } from "../../src/shared/labels";
import { writeSyntheticDataset } from "../../src/core/synth";

const root = mkdtempSync(join(tmpdir(), "ich-baseline-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Entries of `patients` × 10 slices; `any` (and subdural) positive on a random third of slices, planted in windowCenter when `signal`. */
function plantedEntries(patients: number, signal: boolean): IndexEntry[] {
  const random = mulberry32(7);
  const entries: IndexEntry[] = [];
  for (let p = 0; p < patients; p++) {
    for (let s = 0; s < 10; s++) {
      const positive = random() < 0.35 ? 1 : 0;
      entries.push({
        file: `p${p}/s${s}.dcm`, id: `ID_${p}_${s}`, size: 1, mtimeMs: 0, kind: "dicom", patientId: `P${p}`, seriesUid: `S${p}`,
        rows: 512, columns: 512, position: s * 5, instanceNumber: s + 1,
        windowCenter: signal && positive ? 80 : 40 + Math.round(random() * 30),
        labels: [positive, 0, 0, 0, 0, positive],
      });
    }
  }
  return entries;
}

describe("metadata baseline", () => {
  it("finds a signal planted in a header field, and loses it when labels are joined to the wrong rows (the seed's notebook 05)", () => {
    const entries = plantedEntries(40, true);
    const fast = { ...DEFAULT_BASELINE_OPTIONS, trees: 15 };
    const aligned = metadataBaseline(entries, fast);
    expect(aligned.perLabel.any.auc).toBeGreaterThan(0.95);
    expect(aligned.perLabel.subdural.auc).toBeGreaterThan(0.95);
    expect(Number.isNaN(aligned.perLabel.epidural.auc)).toBe(true); // no positives at all
    // Misaligned: each image gets the labels of another row (as a positional join of two differently ordered tables does).
    const shifted = entries.map((e, i) => ({ ...e, labels: entries[(i + 137) % entries.length].labels }));
    const misaligned = metadataBaseline(shifted, fast);
    expect(Math.abs(misaligned.perLabel.any.auc - 0.5)).toBeLessThan(0.15);
  });

  it("splits by patient: no patient on both sides", () => {
    const result = metadataBaseline(plantedEntries(20, false), { validationFraction: 0.25, seed: 3, trees: 10, minLeaf: 3, maxDepth: 6 });
    expect(result.trainPatients + result.validationPatients).toBe(20);
    expect(result.trainImages + result.validationImages).toBe(200);
    expect(result.validationImages % 10).toBe(0);
  });

  it("reports per-label AUCs on an ich synth folder", async () => {
    const out = join(root, "synth");
    await writeSyntheticDataset({ out, patients: 12, slices: 8, seed: 11, size: 32 });
    const report = await runMetadataBaseline({ target: out, options: { trees: 20 } });
    expect(report.trainImages + report.validationImages).toBe(96);
    expect(report.validationPatients).toBeGreaterThan(0);
    for (const label of LABELS) {
      const { auc, validationPositives } = report.perLabel[label];
      if (validationPositives > 0 && validationPositives < report.validationImages) {
        expect(auc).toBeGreaterThanOrEqual(0);
        expect(auc).toBeLessThanOrEqual(1);
      } else expect(Number.isNaN(auc)).toBe(true);
    }
    // Printed so the README's statement about the synthetic set can be checked.
    console.log(`synthetic header baseline: ${LABELS.map((l) => `${l} ${report.perLabel[l].auc.toFixed(3)}`).join(", ")}; mean ${report.meanAuc.toFixed(3)}`);
  }, 120_000);
});
