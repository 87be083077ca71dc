import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeDicom, DicomError, parseDicomHeader, readDicom, readDicomHeader, type DicomErrorCode } from "../../src/core/dicom";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";
import { makeDicom, makeHeadlessImplicit, uint16le } from "./make-dicom";

const dir = mkdtempSync(join(tmpdir(), "ich-dicom-errors-"));

async function expectDicomError(promise: Promise<unknown>, code: DicomErrorCode, file: string): Promise<DicomError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DicomError);
  const dicomError = error as DicomError;
  expect(dicomError.code).toBe(code);
  expect(dicomError.file).toBe(file);
  expect(dicomError.message).toContain(file);
  return dicomError;
}

/** Deterministic pseudo-random bytes (xorshift32). */
function garbage(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe("broken inputs fail with a DicomError that names the file", () => {
  it("missing file", async () => {
    const file = join(dir, "nope.dcm");
    await expectDicomError(readDicom(file), "not-found", file);
    await expectDicomError(readDicomHeader(file), "not-found", file);
  });

  it("directory", async () => {
    const file = join(dir, "folder.dcm");
    mkdirSync(file);
    await expectDicomError(readDicom(file), "is-directory", file);
    await expectDicomError(readDicomHeader(file), "is-directory", file);
  });

  it("empty file", async () => {
    const file = join(dir, "empty.dcm");
    writeFileSync(file, "");
    await expectDicomError(readDicom(file), "empty", file);
    await expectDicomError(readDicomHeader(file), "empty", file);
    await expectDicomError(decodeDicom(new Uint8Array(0), "mem"), "empty", "mem");
  });

  it("random garbage, with and without a DICM marker", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const file = join(dir, `garbage-${seed}.dcm`);
      const bytes = garbage(5000, seed);
      if (seed > 3) bytes.set([0x44, 0x49, 0x43, 0x4d], 128);
      writeFileSync(file, bytes);
      const error = await readDicom(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DicomError);
      expect((error as DicomError).file).toBe(file);
      await expect(readDicomHeader(file)).rejects.toBeInstanceOf(DicomError);
    }
  });

  it("pixel data shorter than Rows x Columns x BitsAllocated says", async () => {
    const bytes = makeDicom({ rows: 4, columns: 4 }, uint16le(Array<number>(12).fill(7)));
    const error = await expectDicomError(decodeDicom(bytes, "short.dcm"), "truncated", "short.dcm");
    expect(error.reason).toMatch(/24 of 32 bytes/);
  });

  it("a file cut inside its pixel data", async () => {
    const whole = makeDicom({ rows: 8, columns: 8 }, uint16le(Array<number>(64).fill(100)));
    await expectDicomError(decodeDicom(whole.subarray(0, whole.length - 10), "cut.dcm"), "truncated", "cut.dcm");
  });

  it("an image without PixelRepresentation names the missing attribute", async () => {
    const bytes = makeDicom({ rows: 2, columns: 2 }, uint16le([1, 2, 3, 4]));
    // Rename (0028,0103) to a private tag so the attribute disappears but the layout stays valid.
    const view = new DataView(bytes.buffer);
    for (let i = 132; i + 4 < bytes.length; i += 2) {
      if (view.getUint16(i, true) === 0x0028 && view.getUint16(i + 2, true) === 0x0103) {
        view.setUint16(i, 0x0029, true);
        break;
      }
    }
    const error = await expectDicomError(decodeDicom(bytes, "norep.dcm"), "missing-attribute", "norep.dcm");
    expect(error.reason).toContain("PixelRepresentation");
  });

  it.skipIf(!HAS_SHARED_DATA)("corpus: MR_truncated.dcm is truncated, the headless retired CT lacks SamplesPerPixel and PhotometricInterpretation", async () => {
    const truncated = join(SHARED_DATA, "dicom-corpus", "MR_truncated.dcm");
    const error = await expectDicomError(readDicom(truncated), "truncated", truncated);
    expect(error.reason).toMatch(/8130 of 8192/);
    const headless = join(SHARED_DATA, "dicom-corpus", "notzaki_CT_Implicit_Little_Headless_Retired.dcm");
    const missing = await expectDicomError(readDicom(headless), "missing-attribute", headless);
    expect(missing.reason).toContain("SamplesPerPixel");
    expect(missing.reason).toContain("PhotometricInterpretation");
    // The truncated file's header is intact: header-only reads do not look at the pixel data.
    const header = await readDicomHeader(truncated);
    expect([header.rows, header.columns]).toEqual([64, 64]);
    expect(readFileSync(truncated).length).toBeLessThan(header.rows * header.columns * 2 + 1500);
  });

  it("a corrupt length field in a whole file is 'corrupt', naming the element; a file cut short is 'truncated'", async () => {
    const whole = makeDicom({ rows: 4, columns: 4 }, uint16le(Array<number>(16).fill(100)));
    const modality = findElement(whole, 0x0008, 0x0060);
    const corrupted = whole.slice();
    new DataView(corrupted.buffer).setUint16(modality + 6, 0x4000, true);
    const remaining = whole.length - (modality + 8);
    for (const read of [(b: Uint8Array) => decodeDicom(b, "len.dcm"), async (b: Uint8Array) => parseDicomHeader(b, "len.dcm")]) {
      const error = await expectDicomError(read(corrupted), "corrupt", "len.dcm");
      expect(error.reason).toBe(`element (0008,0060) at offset ${modality + 8}: length 16384 exceeds the remaining ${remaining} bytes (corrupt length field; the file goes on past it)`);
    }
    const file = join(dir, "len.dcm");
    writeFileSync(file, corrupted);
    expect((await expectDicomError(readDicomHeader(file), "corrupt", file)).reason).toContain("(0008,0060)");

    // Cut in the middle of the same element's value: nothing valid follows, so the file really ends early.
    const cut = await expectDicomError(decodeDicom(whole.subarray(0, modality + 9), "cut.dcm"), "truncated", "cut.dcm");
    expect(cut.reason).toBe(`file is truncated: element (0008,0060) at offset ${modality + 8} needs 2 bytes but only 1 remain`);
    // Cut inside the next element's header.
    const header = await expectDicomError(decodeDicom(whole.subarray(0, modality + 13), "cut.dcm"), "truncated", "cut.dcm");
    expect(header.reason).toBe(`file is truncated: it ends inside the element header at offset ${modality + 10} after element (0008,0060)`);
  });

  it("a pixel data length larger than the file is 'corrupt' when the whole image is there, 'truncated' when it is not", async () => {
    const pixels = uint16le(Array<number>(16).fill(100));
    const longer = await expectDicomError(decodeDicom(makeDicom({ rows: 4, columns: 4 }, pixels, { pixelLengthOverride: 64 }), "px.dcm"), "corrupt", "px.dcm");
    expect(longer.reason).toMatch(/^element \(7FE0,0010\) at offset \d+: length 64 exceeds the remaining 32 bytes \(corrupt length field/);
    const short = await expectDicomError(decodeDicom(makeDicom({ rows: 8, columns: 8 }, pixels, { pixelLengthOverride: 128 }), "px.dcm"), "truncated", "px.dcm");
    expect(short.reason).toBe("pixel data is truncated: 32 of 128 bytes present");
  });

  it("implicit VR: an element running past the end is reported, not read past the buffer", async () => {
    // dicom-parser accepts this silently for implicit VR; reading the value used to throw a bare string.
    const bytes = makeHeadlessImplicit({ rows: 2, columns: 2 }, uint16le([1, 2, 3, 4]));
    const cut = bytes.subarray(0, bytes.length - 3);
    const error = await expectDicomError(decodeDicom(cut, "implicit.dcm"), "truncated", "implicit.dcm");
    expect(error.reason).toBe("pixel data is truncated: 5 of 8 bytes present");
    const modality = findElement(bytes, 0x0008, 0x0060, 0);
    const header = await expectDicomError(decodeDicom(bytes.subarray(0, modality + 9), "implicit.dcm"), "truncated", "implicit.dcm");
    expect(header.reason).toBe(`file is truncated: element (0008,0060) at offset ${modality + 8} needs 2 bytes but only 1 remain`);
    expect(() => parseDicomHeader(bytes.subarray(0, modality + 9), "implicit.dcm")).toThrow(DicomError);
  });

  it("a corrupt file meta group names the group", async () => {
    const bytes = makeDicom({ rows: 2, columns: 2 }, uint16le([1, 2, 3, 4]));
    bytes.set([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0xff, 0xff], findElement(bytes, 0x0002, 0x0010));
    const error = await expectDicomError(decodeDicom(bytes, "meta.dcm"), "corrupt", "meta.dcm");
    expect(error.reason).toMatch(/^file meta information \(group 0002\) is corrupt/);
  });

  it("a blank or missing PhotometricInterpretation: MONOCHROME2 with a warning for one sample, refused for three", async () => {
    const gray = uint16le([1, 2, 3, 4]);
    const blank = await decodeDicom(makeDicom({ rows: 2, columns: 2, photometric: "  " }, gray), "blank.dcm");
    expect(blank.header.photometricInterpretation).toBe("MONOCHROME2");
    expect(blank.header.warnings).toEqual(["PhotometricInterpretation is blank; read as MONOCHROME2"]);
    const absent = makeDicom({ rows: 2, columns: 2 }, gray);
    new DataView(absent.buffer).setUint16(findElement(absent, 0x0028, 0x0004) + 2, 0x0005, true);
    expect(parseDicomHeader(absent, "absent.dcm").warnings).toEqual(["PhotometricInterpretation is missing; read as MONOCHROME2"]);
    const normal = await decodeDicom(makeDicom({ rows: 2, columns: 2 }, gray), "normal.dcm");
    expect(normal.header.warnings).toEqual([]);
    const rgb = makeDicom({ rows: 1, columns: 2, bitsAllocated: 8, samplesPerPixel: 3, photometric: "  " }, new Uint8Array(6));
    const error = await expectDicomError(decodeDicom(rgb, "rgb.dcm"), "missing-attribute", "rgb.dcm");
    expect(error.reason).toBe("missing required attribute PhotometricInterpretation");
  });
});

/** Offset of the first element header with this tag (explicit or implicit VR little endian). */
function findElement(bytes: Uint8Array, group: number, element: number, from = 132): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = from; i + 4 <= bytes.length; i += 2) {
    if (view.getUint16(i, true) === group && view.getUint16(i + 2, true) === element) return i;
  }
  throw new Error(`no element (${group.toString(16)},${element.toString(16)})`);
}
