import { assertFiniteScores, sampleCount, type Numbers } from "./matrix";

/** Predictions are clipped to [EPSILON, 1 - EPSILON] before the logarithm, as in the RSNA 2019 scoring. */
export const PROBABILITY_EPSILON = 1e-7;

export function clipProbability(p: number): number {
  return Math.min(Math.max(p, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON);
}

/** Binary cross-entropy of one prediction (targets may be soft, in [0, 1]). */
export function binaryLogLoss(target: number, prediction: number): number {
  const p = clipProbability(prediction);
  return -(target * Math.log(p) + (1 - target) * Math.log(1 - p));
}

/** Mean binary log loss of each label over the samples: one value per label. */
export function perLabelLogLoss(yTrue: Numbers, yPred: Numbers, nLabels: number): number[] {
  const n = sampleCount("perLabelLogLoss", yTrue, yPred, nLabels);
  if (n === 0) throw new RangeError("perLabelLogLoss: no samples");
  assertFiniteScores("perLabelLogLoss", yPred);
  const sums = new Float64Array(nLabels);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < nLabels; l++) sums[l] += binaryLogLoss(yTrue[i * nLabels + l], yPred[i * nLabels + l]);
  }
  return Array.from(sums, (s) => s / n);
}

/**
 * The RSNA 2019 Intracranial Hemorrhage metric, "weighted multi-label logarithmic loss":
 * for each sample, the weighted average over labels of the binary log loss, then the mean over
 * samples — equivalently sum_l w_l * LL_l / sum_l w_l, where LL_l is label l's mean log loss
 * (both orders give the same number because every sample has every label).
 * Weights are in label order (RSNA: any = 2, the five subtypes 1).
 */
export function weightedLogLoss(yTrue: Numbers, yPred: Numbers, nLabels: number, weights: Numbers): number {
  if (weights.length !== nLabels) throw new RangeError(`weightedLogLoss: ${weights.length} weights for ${nLabels} labels`);
  let weightSum = 0;
  for (let l = 0; l < nLabels; l++) {
    if (!(weights[l] >= 0)) throw new RangeError(`weightedLogLoss: weight ${l} is ${weights[l]}; weights must be ≥ 0`);
    weightSum += weights[l];
  }
  if (weightSum === 0) throw new RangeError("weightedLogLoss: the weights sum to 0");
  const perLabel = perLabelLogLoss(yTrue, yPred, nLabels);
  let total = 0;
  for (let l = 0; l < nLabels; l++) total += weights[l] * perLabel[l];
  return total / weightSum;
}

/** Unweighted mean binary cross-entropy over every sample and label (what a plain BCE training loss reports). */
export function meanLogLoss(yTrue: Numbers, yPred: Numbers, nLabels: number): number {
  const perLabel = perLabelLogLoss(yTrue, yPred, nLabels);
  return perLabel.reduce((a, b) => a + b, 0) / nLabels;
}
