// The explorer's numbers on a generated folder, checked against what the generator wrote
// (labels.csv, metadata.csv) and against the DICOM headers read independently with dicom-parser.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exploreDataset, rerollAugmentation } from "../../src/core/dataset/explore";
import { Reservoir, ValueCounter } from "../../src/core/dataset/explore-stats";
import { LABELS, SUBTYPES } from "../../src/shared/labels";
import { writeSyntheticDataset } from "../../src/core/synth";
import { parseWithDicomParser } from "../synth/helpers";

const PATIENTS = 5;
const SLICES = 8;
let dir: string;
let data: string;
let truth: Map<string, number[]>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ich-explore-"));
  data = join(dir, "data");
  await writeSyntheticDataset({ out: data, patients: PATIENTS, slices: SLICES, seed: 11, size: 48 });
  // The generator's labels, read back from its labels.csv rows `ID_<hex>_<label>,0|1`.
  truth = new Map();
  for (const row of readFileSync(join(data, "labels.csv"), "utf8").trimEnd().split("\n").slice(1)) {
    const [key, value] = row.split(",");
    const cut = key.lastIndexOf("_");
    const vector = truth.get(key.slice(0, cut)) ?? LABELS.map(() => 0);
    vector[LABELS.indexOf(key.slice(cut + 1) as (typeof LABELS)[number])] = Number(value);
    truth.set(key.slice(0, cut), vector);
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ich explore summary on an ich synth folder", () => {
  it("counts files, patients, studies and series, and prevalence and co-occurrence equal the generator's labels", async () => {
    const s = await exploreDataset(data, { cacheFile: join(dir, "cache.jsonl") });
    expect(s.labelsFile).toBe(join(data, "labels.csv"));
    expect(s.counts).toMatchObject({
      files: PATIENTS * SLICES, dicom: PATIENTS * SLICES, unreadable: 0, patients: PATIENTS, studies: PATIENTS, series: PATIENTS,
      labelled: PATIENTS * SLICES, unlabelled: 0, labelsWithoutFiles: 0,
    });
    const vectors = [...truth.values()];
    const positives = LABELS.map((_, i) => vectors.filter((v) => v[i] === 1).length);
    expect(positives[0]).toBeGreaterThan(0);
    expect(s.prevalence.map((p) => p.positives)).toEqual(positives);
    expect(s.prevalence.map((p) => p.share)).toEqual(positives.map((n) => n / vectors.length));
    for (let i = 0; i < LABELS.length; i++) {
      for (let j = 0; j < LABELS.length; j++) expect(s.cooccurrence[i][j], `${LABELS[i]} × ${LABELS[j]}`).toBe(vectors.filter((v) => v[i] === 1 && v[j] === 1).length);
    }
    expect(s.slicesPerSeries).toMatchObject({ kind: "values", bins: [{ from: SLICES, to: SLICES, count: PATIENTS }] });
  });

  it("histograms the header fields as the files hold them", async () => {
    const s = await exploreDataset(data, { cacheFile: join(dir, "cache.jsonl") });
    const files = [...truth.keys()].map((id) => parseWithDicomParser(join(data, `${id}.dcm`)).ds);
    const tally = (values: number[]) => {
      const m = new Map<number, number>();
      for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
      return [...m].sort((a, b) => a[0] - b[0]).map(([v, count]) => ({ from: v, to: v, count }));
    };
    expect(s.headers.bitsStored.bins).toEqual(tally(files.map((ds) => ds.uint16("x00280101")!)));
    expect(s.headers.pixelRepresentation.bins).toEqual(tally(files.map((ds) => ds.uint16("x00280103")!)));
    expect(s.headers.rescaleIntercept.bins).toEqual(tally(files.map((ds) => Number(ds.string("x00281052")))));
    expect(s.headers.sliceThickness.bins).toEqual(tally(files.map((ds) => Number(ds.string("x00180050")))));
    expect(s.headers.windowCenter.count + s.headers.windowCenter.missing).toBe(files.length);
  });

  it("samples slices of each subtype that are positive for it, with brain-window thumbnails", async () => {
    const s = await exploreDataset(data, { cacheFile: join(dir, "cache.jsonl"), samplesPerGroup: 3 });
    expect(s.samples.length).toBeGreaterThan(1);
    for (const group of s.samples) {
      expect(group.slices.length).toBeLessThanOrEqual(3);
      for (const slice of group.slices) {
        const labels = truth.get(slice.id)!;
        if (group.group === "none") expect(labels.every((v) => v === 0)).toBe(true);
        else expect(labels[SUBTYPES.indexOf(group.group as (typeof SUBTYPES)[number]) + 1], `${group.group}: ${slice.id}`).toBe(1);
        expect(slice.thumbnail).toMatch(/^data:image\/png;base64,/);
        const png = Buffer.from(slice.thumbnail!.slice(22), "base64");
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
      }
    }
    expect(s.clean).toBeNull();
    expect(s.augmentation).toBeNull();
  });

  it("draws an experiment's augmentations with the training code: the same seed gives the same pictures, a new seed others", async () => {
    const config = join(dir, "exp.ich.json");
    const augment = { flip: { p: 1 }, rotate: { p: 1, degrees: 25 }, zoom: { p: 1, max: 1.4 }, brightnessContrast: { p: 1, brightness: 0.2, contrast: 0.3 } };
    const experiment = { name: "e", data: { kind: "rsna", dicomDir: "data", labelsCsv: "data/labels.csv", split: { by: "patient", validationFraction: 0.2, seed: 1 } }, input: { windows: ["brain", "subdural", "bone"], size: 40 }, model: { architecture: "small-cnn" }, train: { epochs: 1, batchSize: 2, augment, seed: 5 } };
    await import("node:fs").then((fs) => fs.writeFileSync(config, JSON.stringify(experiment)));
    const s = await exploreDataset(config, { cacheFile: join(dir, "cache.jsonl") });
    const preview = s.augmentation!;
    expect(preview.seed).toBe(5);
    expect(preview.slices.length).toBe(4);
    for (const slice of preview.slices) {
      expect(slice.error).toBeUndefined();
      expect(slice.augmented).toHaveLength(4);
      for (const picture of slice.augmented) expect(picture).not.toBe(slice.original);
    }
    const files = preview.slices.map((x) => x.file);
    const same = await rerollAugmentation(config, files, 5);
    expect(same.slices.map((x) => x.augmented)).toEqual(preview.slices.map((x) => x.augmented));
    const other = await rerollAugmentation(config, files, 6);
    expect(other.slices.map((x) => x.original)).toEqual(preview.slices.map((x) => x.original));
    expect(other.slices[0].augmented[0]).not.toBe(preview.slices[0].augmented[0]);
    await expect(rerollAugmentation(config, ["/etc/passwd"], 1)).rejects.toThrow(/not inside the experiment's data folder/);
  });

  it("counts the patients, studies and series of an image folder from its experiment's patient table", async () => {
    const images = join(dir, "images");
    mkdirSync(images);
    const png = new PNG({ width: 8, height: 8 });
    png.data.fill(128);
    for (const id of truth.keys()) writeFileSync(join(images, `${id}.png`), PNG.sync.write(png));
    const config = join(dir, "images.ich.json");
    const data = { kind: "images", imageDir: "images", labels: "data/labels.csv", metadata: "data/metadata.csv", split: { by: "patient" } };
    writeFileSync(config, JSON.stringify({ name: "jpg", data }));
    const s = await exploreDataset(config, { cacheFile: join(dir, "images-cache.jsonl") });
    const files = PATIENTS * SLICES;
    expect(s.counts).toMatchObject({ files, images: files, labelled: files, patients: PATIENTS, studies: PATIENTS, series: PATIENTS });
  });

  it("refuses a synthetic experiment (no folder) and a missing folder, naming them", async () => {
    await expect(exploreDataset(join(dir, "nope"))).rejects.toThrow(/nope: no such folder or experiment file/);
    const config = join(dir, "syn.ich.json");
    await import("node:fs").then((fs) => fs.writeFileSync(config, JSON.stringify({ name: "s", data: { kind: "synthetic", patients: 2, slicesPerPatient: 2, seed: 1, size: 32 }, input: { windows: ["brain"], size: 32 }, model: { architecture: "small-cnn" }, train: { epochs: 1, batchSize: 2 } })));
    await expect(exploreDataset(config)).rejects.toThrow(/syn\.ich\.json: data\.kind "synthetic".*ich synth/);
  });
});

describe("bounded accumulators", () => {
  it("a value counter keeps counts exact while it coarsens its grid, and bins many values into 20 bars", () => {
    const counter = new ValueCounter();
    for (let i = 0; i < 100_000; i++) counter.add((i * 7919) % 100_000 / 7.3);
    counter.add(undefined);
    const h = counter.histogram();
    expect(h.kind).toBe("bins");
    expect(h.bins).toHaveLength(20);
    expect(h.bins.reduce((n, b) => n + b.count, 0)).toBe(100_000);
    expect([h.count, h.missing, h.min]).toEqual([100_000, 1, 0]);
    expect(h.max).toBeCloseTo(99_999 / 7.3, 6);
    // Uniform input: every bin holds about a twentieth.
    for (const b of h.bins) expect(Math.abs(b.count - 5000)).toBeLessThan(100);
  });

  it("a reservoir picks each item of a stream with equal chance", () => {
    const hits = new Array(20).fill(0);
    for (let seed = 0; seed < 2000; seed++) {
      const r = new Reservoir<number>(4, seed);
      for (let i = 0; i < 20; i++) r.offer(i);
      for (const i of r.items) hits[i]++;
    }
    // Expected 2000 * 4 / 20 = 400 per item.
    for (const n of hits) expect(Math.abs(n - 400)).toBeLessThan(80);
  });
});
