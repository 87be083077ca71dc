import type { Numbers } from "./matrix";

export interface GroupedRows {
  /** Group keys in order of first appearance. */
  keys: string[];
  /** Row-major (group × label) maxima. */
  values: Float32Array;
  /** How many rows fell into each group. */
  counts: number[];
}

/**
 * Per-group maximum of each label over the group's rows — the usual study-level (or series-level)
 * aggregation of slice predictions: a study is positive for a label if any slice is. Apply it to
 * targets as well as predictions to score at study level.
 */
export function maxByGroup(groupOfRow: readonly string[], values: Numbers, nLabels: number): GroupedRows {
  if (values.length !== groupOfRow.length * nLabels) {
    throw new RangeError(`maxByGroup: ${groupOfRow.length} rows of ${nLabels} labels need ${groupOfRow.length * nLabels} values, got ${values.length}`);
  }
  const indexOf = new Map<string, number>();
  const keys: string[] = [];
  const counts: number[] = [];
  const maxima: number[] = [];
  groupOfRow.forEach((key, row) => {
    let group = indexOf.get(key);
    if (group === undefined) {
      group = keys.length;
      indexOf.set(key, group);
      keys.push(key);
      counts.push(0);
      for (let l = 0; l < nLabels; l++) maxima.push(Number.NEGATIVE_INFINITY);
    }
    counts[group]++;
    for (let l = 0; l < nLabels; l++) {
      const v = values[row * nLabels + l];
      if (v > maxima[group * nLabels + l]) maxima[group * nLabels + l] = v;
    }
  });
  return { keys, values: Float32Array.from(maxima), counts };
}
