import type { DataSet, Element } from "dicom-parser";
import dictionary from "dcmjs/dictionary";
import { parseDataSet, PIXEL_DATA_TAG } from "./parse";
import { parserMessage, tagText } from "./structure-errors";
import { DicomError } from "./types";

export interface DicomTagRow {
  /** "(GGGG,EEEE)"; nested elements carry their path, e.g. "(0008,1140)[1].(0008,1155)". */
  tag: string;
  /** Keyword from the DICOM data dictionary (dcmjs), indented two spaces per sequence level. */
  name: string;
  vr: string;
  value: string;
  /** Sequence nesting level, 0 at the top. */
  depth: number;
}

const MAX_VALUE_CHARS = 256;
const STRING_VRS = new Set(["AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"]);
const BINARY_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "UN"]);

function lookup(tag: string): { name: string; vr?: string } {
  const key = tagText(tag);
  const entry = dictionary[key] ?? dictionary[key.toLowerCase()];
  if (entry) return { name: entry.name, vr: entry.vr };
  const group = parseInt(tag.slice(1, 5), 16);
  const element = parseInt(tag.slice(5, 9), 16);
  if (element === 0) return { name: "GroupLength", vr: "UL" };
  if (group % 2 === 1) return { name: element < 0x100 ? "PrivateCreator" : "(private)" };
  return { name: "(unknown)" };
}

function clip(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

function numbers(length: number, size: number, read: (i: number) => number | undefined): string {
  // An odd length (a damaged file) holds only its whole values.
  const count = Math.floor(length / size);
  const shown = Math.min(count, 32);
  const values: string[] = [];
  for (let i = 0; i < shown; i++) values.push(String(read(i)));
  return values.join("\\") + (count > shown ? `\\… (${count} values)` : "");
}

function valueText(dataSet: DataSet, element: Element, vr: string): string {
  const { tag, length } = element;
  if (length === 0) return "";
  if (tag === PIXEL_DATA_TAG) {
    return element.encapsulatedPixelData ? `<encapsulated, ${element.fragments?.length ?? 0} fragment(s)>` : `<${length} bytes>`;
  }
  if (STRING_VRS.has(vr)) return clip((dataSet.text(tag) ?? "").replace(/\0/g, "").trim());
  switch (vr) {
    case "US":
      return numbers(length, 2, (i) => dataSet.uint16(tag, i));
    case "SS":
      return numbers(length, 2, (i) => dataSet.int16(tag, i));
    case "UL":
      return numbers(length, 4, (i) => dataSet.uint32(tag, i));
    case "SL":
      return numbers(length, 4, (i) => dataSet.int32(tag, i));
    case "FL":
      return numbers(length, 4, (i) => dataSet.float(tag, i));
    case "FD":
      return numbers(length, 8, (i) => dataSet.double(tag, i));
    case "AT":
      return dataSet.attributeTag(tag) ? tagText(dataSet.attributeTag(tag)!) : "";
  }
  if (BINARY_VRS.has(vr)) return `<${length} bytes>`;
  return `<${length} bytes>`;
}

function collect(dataSet: DataSet, prefix: string, depth: number, rows: DicomTagRow[]): void {
  for (const tag of Object.keys(dataSet.elements).sort()) {
    // Item/sequence delimiters are structure, not data.
    if (tag.startsWith("xfffe")) continue;
    const element = dataSet.elements[tag];
    const known = lookup(tag);
    const assumed = (element as { Value?: unknown }).Value;
    if (element.dataOffset === undefined && typeof assumed === "string") {
      // dicom-parser's stand-in transfer syntax for files without file meta.
      rows.push({ tag: tagText(tag), name: known.name, vr: known.vr ?? "UI", value: `${assumed} (assumed: no file meta)`, depth });
      continue;
    }
    const vr = element.vr ?? (element.items ? "SQ" : known.vr ?? "UN");
    const path = `${prefix}${tagText(tag)}`;
    const indent = "  ".repeat(depth);
    if (element.items) {
      rows.push({ tag: path, name: indent + known.name, vr: "SQ", value: `<${element.items.length} item(s)>`, depth });
      element.items.forEach((item, i) => {
        if (item.dataSet) collect(item.dataSet, `${path}[${i + 1}].`, depth + 1, rows);
      });
      continue;
    }
    // Implicit VR gives dictionary VRs like "US or SS" / "OB or OW": take the first.
    const shownVr = vr.split(/\s+or\s+|\|/)[0];
    rows.push({ tag: path, name: indent + known.name, vr: shownVr, value: valueText(dataSet, element, shownVr), depth });
  }
}

/** Every element of the data set (file meta included), sequences flattened in order, for a tag browser. */
export function dicomTags(bytes: Uint8Array, file: string): DicomTagRow[] {
  let parsed;
  try {
    parsed = parseDataSet(bytes, file, { headerOnly: false });
  } catch {
    // Still show the header of a file whose pixel data is broken.
    parsed = parseDataSet(bytes, file, { headerOnly: true });
  }
  const { dataSet } = parsed;
  const rows: DicomTagRow[] = [];
  try {
    collect(dataSet, "", 0, rows);
  } catch (error) {
    throw new DicomError(file, "corrupt", `cannot read the elements (${parserMessage(error)})`);
  }
  // Deflated files are read from an inflated copy relabelled explicit VR LE: show the file's own syntax.
  const syntax = rows.find((r) => r.tag === "(0002,0010)");
  if (syntax && parsed.hasMeta) syntax.value = parsed.transferSyntaxUid;
  return rows;
}
