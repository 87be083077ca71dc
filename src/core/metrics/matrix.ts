// Helpers for the row-major (sample × label) matrices every metric takes: row i, label l is at i * nLabels + l.

export type Numbers = ArrayLike<number>;

/** Number of samples in a row-major matrix; throws when the shapes do not agree. */
export function sampleCount(what: string, yTrue: Numbers, yPred: Numbers, nLabels: number): number {
  if (!Number.isInteger(nLabels) || nLabels < 1) throw new RangeError(`${what}: nLabels must be a positive integer, got ${nLabels}`);
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`${what}: yTrue has ${yTrue.length} values but the predictions have ${yPred.length}`);
  }
  if (yTrue.length % nLabels !== 0) {
    throw new RangeError(`${what}: ${yTrue.length} values is not a whole number of rows of ${nLabels} labels`);
  }
  return yTrue.length / nLabels;
}

/** Copies one label's column out of a row-major matrix. */
export function column(values: Numbers, nLabels: number, label: number): Float64Array {
  const n = Math.floor(values.length / nLabels);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i * nLabels + label];
  return out;
}

/** Throws unless every target is exactly 0 or 1 (ranking and threshold metrics need hard labels). */
export function assertBinaryTargets(what: string, yTrue: Numbers): void {
  for (let i = 0; i < yTrue.length; i++) {
    const v = yTrue[i];
    if (v !== 0 && v !== 1) throw new RangeError(`${what}: target ${i} is ${v}; targets must be 0 or 1`);
  }
}

/** Throws on NaN or infinite predictions: they would silently poison every average. */
export function assertFiniteScores(what: string, scores: Numbers): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new RangeError(`${what}: prediction ${i} is ${scores[i]}; predictions must be finite`);
  }
}

/** Throws unless targets and scores pair up one to one, every target is 0 or 1 and every score is finite. */
export function assertScoredBinaryTargets(what: string, yTrue: Numbers, yScore: Numbers): void {
  if (yTrue.length !== yScore.length) throw new RangeError(`${what}: ${yTrue.length} targets but ${yScore.length} scores`);
  assertBinaryTargets(what, yTrue);
  assertFiniteScores(what, yScore);
}

/** Number of positive targets in 0/1 targets. */
export function countPositives(yTrue: Numbers): number {
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) positives += yTrue[i];
  return positives;
}
