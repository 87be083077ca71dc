// `ich explore DIR|CONFIG`: the dataset explorer's summary, computed from the folder's index in
// one streamed pass (explore-stats), plus thumbnails of the sampled slices, the cleaning report
// when there is one, and — for an experiment — the augmentation preview drawn by the training code.
import { existsSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { loadExperiment } from "../experiment";
import type { ExperimentConfig } from "../experiment/types";
import { readCleanSummary } from "./explore-clean";
import { augmentationPreview, thumbnail } from "./explore-images";
import { datasetEntries } from "./explore-source";
import { ExploreStats } from "./explore-stats";
import type { AugmentationPreview, ExploreSummary } from "./explore-types";
import { imageIdOf } from "./index-entry";
import type { IndexEntry } from "./types";

export interface ExploreOptions {
  /** Labels table; default: the experiment's, or labels.csv / stage_2_train.csv in the folder. */
  labels?: string;
  /** Cleaning report (`ich clean` JSON); default: the one `ich clean` writes for the folder, if present. */
  clean?: string;
  /** Header cache of the index (default DIR/.ich-index.jsonl). */
  cacheFile?: string;
  samplesPerGroup?: number;
  /** Augmentation seed (default the experiment's train.seed). */
  seed?: number;
  /** Slices shown under augmentation. */
  augmentSlices?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface ExploreTarget {
  root: string;
  labels: string | null;
  experiment: string | null;
  config: ExperimentConfig | null;
}

const DEFAULT_LABELS = ["labels.csv", "stage_2_train.csv"];

/** A folder, or an experiment file whose data section names one. */
export async function resolveTarget(target: string, labels?: string): Promise<ExploreTarget> {
  const path = resolve(target);
  if (!existsSync(path)) throw new Error(`${path}: no such folder or experiment file`);
  if (/\.json$/i.test(path)) {
    const config = await loadExperiment(path);
    const data = config.data;
    if (data.kind === "synthetic") {
      throw new Error(`${path}: data.kind "synthetic" generates slices while training and has no folder to explore; write one with 'ich synth --out DIR' and use data.kind "rsna"`);
    }
    const root = data.kind === "rsna" ? data.dicomDir : data.imageDir;
    return { root, labels: labels ? resolve(labels) : data.kind === "rsna" ? data.labelsCsv : data.labels, experiment: path, config };
  }
  const found = labels ? resolve(labels) : DEFAULT_LABELS.map((name) => join(path, name)).find((file) => existsSync(file));
  return { root: path, labels: found ?? null, experiment: null, config: null };
}

/** The slices shown under augmentation: one per sample group, in group order, up to `count`. */
function augmentationEntries(groups: { entries: IndexEntry[] }[], count: number): IndexEntry[] {
  const picked: IndexEntry[] = [];
  const ids = new Set<string>();
  for (let round = 0; picked.length < count && groups.some((g) => g.entries.length > round); round++) {
    for (const g of groups) {
      const e = g.entries[round];
      if (e && !ids.has(e.id) && picked.length < count) {
        picked.push(e);
        ids.add(e.id);
      }
    }
  }
  return picked;
}

export async function exploreDataset(targetPath: string, options: ExploreOptions = {}): Promise<ExploreSummary> {
  const started = Date.now();
  const target = await resolveTarget(targetPath, options.labels);
  const { cacheFile, signal, onProgress } = options;
  const metadata = target.config?.data.kind === "images" ? target.config.data.metadata : undefined;
  const source = await datasetEntries(target.root, { labels: target.labels ?? undefined, metadata, cacheFile, signal, onProgress });
  const stats = new ExploreStats(options.samplesPerGroup ?? 4);
  for await (const entry of source.entries) stats.add(entry);
  const result = stats.result(source.labelsWithoutFiles);
  const samples = [];
  for (const { group, entries } of result.samples) {
    const slices = [];
    for (const entry of entries) slices.push(await thumbnail(target.root, entry));
    samples.push({ group, slices });
  }
  let augmentation: AugmentationPreview | null = null;
  if (target.config && target.experiment) {
    const entries = augmentationEntries(result.samples, options.augmentSlices ?? 4);
    augmentation = await augmentationPreview(target.config, target.experiment, target.root, entries, options.seed ?? target.config.train.seed);
  }
  return {
    root: target.root,
    source: source.source,
    labelsFile: target.labels,
    experiment: target.experiment,
    counts: result.counts,
    prevalence: result.prevalence,
    cooccurrence: result.cooccurrence,
    slicesPerSeries: result.slicesPerSeries,
    headers: result.headers,
    samples,
    clean: await readCleanSummary(target.root, options.clean),
    augmentation,
    cancelled: source.cancelled,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Re-draws only the augmentation preview (the panel's re-roll): the same files, a new seed. */
export async function rerollAugmentation(experimentPath: string, files: string[], seed: number): Promise<AugmentationPreview> {
  const target = await resolveTarget(experimentPath);
  if (!target.config || !target.experiment) throw new Error(`${resolve(experimentPath)}: the augmentation preview needs an experiment file (*.ich.json)`);
  const entries: IndexEntry[] = files.map((file) => {
    const rel = relative(target.root, resolve(file));
    if (rel.startsWith("..") || resolve(rel) === rel) throw new Error(`${file}: not inside the experiment's data folder ${target.root}`);
    const name = rel.split(sep).join("/");
    return { file: name, id: imageIdOf(name), size: 0, mtimeMs: 0, kind: /\.dcm$/i.test(name) ? "dicom" : "image" };
  });
  return augmentationPreview(target.config, target.experiment, target.root, entries, seed);
}
