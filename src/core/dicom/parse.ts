import * as dicomParser from "dicom-parser";
import type { DataSet } from "dicom-parser";
import { constants, inflateRawSync } from "node:zlib";
import { brokenDataSetError, KNOWN_VRS, lengthOverrunError, overrunningElement, parserMessage, truncatedPixelData, type DataSetLayout } from "./structure-errors";
import { DicomError } from "./types";

export const PIXEL_DATA_TAG = "x7fe00010";
export const IMPLICIT_LE = "1.2.840.10008.1.2";
export const EXPLICIT_LE = "1.2.840.10008.1.2.1";
export const DEFLATED_LE = "1.2.840.10008.1.2.1.99";
export const EXPLICIT_BE = "1.2.840.10008.1.2.2";

export interface ParsedDicom {
  dataSet: DataSet;
  transferSyntaxUid: string;
  hasMeta: boolean;
  /** The bytes the data set indexes into (the inflated stream for deflated files). */
  byteArray: Uint8Array;
}

function hasDicmPrefix(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * Files without preamble/meta start directly with a data set element. dicom-parser needs the
 * transfer syntax for those; we guess it from the first element (explicit VR letters or not).
 */
function guessHeadlessSyntax(bytes: Uint8Array, file: string): string {
  if (bytes.length < 8) throw new DicomError(file, "not-dicom", `not a DICOM file (only ${bytes.length} bytes)`);
  const group = bytes[0] | (bytes[1] << 8);
  const element = bytes[2] | (bytes[3] << 8);
  const plausibleGroup = group % 2 === 0 && group >= 0x0002 && group <= 0x0028 && element < 0x2000;
  if (!plausibleGroup) {
    throw new DicomError(file, "not-dicom", "not a DICOM file (no 'DICM' marker at byte 128 and no data set at the start)");
  }
  const vr = String.fromCharCode(bytes[4], bytes[5]);
  if (KNOWN_VRS.has(vr)) return EXPLICIT_LE;
  const length = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (length < 0 || length > bytes.length) {
    throw new DicomError(file, "not-dicom", "not a DICOM file (no 'DICM' marker at byte 128 and no valid first element)");
  }
  return IMPLICIT_LE;
}

/**
 * Deflated data sets: inflate everything after the file meta and relabel the copy as explicit VR
 * little endian, so dicom-parser reads it in place with offsets into one array.
 */
function inflateDataSet(bytes: Uint8Array, file: string, partial: boolean): Uint8Array | undefined {
  // Cheap test first: the deflate UID must appear in the file meta group.
  const hasGroupLength = bytes.length >= 144 && bytes[132] === 2 && bytes[133] === 0 && bytes[134] === 0 && bytes[135] === 0;
  const metaEnd = Math.min(bytes.length, hasGroupLength ? 144 + (bytes[140] | (bytes[141] << 8) | (bytes[142] << 16)) : 4096);
  if (Buffer.from(bytes.buffer, bytes.byteOffset, metaEnd).indexOf(DEFLATED_LE, 132, "latin1") < 0) return undefined;
  let meta: DataSet & { position?: number };
  try {
    meta = dicomParser.readPart10Header(bytes);
  } catch {
    return undefined; // the main parse reports what is wrong
  }
  const syntax = meta.elements.x00020010;
  if (!syntax || meta.position === undefined) return undefined;
  const uid = dicomParser.readFixedString(bytes, syntax.dataOffset, syntax.length).replace(/\0/g, "").trim();
  if (uid !== DEFLATED_LE) return undefined;
  let inflated: Buffer;
  try {
    // A prefix of a deflated file is an unfinished stream: inflate what is there.
    inflated = inflateRawSync(bytes.subarray(meta.position), partial ? { finishFlush: constants.Z_SYNC_FLUSH } : {});
  } catch (error) {
    throw new DicomError(file, "decode-failed", `deflated data set is corrupt (${(error as Error).message})`);
  }
  const whole = new Uint8Array(meta.position + inflated.length);
  whole.set(bytes.subarray(0, meta.position), 0);
  whole.set(inflated, meta.position);
  const label = new Uint8Array(syntax.length);
  label.set(new TextEncoder().encode(EXPLICIT_LE).subarray(0, syntax.length));
  whole.set(label, syntax.dataOffset);
  return whole;
}

export interface ParseOptions {
  /** Stop before the pixel data element (its value is neither read nor checked). */
  headerOnly: boolean;
  /** `bytes` may be only the start of the file: report running out of bytes as "truncated". */
  prefix?: boolean;
}

/** Parses the data set with dicom-parser; every failure becomes a DicomError naming the file. */
export function parseDataSet(bytes: Uint8Array, file: string, options: ParseOptions): ParsedDicom {
  if (bytes.length === 0) throw new DicomError(file, "empty", "file is empty (0 bytes)");
  const hasMeta = hasDicmPrefix(bytes);
  const headlessSyntax = hasMeta ? undefined : guessHeadlessSyntax(bytes, file);
  const inflated = hasMeta ? inflateDataSet(bytes, file, options.prefix === true) : undefined;
  const source = inflated ?? bytes;
  // Only needed to explain a failure: reading the meta group again costs time on every good file.
  const layout = () => dataSetLayout(source, hasMeta, headlessSyntax);
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(source, {
      untilTag: options.headerOnly ? PIXEL_DATA_TAG : undefined,
      TransferSyntaxUID: headlessSyntax,
    });
  } catch (error) {
    if (error instanceof DicomError) throw error;
    if (options.prefix) throw new DicomError(file, "truncated", `file ends in the middle of the data set (${parserMessage(error)})`);
    const partial = (error as { dataSet?: DataSet } | undefined)?.dataSet;
    const overrun = partial && overrunningElement(partial, source.length);
    if (overrun) throw lengthOverrunError(file, source, overrun, layout(), partial);
    if (!partial && hasMeta) throw new DicomError(file, "corrupt", `file meta information (group 0002) is corrupt (${parserMessage(error)})`);
    throw brokenDataSetError(file, source, partial, layout(), error);
  }
  // Implicit VR parsing accepts a last element that runs past the end; header-only reads leave the
  // pixel data unchecked (its value is not read).
  const overrun = overrunningElement(dataSet, source.length, options.headerOnly ? PIXEL_DATA_TAG : undefined);
  if (overrun) {
    if (options.prefix) throw new DicomError(file, "truncated", "file ends in the middle of the data set");
    throw lengthOverrunError(file, source, overrun, layout(), dataSet);
  }
  const transferSyntaxUid = inflated ? DEFLATED_LE : (dataSet.string("x00020010") ?? headlessSyntax ?? IMPLICIT_LE).replace(/\0/g, "").trim();
  return { dataSet, transferSyntaxUid, hasMeta, byteArray: source };
}

/** Byte order, VR encoding and start of the data set, for saying where a broken one breaks. */
function dataSetLayout(source: Uint8Array, hasMeta: boolean, headlessSyntax: string | undefined): DataSetLayout {
  if (!hasMeta) return { explicit: headlessSyntax !== IMPLICIT_LE, bigEndian: false, start: 0 };
  try {
    const meta = dicomParser.readPart10Header(source) as DataSet & { position?: number };
    const syntax = meta.elements.x00020010 ? dicomParser.readFixedString(source, meta.elements.x00020010.dataOffset, meta.elements.x00020010.length).replace(/\0/g, "").trim() : EXPLICIT_LE;
    return { explicit: syntax !== IMPLICIT_LE, bigEndian: syntax === EXPLICIT_BE, start: meta.position ?? 132 };
  } catch {
    return { explicit: true, bigEndian: false, start: 132 };
  }
}

export { truncatedPixelData };
