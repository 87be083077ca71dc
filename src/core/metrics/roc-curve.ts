import { assertScoredBinaryTargets, countPositives, type Numbers } from "./matrix";

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Scores ≥ threshold count as positive at this point (Infinity for the (0, 0) corner). */
  threshold: number;
}

export const DEFAULT_ROC_POINTS = 200;

/**
 * ROC curve with one point per distinct score (from (0,0) to (1,1)), downsampled to at most
 * `maxPoints` points spread evenly along the curve's length so corners and steep parts keep their
 * shape. Empty when the targets hold only one class (the curve is undefined then).
 */
export function rocCurve(yTrue: Numbers, yScore: Numbers, maxPoints = DEFAULT_ROC_POINTS): RocPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError(`rocCurve: maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  assertScoredBinaryTargets("rocCurve", yTrue, yScore);
  const n = yTrue.length;
  const positives = countPositives(yTrue);
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return [];

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => yScore[b] - yScore[a]);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY }];
  let tp = 0;
  let fp = 0;
  for (let start = 0; start < n; ) {
    const threshold = yScore[order[start]];
    let end = start;
    while (end < n && yScore[order[end]] === threshold) {
      if (yTrue[order[end]] === 1) tp++;
      else fp++;
      end++;
    }
    points.push({ fpr: fp / negatives, tpr: tp / positives, threshold });
    start = end;
  }
  return downsampleCurve(points, maxPoints);
}

/** Keeps the first and last point and the points nearest to evenly spaced arc-length positions. */
export function downsampleCurve(points: RocPoint[], maxPoints: number): RocPoint[] {
  if (points.length <= maxPoints) return points;
  const cumulative = new Float64Array(points.length);
  for (let i = 1; i < points.length; i++) {
    cumulative[i] = cumulative[i - 1] + Math.hypot(points[i].fpr - points[i - 1].fpr, points[i].tpr - points[i - 1].tpr);
  }
  const total = cumulative[points.length - 1];
  const kept: RocPoint[] = [points[0]];
  let lastKept = 0;
  let index = 1;
  for (let k = 1; k < maxPoints - 1; k++) {
    const target = (total * k) / (maxPoints - 1);
    while (index < points.length - 1 && cumulative[index] < target) index++;
    // Take whichever neighbour lies closer to the target length, never going backwards.
    const previous = index - 1;
    const pick = previous > lastKept && target - cumulative[previous] < cumulative[index] - target ? previous : index;
    if (pick > lastKept && pick < points.length - 1) {
      kept.push(points[pick]);
      lastKept = pick;
    }
  }
  kept.push(points[points.length - 1]);
  return kept;
}

/** Trapezoidal area under a list of ROC points (equals the exact AUC on an undownsampled curve). */
export function curveArea(points: readonly RocPoint[]): number {
  let area = 0;
  for (let i = 1; i < points.length; i++) {
    area += ((points[i].fpr - points[i - 1].fpr) * (points[i].tpr + points[i - 1].tpr)) / 2;
  }
  return area;
}
