// What `ich clean` learns from decoding one file: whether its pixels can be read, what kind of
// image it is, and (for CT) the share of pixels inside the brain window — the seed's notebook 01
// measure, fastai's pct_in_window on the brain window (W80 L40, i.e. 0–80 HU).
import { readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { modalityFrame, readDicom } from "../dicom";
import { decodeJpegRgb } from "../data/jpeg";
import { WINDOWS } from "../../shared/window";
import { DICOM_FILE, imageIdOf } from "./index-entry";
import { errorMessage } from "../../shared/errors";

export interface PixelCheck {
  file: string;
  id: string;
  /** Why the pixels could not be read. */
  error?: string;
  rows?: number;
  columns?: number;
  modality?: string;
  /** Samples per pixel and photometric interpretation say colour (or, for PNG/JPG, grey where RGB is expected). */
  colour?: boolean;
  notCt?: boolean;
  rsnaFix?: boolean;
  sopInstanceUid?: string;
  /** Share of pixels within the brain window (CT only). */
  brainShare?: number;
}

export function brainWindowShare(hu: Float32Array): number {
  const low = WINDOWS.brain.level - WINDOWS.brain.width / 2;
  const high = WINDOWS.brain.level + WINDOWS.brain.width / 2;
  let inside = 0;
  for (let i = 0; i < hu.length; i++) if (hu[i] > low && hu[i] < high) inside++;
  return hu.length === 0 ? 0 : inside / hu.length;
}

async function checkDicom(path: string, check: PixelCheck): Promise<void> {
  const decoded = await readDicom(path);
  const h = decoded.header;
  Object.assign(check, { rows: h.rows, columns: h.columns, modality: h.modality, sopInstanceUid: h.sopInstanceUid, rsnaFix: h.rsnaFixApplies });
  const modality = h.modality?.trim().toUpperCase();
  check.notCt = modality !== undefined && modality !== "CT";
  check.colour = h.samplesPerPixel !== 1 || !h.photometricInterpretation.toUpperCase().startsWith("MONOCHROME");
  if (!check.notCt && !check.colour) check.brainShare = brainWindowShare(modalityFrame(decoded, 0, { rsnaFix: true }));
}

async function checkImage(path: string, check: PixelCheck): Promise<void> {
  const bytes = new Uint8Array(readFileSync(path));
  if (/\.png$/i.test(path)) {
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(bytes));
    } catch (error) {
      throw new Error(`${path}: not a readable PNG (${errorMessage(error)})`, { cause: error });
    }
    Object.assign(check, { rows: png.height, columns: png.width });
    return;
  }
  const { width, height } = await decodeJpegRgb(bytes, path);
  Object.assign(check, { rows: height, columns: width });
}

export async function checkPixels(root: string, file: string): Promise<PixelCheck> {
  const check: PixelCheck = { file, id: imageIdOf(file) };
  const path = `${root}/${file}`;
  try {
    if (DICOM_FILE.test(file)) await checkDicom(path, check);
    else await checkImage(path, check);
  } catch (error) {
    check.error = errorMessage(error);
  }
  return check;
}
