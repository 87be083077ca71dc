import { DEFAULT_LABEL_WEIGHTS, type Label } from "../../shared/labels";
import type { EpochValidation } from "../runs/types";
import { perLabelLogLoss, meanLogLoss } from "./log-loss";
import { column, sampleCount, type Numbers } from "./matrix";
import { rocAucDetailed } from "./roc-auc";
import { DEFAULT_ROC_POINTS, rocCurve, type RocPoint } from "./roc-curve";
import { thresholdMetrics, type ThresholdMetrics } from "./threshold";

export const DEFAULT_THRESHOLD = 0.5;

export interface EvaluateOptions {
  /** Label of each column, in column order (e.g. ["any"] or all six LABELS). */
  labels: readonly Label[];
  /** Metric weights by label; defaults to the RSNA weights (any = 2, others 1). */
  weights?: Partial<Record<Label, number>>;
  /** One threshold for every label, or per label (missing labels use 0.5). */
  thresholds?: number | Partial<Record<Label, number>>;
  /** Points kept per ROC curve (default 200). */
  rocPoints?: number;
}

export interface LabelEvaluation extends ThresholdMetrics {
  logLoss: number;
  /** NaN (null in JSON) when the label has only one class; see `aucUndefined`. */
  auc: number;
  aucUndefined?: string;
  positives: number;
  negatives: number;
}

/** What eval.json stores: the per-epoch validation summary plus ROC points per label. */
export interface Evaluation extends EpochValidation {
  samples: number;
  labels: Label[];
  weights: Partial<Record<Label, number>>;
  perLabel: Partial<Record<Label, LabelEvaluation>>;
  roc: Partial<Record<Label, RocPoint[]>>;
}

/**
 * Scores row-major predictions (sample × label, probabilities) against 0/1 targets.
 * - `loss`: unweighted mean binary cross-entropy over all samples and labels.
 * - `weightedLogLoss`: the RSNA 2019 metric, sum_l w_l·LL_l / sum_l w_l over the evaluated labels.
 * - `meanAuc`: mean ROC AUC over the labels whose AUC is defined (NaN if none is).
 */
export function evaluate(yTrue: Numbers, yPred: Numbers, options: EvaluateOptions): Evaluation {
  const labels = [...options.labels];
  const nLabels = labels.length;
  const samples = sampleCount("evaluate", yTrue, yPred, nLabels);
  const weights: Partial<Record<Label, number>> = {};
  for (const label of labels) weights[label] = options.weights?.[label] ?? DEFAULT_LABEL_WEIGHTS[label];

  const logLosses = perLabelLogLoss(yTrue, yPred, nLabels);
  const perLabel: Partial<Record<Label, LabelEvaluation>> = {};
  const roc: Partial<Record<Label, RocPoint[]>> = {};
  let weighted = 0;
  let weightSum = 0;
  let aucSum = 0;
  let aucCount = 0;
  labels.forEach((label, l) => {
    const truth = column(yTrue, nLabels, l);
    const scores = column(yPred, nLabels, l);
    const threshold = typeof options.thresholds === "number" ? options.thresholds : options.thresholds?.[label] ?? DEFAULT_THRESHOLD;
    const auc = rocAucDetailed(truth, scores);
    const { threshold: _, ...atThreshold } = thresholdMetrics(truth, scores, threshold);
    perLabel[label] = {
      logLoss: logLosses[l],
      auc: auc.auc,
      ...(auc.reason ? { aucUndefined: auc.reason } : {}),
      threshold,
      ...atThreshold,
      positives: auc.positives,
      negatives: auc.negatives,
    };
    roc[label] = rocCurve(truth, scores, options.rocPoints ?? DEFAULT_ROC_POINTS);
    weighted += weights[label]! * logLosses[l];
    weightSum += weights[label]!;
    if (!Number.isNaN(auc.auc)) {
      aucSum += auc.auc;
      aucCount++;
    }
  });
  if (weightSum === 0) throw new RangeError("evaluate: the label weights sum to 0");
  return {
    loss: meanLogLoss(yTrue, yPred, nLabels),
    weightedLogLoss: weighted / weightSum,
    meanAuc: aucCount === 0 ? Number.NaN : aucSum / aucCount,
    samples,
    labels,
    weights,
    perLabel,
    roc,
  };
}
