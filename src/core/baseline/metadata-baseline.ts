// `ich baseline-metadata`: how much the DICOM header alone predicts. One random forest per label
// (mljs ml-random-forest) on header features, trained and scored on a patient-level split
// (src/core/data/split.ts), reported as per-label ROC AUC (src/core/metrics).
import { RandomForestClassifier } from "ml-random-forest";
import { splitByPatient } from "../data/split";
import type { IndexEntry } from "../dataset/types";
import { LABELS, type Label } from "../../shared/labels";
import { rocAuc } from "../metrics";
import { FEATURE_NAMES, headerFeatures } from "./features";

export interface BaselineOptions {
  validationFraction: number;
  seed: number;
  trees: number;
  /** Minimum samples in a leaf (ml-cart minNumSamples). */
  minLeaf: number;
  maxDepth: number;
}

export const DEFAULT_BASELINE_OPTIONS: BaselineOptions = { validationFraction: 0.2, seed: 42, trees: 50, minLeaf: 5, maxDepth: 12 };

export interface BaselineLabelResult {
  /** ROC AUC on the validation patients; NaN when they hold only one class. */
  auc: number;
  trainPositives: number;
  validationPositives: number;
}

export interface BaselineResult {
  features: readonly string[];
  trainImages: number;
  validationImages: number;
  trainPatients: number;
  validationPatients: number;
  /** Entries left out: unreadable header or no label row. */
  skipped: number;
  perLabel: Record<Label, BaselineLabelResult>;
  meanAuc: number;
}

/** Trains and scores the baseline on labelled index entries. */
export function metadataBaseline(all: readonly IndexEntry[], options: BaselineOptions = DEFAULT_BASELINE_OPTIONS): BaselineResult {
  const entries = all.filter((e) => !e.error && e.kind === "dicom" && Array.isArray(e.labels));
  if (entries.length === 0) throw new Error("no labelled DICOM files with a readable header (is the labels table right?)");
  const features = headerFeatures(entries);
  const rows = entries.map((entry, i) => ({ entry, x: features[i], y: entry.labels as number[] }));
  const split = splitByPatient(rows, (r) => r.entry.patientId || r.entry.id, options.validationFraction, options.seed);
  if (split.validation.length === 0 || split.train.length === 0) throw new Error(`the patient split left ${split.train.length} training and ${split.validation.length} validation images; need both (more patients, or another validation fraction)`);
  const perLabel = {} as Record<Label, BaselineLabelResult>;
  LABELS.forEach((label, l) => {
    const trainY = split.train.map((r) => r.y[l]);
    const validationY = split.validation.map((r) => r.y[l]);
    const positives = trainY.reduce((a, b) => a + b, 0);
    let scores: number[];
    if (positives === 0 || positives === trainY.length) {
      // One class only: a constant score (AUC 0.5 when validation has both classes).
      scores = validationY.map(() => positives / trainY.length);
    } else {
      const forest = new RandomForestClassifier({
        nEstimators: options.trees,
        seed: options.seed,
        maxFeatures: 0.7,
        treeOptions: { minNumSamples: options.minLeaf, maxDepth: options.maxDepth },
        noOOB: true,
      });
      forest.train(split.train.map((r) => r.x), trainY);
      scores = forest.predictProbability(split.validation.map((r) => r.x), 1);
    }
    perLabel[label] = { auc: rocAuc(validationY, scores), trainPositives: positives, validationPositives: validationY.reduce((a, b) => a + b, 0) };
  });
  const aucs = LABELS.map((l) => perLabel[l].auc).filter(Number.isFinite);
  return {
    features: FEATURE_NAMES,
    trainImages: split.train.length,
    validationImages: split.validation.length,
    trainPatients: split.trainPatients,
    validationPatients: split.validationPatients,
    skipped: all.length - entries.length,
    perLabel,
    meanAuc: aucs.length > 0 ? aucs.reduce((a, b) => a + b, 0) / aucs.length : Number.NaN,
  };
}
