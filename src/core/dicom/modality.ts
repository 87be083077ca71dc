import { DicomError, type DecodedDicom } from "./types";

export interface ModalityOptions {
  /** Apply the RSNA 12-bit fix when header.rsnaFixApplies (default true). */
  rsnaFix?: boolean;
}

/**
 * Modality values (HU for CT) of one frame: stored × RescaleSlope + RescaleIntercept. With the RSNA
 * fix, stored + 1000 wraps at 4096 and the intercept becomes −1000.
 */
export function modalityFrame(d: DecodedDicom, frame: number, opts: ModalityOptions = {}): Float32Array {
  const stored = d.frames[frame];
  if (!stored) throw new DicomError(d.header.file, "decode-failed", `frame ${frame} does not exist (${d.frames.length} frames)`);
  const out = new Float32Array(stored.length);
  const slope = d.header.rescaleSlope;
  const n = stored.length;
  if ((opts.rsnaFix ?? true) && d.header.rsnaFixApplies) {
    const intercept = -1000;
    for (let i = 0; i < n; i++) {
      let v = stored[i] + 1000;
      if (v >= 4096) v -= 4096;
      out[i] = v * slope + intercept;
    }
    return out;
  }
  const intercept = d.header.rescaleIntercept;
  if (slope === 1) for (let i = 0; i < n; i++) out[i] = stored[i] + intercept;
  else for (let i = 0; i < n; i++) out[i] = stored[i] * slope + intercept;
  return out;
}

/** Min, max and mean of the modality values over all samples of all frames, without the RSNA fix. */
export function modalityStatistics(d: DecodedDicom): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (const frame of d.frames) {
    for (let i = 0; i < frame.length; i++) {
      const v = frame[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    count += frame.length;
  }
  const { rescaleSlope: slope, rescaleIntercept: intercept } = d.header;
  const a = min * slope + intercept;
  const b = max * slope + intercept;
  return { min: Math.min(a, b), max: Math.max(a, b), mean: count > 0 ? (sum / count) * slope + intercept : NaN };
}
