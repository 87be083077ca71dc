// `ich index DIR`: a header-only index of a dataset folder as JSON lines, built in parallel and
// incrementally. The cache (DIR/.ich-index.jsonl by default) holds one IndexEntry per file; a
// file whose path, size and mtime match its cache line is not read again. The folder is
// streamed (opendir) and the cache rewritten as a stream, so memory grows with one short
// string per file, never with headers. Ctrl-C (signal) stops the walk, keeps every header read
// so far plus the old cache lines not yet revisited, and still renames a complete cache file.
import { createHash } from "node:crypto";
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { readLabelsTable, readMetadataTable } from "../data/tables";
import type { SliceMeta } from "../data/rsna-index";
import { JsonLinesWriter, readJsonLines, readLines } from "./jsonl";
import { DatasetTaskPool, defaultDatasetWorkers } from "./task-pool";
import type { FileStat } from "./index-entry";
import type { IndexEntry, IndexSummary } from "./types";
import { countDatasetFiles, walkDataset } from "./walk";

export const INDEX_CACHE_FILE = ".ich-index.jsonl";
export const LABELLED_INDEX_FILE = ".ich-index-labelled.jsonl";
const BATCH = 64;

export interface BuildIndexOptions {
  /** Labels table (.csv long or wide form, or feather) joined onto the entries. */
  labels?: string;
  /** Patient table for image folders (ID/SOPInstanceUID, PatientID, …), joined like the labels. */
  metadata?: string;
  /** Where the labelled index goes (default DIR/.ich-index-labelled.jsonl when labels or metadata are given). */
  out?: string;
  /** Header cache (default DIR/.ich-index.jsonl). */
  cacheFile?: string;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Where the header cache of `root` lives unless told otherwise: beside the data, or, when the
 * folder is read-only (a mounted dataset), in a per-folder file under the temp dir.
 */
export function indexCachePath(root: string, cacheFile?: string): string {
  if (cacheFile) return resolve(cacheFile);
  const dir = resolve(root);
  try {
    accessSync(dir, constants.W_OK);
    return join(dir, INDEX_CACHE_FILE);
  } catch {
    const key = createHash("sha256").update(dir).digest("hex").slice(0, 16);
    mkdirSync(join(tmpdir(), "ich-index"), { recursive: true });
    return join(tmpdir(), "ich-index", `${key}.jsonl`);
  }
}

/**
 * The labelled index beside its header cache, named after it: DIR/.ich-index-labelled.jsonl for the
 * default cache, <hash>-labelled.jsonl for a read-only folder's temp cache, so folders whose caches
 * share a directory never overwrite each other's labelled index.
 */
function labelledIndexPath(cache: string): string {
  return basename(cache) === INDEX_CACHE_FILE ? join(dirname(cache), LABELLED_INDEX_FILE) : cache.replace(/(\.jsonl)?$/, "-labelled.jsonl");
}

export async function buildIndex(rootArg: string, options: BuildIndexOptions = {}): Promise<IndexSummary> {
  const started = Date.now();
  const root = resolve(rootArg);
  try {
    if (!statSync(root).isDirectory()) throw new Error(`${root}: not a folder`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new Error(`${root}: cannot open the folder (${code})`, { cause: error });
    throw error;
  }
  const cache = indexCachePath(root, options.cacheFile);
  const signal = options.signal;
  // file → "size:mtime" of its cache line; REUSED once the walk found it unchanged.
  const REUSED = "";
  const previous = new Map<string, string>();
  for await (const e of readJsonLines<IndexEntry>(cache)) if (typeof e.file === "string") previous.set(e.file, `${e.size}:${e.mtimeMs}`);

  const summary: IndexSummary = { root, indexFile: cache, files: 0, dicom: 0, images: 0, read: 0, cached: 0, unreadable: 0, cancelled: false, seconds: 0 };
  const count = (e: IndexEntry) => {
    summary.files++;
    if (e.kind === "dicom") summary.dicom++;
    else summary.images++;
    if (e.error) summary.unreadable++;
  };
  const total = await countDatasetFiles(root, signal);
  const writer = new JsonLinesWriter(cache);
  const pool = new DatasetTaskPool(options.workers ?? defaultDatasetWorkers());
  const inflight = new Set<Promise<void>>();
  let done = 0;
  const progress = () => options.onProgress?.(done, total);
  let batch: FileStat[] = [];
  const send = async () => {
    const files = batch;
    batch = [];
    const task = pool.run({ type: "index", root, files }).then(async (result) => {
      if (result.type !== "index") return;
      for (const e of result.entries) {
        await writer.write(e);
        count(e);
        previous.delete(e.file);
      }
      summary.read += files.length;
      done += files.length;
      progress();
    });
    inflight.add(task);
    void task.finally(() => inflight.delete(task)).catch(() => undefined);
    while (inflight.size >= pool.capacity) await Promise.race(inflight);
  };
  try {
    for await (const file of walkDataset(root)) {
      if (signal?.aborted) {
        summary.cancelled = true;
        break;
      }
      let stat;
      try {
        stat = statSync(join(root, file));
      } catch {
        continue;
      }
      const signature = `${stat.size}:${stat.mtimeMs}`;
      if (previous.get(file) === signature) {
        previous.set(file, REUSED);
        summary.cached++;
        if (++done % 1024 === 0) progress();
        continue;
      }
      batch.push({ file, size: stat.size, mtimeMs: stat.mtimeMs });
      if (batch.length >= BATCH) await send();
    }
    if (batch.length > 0 && !summary.cancelled) await send();
    await Promise.all(inflight);
    progress();
    // Unchanged entries are copied through; after a cancel, so are the ones not yet revisited.
    summary.cached = 0;
    for await (const line of readLines(cache)) {
      let e: IndexEntry;
      try {
        e = JSON.parse(line) as IndexEntry;
      } catch {
        continue;
      }
      const state = previous.get(e.file);
      if (state === undefined || (state !== REUSED && !summary.cancelled)) continue;
      previous.delete(e.file);
      await writer.writeRaw(line);
      count(e);
      summary.cached++;
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await pool.close();
  }
  if (!summary.cancelled && (options.labels || options.metadata || options.out)) {
    const out = options.out ? resolve(options.out) : labelledIndexPath(cache);
    summary.labels = await writeLabelledIndex(cache, out, options.labels, options.metadata);
    if (!options.labels) delete summary.labels;
    summary.indexFile = out;
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

/** Streams the header cache into `out` with labels (and patient metadata) joined by image id. */
async function writeLabelledIndex(cache: string, out: string, labelsPath?: string, metadataPath?: string): Promise<NonNullable<IndexSummary["labels"]>> {
  const table = labelsPath ? await readLabelsTable(labelsPath) : null;
  const meta: Map<string, SliceMeta> | null = metadataPath ? await readMetadataTable(metadataPath) : null;
  const matched = new Set<string>();
  let filesWithoutLabels = 0;
  const writer = new JsonLinesWriter(out);
  try {
    for await (const e of readJsonLines<IndexEntry>(cache)) {
      if (table) {
        const labels = table.labels.get(e.id);
        e.labels = labels ? Array.from(labels) : null;
        if (labels) matched.add(e.id);
        else filesWithoutLabels++;
      }
      const m = meta?.get(e.id);
      if (m) {
        e.patientId ??= m.patientId;
        e.studyUid ??= m.studyUid;
        e.seriesUid ??= m.seriesUid;
        e.position ??= m.position;
      }
      await writer.write(e);
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return { file: labelsPath ?? "", labelledImages: matched.size, filesWithoutLabels, labelsWithoutFiles: table ? table.labels.size - matched.size : 0 };
}

/** The entries of an index file (header cache or labelled index), streamed. */
export function readIndex(path: string): AsyncGenerator<IndexEntry> {
  return readJsonLines<IndexEntry>(path);
}
