// Small DICOM files whose pixel data claims far more samples than it holds ("decompression
// bombs"), one per decoder. Each encapsulated frame is a real small encoded stream (JPEG-LS and
// JPEG 2000 from the cornerstone encoders, the JPEG processes hand-assembled from T.81 segments)
// whose own frame header was then patched to claim 30000x30000 or 65535x65535 pixels.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { makeDicom, makeEncapsulated, rleFrame16, type ImageSpec } from "../dicom/make-dicom";

export type BombCodec = "jpeg-baseline" | "jpeg-extended-12bit" | "jpeg-lossless" | "jpeg-ls" | "jpeg2000" | "rle" | "native";

export interface BombFile {
  /** File name inside the directory, e.g. "jpeg-ls-codestream-claims-30000.dcm". */
  name: string;
  path: string;
  codec: BombCodec;
  /** Rows/Columns the data set states. */
  dataSet: { rows: number; columns: number; frames: number };
  /** Width/height the codestream's own header claims (equal to dataSet when only the data set lies). */
  claimed: { rows: number; columns: number };
}

export const SYNTAX = {
  "jpeg-baseline": "1.2.840.10008.1.2.4.50",
  "jpeg-extended-12bit": "1.2.840.10008.1.2.4.51",
  "jpeg-lossless": "1.2.840.10008.1.2.4.70",
  "jpeg-ls": "1.2.840.10008.1.2.4.80",
  jpeg2000: "1.2.840.10008.1.2.4.90",
  rle: "1.2.840.10008.1.2.5",
  native: "1.2.840.10008.1.2.1",
} as const;

const u16be = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const segment = (marker: number, body: number[]) => [0xff, marker, ...u16be(body.length + 2), ...body];

/**
 * A valid single-component JPEG (SOF0 baseline, SOF1 extended or SOF3 lossless) of a uniform
 * image: one Huffman code of length 1 per table, so every DCT block is "DC diff 0, EOB" (2 bits)
 * and every lossless sample "diff 0" (1 bit).
 */
export function uniformJpeg(process: "baseline" | "extended" | "lossless", width: number, height: number, precision: number): Uint8Array {
  const sof = process === "baseline" ? 0xc0 : process === "extended" ? 0xc1 : 0xc3;
  const oneCode = (tableClass: number, value: number) => segment(0xc4, [tableClass << 4, 1, ...new Array<number>(15).fill(0), value]);
  const lossless = process === "lossless";
  const bits = lossless ? width * height : Math.ceil(width / 8) * Math.ceil(height / 8) * 2;
  const entropy = new Array<number>(Math.ceil(bits / 8)).fill(0);
  if (bits % 8) entropy[entropy.length - 1] = (1 << (8 - (bits % 8))) - 1; // pad with 1 bits (T.81 F.1.2.3)
  return new Uint8Array([
    0xff, 0xd8,
    ...(lossless ? [] : segment(0xdb, [0x00, ...new Array<number>(64).fill(1)])),
    ...segment(sof, [precision, ...u16be(height), ...u16be(width), 1, 1, 0x11, 0]),
    ...oneCode(0, 0),
    ...(lossless ? [] : oneCode(1, 0x00)),
    ...segment(0xda, lossless ? [1, 1, 0x00, 1, 0, 0] : [1, 1, 0x00, 0, 63, 0]),
    ...entropy,
    0xff, 0xd9,
  ]);
}

/** Rewrites the height/width of the first JPEG SOFn or JPEG-LS SOF55 segment. */
export function patchJpegFrameSize(stream: Uint8Array, width: number, height: number): Uint8Array {
  const out = stream.slice();
  for (let i = 2; i + 8 < out.length; ) {
    const marker = out[i + 1];
    if ((marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7) {
      out.set([...u16be(height), ...u16be(width)], i + 5);
      return out;
    }
    i += 2 + ((out[i + 2] << 8) | out[i + 3]);
  }
  throw new Error("no frame header to patch");
}

/** Rewrites Xsiz/Ysiz of a J2K codestream's SIZ segment (image and tile sizes claimed). */
export function patchJ2kSize(stream: Uint8Array, width: number, height: number): Uint8Array {
  const out = stream.slice();
  if (out[2] !== 0xff || out[3] !== 0x51) throw new Error("not a J2K codestream (no SIZ after SOC)");
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(8, width);
  view.setUint32(12, height);
  view.setUint32(24, width); // one tile covering the claimed image
  view.setUint32(28, height);
  return out;
}

type Encoder = {
  getDecodedBuffer(info: object): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  setDecompositions?(n: number): void;
};

async function encoderModule(pkg: string): Promise<Record<string, unknown>> {
  const require = createRequire(__filename);
  const factory = require(`${pkg}/wasmjs`) as (m: object) => Promise<Record<string, unknown>>;
  const quiet = () => undefined;
  return factory({ wasmBinary: readFileSync(require.resolve(`${pkg}/wasm`)), print: quiet, printErr: quiet });
}

/** 16-bit unsigned gradient image, encoded by the cornerstone CharLS (JPEG-LS) or OpenJPEG (J2K) encoder. */
export async function encodeGradient(codec: "jpeg-ls" | "jpeg2000", width: number, height: number): Promise<Uint8Array> {
  const module =
    codec === "jpeg-ls"
      ? await encoderModule("@cornerstonejs/codec-charls")
      : await encoderModule("@cornerstonejs/codec-openjpeg");
  const Encoder = module[codec === "jpeg-ls" ? "JpegLSEncoder" : "J2KEncoder"] as new () => Encoder;
  const encoder = new Encoder();
  const decoded = encoder.getDecodedBuffer({ width, height, bitsPerSample: 16, componentCount: 1, isSigned: false, isUsingColorTransform: false });
  const samples = new Uint16Array(decoded.buffer, decoded.byteOffset, width * height);
  for (let i = 0; i < samples.length; i++) samples[i] = (i * 37) % 4096;
  encoder.setDecompositions?.(2); // the default 5 levels need a larger image
  encoder.encode();
  return encoder.getEncodedBuffer().slice();
}

const SMALL = 64;

function spec(codec: BombCodec, rows: number, columns: number, frames?: number): ImageSpec {
  const bits = codec === "jpeg-baseline" ? 8 : codec === "jpeg-extended-12bit" ? 12 : 16;
  return { rows, columns, bitsAllocated: bits <= 8 ? 8 : 16, bitsStored: bits, frames };
}

/**
 * Writes one bomb per decoder into `dir` (created if missing). Files whose codestream lies about
 * its size ("-codestream-claims-N") state the true 64x64 in the data set; files where the data
 * set agrees with the huge claim ("-both-claim-N") test the size cap and the work bound.
 */
export async function writeBombFiles(dir: string): Promise<BombFile[]> {
  mkdirSync(dir, { recursive: true });
  const files: BombFile[] = [];
  const write = (name: string, codec: BombCodec, bytes: Uint8Array, dataSet: BombFile["dataSet"], claimed: BombFile["claimed"]) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    files.push({ name, path, codec, dataSet, claimed });
  };
  const encapsulated = (codec: BombCodec, stream: (size: number) => Uint8Array, size: number) => {
    const claimed = { rows: size, columns: size };
    write(`${codec}-codestream-claims-${size}.dcm`, codec, makeEncapsulated(spec(codec, SMALL, SMALL), SYNTAX[codec], [stream(size)], []), { rows: SMALL, columns: SMALL, frames: 1 }, claimed);
    write(`${codec}-both-claim-${size}.dcm`, codec, makeEncapsulated(spec(codec, size, size), SYNTAX[codec], [stream(size)], []), { ...claimed, frames: 1 }, claimed);
  };
  const jpeg = (process: "baseline" | "extended" | "lossless", precision: number) => (size: number) =>
    patchJpegFrameSize(uniformJpeg(process, SMALL, SMALL, precision), size, size);
  encapsulated("jpeg-baseline", jpeg("baseline", 8), 30000);
  encapsulated("jpeg-extended-12bit", jpeg("extended", 12), 30000);
  encapsulated("jpeg-lossless", jpeg("lossless", 16), 65535);
  const jls = await encodeGradient("jpeg-ls", SMALL, SMALL);
  encapsulated("jpeg-ls", (size) => patchJpegFrameSize(jls, size, size), 65535);
  const j2k = await encodeGradient("jpeg2000", SMALL, SMALL);
  encapsulated("jpeg2000", (size) => patchJ2kSize(j2k, size, size), 30000);
  // RLE has no size of its own: the data set claims 65535x65535 over a 64x64 frame.
  const rle = rleFrame16(Array.from({ length: SMALL * SMALL }, (_, i) => i % 4096));
  write("rle-both-claim-65535.dcm", "rle", makeEncapsulated(spec("rle", 65535, 65535), SYNTAX.rle, [rle], []), { rows: 65535, columns: 65535, frames: 1 }, { rows: 65535, columns: 65535 });
  // Native: 65535x65535 x 1000 frames stated, 8 KiB of pixel data present.
  write("native-claims-65535x65535x1000.dcm", "native", makeDicom(spec("native", 65535, 65535, 1000), new Uint8Array(SMALL * SMALL * 2)), { rows: 65535, columns: 65535, frames: 1000 }, { rows: 65535, columns: 65535 });
  return files;
}
