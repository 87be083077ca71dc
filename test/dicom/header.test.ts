import { closeSync, mkdtempSync, openSync, statSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DicomError, parseDicomHeader, readDicom, readDicomHeader, requireCtSlice } from "../../src/core/dicom";
import { HAS_SHARED_DATA, readReference, SHARED_DATA } from "../helpers/shared-data";
import { makeDicom, makeHeadlessImplicit, uint16le } from "./make-dicom";

const dir = mkdtempSync(join(tmpdir(), "ich-dicom-header-"));

describe("header-only reads", () => {
  it("a file cut right after the pixel data element header still gives a header", () => {
    const bytes = makeDicom({ rows: 512, columns: 512, intercept: "-1024", slope: "1" }, uint16le(Array<number>(16).fill(0)), { pixelLengthOverride: 512 * 512 * 2 });
    const cut = bytes.subarray(0, bytes.length - 32); // the 12-byte pixel element header stays, its value is gone
    const header = parseDicomHeader(cut, "cut.dcm");
    expect([header.rows, header.columns, header.rescaleIntercept]).toEqual([512, 512, -1024]);
    // A full decode of the same bytes notices the missing pixel data.
    return expect(readDicomViaBytes(cut)).rejects.toMatchObject({ code: "truncated" });
  });

  it("readDicomHeader reads a bounded prefix: a 3 GiB (sparse) file whose pixel data could never be loaded", async () => {
    const file = join(dir, "huge.dcm");
    const rows = 32768;
    const columns = 32768;
    const bytes = makeDicom({ rows, columns, bitsAllocated: 16 }, new Uint8Array(0), { pixelLengthOverride: rows * columns * 2 });
    const fd = openSync(file, "w");
    writeSync(fd, bytes);
    writeSync(fd, new Uint8Array([1]), 0, 1, bytes.length + rows * columns * 2 - 1);
    closeSync(fd);
    expect(statSync(file).size).toBeGreaterThan(2 ** 31);
    // Reading the whole file is impossible (Node refuses buffers over 2 GiB)...
    await expect(readFile(file)).rejects.toThrow();
    // ...yet the header comes back.
    const header = await readDicomHeader(file);
    expect([header.rows, header.columns, header.frames]).toEqual([rows, columns, 1]);
  });

  it("deflated files: header from a prefix, full decode from the whole file", async () => {
    let x = 2463534242;
    const values = Array.from({ length: 128 * 128 }, () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % 4096;
    });
    const bytes = makeDicom({ rows: 128, columns: 128, intercept: "-1024", slope: "1" }, uint16le(values), { deflate: true });
    expect(bytes.length).toBeGreaterThan(20 * 1024); // larger than the first header prefix
    const file = join(dir, "deflated.dcm");
    const fd = openSync(file, "w");
    writeSync(fd, bytes);
    closeSync(fd);
    const header = await readDicomHeader(file);
    expect([header.transferSyntaxUid, header.rows, header.columns, header.rescaleIntercept]).toEqual(["1.2.840.10008.1.2.1.99", 128, 128, -1024]);
    const decoded = await readDicom(file);
    expect(Array.from(decoded.frames[0])).toEqual(values);
  });

  it("decimal strings with padding, exponents and several values", () => {
    const bytes = makeDicom(
      {
        rows: 2,
        columns: 2,
        slope: "001.000000E+00",
        intercept: "-01.024000E+03",
        extra: [
          { tag: 0x00281050, vr: "DS", value: "40\\80" },
          { tag: 0x00281051, vr: "DS", value: " 80.000000\\200 " },
          { tag: 0x00200032, vr: "DS", value: "-125.000000\\-115.5\\-30.25" },
          { tag: 0x00280030, vr: "DS", value: "0.488281\\0.488281" },
        ],
      },
      uint16le([0, 1, 2, 3]),
    );
    const header = parseDicomHeader(bytes, "ds.dcm");
    expect(header.rescaleSlope).toBe(1);
    expect(header.rescaleIntercept).toBe(-1024);
    expect(header.windowCenter).toEqual([40, 80]);
    expect(header.windowWidth).toEqual([80, 200]);
    expect(header.imagePositionPatient).toEqual([-125, -115.5, -30.25]);
    expect(header.pixelSpacing).toEqual([0.488281, 0.488281]);
  });

  it("files without preamble and meta are read as implicit VR little endian", async () => {
    const bytes = makeHeadlessImplicit({ rows: 2, columns: 3, pixelRepresentation: 1 }, uint16le([0, -1, 2, -3, 4, -5]));
    const header = parseDicomHeader(bytes, "headless.dcm");
    expect(header.hasMeta).toBe(false);
    expect(header.transferSyntaxUid).toBe("1.2.840.10008.1.2");
    expect(Array.from((await readDicomViaBytes(bytes)).frames[0])).toEqual([0, -1, 2, -3, 4, -5]);
  });

  it("requireCtSlice accepts grayscale CT or no modality and refuses colour with a clear reason", () => {
    const ct = parseDicomHeader(makeDicom({ rows: 1, columns: 1, modality: "CT" }, uint16le([0])), "ct.dcm");
    expect(ct.modality).toBe("CT");
    expect(() => requireCtSlice(ct)).not.toThrow();
    expect(() => requireCtSlice({ ...ct, modality: undefined })).not.toThrow();
    const rgb = parseDicomHeader(makeDicom({ rows: 1, columns: 1, bitsAllocated: 8, samplesPerPixel: 3, photometric: "RGB" }, new Uint8Array([1, 2, 3, 0])), "rgb.dcm");
    expect(() => requireCtSlice(rgb)).toThrow(DicomError);
    expect(() => requireCtSlice(rgb)).toThrow(/rgb\.dcm: not a grayscale CT slice \(CT, RGB, 3 sample/);
    expect(() => requireCtSlice({ ...rgb, modality: undefined })).toThrow(/not a grayscale CT slice \(unknown modality, RGB/);
  });

  it("requireCtSlice refuses a present modality other than CT with code not-ct", () => {
    for (const modality of ["MR", "US", "OT"]) {
      const header = parseDicomHeader(makeDicom({ rows: 1, columns: 1, modality }, uint16le([0])), `${modality}.dcm`);
      expect(header.modality).toBe(modality);
      const error = (() => {
        try {
          requireCtSlice(header);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(DicomError);
      expect((error as DicomError).code).toBe("not-ct");
      expect((error as DicomError).message).toBe(`${modality}.dcm: modality ${modality} is not CT; the ICH models are trained on head CT`);
    }
  });
});

async function readDicomViaBytes(bytes: Uint8Array) {
  const file = join(dir, `mem-${Math.random().toString(36).slice(2)}.dcm`);
  const fd = openSync(file, "w");
  writeSync(fd, bytes);
  closeSync(fd);
  return readDicom(file);
}

describe.skipIf(!HAS_SHARED_DATA)("header-only reads agree with the reference", () => {
  it("every readable corpus and RSNA file", async () => {
    for (const folder of ["dicom-corpus", "rsna-samples"] as const) {
      for (const row of readReference(folder)) {
        if (row.decode.startsWith("FAIL")) continue;
        const header = await readDicomHeader(join(SHARED_DATA, folder, row.file));
        expect([header.rows, header.columns, header.frames, header.samplesPerPixel], row.file).toEqual([row.rows, row.cols, row.frames, row.spp]);
        expect(row.transfer_syntax, row.file).toContain(header.transferSyntaxUid);
      }
    }
  });

  it("the RSNA series: positions move along z, spacing and windows are parsed", async () => {
    const folder = join(SHARED_DATA, "rsna-samples", "series_ID_f10de2d018");
    const rows = readReference("rsna-samples").filter((r) => r.file.startsWith("series_"));
    expect(rows.length).toBe(36);
    const headers = await Promise.all(rows.map((r) => readDicomHeader(join(folder, r.file.split("/")[1]))));
    expect(new Set(headers.map((h) => h.seriesInstanceUid)).size).toBe(1);
    const z = headers.map((h) => h.imagePositionPatient![2]).sort((a, b) => a - b);
    expect(new Set(z).size).toBe(36);
    expect(headers.every((h) => h.pixelSpacing && h.pixelSpacing[0] > 0 && h.windowCenter && h.windowWidth)).toBe(true);
  });
});
