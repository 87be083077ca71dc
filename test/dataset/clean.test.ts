import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanDataset } from "../../src/core/dataset/clean";
import { readExclusionList } from "../../src/core/dataset/exclusion";
import type { CleanReport } from "../../src/core/dataset/types";
import { encodingFor, writeSyntheticDataset } from "../../src/core/synth";
import { fillPixels, setText, truncate } from "../helpers/plant-dicom";

const SEED = 3;
let dir: string;
let labelsCsv: string;
let files: string[];
let report: CleanReport;
const id = (file: string) => basename(file, ".dcm");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ich-clean-"));
  const data = join(dir, "data");
  const set = await writeSyntheticDataset({ out: data, patients: 5, slices: 6, seed: SEED, size: 64 });
  files = set.files.map((f) => (f.startsWith("/") ? f : join(data, f)));
  labelsCsv = set.labelsCsv.startsWith("/") ? set.labelsCsv : join(data, set.labelsCsv);
  const small = await writeSyntheticDataset({ out: join(dir, "small"), patients: 1, slices: 2, seed: 9, size: 32 });
  const smallFile = small.files[0].startsWith("/") ? small.files[0] : join(dir, "small", small.files[0]);
  copyFileSync(smallFile, join(data, basename(smallFile)));
  let rows = readFileSync(labelsCsv, "utf8").trimEnd().split("\n");
  rows.push(...readFileSync(join(dir, "small", "labels.csv"), "utf8").trimEnd().split("\n").filter((r) => r.startsWith(`${id(smallFile)}_`)));

  truncate(files[0], 5000);
  setText(files[1], "x00080060", "MR");
  setText(files[2], "x00280004", "RGB");
  fillPixels(files[3], 0);
  rows = rows.filter((r) => !r.startsWith(`${id(files[4])}_`));
  rows.push("ID_0000dead0_any,0", "ID_0000dead0_epidural,0");
  rows.push(rows.find((r) => r.startsWith(`${id(files[5])}_any,`))!);
  const conflict = rows.find((r) => r.startsWith(`${id(files[6])}_subdural,`))!;
  rows.push(conflict.replace(/,(\d)$/, (_, v) => `,${1 - Number(v)}`));
  rows = rows.map((r) => (r.startsWith(`${id(files[7])}_any,`) ? r.replace(/,\d$/, ",0") : r.startsWith(`${id(files[7])}_subdural,`) ? r.replace(/,\d$/, ",1") : r));
  copyFileSync(files[8], join(data, "ID_ffffffff0.dcm"));
  rows.push(...rows.filter((r) => r.startsWith(`${id(files[8])}_`)).map((r) => r.replace(id(files[8]), "ID_ffffffff0")));
  rows = rows.filter((r) => !r.startsWith(`${id(files[9])}_epidural,`));
  writeFileSync(labelsCsv, `${rows.join("\n")}\n`);
  report = await cleanDataset(data, { labels: labelsCsv, outDir: join(dir, "report"), workers: 1 });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kindsOf = (image: string) => report.issues.filter((i) => i.id === image).map((i) => i.kind).sort();

describe("ich clean on a mixed folder", () => {
  it("finds every planted problem", () => {
    expect(kindsOf(id(files[0]))).toContain("unreadable");
    expect(report.issues.find((i) => i.id === id(files[0]))!.detail).toMatch(/truncated/);
    expect(kindsOf(id(files[1]))).toEqual(["not-ct"]);
    expect(kindsOf(id(files[2]))).toContain("colour");
    expect(kindsOf(id(files[3]))).toContain("low-brain-content");
    expect(kindsOf(id(files[4]))).toEqual(["no-labels"]);
    expect(kindsOf("ID_0000dead0")).toEqual(["incomplete-labels", "missing-file"]);
    expect(kindsOf(id(files[5]))).toContain("duplicate-label-row");
    expect(kindsOf(id(files[6]))).toContain("conflicting-labels");
    expect(kindsOf(id(files[7]))).toContain("any-mismatch");
    expect(kindsOf("ID_ffffffff0")).toContain("duplicate-sop-uid");
    expect(kindsOf(id(files[9]))).toContain("incomplete-labels");
    expect(report.issues.filter((i) => i.kind === "unusual-size").map((i) => i.detail)).toEqual(["32×32, most files are 64×64"]);
    expect(report.usualSize).toEqual({ rows: 64, columns: 64, files: 31 });
  });

  it("counts the truncated file as unreadable, not as decoded", () => {
    expect(report.counts.unreadable).toBe(1);
    expect(report.unreadable).toBe(1);
    expect(report.decoded).toBe(report.files - 1);
  });

  it("lists the RSNA-fix slices: exactly the readable files of the patient written with the RSNA mis-encoding", () => {
    const patient = [0, 1, 2, 3, 4].find((p) => encodingFor(SEED, p) === "rsna-bug")!;
    const expected = files.slice(patient * 6, patient * 6 + 6).filter((f) => f !== files[0] && f !== files[1] && f !== files[2]).map(id).sort();
    expect(report.issues.filter((i) => i.kind === "rsna-fix").map((i) => i.id).sort()).toEqual(expected);
  });

  it("excludes the broken images and no valid one", async () => {
    const excluded = await readExclusionList(report.exclusionCsv);
    const broken = [files[0], files[1], files[2], files[6], files[7], files[9]].map(id).concat("ID_ffffffff0", "ID_0000dead0");
    expect([...excluded].sort()).toEqual(broken.sort());
    expect(report.issues.filter((i) => i.kind === "low-brain-content").every((i) => !i.excluded)).toBe(true);
    const saved = JSON.parse(readFileSync(join(dir, "report", "clean-report.json"), "utf8")) as CleanReport;
    expect(saved.issues).toHaveLength(report.issues.length);
  });

  it("a where subset checks only matching images; --exclude-low-brain drops flagged slices without bleed", async () => {
    const data = join(dir, "data");
    const bleed = await cleanDataset(data, { labels: labelsCsv, where: { any: 1 }, outDir: join(dir, "bleed"), workers: 0 });
    const positives = readFileSync(labelsCsv, "utf8").split("\n").filter((r) => /_any,1$/.test(r));
    const positiveIds = new Set(positives.map((r) => r.split("_any")[0]));
    expect(bleed.files).toBe([...positiveIds].filter((i) => i !== "ID_0000dead0").length);
    expect(bleed.issues.every((i) => positiveIds.has(i.id))).toBe(true);
    const low = await cleanDataset(data, { labels: labelsCsv, excludeLowBrain: true, outDir: join(dir, "low"), workers: 0 });
    const flagged = low.issues.filter((i) => i.kind === "low-brain-content");
    expect(flagged.map((i) => i.id)).toContain(id(files[3]));
    for (const i of flagged) expect(i.excluded).toBe(!positiveIds.has(i.id));
  });
});
