// Experiment data config → the train/validation sample lists (metadata only; images are
// prepared lazily, batch by batch) plus a fingerprint recorded with every run.
import { createHash } from "node:crypto";
import { readExclusionList } from "../dataset/exclusion";
import type { DataConfig, ExperimentConfig, ImagesDataConfig, RsnaDataConfig } from "../experiment/types";
import { indexImageFolder } from "./images-index";
import { hashSeed, permutation } from "./rng";
import { indexRsnaFolder } from "./rsna-index";
import { channelCount, type PreprocessOptions, type Sample, type SampleSource } from "./sample";
import { splitByPatient } from "./split";
import { describeWhere, matchesWhere } from "./subset";
import { resolveWindows } from "./windows";

export interface DatasetPlan {
  train: Sample[];
  validation: Sample[];
  /** sha256 over the sample ids, labels and split, short form. */
  fingerprint: string;
  notes: string[];
  description: string;
}

export function preprocessOptions(config: ExperimentConfig, size = config.input.size): PreprocessOptions {
  return { size, windows: resolveWindows(config.input.windows), context: config.input.adjacentSlices, rsnaFix: true };
}

export function sourceKind(config: ExperimentConfig): SampleSource["kind"] {
  return config.data.kind === "images" ? "image" : config.data.kind === "synthetic" ? "synthetic" : "dicom";
}

/** Channels of the model input for this experiment (same rule as experiment/helpers inputChannels). */
export function modelChannels(config: ExperimentConfig): number {
  return channelCount(preprocessOptions(config), sourceKind(config));
}

/** Validation slices of a synthetic set come from a different seed than the training slices. */
export function syntheticValidationSeed(seed: number): number {
  return hashSeed(seed, "validation");
}

function syntheticSamples(seed: number, patients: number, slicesPerPatient: number, size: number): Sample[] {
  const samples: Sample[] = [];
  for (let p = 0; p < patients; p++) {
    for (let s = 0; s < slicesPerPatient; s++) {
      const index = p * slicesPerPatient + s;
      samples.push({ id: `ID_syn${seed.toString(16)}_${index}`, patientId: `SYN-${seed}-${p}`, position: s, source: { kind: "synthetic", seed, index, size, slices: slicesPerPatient } });
    }
  }
  return samples;
}

function subsample(samples: Sample[], limit: number | undefined, seed: number): Sample[] {
  if (limit === undefined || limit >= samples.length) return samples;
  const keep = new Set(permutation(samples.length, hashSeed(seed, "limit")).slice(0, limit));
  return samples.filter((_, i) => keep.has(i));
}

function fingerprintOf(data: DataConfig, train: Sample[], validation: Sample[]): string {
  const hash = createHash("sha256");
  hash.update(data.kind);
  for (const [side, list] of [["t", train], ["v", validation]] as const) {
    for (const s of list) hash.update(`${side}:${s.id}:${s.source.kind === "synthetic" ? `${s.source.seed}/${s.source.index}/${s.source.size}` : ""}:${s.labels?.join("") ?? ""}\n`);
  }
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}

/** data.where (a label-defined subset) and data.exclude (ich clean's exclusion list), before the split. */
async function selectSamples(data: RsnaDataConfig | ImagesDataConfig, samples: Sample[], notes: string[]): Promise<Sample[]> {
  let selected = samples;
  if (data.where) {
    const where = data.where;
    selected = selected.filter((s) => matchesWhere(s.labels, where));
    notes.push(`data.where ${describeWhere(where)}: ${selected.length} of ${samples.length} labelled images`);
    if (selected.length === 0) throw new Error(`data.where ${describeWhere(where)}: no image matches`);
  }
  if (data.exclude) {
    const excluded = await readExclusionList(data.exclude);
    const before = selected.length;
    selected = selected.filter((s) => !excluded.has(s.id));
    notes.push(`data.exclude ${data.exclude}: ${before - selected.length} images left out (${excluded.size} listed)`);
  }
  return selected;
}

export async function openDataset(config: ExperimentConfig): Promise<DatasetPlan> {
  const data = config.data;
  const { validationFraction, seed: splitSeed } = data.split;
  let train: Sample[];
  let validation: Sample[];
  let notes: string[] = [];
  let description: string;
  if (data.kind === "synthetic") {
    train = subsample(syntheticSamples(data.seed, data.patients, data.slicesPerPatient, data.size), data.limit, data.seed);
    const validationPatients = Math.max(1, Math.round(data.patients * validationFraction));
    validation = syntheticSamples(syntheticValidationSeed(data.seed), validationPatients, data.slicesPerPatient, data.size);
    description = `synthetic: ${train.length} training slices (seed ${data.seed}), ${validation.length} validation slices (a different seed)`;
  } else {
    const index = data.kind === "rsna" ? await indexRsnaFolder(data.dicomDir, data.labelsCsv, data.metadataCsv) : await indexImageFolder(data.imageDir, data.labels, data.metadata);
    notes = index.notes;
    const all = subsample(await selectSamples(data, index.samples, notes), data.limit, splitSeed);
    const key = data.split.by === "study" ? (s: Sample) => s.studyUid ?? s.patientId : data.split.by === "image" ? (s: Sample) => s.id : (s: Sample) => s.patientId;
    const split = splitByPatient(all, key, validationFraction, splitSeed);
    train = split.train;
    validation = split.validation;
    const folder = data.kind === "rsna" ? data.dicomDir : data.imageDir;
    const unit = { patient: "patients", study: "studies", image: "images, split image by image" }[data.split.by];
    description = `${data.kind} ${folder}${data.where ? ` where ${describeWhere(data.where)}` : ""}: ${train.length} training images (${split.trainPatients} ${unit}), ${validation.length} validation images (${split.validationPatients})`;
  }
  if (train.length === 0) throw new Error(`${description}: no training images`);
  return { train, validation, fingerprint: fingerprintOf(data, train, validation), notes, description };
}
