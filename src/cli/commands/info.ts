// `ich info FILE...` — key tags, transfer syntax, size and modality-value statistics of DICOM files.
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DicomError, modalityStatistics, readDicom, transferSyntaxName, type DicomHeader } from "../../core/dicom";
import { checkDicomPath } from "../../core/dicom/io";
import { parseCommandLine, UsageError, type Command } from "../usage";
import { errorMessage } from "../../shared/errors";

const USAGE = `Usage: ich info FILE|FOLDER... [--json] [--jobs N]

Prints key tags, transfer syntax, image size, frames and min/max/mean of the modality values
(stored x slope + intercept over all samples of all frames, before any RSNA fix) of each file.
Folders are searched recursively for *.dcm files.
  --json   one JSON object per file per line: file, rows, columns, frames, transferSyntaxUid,
           modality, min, max, mean, rsnaFixApplies, warnings, ... (or file, error, code)
  --jobs   files decoded at the same time (default 4)
Exit code: 0 all files read, 1 some failed (the others are still reported), 2 usage error.`;

export interface InfoRecord {
  file: string;
  bytes: number;
  transferSyntaxUid: string;
  transferSyntax: string;
  modality: string | null;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  min: number;
  max: number;
  mean: number;
  rsnaFixApplies: boolean;
  patientId: string | null;
  studyInstanceUid: string | null;
  seriesInstanceUid: string | null;
  sopInstanceUid: string | null;
  instanceNumber: number | null;
  imagePositionPatient: number[] | null;
  pixelSpacing: number[] | null;
  windowCenter: number[] | null;
  windowWidth: number[] | null;
  /** What was wrong in the file but read anyway (e.g. a blank PhotometricInterpretation). */
  warnings: string[];
}

export interface InfoFailure {
  file: string;
  error: string;
  code: string;
}

/** Expands folders (recursively) to the .dcm files inside, sorted; other arguments pass through. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory()) {
      const found = await listDicomFiles(input);
      // A folder without .dcm files is reported as that folder's failure.
      files.push(...(found.length > 0 ? found : [input]));
    } else {
      files.push(input);
    }
  }
  return files;
}

type ReadFolder = (folder: string) => Promise<readonly Pick<Dirent, "name" | "isDirectory">[]>;
const readFolder: ReadFolder = (folder) => readdir(folder, { withFileTypes: true });

/** The .dcm files under `folder`, recursively, in name order within each folder (n log n in the folder size). */
export async function listDicomFiles(folder: string, read: ReadFolder = readFolder): Promise<string[]> {
  const entries = [...(await read(folder))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) for (const file of await listDicomFiles(path, read)) out.push(file);
    else if (/\.dcm$/i.test(entry.name)) out.push(path);
  }
  return out;
}

function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

export async function describeFile(file: string): Promise<InfoRecord> {
  const bytes = await checkDicomPath(file);
  const decoded = await readDicom(file);
  const h: DicomHeader = decoded.header;
  const stats = modalityStatistics(decoded);
  return {
    file,
    bytes,
    transferSyntaxUid: h.transferSyntaxUid,
    transferSyntax: transferSyntaxName(h.transferSyntaxUid),
    modality: orNull(h.modality),
    rows: h.rows,
    columns: h.columns,
    frames: h.frames,
    samplesPerPixel: h.samplesPerPixel,
    photometricInterpretation: h.photometricInterpretation,
    bitsAllocated: h.bitsAllocated,
    bitsStored: h.bitsStored,
    pixelRepresentation: h.pixelRepresentation,
    rescaleSlope: h.rescaleSlope,
    rescaleIntercept: h.rescaleIntercept,
    min: stats.min,
    max: stats.max,
    mean: stats.mean,
    rsnaFixApplies: h.rsnaFixApplies,
    patientId: orNull(h.patientId),
    studyInstanceUid: orNull(h.studyInstanceUid),
    seriesInstanceUid: orNull(h.seriesInstanceUid),
    sopInstanceUid: orNull(h.sopInstanceUid),
    instanceNumber: orNull(h.instanceNumber),
    imagePositionPatient: orNull(h.imagePositionPatient),
    pixelSpacing: orNull(h.pixelSpacing),
    windowCenter: orNull(h.windowCenter),
    windowWidth: orNull(h.windowWidth),
    warnings: h.warnings,
  };
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

function formatText(r: InfoRecord): string {
  const list = (v: number[] | null) => (v ? v.join(", ") : "-");
  return [
    r.file,
    `  modality          ${r.modality ?? "-"}`,
    `  transfer syntax   ${r.transferSyntaxUid} (${r.transferSyntax})`,
    `  image             ${r.rows} x ${r.columns}, ${r.frames} frame${r.frames === 1 ? "" : "s"}, ${r.samplesPerPixel} sample${r.samplesPerPixel === 1 ? "" : "s"}/pixel, ${r.photometricInterpretation}`,
    `  bits              allocated ${r.bitsAllocated}, stored ${r.bitsStored}, ${r.pixelRepresentation === 1 ? "signed" : "unsigned"}`,
    `  rescale           slope ${r.rescaleSlope}, intercept ${r.rescaleIntercept}`,
    `  modality values   min ${round(r.min)}, max ${round(r.max)}, mean ${round(r.mean)} (before any RSNA fix)`,
    `  RSNA fix          ${r.rsnaFixApplies ? "applies (12-bit unsigned CT with intercept > -100)" : "no"}`,
    `  patient / series  ${r.patientId ?? "-"} / ${r.seriesInstanceUid ?? "-"}`,
    `  position / pixel  ${list(r.imagePositionPatient)} / ${list(r.pixelSpacing)} mm`,
    `  window C / W      ${list(r.windowCenter)} / ${list(r.windowWidth)}`,
    `  file size         ${r.bytes} bytes`,
    ...r.warnings.map((w) => `  warning           ${w}`),
  ].join("\n");
}

/**
 * Runs `work` over `items` with at most `jobs` in flight and hands results to `emit` in input
 * order as soon as all earlier ones are done, so output streams while memory stays bounded.
 */
async function orderedPool<T, R>(items: T[], jobs: number, work: (item: T) => Promise<R>, emit: (result: R) => void): Promise<void> {
  const results = new Map<number, R>();
  let next = 0;
  let emitted = 0;
  const flush = () => {
    while (results.has(emitted)) {
      emit(results.get(emitted)!);
      results.delete(emitted);
      emitted += 1;
    }
  };
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results.set(index, await work(items[index]));
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, { json: { type: "boolean" }, jobs: { type: "string" } });
    if (positionals.length === 0) throw new UsageError("no FILE or FOLDER given");
    const jobs = values.jobs === undefined ? 4 : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a positive integer, got '${values.jobs}'`);
    const files = await expandInputs(positionals);
    let failures = 0;
    let first = true;
    await orderedPool(
      files,
      jobs,
      async (file): Promise<InfoRecord | InfoFailure> => {
        try {
          return await describeFile(file);
        } catch (error) {
          if (error instanceof DicomError && error.code === "is-directory") return { file, error: "folder contains no .dcm files", code: error.code };
          if (error instanceof DicomError) return { file, error: error.reason, code: error.code };
          return { file, error: errorMessage(error), code: "error" };
        }
      },
      (result) => {
        const failed = "error" in result;
        if (failed) failures += 1;
        if (values.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
        } else if (failed) {
          process.stderr.write(`ich info: ${result.file}: ${result.error}\n`);
        } else {
          process.stdout.write(`${first ? "" : "\n"}${formatText(result)}\n`);
          first = false;
        }
      },
    );
    return failures > 0 ? 1 : 0;
  },
};
