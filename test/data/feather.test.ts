import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompressionType, compressionRegistry, tableFromArrays, tableToIPC, type Table } from "apache-arrow";
import lz4 from "lz4js";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFeatherTable } from "../../src/core/data/feather";
import { indexImageFolder } from "../../src/core/data/images-index";
import { readLabelsTable } from "../../src/core/data/tables";
import { LABELS } from "../../src/shared/labels";

const root = mkdtempSync(join(tmpdir(), "ich-feather-"));
const IDS = ["ID_000039fa0", "ID_00005679d", "ID_00008ce3c", "ID_0000950d7"];
// Column per label as pandas writes them after pivoting stage_2_train.csv (int64 → BigInt in Arrow JS)
const VALUES: Record<string, number[]> = {
  any: [1, 0, 1, 0],
  epidural: [0, 0, 1, 0],
  intraparenchymal: [1, 0, 0, 0],
  intraventricular: [0, 0, 0, 0],
  subarachnoid: [1, 0, 0, 0],
  subdural: [0, 0, 1, 0],
};

function labelsTable(column: (values: number[]) => BigInt64Array | Float64Array | Int8Array): Table {
  // pandas column order of Jeremy Howard's labels.fth: ID, then the labels alphabetically (any first)
  return tableFromArrays({ ID: IDS, ...Object.fromEntries(Object.entries(VALUES).map(([k, v]) => [k, column(v)])) });
}

function writePng(file: string): void {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(128);
  writeFileSync(file, PNG.sync.write(png));
}

beforeAll(() => {
  for (const id of IDS.slice(0, 3)) writePng(join(root, `${id}.png`));
  writeFileSync(join(root, "labels.fth"), tableToIPC(labelsTable((v) => BigInt64Array.from(v.map(BigInt))), "file"));
  writeFileSync(join(root, "labels-float.feather"), tableToIPC(labelsTable((v) => Float64Array.from(v)), "file"));
  compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: (data) => lz4.compress(data), decode: (data) => lz4.decompress(data) });
  writeFileSync(join(root, "labels-lz4.fth"), tableToIPC(labelsTable((v) => Int8Array.from(v)), "file", CompressionType.LZ4_FRAME));
  const meta = tableFromArrays({ SOPInstanceUID: IDS, PatientID: ["P1", "P1", "P2", "P3"], SeriesInstanceUID: ["S1", "S1", "S2", "S3"], ImagePositionPatient2: Float64Array.from([5, 10, 0, 0]) });
  writeFileSync(join(root, "meta.fth"), tableToIPC(meta, "file"));
  // Feather V1: "FEA1", column data, flatbuffer metadata, its length, "FEA1"
  const v1 = Buffer.concat([Buffer.from("FEA1"), Buffer.alloc(32, 7), Buffer.from([32, 0, 0, 0]), Buffer.from("FEA1")]);
  writeFileSync(join(root, "old.fth"), v1);
  writeFileSync(join(root, "garbage.fth"), Buffer.from("ID,any\nID_1,1\n"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("feather labels", () => {
  it("reads an Arrow IPC (Feather V2) file written by apache-arrow as string rows", async () => {
    const table = await readFeatherTable(join(root, "labels.fth"));
    expect(table.header).toEqual(["ID", ...Object.keys(VALUES)]);
    expect(table.rows).toHaveLength(IDS.length);
    expect(table.rows[0]).toEqual(["ID_000039fa0", "1", "0", "1", "0", "1", "0"]);
  });

  for (const file of ["labels.fth", "labels-float.feather", "labels-lz4.fth"]) {
    it(`${file}: six labels per image in LABELS order`, async () => {
      const table = await readLabelsTable(join(root, file));
      expect([...table.labels.keys()]).toEqual(IDS);
      IDS.forEach((id, i) => expect(Array.from(table.labels.get(id)!)).toEqual(LABELS.map((l) => VALUES[l][i])));
      expect(table.conflicts).toEqual([]);
    });
  }

  it("feeds the images source, with a feather metadata table grouping patients", async () => {
    const { samples, notes } = await indexImageFolder(root, join(root, "labels.fth"), join(root, "meta.fth"));
    expect(samples.map((s) => s.id)).toEqual(IDS.slice(0, 3));
    expect(samples.map((s) => s.patientId)).toEqual(["P1", "P1", "P2"]);
    expect(samples.map((s) => s.position)).toEqual([5, 10, 0]);
    expect(samples[2].labels).toEqual(LABELS.map((l) => VALUES[l][2]));
    expect(samples[0].source).toMatchObject({ kind: "image", neighbours: [null, join(root, "ID_00005679d.png")] });
    expect(notes.join("\n")).not.toMatch(/no metadata/);
  });

  it("refuses Feather V1 naming the file, the format and the pandas conversion", async () => {
    const file = join(root, "old.fth");
    const error = await indexImageFolder(root, file).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`${file}: Feather V1`);
    expect((error as Error).message).toContain(`pd.read_feather('${file}').to_feather('${file}')`);
  });

  it("names the file when it is not Arrow at all", async () => {
    await expect(readLabelsTable(join(root, "garbage.fth"))).rejects.toThrow(/garbage\.fth: not a readable Feather V2/);
  });
});
