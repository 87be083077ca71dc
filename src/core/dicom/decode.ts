import type { Element } from "dicom-parser";
import { minimumEncodedBytes, readJ2kHeader, readJpegFrameHeader } from "./codestream-header";
import { splitFrames } from "./fragments";
import { headerFromDataSet } from "./header";
import { readDicomBytes } from "./io";
import { decodeJpeg12 } from "./jpeg12";
import { ExactLosslessDecoder } from "./jpeg-lossless";
import { readPalette } from "./palette";
import { DEFLATED_LE, EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, parseDataSet, PIXEL_DATA_TAG, truncatedPixelData, type ParsedDicom } from "./parse";
import { decodeRleFrame } from "./rle";
import { applyBitsStored, containerValues, interleavePlanes, nativeStoredValues, signExtend } from "./stored-values";
import { decodeWithCodec } from "./wasm-codecs";
import { DicomError, type DecodedDicom, type DicomHeader } from "./types";

const NATIVE = new Set([IMPLICIT_LE, EXPLICIT_LE, DEFLATED_LE, EXPLICIT_BE]);
const RLE = "1.2.840.10008.1.2.5";
const JPEG_FAMILY = new Set(["1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"]);
const JPEG_LS = new Set(["1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"]);
const JPEG_2000 = new Set(["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"]);

/** Transfer syntaxes decodeDicom handles. */
export const SUPPORTED_TRANSFER_SYNTAXES: readonly string[] = [...NATIVE, RLE, ...JPEG_FAMILY, ...JPEG_LS, ...JPEG_2000];

/**
 * Largest frame decoded, in samples (Rows x Columns x SamplesPerPixel): 8192x8192 grey or about
 * 4700x4700 RGB. Decoding holds the codec's buffer, a copy and the Int32 result (up to 8 bytes per
 * sample on top of the 4), so one frame at the limit stays well under 1 GiB.
 */
export const MAX_FRAME_SAMPLES = 2 ** 26;
/** Largest image (all frames) decoded, in samples: 4 GiB as Int32, e.g. 4096 CT slices of 512x512. */
export const MAX_TOTAL_SAMPLES = 2 ** 30;

/** Parses and decodes every frame of an in-memory DICOM file. */
export async function decodeDicom(bytes: Uint8Array, file: string): Promise<DecodedDicom> {
  const parsed = parseDataSet(bytes, file, { headerOnly: false });
  const header = headerFromDataSet(parsed, file);
  checkImageSize(header);
  const pixel = parsed.dataSet.elements[PIXEL_DATA_TAG];
  if (!pixel) throw new DicomError(file, "missing-attribute", "no Pixel Data (7FE0,0010) element");
  const syntax = header.transferSyntaxUid;
  let frames: Int32Array[];
  if (NATIVE.has(syntax)) {
    frames = nativeFrames(parsed, pixel, header);
  } else if (syntax === RLE || JPEG_FAMILY.has(syntax) || JPEG_LS.has(syntax) || JPEG_2000.has(syntax)) {
    frames = await encapsulatedFrames(parsed, pixel, header);
  } else {
    throw new DicomError(file, "unsupported-transfer-syntax", `transfer syntax ${syntax} is not supported`);
  }
  const palette = header.photometricInterpretation === "PALETTE COLOR" ? readPalette(parsed.dataSet, file) : undefined;
  return palette ? { header, frames, palette } : { header, frames };
}

/** Reads and decodes a DICOM file. */
export async function readDicom(path: string): Promise<DecodedDicom> {
  return decodeDicom(await readDicomBytes(path), path);
}

function samplesPerFrame(header: DicomHeader): number {
  return header.rows * header.columns * header.samplesPerPixel;
}

/** Refuses sizes no decode should attempt, before anything is allocated from them. */
function checkImageSize(header: DicomHeader): void {
  const perFrame = samplesPerFrame(header);
  const size = `${header.rows}x${header.columns}x${header.samplesPerPixel} samples`;
  if (perFrame > MAX_FRAME_SAMPLES) {
    throw new DicomError(header.file, "too-large", `a frame of ${size} (${perFrame}) exceeds the limit of ${MAX_FRAME_SAMPLES} samples per frame`);
  }
  if (perFrame * header.frames > MAX_TOTAL_SAMPLES) {
    throw new DicomError(header.file, "too-large", `${header.frames} frames of ${size} (${perFrame * header.frames}) exceed the limit of ${MAX_TOTAL_SAMPLES} samples per image`);
  }
}

function nativeFrames(parsed: ParsedDicom, pixel: Element, header: DicomHeader): Int32Array[] {
  const { file } = header;
  if (pixel.encapsulatedPixelData || pixel.length === 0xffffffff) {
    throw new DicomError(file, "decode-failed", `pixel data is encapsulated but transfer syntax ${header.transferSyntaxUid} is uncompressed`);
  }
  const count = samplesPerFrame(header);
  const frameBytes = header.bitsAllocated === 1 ? Math.ceil((count * header.frames) / 8) / header.frames : (count * header.bitsAllocated) / 8;
  const expected = Math.ceil(frameBytes * header.frames);
  const available = Math.min(pixel.length, parsed.byteArray.length - pixel.dataOffset);
  if (available < expected) throw truncatedPixelData(file, expected, available);
  let data = parsed.byteArray.subarray(pixel.dataOffset, pixel.dataOffset + expected);
  const bigEndian = header.transferSyntaxUid === EXPLICIT_BE;
  if (bigEndian && header.bitsAllocated === 8 && pixel.vr === "OW") data = swapPairs(data);
  const frames: Int32Array[] = [];
  for (let f = 0; f < header.frames; f++) {
    let values = nativeStoredValues(data, f * count, count, header, bigEndian);
    if (header.samplesPerPixel > 1 && header.planarConfiguration === 1) values = interleavePlanes(values, header.samplesPerPixel);
    frames.push(values);
  }
  return frames;
}

/** 8-bit samples in an OW element of a big-endian file are stored as byte-swapped 16-bit words. */
function swapPairs(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i + 1 < data.length; i += 2) {
    out[i] = data[i + 1];
    out[i + 1] = data[i];
  }
  if (data.length % 2 === 1) out[data.length - 1] = data[data.length - 1];
  return out;
}

async function encapsulatedFrames(parsed: ParsedDicom, pixel: Element, header: DicomHeader): Promise<Int32Array[]> {
  const { file } = header;
  if (!pixel.encapsulatedPixelData) {
    throw new DicomError(file, "decode-failed", `transfer syntax ${header.transferSyntaxUid} is compressed but the pixel data is not encapsulated`);
  }
  let encoded: Uint8Array[];
  try {
    encoded = splitFrames(parsed.byteArray, pixel, header.frames);
  } catch (error) {
    const message = (error as Error).message;
    throw new DicomError(file, /past the end/.test(message) ? "truncated" : "decode-failed", message);
  }
  const frames: Int32Array[] = [];
  for (let f = 0; f < encoded.length; f++) {
    checkCodestream(encoded[f], header, f + 1);
    let values: Int32Array;
    try {
      values = await decodeFrame(encoded[f], header);
    } catch (error) {
      if (error instanceof DicomError) throw error;
      throw new DicomError(file, "decode-failed", `frame ${f + 1}: ${(error as Error).message}`);
    }
    const expected = samplesPerFrame(header);
    if (values.length !== expected) {
      throw new DicomError(file, "decode-failed", `frame ${f + 1} decoded to ${values.length} samples, expected ${expected} (${header.rows}x${header.columns}x${header.samplesPerPixel})`);
    }
    frames.push(values);
  }
  return frames;
}

const CODEC_NAMES: [Set<string>, string][] = [
  [JPEG_FAMILY, "JPEG"],
  [JPEG_LS, "JPEG-LS"],
  [JPEG_2000, "JPEG 2000"],
];

/**
 * Compares what an encoded frame's own header claims with the data set before any decoder sizes
 * its output from it, and refuses a stream too short to hold the claimed image.
 */
function checkCodestream(encoded: Uint8Array, header: DicomHeader, frame: number): void {
  const syntax = header.transferSyntaxUid;
  const codec = CODEC_NAMES.find(([set]) => set.has(syntax))?.[1];
  if (!codec) return; // RLE has no header of its own; decodeRleFrame bounds it.
  const { file } = header;
  const claimed = JPEG_2000.has(syntax) ? readJ2kHeader(encoded) : readJpegFrameHeader(encoded);
  if (!claimed) throw new DicomError(file, "decode-failed", `frame ${frame}: no ${codec} frame header (${JPEG_2000.has(syntax) ? "SIZ" : "SOF"} marker) found`);
  const mismatch = (what: string, stream: number | string, dataSet: number | string) =>
    new DicomError(file, "size-mismatch", `frame ${frame}: the ${codec} codestream header claims ${what} ${stream} but the data set says ${dataSet}`);
  if (claimed.width !== header.columns || claimed.height !== header.rows) {
    throw mismatch("an image of", `${claimed.width}x${claimed.height} pixels`, `${header.columns}x${header.rows} (Columns x Rows)`);
  }
  if (claimed.components !== header.samplesPerPixel) throw mismatch("components:", claimed.components, `SamplesPerPixel ${header.samplesPerPixel}`);
  if (claimed.precision < 1 || claimed.precision > header.bitsAllocated) throw mismatch("precision", `${claimed.precision} bits`, `BitsAllocated ${header.bitsAllocated}`);
  // T.800 A.5.1: tile indices run to 65534.
  if (claimed.tiles !== undefined && !(claimed.tiles <= 65535)) throw new DicomError(file, "decode-failed", `frame ${frame}: the JPEG 2000 SIZ defines ${claimed.tiles} tiles (at most 65535 are allowed)`);
  const needed = minimumEncodedBytes(claimed);
  if (encoded.length < needed) {
    throw new DicomError(file, "truncated", `frame ${frame}: ${encoded.length} bytes of ${codec} data cannot hold ${claimed.width}x${claimed.height}x${claimed.components} samples (at least ${needed} bytes needed)`);
  }
}

async function decodeFrame(encoded: Uint8Array, header: DicomHeader): Promise<Int32Array> {
  const syntax = header.transferSyntaxUid;
  const signed = header.pixelRepresentation === 1;
  if (syntax === RLE) {
    const values = decodeRleFrame(encoded, header.rows * header.columns, header.samplesPerPixel, header.bitsAllocated);
    applyBitsStored(values, header.bitsStored, header.highBit, header.pixelRepresentation);
    return values;
  }
  if (JPEG_LS.has(syntax)) {
    const out = await decodeWithCodec("jpegls", encoded);
    return containerValues(out.bytes, out.bitsPerSample, signed);
  }
  if (JPEG_2000.has(syntax)) {
    const out = await decodeWithCodec("j2k", encoded);
    const values = containerValues(out.bytes, out.bitsPerSample, signed && out.isSigned !== false);
    // A signed image coded as an unsigned codestream: the sign bit is the stream's top bit.
    if (signed && out.isSigned === false) signExtend(values, out.bitsPerSample);
    return values;
  }
  const kind = readJpegFrameHeader(encoded);
  if (!kind) throw new Error("not a JPEG stream (no SOI/SOF marker)");
  if (kind.marker === 0xc3) {
    const decoder = new ExactLosslessDecoder();
    const bytesPerSample = header.bitsAllocated <= 8 ? 1 : 2;
    const out = decoder.decode(encoded.buffer as ArrayBuffer, encoded.byteOffset, encoded.length, bytesPerSample);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    return containerValues(bytes, bytesPerSample * 8, signed);
  }
  if ((kind.marker === 0xc0 || kind.marker === 0xc1) && kind.precision === 8) {
    const out = await decodeWithCodec("jpeg8", encoded);
    return containerValues(out.bytes, 8, signed);
  }
  if ((kind.marker === 0xc0 || kind.marker === 0xc1) && kind.precision === 12) {
    return decodeJpeg12(encoded);
  }
  throw new DicomError(header.file, "unsupported-transfer-syntax", `JPEG process with SOF marker 0x${kind.marker.toString(16)} and ${kind.precision}-bit precision is not supported`);
}
