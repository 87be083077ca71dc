// Turns "dicom-parser could not read this data set" into a DicomError that says which element broke
// and whether the file is cut off or a length field is corrupt. dicom-parser throws bare strings
// ("buffer overrun", "attempt to read past end of buffer") and, for implicit VR, accepts an element
// whose value runs past the end without complaint; both cases end up here.
import * as dicomParser from "dicom-parser";
import type { ByteArrayParser, DataSet, Element } from "dicom-parser";
import { DicomError } from "./types";
import { errorMessage } from "../../shared/errors";

/** How the top-level data set is encoded and where it starts in the bytes. */
export interface DataSetLayout {
  explicit: boolean;
  bigEndian: boolean;
  start: number;
}

export const KNOWN_VRS = new Set(
  "AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split(" "),
);
// Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2).
const LONG_VRS = new Set("OB OD OF OL OV OW SQ SV UC UN UR UT UV".split(" "));
const UNDEFINED_LENGTH = 0xffffffff;
// How far past a too-long element the search for the real next element goes (a header value is small).
const CONTINUATION_SCAN_BYTES = 16 * 1024;

/** "x0008103e" → "(0008,103E)". */
export function tagText(tag: string): string {
  return `(${tag.slice(1, 5).toUpperCase()},${tag.slice(5, 9).toUpperCase()})`;
}

/** Text of whatever dicom-parser threw: strings, Errors, or { exception, dataSet }. */
export function parserMessage(error: unknown): string {
  const inner = (error as { exception?: unknown } | undefined)?.exception;
  if (inner !== undefined) return parserMessage(inner);
  const text = errorMessage(error);
  return text.replace(/^dicomParser[.:]\s*/, "");
}

function hasDefinedLength(element: Element): boolean {
  return element.length !== UNDEFINED_LENGTH && !element.encapsulatedPixelData && !element.hadUndefinedLength;
}

/** The first element (nested items included) whose value runs past `byteLength`. */
export function overrunningElement(dataSet: DataSet, byteLength: number, skip?: string): Element | undefined {
  for (const element of Object.values(dataSet.elements)) {
    if (element.tag === skip || element.dataOffset === undefined) continue;
    if (hasDefinedLength(element) && element.dataOffset + element.length > byteLength) return element;
    for (const item of element.items ?? []) {
      const inner = item.dataSet && overrunningElement(item.dataSet, byteLength, skip);
      if (inner) return inner;
    }
  }
  return undefined;
}

function parserFor(layout: DataSetLayout): ByteArrayParser {
  return layout.bigEndian ? dicomParser.bigEndianByteArrayParser : dicomParser.littleEndianByteArrayParser;
}

function tagAt(bytes: Uint8Array, offset: number, layout: DataSetLayout): number {
  const parser = parserFor(layout);
  return parser.readUint16(bytes, offset) * 0x10000 + parser.readUint16(bytes, offset + 2);
}

function hexTag(tag: number): string {
  const hex = tag.toString(16).padStart(8, "0");
  return `x${hex}`;
}

/** True when valid elements start at `offset` and run exactly to the end of the bytes. */
function parsesToEnd(bytes: Uint8Array, offset: number, layout: DataSetLayout): boolean {
  const stream = new dicomParser.ByteStream(parserFor(layout), bytes, offset);
  const dataSet = { elements: {}, warnings: [], byteArray: bytes } as unknown as DataSet;
  try {
    if (layout.explicit) dicomParser.parseDicomDataSetExplicit(dataSet, stream, bytes.length);
    else dicomParser.parseDicomDataSetImplicit(dataSet, stream, bytes.length);
  } catch {
    return false;
  }
  return stream.position === bytes.length && overrunningElement(dataSet, bytes.length) === undefined;
}

/**
 * Whether the bytes after the start of a too-long element's value hold a chain of valid elements
 * with higher tags that ends exactly at the end of the file: then the file is whole and the
 * element's length field is wrong.
 */
function validElementsFollow(bytes: Uint8Array, from: number, afterTag: number, layout: DataSetLayout): boolean {
  const last = Math.min(bytes.length - 8, from + CONTINUATION_SCAN_BYTES);
  for (let offset = from; offset <= last; offset += 2) {
    const tag = tagAt(bytes, offset, layout);
    if (tag <= afterTag) continue;
    if (layout.explicit && !KNOWN_VRS.has(String.fromCharCode(bytes[offset + 4], bytes[offset + 5]))) continue;
    if (parsesToEnd(bytes, offset, layout)) return true;
  }
  return false;
}

/** Native pixel data size the header asks for, when the header elements needed are there. */
function expectedPixelBytes(dataSet: DataSet): number | undefined {
  const read = (tag: string) => (dataSet.elements[tag]?.length >= 2 ? dataSet.uint16(tag) : undefined);
  const rows = read("x00280010");
  const columns = read("x00280011");
  const bits = read("x00280100");
  if (!rows || !columns || !bits) return undefined;
  const samples = read("x00280002") ?? 1;
  const framesText = dataSet.elements.x00280008 ? dataSet.string("x00280008") : undefined;
  const frames = Math.max(1, Math.trunc(Number(framesText ?? 1)) || 1);
  return Math.ceil((rows * columns * samples * frames * bits) / 8);
}

/**
 * The error for an element whose length runs past the end of the bytes: "corrupt" when the file
 * visibly goes on (valid elements follow, or the pixel data present is already as long as the image
 * needs), otherwise "truncated".
 */
export function lengthOverrunError(file: string, bytes: Uint8Array, element: Element, layout: DataSetLayout, dataSet?: DataSet): DicomError {
  const remaining = Math.max(0, bytes.length - element.dataOffset);
  const name = tagText(element.tag);
  const pixelData = element.tag === "x7fe00010";
  const tag = parseInt(element.tag.slice(1), 16);
  const imageFits = pixelData && dataSet !== undefined && (expectedPixelBytes(dataSet) ?? Infinity) <= remaining;
  if (imageFits || validElementsFollow(bytes, element.dataOffset, tag, layout)) {
    return new DicomError(file, "corrupt", `element ${name} at offset ${element.dataOffset}: length ${element.length} exceeds the remaining ${remaining} bytes (corrupt length field; the file goes on past it)`);
  }
  if (pixelData) return truncatedPixelData(file, element.length, remaining);
  return new DicomError(file, "truncated", `file is truncated: element ${name} at offset ${element.dataOffset} needs ${element.length} bytes but only ${remaining} remain`);
}

export function truncatedPixelData(file: string, expected: number, actual: number): DicomError {
  return new DicomError(file, "truncated", `pixel data is truncated: ${Math.max(0, actual)} of ${expected} bytes present`);
}

/** Offset just past the last top-level element dicom-parser managed to read. */
function endOfReadElements(dataSet: DataSet | undefined, start: number): { end: number; lastTag?: string } {
  let end = start;
  let lastTag: string | undefined;
  for (const element of Object.values(dataSet?.elements ?? {})) {
    if (element.dataOffset === undefined || !hasDefinedLength(element)) continue;
    if (element.dataOffset + element.length > end) {
      end = element.dataOffset + element.length;
      lastTag = element.tag;
    }
  }
  return { end, lastTag };
}

/**
 * dicom-parser gave up somewhere after the elements in `partial`: read the next element's header
 * ourselves to say where and why (cut inside a header, a length past the end, or unreadable content).
 */
export function brokenDataSetError(file: string, bytes: Uint8Array, partial: DataSet | undefined, layout: DataSetLayout, error: unknown): DicomError {
  const message = parserMessage(error);
  const { end, lastTag } = endOfReadElements(partial, layout.start);
  const after = lastTag ? ` after element ${tagText(lastTag)}` : "";
  if (end >= bytes.length) {
    return new DicomError(file, "corrupt", `data set cannot be parsed${after} (${message})`);
  }
  const explicitVr = layout.explicit ? String.fromCharCode(bytes[end + 4] ?? 0, bytes[end + 5] ?? 0) : "";
  const headerLength = layout.explicit && LONG_VRS.has(explicitVr) ? 12 : 8;
  if (bytes.length - end < headerLength) {
    return new DicomError(file, "truncated", `file is truncated: it ends inside the element header at offset ${end}${after}`);
  }
  const parser = parserFor(layout);
  const tag = hexTag(tagAt(bytes, end, layout));
  const isItemTag = tag.startsWith("xfffe");
  const length =
    isItemTag || !layout.explicit ? parser.readUint32(bytes, end + 4)
    : headerLength === 12 ? parser.readUint32(bytes, end + 8)
    : parser.readUint16(bytes, end + 6);
  const dataOffset = end + (isItemTag ? 8 : headerLength);
  if (length !== UNDEFINED_LENGTH && dataOffset + length > bytes.length) {
    return lengthOverrunError(file, bytes, { tag, length, dataOffset }, layout, partial);
  }
  if (layout.explicit && !isItemTag && !KNOWN_VRS.has(explicitVr)) {
    return new DicomError(file, "corrupt", `element ${tagText(tag)} at offset ${end} has an invalid VR '${explicitVr.replace(/[^\x20-\x7e]/g, "?")}' (${message})`);
  }
  return new DicomError(file, "corrupt", `element ${tagText(tag)} at offset ${end} cannot be parsed (${message})`);
}
