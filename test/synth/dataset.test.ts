import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHuSlice } from "../../src/core/imaging";
import { LABELS, SUBTYPES } from "../../src/shared/labels";
import { synthesizeSlice, writeSyntheticDataset, type SyntheticDataset } from "../../src/core/synth";
import { bloodPixels, huOf, parseWithDicomParser } from "./helpers";

const PATIENTS = 5;
const SLICES = 6;
const SIZE = 96;
const SEED = 7;
const dirs: string[] = [];
let main: SyntheticDataset;
let mainDir: string;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ich-synth-"));
  dirs.push(dir);
  return dir;
}

function readDir(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
}

beforeAll(async () => {
  mainDir = tempDir();
  main = await writeSyntheticDataset({ out: mainDir, patients: PATIENTS, slices: SLICES, seed: SEED, size: SIZE });
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("writeSyntheticDataset", () => {
  it("writes ID_<hex>.dcm files plus labels.csv and metadata.csv", () => {
    expect(main.files).toHaveLength(PATIENTS * SLICES);
    for (const file of main.files) expect(basename(file)).toMatch(/^ID_[0-9a-f]{9}\.dcm$/);
    expect(new Set(main.files).size).toBe(main.files.length);
    expect(readdirSync(mainDir).sort()).toEqual([...main.files.map((f) => basename(f)), "labels.csv", "metadata.csv"].sort());
  });

  it("is byte-identical for the same seed and different for another", async () => {
    const again = tempDir();
    await writeSyntheticDataset({ out: again, patients: PATIENTS, slices: SLICES, seed: SEED, size: SIZE });
    const a = readDir(mainDir);
    const b = readDir(again);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, bytes] of a) expect(bytes.equals(b.get(name)!), name).toBe(true);

    const other = tempDir();
    const different = await writeSyntheticDataset({ out: other, patients: 1, slices: SLICES, seed: SEED + 1, size: SIZE });
    const names = new Set(a.keys());
    expect(different.files.some((f) => names.has(basename(f)))).toBe(false);
    const first = parseWithDicomParser(main.files[2]).stored;
    const second = parseWithDicomParser(different.files[2]).stored;
    expect(first.some((v, i) => v !== second[i])).toBe(true);
  });

  it("writes labels in RSNA stage_2_train.csv form, six rows per image", () => {
    const lines = readFileSync(main.labelsCsv, "utf8").trimEnd().split("\n");
    expect(lines[0]).toBe("ID,Label");
    expect(lines).toHaveLength(1 + 6 * PATIENTS * SLICES);
    const order = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural", "any"];
    main.files.forEach((file, i) => {
      const id = basename(file, ".dcm");
      const rows = lines.slice(1 + 6 * i, 7 + 6 * i);
      expect(rows.map((r) => r.replace(/,[01]$/, ""))).toEqual(order.map((l) => `${id}_${l}`));
      const values = Object.fromEntries(rows.map((r) => [r.slice(id.length + 1, r.indexOf(",")), Number(r.split(",")[1])]));
      expect(values.any).toBe(Math.max(...SUBTYPES.map((s) => values[s])));
    });
    const positives = LABELS.map((l) => lines.filter((line) => line.endsWith(`_${l},1`)).length);
    expect(positives).toEqual(LABELS.map((l) => main.positives[l]));
  });

  it("writes metadata.csv with patient, study, series and z per image", () => {
    const [header, ...rows] = readFileSync(main.metadataCsv, "utf8").trimEnd().split("\n");
    expect(header).toBe("ID,PatientID,StudyInstanceUID,SeriesInstanceUID,z");
    expect(rows.map((r) => r.split(",")[0])).toEqual(main.files.map((f) => basename(f, ".dcm")));
    expect(new Set(rows.map((r) => r.split(",")[1])).size).toBe(PATIENTS);
  });

  it("writes CT headers with UIDs, geometry and positions that move along z", () => {
    const seriesSeen = new Map<string, { z: number; instance: number; study: string; patient: string }[]>();
    const sops = new Set<string>();
    const metadata = new Map(readFileSync(main.metadataCsv, "utf8").trimEnd().split("\n").slice(1).map((r) => [r.split(",")[0], r.split(",")]));
    for (const file of main.files) {
      const { ds } = parseWithDicomParser(file);
      expect(ds.string("x00020010")).toBe("1.2.840.10008.1.2.1");
      expect(ds.string("x00080060")).toBe("CT");
      expect(ds.string("x00080016")).toBe("1.2.840.10008.5.1.4.1.1.2");
      expect(ds.uint16("x00280010")).toBe(SIZE);
      expect(ds.uint16("x00280011")).toBe(SIZE);
      expect(ds.uint16("x00280100")).toBe(16);
      expect(ds.string("x00280004")).toBe("MONOCHROME2");
      const uids = ["x00080018", "x0020000d", "x0020000e", "x00200052"].map((t) => ds.string(t)!);
      for (const uid of uids) {
        expect(uid).toMatch(/^2\.25\.[1-9]\d*$/);
        expect(uid.length).toBeLessThanOrEqual(64);
      }
      expect(sops.has(uids[0])).toBe(false);
      sops.add(uids[0]);
      expect(ds.string("x00020003")).toBe(uids[0]);
      const spacing = (ds.string("x00280030") ?? "").split("\\").map(Number);
      expect(spacing[0]).toBeCloseTo(250 / SIZE, 6);
      expect(spacing[1]).toBeCloseTo(250 / SIZE, 6);
      expect((ds.string("x00200037") ?? "").split("\\").map(Number)).toEqual([1, 0, 0, 0, 1, 0]);
      expect(ds.string("x00281050")).toBe("40");
      expect(ds.string("x00281051")).toBe("80");
      expect(Number(ds.string("x00281053"))).toBe(1);
      const position = (ds.string("x00200032") ?? "").split("\\").map(Number);
      expect(position).toHaveLength(3);
      const row = metadata.get(basename(file, ".dcm"))!;
      expect(row.slice(1, 4)).toEqual([ds.string("x00100020"), uids[1], uids[2]]);
      expect(Number(row[4])).toBe(position[2]);
      const list = seriesSeen.get(uids[2]) ?? [];
      list.push({ z: position[2], instance: Number(ds.string("x00200013")), study: uids[1], patient: ds.string("x00100020")! });
      seriesSeen.set(uids[2], list);
    }
    expect(seriesSeen.size).toBe(PATIENTS);
    const studies = new Set<string>();
    for (const slices of seriesSeen.values()) {
      expect(slices).toHaveLength(SLICES);
      expect(new Set(slices.map((s) => s.study)).size).toBe(1);
      expect(new Set(slices.map((s) => s.patient)).size).toBe(1);
      studies.add(slices[0].study);
      slices.sort((a, b) => a.instance - b.instance);
      expect(slices.map((s) => s.instance)).toEqual(Array.from({ length: SLICES }, (_, i) => i + 1));
      const thickness = Number(parseWithDicomParser(main.files[0]).ds.string("x00180050"));
      for (let i = 1; i < SLICES; i++) expect(slices[i].z - slices[i - 1].z).toBeCloseTo(thickness, 6);
    }
    expect(studies.size).toBe(PATIENTS);
  });

  it("stores exactly the phantom's HU in every encoding, one patient in five with the RSNA 12-bit bug", async () => {
    const encodings = new Map<string, number>();
    for (let i = 0; i < main.files.length; i++) {
      const { ds, stored } = parseWithDicomParser(main.files[i]);
      const bits = ds.uint16("x00280101");
      const signed = ds.uint16("x00280103");
      const intercept = Number(ds.string("x00281052"));
      const key = `${bits}/${signed}/${intercept}`;
      encodings.set(key, (encodings.get(key) ?? 0) + 1);
      if (bits === 12) expect(stored.every((v) => v >= 0 && v < 4096)).toBe(true);
      const expected = synthesizeSlice({ seed: SEED, index: i, slices: SLICES, size: SIZE }).hu;
      const hu = huOf(ds, stored);
      const lower = key === "12/0/0" ? -1000 : -1024;
      let mismatches = 0;
      for (let p = 0; p < hu.length; p++) if (hu[p] !== Math.max(lower, Math.round(expected[p]))) mismatches++;
      expect(mismatches).toBe(0);
      // The project's DICOM core agrees (and reports the fix on the buggy share).
      const viaCore = await loadHuSlice(main.files[i]);
      expect(viaCore.rsnaFixApplied).toBe(key === "12/0/0");
      expect(viaCore.hu.length).toBe(hu.length);
      expect(viaCore.hu.every((v, p) => v === hu[p])).toBe(true);
      if (key === "12/0/0") {
        // Read naively, air turns into bright values: the bug the fix exists for.
        const naive = huOf(ds, stored, false);
        expect(naive[0]).toBeGreaterThan(3000);
      }
    }
    expect([...encodings.keys()].sort()).toEqual(["12/0/-1024", "12/0/0", "16/1/-1024", "16/1/0"]);
    expect(encodings.get("12/0/0")).toBe(SLICES);
  });

  it("has tissue at plausible HU: air, skull, brain, CSF", () => {
    const mid = Math.floor(SLICES / 2);
    for (let p = 0; p < PATIENTS; p++) {
      const { ds, stored } = parseWithDicomParser(main.files[p * SLICES + mid]);
      const hu = huOf(ds, stored);
      expect(Math.abs(hu[0] + 1000)).toBeLessThan(30); // corner: air
      let max = -Infinity;
      for (const v of hu) max = Math.max(max, v);
      expect(max).toBeGreaterThan(1200); // skull tables
      expect(max).toBeLessThan(1600);
      const bone = hu.filter((v) => v >= 600).length / hu.length;
      expect(bone).toBeGreaterThan(0.02);
      const soft = Array.from(hu.filter((v) => v > -100 && v < 200)).sort((a, b) => a - b);
      const median = soft[Math.floor(soft.length / 2)];
      expect(median).toBeGreaterThanOrEqual(28);
      expect(median).toBeLessThanOrEqual(40);
      // CSF (ventricles, sulci) is present as a darker population within the soft tissue.
      const centre = [];
      for (let y = SIZE * 0.3; y < SIZE * 0.7; y++) for (let x = SIZE * 0.3; x < SIZE * 0.7; x++) centre.push(hu[Math.floor(y) * SIZE + Math.floor(x)]);
      expect(centre.filter((v) => v >= -10 && v <= 18).length).toBeGreaterThan(SIZE * 0.3);
    }
  });

  it("labels a slice positive exactly when blood-density structures are in the image", () => {
    const lines = readFileSync(main.labelsCsv, "utf8").trimEnd().split("\n");
    const any = new Map(lines.filter((l) => l.includes("_any,")).map((l) => [l.slice(0, l.indexOf("_any")), l.endsWith(",1")]));
    const positive: number[] = [];
    const negative: number[] = [];
    for (const file of main.files) {
      const { ds, stored } = parseWithDicomParser(file);
      const count = bloodPixels(huOf(ds, stored), SIZE).length;
      (any.get(basename(file, ".dcm")) ? positive : negative).push(count);
    }
    expect(positive.length).toBeGreaterThan(3);
    expect(negative.length).toBeGreaterThan(3);
    expect(Math.min(...positive)).toBeGreaterThan(Math.max(...negative));
  });
});
