import * as dicomParser from "dicom-parser";
import type { DataSet } from "dicom-parser";
import { hashSeed, mulberry32 } from "../../src/core/data/rng";

// Deterministic mutations of a DICOM file for the fuzz test. Mutant `index` of seed `name` depends
// only on the seed's bytes, its name and the index, so a failure is replayed with mutate(...) alone.

/** Where an element's length field and value sit, found by parsing the unmutated seed. */
interface ElementSite {
  tag: string;
  lengthOffset: number;
  lengthBytes: 2 | 4;
  dataOffset: number;
  length: number;
}

export interface SeedLayout {
  bigEndian: boolean;
  elements: ElementSite[];
}

// Image attributes worth setting to edge values: Rows, Columns, BitsAllocated, BitsStored, HighBit,
// SamplesPerPixel, PixelRepresentation, PlanarConfiguration, NumberOfFrames.
const IMAGE_FIELDS = new Set(["x00280010", "x00280011", "x00280100", "x00280101", "x00280102", "x00280002", "x00280103", "x00280006", "x00280008"]);
const EDGE_VALUES = [0, 1, 2, 3, 7, 8, 11, 12, 15, 16, 17, 24, 32, 33, 64, 255, 256, 4096, 0x7fff, 0x8000, 0xffff];
const LONG_VRS = new Set("OB OD OF OL OV OW SQ SV UC UN UR UT UV".split(" "));

function sites(dataSet: DataSet, explicit: boolean, out: ElementSite[]): void {
  for (const element of Object.values(dataSet.elements)) {
    if (element.dataOffset === undefined) continue;
    const long = !explicit || LONG_VRS.has(element.vr ?? "") || element.tag.startsWith("xfffe");
    if (element.length !== 0xffffffff && !element.hadUndefinedLength) {
      const lengthBytes = long ? 4 : 2;
      out.push({ tag: element.tag, lengthOffset: element.dataOffset - lengthBytes, lengthBytes, dataOffset: element.dataOffset, length: element.length });
    }
    for (const item of element.items ?? []) if (item.dataSet) sites(item.dataSet, explicit, out);
  }
}

/** Element positions of a seed; empty for files dicom-parser reads from another array (deflated). */
export function seedLayout(bytes: Uint8Array): SeedLayout {
  const hasMeta = bytes.length > 132 && String.fromCharCode(...bytes.subarray(128, 132)) === "DICM";
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, hasMeta ? {} : { TransferSyntaxUID: "1.2.840.10008.1.2" });
  } catch {
    return { bigEndian: false, elements: [] };
  }
  if (dataSet.byteArray !== bytes && dataSet.byteArray.length !== bytes.length) return { bigEndian: false, elements: [] };
  const syntax = (dataSet.string("x00020010") ?? "1.2.840.10008.1.2").replace(/\0/g, "").trim();
  const explicit = syntax !== "1.2.840.10008.1.2";
  const bigEndian = syntax === "1.2.840.10008.1.2.2";
  const elements: ElementSite[] = [];
  sites(dataSet, explicit, elements);
  // Meta elements are always little endian; their sites are right, only data set ones need the flag.
  return { bigEndian, elements: elements.sort((a, b) => a.dataOffset - b.dataOffset) };
}

function writeUint(bytes: Uint8Array, offset: number, size: 2 | 4, value: number, bigEndian: boolean): void {
  if (offset < 0 || offset + size > bytes.length) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 2) view.setUint16(offset, value & 0xffff, !bigEndian);
  else view.setUint32(offset, value >>> 0, !bigEndian);
}

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Mostly in the header (where structure is), sometimes anywhere. */
function position(random: Random, length: number): number {
  const span = random() < 0.7 ? Math.min(length, 4096) : length;
  return Math.floor(random() * span);
}

export type MutationKind = "bit-flip" | "byte-set" | "truncate" | "length-field" | "duplicate-chunk" | "remove-chunk" | "image-field";

function mutateOnce(bytes: Uint8Array, layout: SeedLayout, random: Random, kind: MutationKind): Uint8Array {
  const n = bytes.length;
  switch (kind) {
    case "bit-flip": {
      const at = position(random, n);
      bytes[at] ^= 1 << Math.floor(random() * 8);
      return bytes;
    }
    case "byte-set": {
      bytes[position(random, n)] = pick(random, [0, 0xff, 0x7f, 0x80, Math.floor(random() * 256)]);
      return bytes;
    }
    case "truncate":
      return bytes.slice(0, Math.floor(random() * n));
    case "length-field": {
      if (layout.elements.length === 0) return mutateOnce(bytes, layout, random, "byte-set");
      const site = pick(random, layout.elements);
      const remaining = n - site.dataOffset;
      const edges = [0, 1, 0xffff, 0xffffffff, site.length + 2, site.length * 2 + 8, remaining + 2, remaining - 2];
      const value = pick(random, [...edges, Math.floor(random() * 0x100000000)]);
      writeUint(bytes, site.lengthOffset, site.lengthBytes, value, layout.bigEndian && !site.tag.startsWith("x0002"));
      return bytes;
    }
    case "duplicate-chunk": {
      const start = position(random, n);
      const chunk = bytes.slice(start, start + 1 + Math.floor(random() * 256));
      const at = position(random, n);
      const out = new Uint8Array(n + chunk.length);
      out.set(bytes.subarray(0, at), 0);
      out.set(chunk, at);
      out.set(bytes.subarray(at), at + chunk.length);
      return out;
    }
    case "remove-chunk": {
      const start = position(random, n);
      const end = Math.min(n, start + 1 + Math.floor(random() * 256));
      const out = new Uint8Array(n - (end - start));
      out.set(bytes.subarray(0, start), 0);
      out.set(bytes.subarray(end), start);
      return out;
    }
    case "image-field": {
      const fields = layout.elements.filter((e) => IMAGE_FIELDS.has(e.tag));
      if (fields.length === 0) return mutateOnce(bytes, layout, random, "bit-flip");
      const site = pick(random, fields);
      const value = random() < 0.8 ? pick(random, EDGE_VALUES) : Math.floor(random() * 0x10000);
      if (site.tag === "x00280008") {
        // NumberOfFrames is an IS string: write digits into its value, space padded.
        const digits = String(value).slice(0, site.length).padEnd(site.length, " ");
        for (let i = 0; i < site.length; i++) bytes[site.dataOffset + i] = digits.charCodeAt(i);
      } else {
        writeUint(bytes, site.dataOffset, 2, value, layout.bigEndian);
      }
      return bytes;
    }
  }
}

const KINDS: readonly MutationKind[] = ["bit-flip", "byte-set", "truncate", "length-field", "duplicate-chunk", "remove-chunk", "image-field"];

/** Mutant `index` of a seed: one to three mutations, each drawn from KINDS; returns what was done too. */
export function mutate(seed: Uint8Array, name: string, index: number, layout: SeedLayout): { bytes: Uint8Array; kinds: MutationKind[] } {
  const random = mulberry32(hashSeed("dicom-fuzz", name, index));
  const count = 1 + Math.floor(random() * 3);
  let bytes: Uint8Array = seed.slice();
  const kinds: MutationKind[] = [];
  for (let i = 0; i < count && bytes.length > 0; i++) {
    const kind = pick(random, KINDS);
    kinds.push(kind);
    bytes = mutateOnce(bytes, layout, random, kind);
  }
  return { bytes, kinds };
}
