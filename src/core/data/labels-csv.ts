// RSNA 2019 label tables: "ID,Label" with ID = ID_<image hex>_<subtype>, one row per label.
// Also accepts the wide form "ID,any,epidural,..." (one row per image), as exported from
// Jeremy Howard's cleaned JPG dataset.
import { createReadStream } from "node:fs";
import { parse as parseStream } from "csv-parse";
import { parse } from "csv-parse/sync";
import { LABELS, isLabel, type Label } from "../../shared/labels";
import { errorMessage } from "../../shared/errors";

export interface LabelTable {
  /** Image id ("ID_0123abcd") → six 0/1 values in LABELS order. */
  labels: Map<string, Float32Array>;
  /** Rows that repeat an earlier (image, label) with the same value; tolerated. */
  duplicateRows: number;
  /** Images with such repeated rows. */
  duplicated?: string[];
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

/**
 * Reads a labels CSV as a stream (the 4.5 M-line stage_2_train.csv never sits in memory as text
 * or rows): memory grows with the number of images only.
 */
export async function readLabelsCsv(path: string): Promise<LabelTable> {
  const parser = createReadStream(path).pipe(parseStream({ skip_empty_lines: true, trim: true, relax_column_count: true, bom: true }));
  const table = new LabelTableBuilder(path);
  try {
    for await (const row of parser as AsyncIterable<string[]>) table.add(row);
  } catch (error) {
    if (error instanceof LabelsError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") throw new LabelsError(path, `cannot read the labels file (${code})`);
    throw new LabelsError(path, `not a valid CSV: ${errorMessage(error)}`);
  }
  return table.finish();
}

export function parseLabelsCsv(text: string, file = "labels.csv"): LabelTable {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true, bom: true });
  } catch (error) {
    throw new LabelsError(file, `not a valid CSV: ${errorMessage(error)}`);
  }
  return parseLabelRows(rows, file);
}

/** Label rows (header first) from a CSV or another table format, e.g. feather. */
export function parseLabelRows(rows: string[][], file: string): LabelTable {
  const table = new LabelTableBuilder(file);
  for (const row of rows) table.add(row);
  return table.finish();
}

function parseValue(cell: string | undefined, file: string, line: number): number {
  const value = Number(cell);
  if (cell === undefined || cell === "" || (value !== 0 && value !== 1)) {
    throw new LabelsError(file, `line ${line}: label value must be 0 or 1, got '${cell ?? ""}'`);
  }
  return value;
}

const ALL_GIVEN = (1 << LABELS.length) - 1;

/** Builds a LabelTable from rows fed one at a time (header first), long or wide form. */
export class LabelTableBuilder {
  private readonly labels = new Map<string, Float32Array>();
  /** Long form: image id → bit k set when label k has had a row (a bitmask, not a Set: 752k images). */
  private readonly given = new Map<string, number>();
  private readonly conflicts = new Map<string, { imageId: string; label: Label; values: number[] }>();
  private duplicateRows = 0;
  private readonly duplicated = new Set<string>();
  private line = 0;
  private idColumn = -1;
  private labelColumn = -1;
  private wideColumns: number[] | null = null;

  constructor(readonly file: string) {}

  add(row: string[]): void {
    this.line++;
    if (this.line === 1) return this.readHeader(row);
    if (this.wideColumns) this.addWide(row, this.wideColumns);
    else this.addLong(row);
  }

  private readHeader(row: string[]): void {
    const header = row.map((h) => h.trim());
    this.idColumn = header.findIndex((h) => h === "ID" || h.toLowerCase() === "id" || h.toLowerCase() === "image");
    if (this.idColumn < 0) throw new LabelsError(this.file, `no ID column in the header (${header.join(",")})`);
    const wide = LABELS.map((label) => header.indexOf(label));
    if (wide.every((c) => c >= 0)) {
      this.wideColumns = wide;
      return;
    }
    this.labelColumn = header.findIndex((h) => h.toLowerCase() === "label");
    if (this.labelColumn < 0) throw new LabelsError(this.file, `expected columns ID,Label or ID,${LABELS.join(",")}; got ${header.join(",")}`);
  }

  private addLong(row: string[]): void {
    const id = row[this.idColumn] ?? "";
    const cut = id.lastIndexOf("_");
    const imageId = id.slice(0, cut);
    const label = id.slice(cut + 1);
    if (cut <= 0 || !isLabel(label)) throw new LabelsError(this.file, `line ${this.line}: ID '${id}' is not ID_<image>_<${LABELS.join("|")}>`);
    const value = parseValue(row[this.labelColumn], this.file, this.line);
    let vector = this.labels.get(imageId);
    if (!vector) {
      vector = new Float32Array(LABELS.length);
      this.labels.set(imageId, vector);
    }
    const k = LABELS.indexOf(label);
    const have = this.given.get(imageId) ?? 0;
    if (have & (1 << k)) {
      if (vector[k] === value) {
        this.duplicateRows++;
        this.duplicated.add(imageId);
      } else {
        const key = `${imageId}_${label}`;
        const entry = this.conflicts.get(key) ?? { imageId, label, values: [vector[k]] };
        entry.values.push(value);
        this.conflicts.set(key, entry);
      }
      return;
    }
    this.given.set(imageId, have | (1 << k));
    vector[k] = value;
  }

  private addWide(row: string[], columns: number[]): void {
    const imageId = (row[this.idColumn] ?? "").replace(/\.(dcm|png|jpe?g)$/i, "");
    if (!imageId) throw new LabelsError(this.file, `line ${this.line}: empty ID`);
    const vector = Float32Array.from(columns.map((c) => parseValue(row[c], this.file, this.line)));
    const earlier = this.labels.get(imageId);
    if (!earlier) {
      this.labels.set(imageId, vector);
      return;
    }
    if (earlier.every((v, k) => v === vector[k])) {
      this.duplicateRows++;
      this.duplicated.add(imageId);
      return;
    }
    LABELS.forEach((label, k) => {
      if (earlier[k] !== vector[k]) this.conflicts.set(`${imageId}_${label}#${this.line}`, { imageId, label, values: [earlier[k], vector[k]] });
    });
  }

  finish(): LabelTable {
    if (this.line === 0) throw new LabelsError(this.file, "the file is empty");
    const incomplete: string[] = [];
    for (const [id, have] of this.given) if (have !== ALL_GIVEN) incomplete.push(id);
    return { labels: this.labels, duplicateRows: this.duplicateRows, duplicated: [...this.duplicated], conflicts: [...this.conflicts.values()], incomplete };
  }
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
