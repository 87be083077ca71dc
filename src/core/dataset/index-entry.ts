// One IndexEntry from a header-only read: the DICOM elements before the pixel data, or the size
// fields of a PNG/JPG (IHDR / the first SOF marker). Pixel data is never read here.
import { closeSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";
import { readDicomHeaderSync } from "../dicom";
import type { IndexEntry } from "./types";
import { errorMessage } from "../../shared/errors";

export interface FileStat {
  file: string;
  size: number;
  mtimeMs: number;
}

export const DICOM_FILE = /\.dcm$/i;
export const IMAGE_FILE = /\.(png|jpe?g)$/i;

export function imageIdOf(file: string): string {
  const name = file.slice(file.lastIndexOf("/") + 1);
  return name.slice(0, name.length - extname(name).length);
}

function message(error: unknown): string {
  return errorMessage(error);
}

export function dicomEntry(root: string, f: FileStat): IndexEntry {
  const entry: IndexEntry = { file: f.file, id: imageIdOf(f.file), size: f.size, mtimeMs: f.mtimeMs, kind: "dicom" };
  try {
    const h = readDicomHeaderSync(`${root}/${f.file}`);
    Object.assign(entry, {
      sopInstanceUid: h.sopInstanceUid,
      patientId: h.patientId,
      studyUid: h.studyInstanceUid,
      seriesUid: h.seriesInstanceUid,
      modality: h.modality,
      rows: h.rows,
      columns: h.columns,
      samplesPerPixel: h.samplesPerPixel,
      photometric: h.photometricInterpretation,
      bitsAllocated: h.bitsAllocated,
      bitsStored: h.bitsStored,
      pixelRepresentation: h.pixelRepresentation,
      rescaleSlope: h.rescaleSlope,
      rescaleIntercept: h.rescaleIntercept,
      windowCenter: h.windowCenter?.[0],
      windowWidth: h.windowWidth?.[0],
      pixelSpacing: h.pixelSpacing,
      sliceThickness: h.sliceThickness,
      position: h.imagePositionPatient?.[2],
      instanceNumber: h.instanceNumber,
      transferSyntaxUid: h.transferSyntaxUid,
      rsnaFix: h.rsnaFixApplies,
    } satisfies Partial<IndexEntry>);
  } catch (error) {
    entry.error = message(error);
  }
  return entry;
}

function readHead(path: string, length: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const buffer = new Uint8Array(length);
    const n = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Width, height and channels from a PNG IHDR or a JPEG SOF marker; null when neither is found. */
export function imageDimensions(bytes: Uint8Array): { rows: number; columns: number; samplesPerPixel: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 26 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[12] === 0x49 && bytes[13] === 0x48) {
    const colourType = bytes[25];
    const samples = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colourType] ?? 0;
    return { columns: view.getUint32(16), rows: view.getUint32(20), samplesPerPixel: samples };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = view.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { rows: view.getUint16(at + 5), columns: view.getUint16(at + 7), samplesPerPixel: bytes[at + 9] };
    }
    at += 2 + length;
  }
  return null;
}

export function imageEntry(root: string, f: FileStat): IndexEntry {
  const entry: IndexEntry = { file: f.file, id: imageIdOf(f.file), size: f.size, mtimeMs: f.mtimeMs, kind: "image" };
  try {
    const size = imageDimensions(readHead(`${root}/${f.file}`, 64 * 1024));
    if (!size) entry.error = `${root}/${f.file}: not a PNG or JPEG, or no size marker in its first 64 KiB`;
    else Object.assign(entry, size);
  } catch (error) {
    entry.error = `${root}/${f.file}: ${message(error)}`;
  }
  return entry;
}

export function indexEntry(root: string, f: FileStat): IndexEntry {
  return DICOM_FILE.test(f.file) ? dicomEntry(root, f) : imageEntry(root, f);
}
