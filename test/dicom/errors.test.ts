import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeDicom, DicomError, readDicom, readDicomHeader, type DicomErrorCode } from "../../src/core/dicom";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";
import { makeDicom, uint16le } from "./make-dicom";

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
    const bytes = makeDicom({ rows: 4, columns: 4 }, uint16le(Array(12).fill(7)));
    const error = await expectDicomError(decodeDicom(bytes, "short.dcm"), "truncated", "short.dcm");
    expect(error.reason).toMatch(/24 of 32 bytes/);
  });

  it("a file cut inside its pixel data", async () => {
    const whole = makeDicom({ rows: 8, columns: 8 }, uint16le(Array(64).fill(100)));
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
});
