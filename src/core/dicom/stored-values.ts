import type { DicomHeader } from "./types";

/**
 * Native (uncompressed) samples → stored values: reads the BitsAllocated container in the file's
 * byte order, takes BitsStored bits ending at HighBit and sign-extends them when signed.
 */
export function nativeStoredValues(data: Uint8Array, sampleOffset: number, count: number, header: DicomHeader, bigEndian: boolean): Int32Array {
  const { bitsAllocated, bitsStored, highBit, pixelRepresentation } = header;
  const out = new Int32Array(count);
  if (bitsAllocated === 1) {
    for (let i = 0; i < count; i++) {
      const bit = sampleOffset + i;
      out[i] = (data[bit >> 3] >> (bit & 7)) & 1;
    }
    return out;
  }
  const bytes = bitsAllocated / 8;
  const start = sampleOffset * bytes;
  const exact = bitsStored === bitsAllocated && highBit === bitsAllocated - 1;
  if (bitsAllocated === 8) {
    out.set(data.subarray(start, start + count));
  } else if (bitsAllocated === 16 && !bigEndian && (data.byteOffset + start) % 2 === 0) {
    // The common CT case (16 of 16 bits) needs no masking: read the words with the right sign.
    if (exact && pixelRepresentation === 1) {
      out.set(new Int16Array(data.buffer, data.byteOffset + start, count));
      return out;
    }
    out.set(new Uint16Array(data.buffer, data.byteOffset + start, count));
  } else {
    const view = new DataView(data.buffer, data.byteOffset + start, count * bytes);
    const little = !bigEndian;
    if (bitsAllocated === 16) for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, little);
    else for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, little) | 0;
  }
  if (!(exact && pixelRepresentation === 0 && bitsAllocated < 32)) applyBitsStored(out, bitsStored, highBit, pixelRepresentation);
  return out;
}

/** In place: keep bits [highBit-bitsStored+1, highBit], sign-extend when pixelRepresentation is 1. */
export function applyBitsStored(values: Int32Array, bitsStored: number, highBit: number, pixelRepresentation: number): void {
  if (bitsStored >= 32) return;
  const low = highBit + 1 - bitsStored;
  const up = 32 - bitsStored;
  const n = values.length;
  if (pixelRepresentation === 1) {
    for (let i = 0; i < n; i++) values[i] = ((values[i] >>> low) << up) >> up;
  } else {
    for (let i = 0; i < n; i++) values[i] = ((values[i] >>> low) << up) >>> up;
  }
}

/** Codec output (little-endian 8- or 16-bit containers) → values, read as signed when the image is signed. */
export function containerValues(bytes: Uint8Array, bitsPerSample: number, signed: boolean): Int32Array {
  if (bitsPerSample <= 8) {
    return signed ? Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length)) : Int32Array.from(bytes);
  }
  const count = bytes.length >> 1;
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const view = signed ? new Int16Array(aligned.buffer, aligned.byteOffset, count) : new Uint16Array(aligned.buffer, aligned.byteOffset, count);
  const out = new Int32Array(count);
  out.set(view);
  return out;
}

/** Sign-extends `bits`-bit values in place (JPEG 2000 streams coded unsigned for signed images). */
export function signExtend(values: Int32Array, bits: number): void {
  const up = 32 - bits;
  for (let i = 0; i < values.length; i++) values[i] = (values[i] << up) >> up;
}

/** Planar configuration 1 (RRR..GGG..BBB..) → interleaved RGB. */
export function interleavePlanes(values: Int32Array, samplesPerPixel: number): Int32Array {
  const pixels = values.length / samplesPerPixel;
  const out = new Int32Array(values.length);
  for (let s = 0; s < samplesPerPixel; s++) {
    const plane = s * pixels;
    for (let p = 0; p < pixels; p++) out[p * samplesPerPixel + s] = values[plane + p];
  }
  return out;
}
