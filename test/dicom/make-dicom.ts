import { deflateRawSync } from "node:zlib";

// Builds small DICOM Part-10 files (explicit VR little endian unless told otherwise) for tests.

export interface El {
  tag: number; // 0xGGGGEEEE
  vr: string;
  value: string | number | number[] | Uint8Array;
}

const LONG_VRS = new Set(["OB", "OW", "OF", "SQ", "UT", "UN"]);

function valueBytes(el: El): Uint8Array {
  const { vr, value } = el;
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") {
    const pad = vr === "UI" ? "\0" : " ";
    const text = value.length % 2 === 1 ? value + pad : value;
    return new TextEncoder().encode(text);
  }
  const values = Array.isArray(value) ? value : [value];
  const size = vr === "US" || vr === "SS" ? 2 : 4;
  const out = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) => (size === 2 ? out.setUint16(i * 2, v & 0xffff, true) : out.setUint32(i * 4, v >>> 0, true)));
  return new Uint8Array(out.buffer);
}

function explicit(el: El, lengthOverride?: number): Uint8Array {
  const value = valueBytes(el);
  const long = LONG_VRS.has(el.vr);
  const head = new DataView(new ArrayBuffer(long ? 12 : 8));
  head.setUint16(0, el.tag >>> 16, true);
  head.setUint16(2, el.tag & 0xffff, true);
  head.setUint8(4, el.vr.charCodeAt(0));
  head.setUint8(5, el.vr.charCodeAt(1));
  if (long) head.setUint32(8, lengthOverride ?? value.length, true);
  else head.setUint16(6, value.length, true);
  return concat([new Uint8Array(head.buffer), value]);
}

function implicit(el: El): Uint8Array {
  const value = valueBytes(el);
  const head = new DataView(new ArrayBuffer(8));
  head.setUint16(0, el.tag >>> 16, true);
  head.setUint16(2, el.tag & 0xffff, true);
  head.setUint32(4, value.length, true);
  return concat([new Uint8Array(head.buffer), value]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface ImageSpec {
  rows: number;
  columns: number;
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  pixelRepresentation?: number;
  samplesPerPixel?: number;
  photometric?: string;
  planarConfiguration?: number;
  frames?: number;
  modality?: string;
  slope?: string;
  intercept?: string;
  extra?: El[];
}

export function imageElements(spec: ImageSpec): El[] {
  const bitsAllocated = spec.bitsAllocated ?? 16;
  const bitsStored = spec.bitsStored ?? bitsAllocated;
  const els: El[] = [
    { tag: 0x00080016, vr: "UI", value: "1.2.840.10008.5.1.4.1.1.2" },
    { tag: 0x00080018, vr: "UI", value: "1.2.3.4.5" },
    { tag: 0x00080060, vr: "CS", value: spec.modality ?? "CT" },
    { tag: 0x00280002, vr: "US", value: spec.samplesPerPixel ?? 1 },
    { tag: 0x00280004, vr: "CS", value: spec.photometric ?? "MONOCHROME2" },
    { tag: 0x00280010, vr: "US", value: spec.rows },
    { tag: 0x00280011, vr: "US", value: spec.columns },
    { tag: 0x00280100, vr: "US", value: bitsAllocated },
    { tag: 0x00280101, vr: "US", value: bitsStored },
    { tag: 0x00280102, vr: "US", value: spec.highBit ?? bitsStored - 1 },
    { tag: 0x00280103, vr: "US", value: spec.pixelRepresentation ?? 0 },
  ];
  if (spec.planarConfiguration !== undefined) els.push({ tag: 0x00280006, vr: "US", value: spec.planarConfiguration });
  if (spec.frames !== undefined) els.push({ tag: 0x00280008, vr: "IS", value: String(spec.frames) });
  if (spec.intercept !== undefined) els.push({ tag: 0x00281052, vr: "DS", value: spec.intercept });
  if (spec.slope !== undefined) els.push({ tag: 0x00281053, vr: "DS", value: spec.slope });
  els.push(...(spec.extra ?? []));
  return els.sort((a, b) => a.tag - b.tag);
}

function meta(transferSyntax: string): Uint8Array {
  const body = concat([
    explicit({ tag: 0x00020001, vr: "OB", value: new Uint8Array([0, 1]) }),
    explicit({ tag: 0x00020002, vr: "UI", value: "1.2.840.10008.5.1.4.1.1.2" }),
    explicit({ tag: 0x00020003, vr: "UI", value: "1.2.3.4.5" }),
    explicit({ tag: 0x00020010, vr: "UI", value: transferSyntax }),
  ]);
  const groupLength = explicit({ tag: 0x00020000, vr: "UL", value: body.length });
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([preamble, groupLength, body]);
}

/**
 * Explicit VR LE Part-10 file with native pixel data (`pixels`: raw bytes of all frames); with
 * `deflate`, the data set is deflated (transfer syntax 1.2.840.10008.1.2.1.99).
 */
export function makeDicom(spec: ImageSpec, pixels: Uint8Array, options: { pixelLengthOverride?: number; deflate?: boolean } = {}): Uint8Array {
  const vr = (spec.bitsAllocated ?? 16) > 8 ? "OW" : "OB";
  const dataSet = concat([...imageElements(spec).map((e) => explicit(e)), explicit({ tag: 0x7fe00010, vr, value: pixels }, options.pixelLengthOverride)]);
  if (options.deflate) return concat([meta("1.2.840.10008.1.2.1.99"), new Uint8Array(deflateRawSync(dataSet))]);
  return concat([meta("1.2.840.10008.1.2.1"), dataSet]);
}

/** A file with no preamble and no file meta: implicit VR LE data set only. */
export function makeHeadlessImplicit(spec: ImageSpec, pixels: Uint8Array): Uint8Array {
  return concat([...imageElements(spec).map(implicit), implicit({ tag: 0x7fe00010, vr: "OW", value: pixels })]);
}

/** Encapsulated pixel data: basic offset table (maybe empty) + fragments. */
export function makeEncapsulated(spec: ImageSpec, transferSyntax: string, fragments: Uint8Array[], offsetTable: number[]): Uint8Array {
  const item = (bytes: Uint8Array) => {
    const head = new DataView(new ArrayBuffer(8));
    head.setUint16(0, 0xfffe, true);
    head.setUint16(2, 0xe000, true);
    head.setUint32(4, bytes.length, true);
    return concat([new Uint8Array(head.buffer), bytes]);
  };
  const table = new DataView(new ArrayBuffer(offsetTable.length * 4));
  offsetTable.forEach((o, i) => table.setUint32(i * 4, o, true));
  const pixelHead = new DataView(new ArrayBuffer(12));
  pixelHead.setUint16(0, 0x7fe0, true);
  pixelHead.setUint16(2, 0x0010, true);
  pixelHead.setUint8(4, 0x4f);
  pixelHead.setUint8(5, 0x42);
  pixelHead.setUint32(8, 0xffffffff, true);
  const delimiter = new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return concat([
    meta(transferSyntax),
    ...imageElements(spec).map((e) => explicit(e)),
    new Uint8Array(pixelHead.buffer),
    item(new Uint8Array(table.buffer)),
    ...fragments.map(item),
    delimiter,
  ]);
}

/** RLE Lossless frame (PS3.5 Annex G) of 16-bit samples, literal runs only. */
export function rleFrame16(values: number[]): Uint8Array {
  const planes = [values.map((v) => (v >> 8) & 0xff), values.map((v) => v & 0xff)];
  const segments = planes.map((plane) => {
    const out: number[] = [];
    for (let i = 0; i < plane.length; i += 128) {
      const chunk = plane.slice(i, i + 128);
      out.push(chunk.length - 1, ...chunk);
    }
    if (out.length % 2 === 1) out.push(0x80); // no-op padding byte
    return new Uint8Array(out);
  });
  const header = new DataView(new ArrayBuffer(64));
  header.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((s, i) => {
    header.setUint32(4 + 4 * i, offset, true);
    offset += s.length;
  });
  return concat([new Uint8Array(header.buffer), ...segments]);
}

export function uint16le(values: number[]): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.length * 2));
  values.forEach((v, i) => out.setUint16(i * 2, v & 0xffff, true));
  return new Uint8Array(out.buffer);
}
