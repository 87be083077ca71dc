import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexRsnaFolder } from "../../src/core/data/rsna-index";
import { writeSyntheticDataset, type SyntheticDataset } from "../../src/core/synth";

const root = mkdtempSync(join(tmpdir(), "ich-index-"));
let data: SyntheticDataset;
beforeAll(async () => {
  data = await writeSyntheticDataset({ out: root, patients: 2, slices: 4, seed: 5, size: 32 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("indexRsnaFolder", () => {
  it("reads patient/series/position from the headers, caches them and links neighbours by position", async () => {
    const index = await indexRsnaFolder(root, data.labelsCsv);
    expect(index.samples).toHaveLength(8);
    expect(index.notes).toEqual([]);
    expect(existsSync(join(root, ".ich-index.jsonl"))).toBe(true);
    const patients = new Set(index.samples.map((s) => s.patientId));
    expect(patients.size).toBe(2);
    for (const s of index.samples) {
      if (s.source.kind !== "dicom") throw new Error("expected DICOM samples");
      const series = index.samples.filter((t) => t.seriesUid === s.seriesUid).sort((a, b) => a.position! - b.position!);
      const k = series.indexOf(s);
      const [below, above] = s.source.neighbours!;
      expect(below).toBe(k > 0 && series[k - 1].source.kind === "dicom" ? (series[k - 1].source as { file: string }).file : null);
      expect(above).toBe(k < series.length - 1 ? (series[k + 1].source as { file: string }).file : null);
    }
    // the metadata table gives the same grouping as the headers
    const fromTable = await indexRsnaFolder(root, data.labelsCsv, data.metadataCsv);
    expect(fromTable.samples.map((s) => [s.id, s.patientId, s.seriesUid])).toEqual(index.samples.map((s) => [s.id, s.patientId, s.seriesUid]));
    const cache = readFileSync(join(root, ".ich-index.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string });
    expect(cache.map((e) => e.id).sort()).toEqual(index.samples.map((s) => s.id).sort());
  });

  it("reports files without labels, labels without files and unreadable files", async () => {
    const lines = readFileSync(data.labelsCsv, "utf8").trim().split("\n");
    const missingId = "ID_ffffffff0";
    writeFileSync(join(root, "partial.csv"), [...lines.filter((l) => !l.startsWith(data.files[0].split("/").pop()!.replace(".dcm", ""))), `${missingId}_any,1`].join("\n"));
    writeFileSync(join(root, "ID_0000bad00.dcm"), "garbage");
    const index = await indexRsnaFolder(root, join(root, "partial.csv"));
    const notes = index.notes.join("\n");
    expect(index.samples).toHaveLength(7);
    expect(notes).toMatch(/2 of 9 DICOM files .* have no labels/);
    expect(notes).toMatch(/1 labelled images have no file .*ID_ffffffff0\.dcm/);
    expect(notes).toMatch(/1 images with fewer than six labels/);
    unlinkSync(join(root, "ID_0000bad00.dcm"));
  });
});
