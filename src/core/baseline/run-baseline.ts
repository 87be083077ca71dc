// The metadata baseline for a dataset folder or experiment file, optionally beside a run's image model.
import { existsSync, readFileSync } from "node:fs";
import { resolveTarget } from "../dataset/explore";
import { datasetEntries } from "../dataset/explore-source";
import type { IndexEntry } from "../dataset/types";
import type { ExperimentConfig } from "../experiment/types";
import { LABELS, type Label } from "../../shared/labels";
import type { RunStore } from "../runs";
import { DEFAULT_BASELINE_OPTIONS, metadataBaseline, type BaselineOptions, type BaselineResult } from "./metadata-baseline";

export interface MetadataBaselineRequest {
  /** A dataset folder (DICOM + labels.csv / stage_2_train.csv) or an experiment file naming one. */
  target: string;
  labels?: string;
  /** Score next to this run's image model (its eval.json); its split settings are used. */
  run?: { store: RunStore; id: string };
  options?: Partial<BaselineOptions>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface MetadataBaselineReport extends BaselineResult {
  root: string;
  labelsFile: string;
  options: BaselineOptions;
  /** The run's per-label validation AUC (eval.json), when a run was given. */
  imageModel?: { runId: string; data: string; perLabel: Partial<Record<Label, number>>; meanAuc: number };
}

export async function runMetadataBaseline(request: MetadataBaselineRequest): Promise<MetadataBaselineReport> {
  const target = await resolveTarget(request.target, request.labels);
  if (!target.labels) throw new Error(`${target.root}: no labels table (labels.csv or stage_2_train.csv); give --labels`);
  let splitConfig: ExperimentConfig["data"]["split"] | undefined = target.config?.data.split;
  let imageModel: MetadataBaselineReport["imageModel"];
  if (request.run) {
    const record = await request.run.store.get(request.run.id);
    splitConfig = (record.config as ExperimentConfig).data.split;
    const evalJson = request.run.store.paths(request.run.id).evalJson;
    if (!existsSync(evalJson)) throw new Error(`run ${request.run.id}: no eval.json (${evalJson}); run ich eval ${request.run.id} first`);
    const evaluation = JSON.parse(readFileSync(evalJson, "utf8")) as { data: string; meanAuc: number | null; perLabel: Partial<Record<Label, { auc: number | null }>> };
    const perLabel: Partial<Record<Label, number>> = {};
    for (const label of LABELS) if (evaluation.perLabel[label]) perLabel[label] = evaluation.perLabel[label].auc ?? Number.NaN;
    imageModel = { runId: request.run.id, data: evaluation.data, perLabel, meanAuc: evaluation.meanAuc ?? Number.NaN };
  }
  const options: BaselineOptions = {
    ...DEFAULT_BASELINE_OPTIONS,
    ...(splitConfig ? { validationFraction: splitConfig.validationFraction, seed: splitConfig.seed } : {}),
    ...request.options,
  };
  const source = await datasetEntries(target.root, { labels: target.labels, signal: request.signal, onProgress: request.onProgress });
  if (source.cancelled) throw new Error("stopped before every header was read");
  const entries: IndexEntry[] = [];
  for await (const entry of source.entries) entries.push(entry);
  return { ...metadataBaseline(entries, options), root: target.root, labelsFile: target.labels, options, imageModel };
}
