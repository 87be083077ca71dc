import { assertScoredBinaryTargets, countPositives, type Numbers } from "./matrix";

export interface AucResult {
  /** Area under the ROC curve; NaN when it is undefined (see `reason`). */
  auc: number;
  positives: number;
  negatives: number;
  /** Why the AUC is undefined, e.g. "only negative samples (12)". Absent when `auc` is a number. */
  reason?: string;
}

/**
 * Exact ROC AUC as the Mann–Whitney U statistic: the probability that a random positive scores
 * above a random negative, ties counting one half. Computed from mid-ranks in O(n log n).
 */
export function rocAucDetailed(yTrue: Numbers, yScore: Numbers): AucResult {
  assertScoredBinaryTargets("rocAuc", yTrue, yScore);
  const n = yTrue.length;
  const positives = countPositives(yTrue);
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    const reason = n === 0 ? "no samples" : positives === 0 ? `only negative samples (${n})` : `only positive samples (${n})`;
    return { auc: Number.NaN, positives, negatives, reason };
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => yScore[a] - yScore[b]);
  // Sum of the 1-based mid-ranks of the positives.
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && yScore[order[end]] === yScore[order[start]]) end++;
    const midRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if (yTrue[order[k]] === 1) positiveRankSum += midRank;
    start = end;
  }
  const u = positiveRankSum - (positives * (positives + 1)) / 2;
  return { auc: u / (positives * negatives), positives, negatives };
}

/** ROC AUC, or NaN when a label has only one class (use `rocAucDetailed` for the reason). */
export function rocAuc(yTrue: Numbers, yScore: Numbers): number {
  return rocAucDetailed(yTrue, yScore).auc;
}
