import { assertScoredBinaryTargets, type Numbers } from "./matrix";

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ThresholdMetrics extends ConfusionCounts {
  threshold: number;
  accuracy: number;
  /** Recall, true-positive rate: tp / (tp + fn). NaN without positive samples. */
  sensitivity: number;
  /** True-negative rate: tn / (tn + fp). NaN without negative samples. */
  specificity: number;
  /** tp / (tp + fp). NaN when nothing is predicted positive. */
  precision: number;
  /** 2tp / (2tp + fp + fn). NaN when there are neither positives nor positive predictions. */
  f1: number;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? Number.NaN : numerator / denominator;
}

/** Binary metrics of one label when scores ≥ `threshold` are called positive. */
export function thresholdMetrics(yTrue: Numbers, yScore: Numbers, threshold: number): ThresholdMetrics {
  if (!Number.isFinite(threshold)) throw new RangeError(`thresholdMetrics: threshold must be finite, got ${threshold}`);
  assertScoredBinaryTargets("thresholdMetrics", yTrue, yScore);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const predicted = yScore[i] >= threshold;
    if (yTrue[i] === 1) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    accuracy: ratio(tp + tn, yTrue.length),
    sensitivity: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    precision: ratio(tp, tp + fp),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}
