// Where the explorer's entries come from: the one function to switch when `ich index` lands.
// Until then, a header-only scan of the folder with the DICOM header reader, labels joined by
// image id (the same fields `ich index` writes).
import { readdir, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { readDicomHeader } from "../dicom";
import { readLabelsTable } from "../data/tables";
import type { IndexEntry } from "./types";

export interface EntrySource {
  /** Human-readable origin of the entries (an index file, or "header scan"). */
  source: string;
  entries: AsyncIterable<IndexEntry>;
  /** Label rows whose image was not among the entries; known once `entries` is exhausted. */
  labelsWithoutFiles(): number | null;
}

const DATASET_FILE = /\.(dcm|png|jpe?g)$/i;

async function* walk(root: string, rel = ""): AsyncGenerator<string> {
  let names;
  try {
    names = await readdir(rel ? join(root, rel) : root, { withFileTypes: true });
  } catch (error) {
    throw new Error(`${rel ? join(root, rel) : root}: cannot list the folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of names) {
    if (d.name.startsWith(".")) continue;
    const path = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) yield* walk(root, path);
    else if (DATASET_FILE.test(d.name)) yield path;
  }
}

async function scanEntry(root: string, file: string): Promise<IndexEntry> {
  const path = join(root, file);
  const info = await stat(path);
  const name = file.slice(file.lastIndexOf("/") + 1);
  const entry: IndexEntry = { file, id: name.slice(0, name.length - extname(name).length), size: info.size, mtimeMs: info.mtimeMs, kind: /\.dcm$/i.test(file) ? "dicom" : "image" };
  if (entry.kind === "image") return entry;
  try {
    const h = await readDicomHeader(path);
    Object.assign(entry, {
      sopInstanceUid: h.sopInstanceUid,
      patientId: h.patientId,
      studyUid: h.studyInstanceUid,
      seriesUid: h.seriesInstanceUid,
      modality: h.modality,
      rows: h.rows,
      columns: h.columns,
      bitsStored: h.bitsStored,
      pixelRepresentation: h.pixelRepresentation,
      rescaleIntercept: h.rescaleIntercept,
      windowCenter: h.windowCenter?.[0],
      windowWidth: h.windowWidth?.[0],
      pixelSpacing: h.pixelSpacing,
      sliceThickness: h.sliceThickness,
      position: h.imagePositionPatient?.[2],
      rsnaFix: h.rsnaFixApplies,
    } satisfies Partial<IndexEntry>);
  } catch (error) {
    entry.error = error instanceof Error ? error.message : String(error);
  }
  return entry;
}

/** The entries of the dataset folder `root`, with labels from `labelsPath` when given. */
export async function datasetEntries(rootArg: string, labelsPath?: string): Promise<EntrySource> {
  const root = resolve(rootArg);
  const info = await stat(root).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${root}: cannot open the folder (${error.code ?? error.message})`);
  });
  if (!info.isDirectory()) throw new Error(`${root}: not a folder`);
  const table = labelsPath ? await readLabelsTable(labelsPath) : null;
  const matched = new Set<string>();
  async function* entries(): AsyncGenerator<IndexEntry> {
    for await (const file of walk(root)) {
      const entry = await scanEntry(root, file);
      if (table) {
        const labels = table.labels.get(entry.id);
        entry.labels = labels ? Array.from(labels) : null;
        if (labels) matched.add(entry.id);
      }
      yield entry;
    }
  }
  return { source: "header scan", entries: entries(), labelsWithoutFiles: () => (table ? table.labels.size - matched.size : null) };
}
