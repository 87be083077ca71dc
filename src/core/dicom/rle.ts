// RLE Lossless per DICOM PS3.5 Annex G: a 64-byte header of segment offsets, one PackBits segment
// per byte plane (most significant byte first, sample by sample).

/**
 * Decodes one RLE frame into unsigned container values (0..2^bitsAllocated-1), samples interleaved.
 * Throws an Error describing the problem on malformed input.
 */
export function decodeRleFrame(encoded: Uint8Array, pixels: number, samplesPerPixel: number, bitsAllocated: number): Int32Array {
  const bytesPerSample = bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample)) throw new Error(`RLE with BitsAllocated ${bitsAllocated} is not supported`);
  if (encoded.length < 64) throw new Error("RLE frame shorter than its 64-byte header");
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = view.getUint32(0, true);
  const expectedSegments = samplesPerPixel * bytesPerSample;
  if (segments !== expectedSegments) throw new Error(`RLE frame has ${segments} segments, expected ${expectedSegments}`);
  const bounds: [number, number][] = [];
  for (let segment = 0; segment < segments; segment++) {
    const start = view.getUint32(4 + 4 * segment, true);
    const end = segment + 1 < segments ? view.getUint32(8 + 4 * segment, true) : encoded.length;
    if (start < 64 || start > end || end > encoded.length) throw new Error(`RLE segment ${segment + 1} has an invalid offset`);
    // PackBits expands at most 2 bytes (a replicate run) into 128: refuse before allocating.
    if ((end - start) * 64 < pixels) throw new Error(`RLE segment ${segment + 1} has ${end - start} bytes, which cannot expand to ${pixels} (at most 64 per byte)`);
    bounds.push([start, end]);
  }
  const out = new Int32Array(pixels * samplesPerPixel);
  const plane = new Uint8Array(pixels);
  for (let segment = 0; segment < segments; segment++) {
    const [start, end] = bounds[segment];
    const filled = unpackBits(encoded, start, end, plane);
    if (filled < pixels) throw new Error(`RLE segment ${segment + 1} decodes to ${filled} of ${pixels} bytes`);
    const sample = Math.floor(segment / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (segment % bytesPerSample));
    for (let p = 0, o = sample; p < pixels; p++, o += samplesPerPixel) out[o] |= plane[p] << shift;
  }
  if (bitsAllocated === 32) for (let i = 0; i < out.length; i++) out[i] = out[i] >>> 0;
  return out;
}

function unpackBits(src: Uint8Array, start: number, end: number, dst: Uint8Array): number {
  let i = start;
  let o = 0;
  const capacity = dst.length;
  while (i < end && o < capacity) {
    const header = src[i++];
    if (header < 128) {
      const count = Math.min(header + 1, capacity - o, end - i);
      dst.set(src.subarray(i, i + count), o);
      i += header + 1;
      o += count;
    } else if (header > 128) {
      const count = Math.min(257 - header, capacity - o);
      if (i >= end) break;
      dst.fill(src[i++], o, o + count);
      o += count;
    }
  }
  return o;
}
