// Plants problems into generated DICOM files by rewriting element values in place (same length),
// so a test can build a mixed folder of valid and broken slices without other tools.
import { readFileSync, writeFileSync } from "node:fs";
import dicomParser from "dicom-parser";

function element(bytes: Uint8Array, tag: string) {
  const dataSet = dicomParser.parseDicom(bytes, { untilTag: "x7fe00010" });
  const e = dataSet.elements[tag];
  if (!e) throw new Error(`no element ${tag}`);
  return e;
}

/** Sets a text element to `value`, space-padded to the element's current length. */
export function setText(file: string, tag: string, value: string): void {
  const bytes = new Uint8Array(readFileSync(file));
  const e = element(bytes, tag);
  if (value.length > e.length) throw new Error(`${value} is longer than ${tag} (${e.length} bytes)`);
  const padded = value.padEnd(e.length, " ");
  for (let i = 0; i < e.length; i++) bytes[e.dataOffset + i] = padded.charCodeAt(i);
  writeFileSync(file, bytes);
}

export function setUint16(file: string, tag: string, value: number): void {
  const bytes = new Uint8Array(readFileSync(file));
  const e = element(bytes, tag);
  new DataView(bytes.buffer).setUint16(e.dataOffset, value, true);
  writeFileSync(file, bytes);
}

/** Fills the pixel data (the last rows*columns*2 bytes of an uncompressed 16-bit slice) with one stored value. */
export function fillPixels(file: string, stored: number): void {
  const bytes = new Uint8Array(readFileSync(file));
  const e = dicomParser.parseDicom(bytes).elements.x7fe00010;
  const view = new DataView(bytes.buffer);
  for (let i = 0; i + 1 < e.length; i += 2) view.setInt16(e.dataOffset + i, stored, true);
  writeFileSync(file, bytes);
}

/** Cuts `bytes` off the end of a file (a truncated download). */
export function truncate(file: string, bytes: number): void {
  const data = readFileSync(file);
  writeFileSync(file, data.subarray(0, data.length - bytes));
}
