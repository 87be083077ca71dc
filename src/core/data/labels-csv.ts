// RSNA 2019 label tables: "ID,Label" with ID = ID_<image hex>_<subtype>, one row per label.
// Also accepts the wide form "ID,any,epidural,..." (one row per image), as exported from
// Jeremy Howard's cleaned JPG dataset.
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { LABELS, isLabel, type Label } from "../labels";

export interface LabelTable {
  /** Image id ("ID_0123abcd") → six 0/1 values in LABELS order. */
  labels: Map<string, Float32Array>;
  /** Rows that repeat an earlier (image, label) with the same value; tolerated. */
  duplicateRows: number;
  /** (image, label) pairs given both 0 and 1; the first value is kept. */
  conflicts: { imageId: string; label: Label; values: number[] }[];
  /** Images with fewer than six labels (the missing ones are 0); listed for the report. */
  incomplete: string[];
}

export class LabelsError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "LabelsError";
  }
}

export async function readLabelsCsv(path: string): Promise<LabelTable> {
  return parseLabelsCsv(await readFile(path, "utf8"), path);
}

export function parseLabelsCsv(text: string, file = "labels.csv"): LabelTable {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true, bom: true });
  } catch (error) {
    throw new LabelsError(file, `not a valid CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseLabelRows(rows, file);
}

/** Label rows (header first) from a CSV or another table format, e.g. feather. */
export function parseLabelRows(rows: string[][], file: string): LabelTable {
  if (rows.length === 0) throw new LabelsError(file, "the file is empty");
  const header = rows[0].map((h) => h.trim());
  const idColumn = header.findIndex((h) => h === "ID" || h.toLowerCase() === "id" || h.toLowerCase() === "image");
  if (idColumn < 0) throw new LabelsError(file, `no ID column in the header (${header.join(",")})`);
  const wideColumns = LABELS.map((label) => header.indexOf(label));
  if (wideColumns.every((c) => c >= 0)) return parseWide(rows.slice(1), idColumn, wideColumns, file);
  const labelColumn = header.findIndex((h) => h.toLowerCase() === "label");
  if (labelColumn < 0) throw new LabelsError(file, `expected columns ID,Label or ID,${LABELS.join(",")}; got ${header.join(",")}`);
  return parseLong(rows.slice(1), idColumn, labelColumn, file);
}

function parseValue(cell: string | undefined, file: string, line: number): number {
  const value = Number(cell);
  if (cell === undefined || cell === "" || (value !== 0 && value !== 1)) {
    throw new LabelsError(file, `line ${line}: label value must be 0 or 1, got '${cell ?? ""}'`);
  }
  return value;
}

function parseLong(rows: string[][], idColumn: number, labelColumn: number, file: string): LabelTable {
  const labels = new Map<string, Float32Array>();
  const seen = new Map<string, Set<Label>>();
  const conflicts = new Map<string, { imageId: string; label: Label; values: number[] }>();
  let duplicateRows = 0;
  rows.forEach((row, index) => {
    const line = index + 2;
    const id = row[idColumn] ?? "";
    const cut = id.lastIndexOf("_");
    const imageId = id.slice(0, cut);
    const label = id.slice(cut + 1);
    if (cut <= 0 || !isLabel(label)) throw new LabelsError(file, `line ${line}: ID '${id}' is not ID_<image>_<${LABELS.join("|")}>`);
    const value = parseValue(row[labelColumn], file, line);
    let vector = labels.get(imageId);
    let have = seen.get(imageId);
    if (!vector || !have) {
      vector = new Float32Array(LABELS.length);
      have = new Set();
      labels.set(imageId, vector);
      seen.set(imageId, have);
    }
    const k = LABELS.indexOf(label);
    if (have.has(label)) {
      if (vector[k] === value) duplicateRows++;
      else {
        const key = `${imageId}_${label}`;
        const entry = conflicts.get(key) ?? { imageId, label, values: [vector[k]] };
        entry.values.push(value);
        conflicts.set(key, entry);
      }
      return;
    }
    have.add(label);
    vector[k] = value;
  });
  const incomplete = [...seen].filter(([, have]) => have.size < LABELS.length).map(([id]) => id);
  return { labels, duplicateRows, conflicts: [...conflicts.values()], incomplete };
}

function parseWide(rows: string[][], idColumn: number, columns: number[], file: string): LabelTable {
  const labels = new Map<string, Float32Array>();
  const conflicts: LabelTable["conflicts"] = [];
  let duplicateRows = 0;
  rows.forEach((row, index) => {
    const line = index + 2;
    const imageId = (row[idColumn] ?? "").replace(/\.(dcm|png|jpe?g)$/i, "");
    if (!imageId) throw new LabelsError(file, `line ${line}: empty ID`);
    const vector = Float32Array.from(columns.map((c) => parseValue(row[c], file, line)));
    const earlier = labels.get(imageId);
    if (!earlier) {
      labels.set(imageId, vector);
      return;
    }
    if (earlier.every((v, k) => v === vector[k])) {
      duplicateRows++;
      return;
    }
    LABELS.forEach((label, k) => {
      if (earlier[k] !== vector[k]) conflicts.push({ imageId, label, values: [earlier[k], vector[k]] });
    });
  });
  return { labels, duplicateRows, conflicts, incomplete: [] };
}

/** A short human summary of what was tolerated or found wrong. */
export function describeLabelIssues(table: LabelTable, file: string): string[] {
  const notes: string[] = [];
  if (table.duplicateRows > 0) notes.push(`${file}: ${table.duplicateRows} duplicated label rows ignored`);
  if (table.conflicts.length > 0) {
    const examples = table.conflicts.slice(0, 3).map((c) => `${c.imageId}_${c.label} = ${c.values.join(" and ")}`);
    notes.push(`${file}: ${table.conflicts.length} conflicting duplicate labels (first value kept): ${examples.join("; ")}`);
  }
  if (table.incomplete.length > 0) notes.push(`${file}: ${table.incomplete.length} images with fewer than six labels (missing ones read as 0), e.g. ${table.incomplete.slice(0, 3).join(", ")}`);
  return notes;
}
