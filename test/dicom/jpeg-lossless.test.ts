import { describe, expect, it } from "vitest";
import { decodeDicom } from "../../src/core/dicom";
import { SYNTAX, uniformJpeg } from "../helpers/dicom-bombs";
import { makeEncapsulated } from "./make-dicom";

// A uniform lossless stream codes every sample as "difference 0" with a 1-bit Huffman code, so
// the scan's last code ends exactly on a byte boundary when rows*columns is a multiple of 8 —
// the condition under which jpeg-lossless-decoder-js 2.1 dropped the last sample (left it 0).
describe("JPEG Lossless decodes every sample", () => {
  for (const [rows, columns] of [
    [64, 64],
    [63, 64],
    [7, 9],
  ]) {
    const padded = (rows * columns) % 8 !== 0;
    it(`${rows}x${columns} (${padded ? "last byte padded" : "last code ends on a byte boundary"})`, async () => {
      const stream = uniformJpeg("lossless", columns, rows, 16);
      const file = makeEncapsulated({ rows, columns, bitsAllocated: 16, bitsStored: 16 }, SYNTAX["jpeg-lossless"], [stream], []);
      const { frames } = await decodeDicom(file, "uniform.dcm");
      expect(frames[0].length).toBe(rows * columns);
      // The first sample's prediction is 2^(P-1); every difference is 0.
      expect(frames[0].every((v) => v === 32768)).toBe(true);
    });
  }
});
