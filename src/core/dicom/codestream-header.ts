// Reads the image size an encoded frame claims (JPEG SOFn, JPEG-LS SOF55, JPEG 2000 SIZ) so it can
// be checked against the data set before a decoder allocates its output from it.

/** What a codestream's own header says about the image it holds. */
export interface CodestreamHeader {
  width: number;
  height: number;
  components: number;
  /** Sample precision in bits (the largest over components for JPEG 2000). */
  precision: number;
  /** JPEG family: the SOF marker (0xC0.. or 0xF7 for JPEG-LS) and each component's sampling factors. */
  marker?: number;
  sampling?: { h: number; v: number }[];
  /** JPEG 2000: number of tiles the SIZ grid defines. */
  tiles?: number;
}

export type JpegFrameHeader = CodestreamHeader & { marker: number; sampling: { h: number; v: number }[] };

const u16 = (d: Uint8Array, at: number) => (d[at] << 8) | d[at + 1];
const u32 = (d: Uint8Array, at: number) => ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;

function isStartOfFrame(marker: number): boolean {
  return (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
}

/** The first SOFn/SOF55 segment of a JPEG or JPEG-LS stream; undefined when there is none before the first scan. */
export function readJpegFrameHeader(data: Uint8Array): JpegFrameHeader | undefined {
  if (data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  for (let i = 2; i + 4 <= data.length; ) {
    if (data[i] !== 0xff) return undefined;
    const marker = data[i + 1];
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    const segment = i + 4;
    if (isStartOfFrame(marker)) {
      if (segment + 6 > data.length) return undefined;
      const components = data[segment + 5];
      const sampling = [];
      for (let c = 0; c < components && segment + 8 + 3 * c <= data.length; c++) {
        const hv = data[segment + 7 + 3 * c];
        sampling.push({ h: hv >> 4, v: hv & 15 });
      }
      return { marker, precision: data[segment], height: u16(data, segment + 1), width: u16(data, segment + 3), components, sampling };
    }
    i += 2 + u16(data, i + 2);
  }
  return undefined;
}

/** SIZ of a raw J2K codestream (starts with SOC) or of the jp2c box of a JP2 file. */
export function readJ2kHeader(data: Uint8Array): CodestreamHeader | undefined {
  const codestream = data[0] === 0xff && data[1] === 0x4f ? data : jp2Codestream(data);
  if (!codestream || codestream.length < 42 || u16(codestream, 2) !== 0xff51) return undefined;
  const s = 4; // Lsiz
  const [xsiz, ysiz, xo, yo, xt, yt, xto, yto] = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => u32(codestream, s + 4 + 4 * k));
  const components = u16(codestream, s + 36);
  let precision = 0;
  for (let c = 0; c < components && s + 38 + 3 * c < codestream.length; c++) precision = Math.max(precision, (codestream[s + 38 + 3 * c] & 0x7f) + 1);
  const tiles = xt > 0 && yt > 0 ? Math.ceil((xsiz - xto) / xt) * Math.ceil((ysiz - yto) / yt) : Infinity;
  return { width: xsiz - xo, height: ysiz - yo, components, precision, tiles };
}

function jp2Codestream(data: Uint8Array): Uint8Array | undefined {
  for (let i = 0; i + 8 <= data.length; ) {
    let length = u32(data, i);
    const type = String.fromCharCode(data[i + 4], data[i + 5], data[i + 6], data[i + 7]);
    let header = 8;
    if (length === 1) {
      if (i + 16 > data.length) return undefined;
      length = u32(data, i + 8) * 2 ** 32 + u32(data, i + 12);
      header = 16;
    } else if (length === 0) {
      length = data.length - i;
    }
    if (length < header) return undefined;
    if (type === "jp2c") return data.subarray(i + header, Math.min(data.length, i + length));
    i += length;
  }
  return undefined;
}

/**
 * The fewest bytes a stream claiming `h` can occupy, from the shortest code each process has per
 * unit of image: sequential Huffman DCT needs a DC code and an EOB (or an AC code), at least 1 bit
 * each, per 8x8 block; lossless JPEG a Huffman code of at least 1 bit per sample; JPEG-LS at least
 * one bit per line (a run covering the line, up to 2^15 samples per bit in run mode). JPEG 2000
 * has no such bound (empty packets code any area in a few bytes).
 */
export function minimumEncodedBytes(h: CodestreamHeader): number {
  if (h.marker === 0xc3) return Math.ceil((h.width * h.height * h.components) / 8);
  if (h.marker === 0xf7) return Math.ceil((h.height * Math.ceil(h.width / 32768)) / 8);
  if (h.marker === 0xc0 || h.marker === 0xc1) {
    const sampling = h.sampling ?? [];
    const hMax = Math.max(1, ...sampling.map((s) => s.h));
    const vMax = Math.max(1, ...sampling.map((s) => s.v));
    let blocks = 0;
    for (const s of sampling) blocks += Math.ceil(Math.ceil((h.width * s.h) / hMax) / 8) * Math.ceil(Math.ceil((h.height * s.v) / vMax) / 8);
    return Math.ceil((2 * blocks) / 8);
  }
  return 0;
}
