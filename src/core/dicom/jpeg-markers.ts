/** The start-of-frame marker of a JPEG stream: which process (0xC0 baseline, 0xC1 extended, 0xC3 lossless...) and sample precision. */
export interface JpegFrameKind {
  marker: number;
  precision: number;
}

export function findStartOfFrame(data: Uint8Array): JpegFrameKind | undefined {
  if (data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 < data.length) {
    if (data[i] !== 0xff) return undefined;
    const marker = data[i + 1];
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { marker, precision: data[i + 4] };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + ((data[i + 2] << 8) | data[i + 3]);
  }
  return undefined;
}
