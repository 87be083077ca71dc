// Index of an RSNA-style folder (ID_<hex>.dcm files + stage_2_train labels CSV): which files
// exist, their patient/study/series and position from header-only reads (the dataset index,
// cached beside the data), their labels, and their neighbours in the series. Pixel data is never read here.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { buildIndex, readIndex } from "../dataset/build-index";
import { describeLabelIssues, readLabelsCsv } from "./labels-csv";
import type { Sample } from "./sample";
import { errorMessage } from "../../shared/errors";

export interface SliceMeta {
  patientId: string;
  studyUid?: string;
  seriesUid?: string;
  position?: number;
}

export interface RsnaIndex {
  samples: Sample[];
  /** Human-readable problems that did not stop indexing (duplicates, missing files...). */
  notes: string[];
}

/**
 * Header metadata of the DICOM files in `dir`, from the dataset index (`ich index`): read in
 * parallel, cached in DIR/.ich-index.jsonl (or a per-folder cache under the temp dir when DIR is
 * read-only), and only new or changed files are read again. Keyed by path relative to `dir`.
 */
export async function readHeaderMetadata(dir: string, notes: string[]): Promise<Map<string, SliceMeta>> {
  const summary = await buildIndex(dir, {});
  const result = new Map<string, SliceMeta>();
  for await (const e of readIndex(summary.indexFile)) {
    if (e.kind !== "dicom") continue;
    if (e.error) {
      notes.push(e.error);
      continue;
    }
    result.set(e.file, { patientId: e.patientId ?? e.studyUid ?? e.file, studyUid: e.studyUid, seriesUid: e.seriesUid, position: e.position });
  }
  return result;
}

/** Reads a metadata table (ID/SOPInstanceUID, PatientID, StudyInstanceUID, SeriesInstanceUID, position). */
export async function readMetadataCsv(path: string): Promise<Map<string, SliceMeta>> {
  const rows = parse<Record<string, string>>(await readFile(path, "utf8"), { columns: true, skip_empty_lines: true, trim: true, bom: true });
  return metadataFromRecords(rows, path);
}

/** Metadata rows as column name → text, from a CSV or another table format. */
export function metadataFromRecords(rows: Record<string, string>[], path: string): Map<string, SliceMeta> {
  const pick = (row: Record<string, string>, ...keys: string[]) => keys.map((k) => row[k]).find((v) => v !== undefined && v !== "");
  const out = new Map<string, SliceMeta>();
  for (const row of rows) {
    const id = pick(row, "ID", "SOPInstanceUID", "image", "id", "file");
    const patientId = pick(row, "PatientID", "patient", "patient_id");
    if (!id || !patientId) throw new Error(`${path}: each row needs an ID (or SOPInstanceUID) and a PatientID column`);
    const rawPosition = pick(row, "ImagePositionPatient_2", "position", "z", "ImagePositionPatient2", "ImagePositionPatient");
    const position = rawPosition === undefined ? undefined : Number(rawPosition.replace(/[[\]'"]/g, "").split(/[\\,\s]+/).filter(Boolean).pop());
    out.set(id.replace(/\.dcm$/i, ""), {
      patientId,
      studyUid: pick(row, "StudyInstanceUID", "study"),
      seriesUid: pick(row, "SeriesInstanceUID", "series"),
      position: Number.isFinite(position) ? position : undefined,
    });
  }
  return out;
}

/** Fills `source.neighbours` with the nearest slices below/above in the same series. */
export function linkNeighbours(samples: Sample[]): void {
  const bySeries = new Map<string, Sample[]>();
  for (const s of samples) {
    if (s.source.kind === "synthetic" || s.position === undefined) continue;
    const key = s.seriesUid ?? s.studyUid ?? s.patientId;
    const list = bySeries.get(key);
    if (list) list.push(s);
    else bySeries.set(key, [s]);
  }
  for (const series of bySeries.values()) {
    series.sort((a, b) => a.position! - b.position!);
    series.forEach((s, i) => {
      if (s.source.kind === "synthetic") return;
      const file = (t: Sample | undefined) => (t && t.source.kind !== "synthetic" ? t.source.file : null);
      s.source.neighbours = [file(series[i - 1]), file(series[i + 1])];
    });
  }
}

export async function indexRsnaFolder(dicomDir: string, labelsCsv: string, metadataCsv?: string): Promise<RsnaIndex> {
  const notes: string[] = [];
  let names: string[];
  try {
    names = (await readdir(dicomDir)).filter((n) => /\.dcm$/i.test(n)).sort();
  } catch (error) {
    throw new Error(`${dicomDir}: cannot list the DICOM folder (${errorMessage(error)})`, { cause: error });
  }
  if (names.length === 0) throw new Error(`${dicomDir}: no .dcm files in the folder`);
  const table = await readLabelsCsv(labelsCsv);
  notes.push(...describeLabelIssues(table, labelsCsv));
  const meta = metadataCsv ? await readMetadataCsv(metadataCsv) : await readHeaderMetadata(dicomDir, notes);
  const samples: Sample[] = [];
  let unlabelled = 0;
  let noMeta = 0;
  const present = new Set<string>();
  for (const name of names) {
    const id = name.replace(/\.dcm$/i, "");
    present.add(id);
    const labels = table.labels.get(id);
    if (!labels) {
      unlabelled++;
      continue;
    }
    const m = meta.get(metadataCsv ? id : name);
    if (!m) {
      noMeta++;
      continue;
    }
    samples.push({ id, patientId: m.patientId, studyUid: m.studyUid, seriesUid: m.seriesUid, position: m.position, labels: Array.from(labels), source: { kind: "dicom", file: join(dicomDir, name) } });
  }
  const missingFiles = [...table.labels.keys()].filter((id) => !present.has(id));
  if (unlabelled > 0) notes.push(`${labelsCsv}: ${unlabelled} of ${names.length} DICOM files in ${dicomDir} have no labels and are skipped`);
  if (noMeta > 0) notes.push(`${metadataCsv ?? dicomDir}: ${noMeta} files without patient metadata are skipped`);
  if (missingFiles.length > 0) notes.push(`${labelsCsv}: ${missingFiles.length} labelled images have no file in ${dicomDir} (e.g. ${missingFiles.slice(0, 3).map((id) => `${id}.dcm`).join(", ")})`);
  if (samples.length === 0) throw new Error(`${dicomDir}: none of the ${names.length} DICOM files has both labels in ${labelsCsv} and readable headers`);
  linkNeighbours(samples);
  return { samples, notes };
}
