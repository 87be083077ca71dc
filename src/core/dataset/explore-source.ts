// Where the explorer's entries come from: the `ich index` index of the folder (built or brought up
// to date first: only new or changed files are read), streamed line by line.
import { buildIndex, readIndex } from "./build-index";
import type { IndexEntry } from "./types";

export interface EntrySource {
  /** The index file the entries are read from. */
  source: string;
  entries: AsyncIterable<IndexEntry>;
  /** Label rows whose image has no file (null without a labels table). */
  labelsWithoutFiles: number | null;
  /** True when indexing was stopped (Ctrl-C): the entries are those read so far. */
  cancelled: boolean;
}

export interface EntrySourceOptions {
  labels?: string;
  /** Patient table of an image folder (PatientID, study and series by image id). */
  metadata?: string;
  /** Header cache (default DIR/.ich-index.jsonl). */
  cacheFile?: string;
  /** Labelled index (default beside the cache). */
  out?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The entries of the dataset folder `root`, with labels from `options.labels` when given. */
export async function datasetEntries(root: string, options: EntrySourceOptions = {}): Promise<EntrySource> {
  const { labels, metadata, cacheFile, out, signal, onProgress } = options;
  const summary = await buildIndex(root, { labels, metadata, cacheFile, out, signal, onProgress });
  const labelsWithoutFiles = summary.labels?.labelsWithoutFiles ?? null;
  return { source: summary.indexFile, entries: readIndex(summary.indexFile), labelsWithoutFiles, cancelled: summary.cancelled };
}
