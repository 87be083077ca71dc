import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DicomError, modalityFrame, readDicom } from "../../src/core/dicom";
import { HAS_SHARED_DATA, readReference, SHARED_DATA, type ReferenceRow } from "../helpers/shared-data";

function sha256Int32(frames: Int32Array[]): string {
  const hash = createHash("sha256");
  for (const frame of frames) hash.update(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
  return hash.digest("hex");
}

function mean(frames: ArrayLike<number>[]): number {
  let sum = 0;
  let count = 0;
  for (const frame of frames) {
    for (let i = 0; i < frame.length; i++) sum += frame[i];
    count += frame.length;
  }
  return sum / count;
}

/** Within 0.5% of the reference, measured against the value range for means close to zero. */
function expectClose(actual: number, expected: number, range: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(0.005 * Math.max(Math.abs(expected), range * 0.05));
}

async function checkAgainstReference(folder: "dicom-corpus" | "rsna-samples", row: ReferenceRow): Promise<void> {
  const path = join(SHARED_DATA, folder, row.file);
  if (row.decode.startsWith("FAIL")) {
    await expect(readDicom(path)).rejects.toBeInstanceOf(DicomError);
    return;
  }
  const decoded = await readDicom(path);
  const { header } = decoded;
  expect([header.rows, header.columns, header.frames, header.samplesPerPixel]).toEqual([row.rows, row.cols, row.frames, row.spp]);
  expect(row.transfer_syntax).toContain(header.transferSyntaxUid);
  if (row.lossy) {
    const range = row.stored_max - row.stored_min;
    expectClose(mean(decoded.frames), row.stored_mean, range);
    // Reference modality values are plain slope/intercept (no RSNA fix).
    const modality = decoded.frames.map((_, f) => modalityFrame(decoded, f, { rsnaFix: false }));
    expectClose(mean(modality), row.hu_mean, range * header.rescaleSlope);
  } else {
    expect(sha256Int32(decoded.frames)).toBe(row.sha256_int32le);
  }
}

describe.skipIf(!HAS_SHARED_DATA)("decoding matches the pydicom+GDCM reference", () => {
  for (const folder of ["dicom-corpus", "rsna-samples"] as const) {
    const rows = HAS_SHARED_DATA ? readReference(folder) : [];
    for (const row of rows) {
      it(`${folder}/${row.file}`, () => checkAgainstReference(folder, row));
    }
  }
});
