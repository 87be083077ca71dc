import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIndex, INDEX_CACHE_FILE, readIndex } from "../../src/core/dataset/build-index";
import type { IndexEntry } from "../../src/core/dataset/types";
import { readDicomHeader } from "../../src/core/dicom";
import { writeSyntheticDataset } from "../../src/core/synth";
import { truncate } from "../helpers/plant-dicom";

let dir: string;
let data: string;
let files: string[];

async function entries(path: string): Promise<IndexEntry[]> {
  const out: IndexEntry[] = [];
  for await (const e of readIndex(path)) out.push(e);
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ich-index-"));
  data = join(dir, "data");
  const set = await writeSyntheticDataset({ out: data, patients: 10, slices: 15, seed: 5, size: 32 });
  files = set.files.map((f) => (f.startsWith("/") ? f : join(data, f)));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ich index", () => {
  it("indexes every file from its header, joins labels, and matches the DICOM core's header read", async () => {
    const summary = await buildIndex(data, { labels: join(data, "labels.csv"), workers: 1 });
    expect(summary).toMatchObject({ files: 150, dicom: 150, read: 150, cached: 0, unreadable: 0, cancelled: false });
    expect(summary.labels).toMatchObject({ labelledImages: 150, filesWithoutLabels: 0, labelsWithoutFiles: 0 });
    const index = await entries(summary.indexFile);
    expect(index).toHaveLength(150);
    const header = await readDicomHeader(files[7]);
    const entry = index.find((e) => join(data, e.file) === files[7])!;
    expect(entry).toMatchObject({
      patientId: header.patientId, seriesUid: header.seriesInstanceUid, rows: 32, columns: 32,
      position: header.imagePositionPatient![2], rsnaFix: header.rsnaFixApplies,
    });
    const rows = readFileSync(join(data, "labels.csv"), "utf8").split("\n").filter((r) => r.startsWith(`${entry.id}_`));
    expect(entry.labels).toHaveLength(6);
    expect(entry.labels![0]).toBe(Number(rows.find((r) => r.includes("_any,"))!.split(",")[1]));
  });

  it("is incremental: unchanged files come from the cache, changed ones are read again", async () => {
    const again = await buildIndex(data, { workers: 0 });
    expect(again).toMatchObject({ files: 150, read: 0, cached: 150 });
    truncate(files[3], statSync(files[3]).size - 300);
    utimesSync(files[3], new Date(), new Date(Date.now() + 5000));
    const changed = await buildIndex(data, { workers: 0 });
    expect(changed).toMatchObject({ files: 150, read: 1, cached: 149, unreadable: 1 });
    const broken = (await entries(join(data, INDEX_CACHE_FILE))).find((e) => join(data, e.file) === files[3])!;
    expect(broken.error).toContain(`${files[3]}: `);
    expect(broken.error).toMatch(/corrupt|truncated|ends before/);
    expect(broken.patientId).toBeUndefined();
  });

  it("Ctrl-C leaves a valid partial cache, and the next run reads only what is missing", async () => {
    const fresh = join(dir, "partial.jsonl");
    const controller = new AbortController();
    const partial = await buildIndex(data, { cacheFile: fresh, workers: 0, signal: controller.signal, onProgress: (done) => done >= 64 && controller.abort() });
    expect(partial.cancelled).toBe(true);
    expect(partial.files).toBeGreaterThanOrEqual(64);
    expect(partial.files).toBeLessThan(150);
    const lines = readFileSync(fresh, "utf8").trimEnd().split("\n");
    expect(lines.every((l) => typeof (JSON.parse(l) as IndexEntry).file === "string")).toBe(true);
    const rest = await buildIndex(data, { cacheFile: fresh, workers: 0 });
    expect(rest).toMatchObject({ files: 150, read: 150 - partial.files, cached: partial.files, cancelled: false });
    // A torn last line (a killed writer) is skipped and that file read again.
    appendFileSync(fresh, '{"file":"ID_torn');
    expect((await buildIndex(data, { cacheFile: fresh, workers: 0 })).read).toBe(0);
  });

  it("removes the cache temp file a killed index left behind, and leaves a live writer's alone", async () => {
    const dead = join(data, `.${INDEX_CACHE_FILE}.2147483646.kx1.tmp`);
    const live = join(data, `.${INDEX_CACHE_FILE}.${process.pid}.kx2.tmp`);
    writeFileSync(dead, '{"file":"ID_half');
    writeFileSync(live, "");
    await buildIndex(data, { workers: 0 });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    rmSync(live);
  });

  it("indexes the JPG + feather layout: sizes from the JPEG SOF / PNG IHDR, labels and patients from feather tables", async () => {
    const root = join(dir, "jpg");
    mkdirSync(join(root, "train_jpg", "train_jpg"), { recursive: true });
    mkdirSync(join(root, "meta"));
    // Header-only: SOI, an APP0 segment, then SOF0 for 512 rows × 480 columns × 3 components.
    const sof = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0,
      0xff, 0xc0, 0x00, 0x11, 0x08, 0x02, 0x00, 0x01, 0xe0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ]);
    writeFileSync(join(root, "train_jpg", "train_jpg", "ID_aa01.jpg"), sof);
    writeFileSync(join(root, "train_jpg", "train_jpg", "ID_aa02.jpg"), sof);
    writeFileSync(join(root, "train_jpg", "train_jpg", "ID_bad.jpg"), Buffer.from("not a jpeg"));
    const ids = ["ID_aa01", "ID_aa02", "ID_zz99"];
    const labels = tableFromArrays({
      ID: ids, any: Int8Array.from([1, 0, 1]), epidural: Int8Array.from([1, 0, 0]), intraparenchymal: new Int8Array(3),
      intraventricular: new Int8Array(3), subarachnoid: new Int8Array(3), subdural: Int8Array.from([0, 0, 1]),
    });
    writeFileSync(join(root, "meta", "labels.fth"), tableToIPC(labels, "file"));
    writeFileSync(join(root, "meta", "comb.fth"), tableToIPC(tableFromArrays({ SOPInstanceUID: ["ID_aa01", "ID_aa02"], PatientID: ["ID_p1", "ID_p2"] }), "file"));
    const summary = await buildIndex(root, { labels: join(root, "meta", "labels.fth"), metadata: join(root, "meta", "comb.fth"), workers: 0 });
    expect(summary).toMatchObject({ files: 3, images: 3, unreadable: 1, labels: { labelledImages: 2, filesWithoutLabels: 1, labelsWithoutFiles: 1 } });
    const index = await entries(summary.indexFile);
    expect(index[0]).toMatchObject({ file: "train_jpg/train_jpg/ID_aa01.jpg", id: "ID_aa01", kind: "image", rows: 512, columns: 480, samplesPerPixel: 3, patientId: "ID_p1", labels: [1, 1, 0, 0, 0, 0] });
    expect(index[2]).toMatchObject({ id: "ID_bad", labels: null });
    expect(index[2].error).toMatch(/ID_bad\.jpg: not a PNG or JPEG/);
  });

  it("keeps each folder's labelled index beside its own header cache, so caches sharing a folder (--cache, a read-only dataset's temp cache) do not overwrite each other's", async () => {
    const other = join(dir, "other");
    await writeSyntheticDataset({ out: other, patients: 2, slices: 3, seed: 8, size: 32 });
    const caches = join(dir, "caches");
    mkdirSync(caches);
    const first = await buildIndex(data, { labels: join(data, "labels.csv"), cacheFile: join(caches, "data.jsonl"), workers: 0 });
    const second = await buildIndex(other, { labels: join(other, "labels.csv"), cacheFile: join(caches, "other.jsonl"), workers: 0 });
    expect(first.indexFile).not.toBe(second.indexFile);
    expect(await entries(first.indexFile)).toHaveLength(150);
    expect(await entries(second.indexFile)).toHaveLength(6);
    expect((await buildIndex(other, { labels: join(other, "labels.csv"), workers: 0 })).indexFile).toBe(join(other, ".ich-index-labelled.jsonl"));
  });
});
