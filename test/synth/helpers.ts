import { readFileSync } from "node:fs";
import dicomParser from "dicom-parser";

/** A synthetic file read with dicom-parser alone (independent of the project's DICOM core). */
export function parseWithDicomParser(path: string) {
  const bytes = new Uint8Array(readFileSync(path));
  const ds = dicomParser.parseDicom(bytes);
  const pixel = ds.elements.x7fe00010;
  const signed = ds.uint16("x00280103") === 1;
  const count = pixel.length / 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.dataOffset, pixel.length);
  const stored = new Int32Array(count);
  for (let i = 0; i < count; i++) stored[i] = signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
  return { ds, stored };
}

/** stored × slope + intercept, with the RSNA fix when BitsStored 12, unsigned and intercept > -100. */
export function huOf(ds: dicomParser.DataSet, stored: Int32Array, rsnaFix = true): Float32Array {
  const slope = Number(ds.string("x00281053"));
  let intercept = Number(ds.string("x00281052"));
  const buggy = ds.uint16("x00280101") === 12 && ds.uint16("x00280103") === 0 && intercept > -100;
  const hu = new Float32Array(stored.length);
  for (let i = 0; i < stored.length; i++) {
    let v = stored[i];
    if (rsnaFix && buggy) {
      v += 1000;
      if (v >= 4096) v -= 4096;
      intercept = -1000;
    }
    hu[i] = v * slope + intercept;
  }
  return hu;
}

/**
 * Pixels whose 3×3 neighbourhood averages to acute-blood density (50–95 HU) and holds no bone
 * (> 150 HU): the bone exclusion keeps the skull's inner edge, averaged with brain, out.
 */
export function bloodPixels(hu: Float32Array, size: number): number[] {
  const result: number[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      let max = -Infinity;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const v = hu[Math.min(size - 1, Math.max(0, y + dy)) * size + Math.min(size - 1, Math.max(0, x + dx))];
          sum += v;
          if (v > max) max = v;
        }
      }
      const mean = sum / 9;
      if (mean >= 50 && mean <= 95 && max <= 150) result.push(y * size + x);
    }
  }
  return result;
}
