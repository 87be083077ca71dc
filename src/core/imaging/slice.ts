// Node-only: one CT slice from a DICOM file as Hounsfield units (the webviews get HU from the
// extension instead, so this file stays out of index paths they bundle: they import ./window).
import { DicomError, modalityFrame, readDicom, requireCtSlice, type DicomHeader } from "../dicom";

export interface HuSlice {
  hu: Float32Array;
  rows: number;
  columns: number;
  header: DicomHeader;
  frame: number;
  /** True when the RSNA 12-bit fix was applied to this slice. */
  rsnaFixApplied: boolean;
}

export interface LoadHuSliceOptions {
  /** 0-based frame of a multi-frame file (default 0). */
  frame?: number;
  /** Apply the RSNA fix when the header calls for it (default true). */
  rsnaFix?: boolean;
}

/** Reads, decodes and rescales one frame of a grayscale CT file. Throws DicomError naming the file. */
export async function loadHuSlice(path: string, options: LoadHuSliceOptions = {}): Promise<HuSlice> {
  const frame = options.frame ?? 0;
  const rsnaFix = options.rsnaFix ?? true;
  const decoded = await readDicom(path);
  requireCtSlice(decoded.header);
  if (!Number.isInteger(frame) || frame < 0 || frame >= decoded.frames.length) {
    throw new DicomError(path, "decode-failed", `frame ${frame} does not exist (the file has ${decoded.frames.length} frame${decoded.frames.length === 1 ? "" : "s"}, numbered from 0)`);
  }
  const hu = modalityFrame(decoded, frame, { rsnaFix });
  const { header } = decoded;
  return { hu, rows: header.rows, columns: header.columns, header, frame, rsnaFixApplied: rsnaFix && header.rsnaFixApplies };
}
