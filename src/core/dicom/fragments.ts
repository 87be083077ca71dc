import type { Element } from "dicom-parser";

const JPEG_SOI = [0xff, 0xd8];
const J2K_SOC = [0xff, 0x4f, 0xff, 0x51];
const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** True when a fragment begins a new compressed frame (JPEG family SOI or JPEG 2000 codestream/file). */
function beginsFrame(bytes: Uint8Array): boolean {
  return startsWith(bytes, JPEG_SOI) || startsWith(bytes, J2K_SOC) || startsWith(bytes, JP2_SIGNATURE);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Splits encapsulated pixel data into one byte array per frame: by the basic offset table when
 * present, one fragment per frame when the counts match, else at fragments that start a codestream.
 * Throws an Error when the fragments cannot be assigned to `frames` frames.
 */
export function splitFrames(byteArray: Uint8Array, pixel: Element, frames: number): Uint8Array[] {
  const fragments = pixel.fragments ?? [];
  if (fragments.length === 0) throw new Error("encapsulated pixel data has no fragments");
  const pieces = fragments.map((f) => {
    if (f.position + f.length > byteArray.length) throw new Error("pixel data fragment runs past the end of the file");
    return { offset: f.offset, bytes: byteArray.subarray(f.position, f.position + f.length) };
  });
  if (frames === 1) return [concat(pieces.map((p) => p.bytes))];
  const table = pixel.basicOffsetTable ?? [];
  if (table.length === frames) {
    return table.map((start, i) => {
      const end = i + 1 < frames ? table[i + 1] : Infinity;
      const parts = pieces.filter((p) => p.offset >= start && p.offset < end).map((p) => p.bytes);
      if (parts.length === 0) throw new Error(`basic offset table points frame ${i + 1} at no fragment`);
      return concat(parts);
    });
  }
  if (pieces.length === frames) return pieces.map((p) => p.bytes);
  const groups: Uint8Array[][] = [];
  for (const piece of pieces) {
    if (groups.length === 0 || beginsFrame(piece.bytes)) groups.push([piece.bytes]);
    else groups[groups.length - 1].push(piece.bytes);
  }
  if (groups.length !== frames) {
    throw new Error(`cannot split ${pieces.length} fragments into ${frames} frames (found ${groups.length} frame starts)`);
  }
  return groups.map(concat);
}
