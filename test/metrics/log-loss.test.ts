import { describe, expect, it } from "vitest";
import { PROBABILITY_EPSILON, binaryLogLoss, meanLogLoss, perLabelLogLoss, weightedLogLoss } from "../../src/core/metrics";
import { mulberry32 } from "../../src/core/data/rng";

describe("log loss", () => {
  it("matches a hand-worked two-sample, two-label case", () => {
    // Row-major: sample 0 = (1, 0), sample 1 = (0, 1).
    const yTrue = [1, 0, 0, 1];
    const yPred = [0.8, 0.3, 0.4, 0.9];
    const label0 = (-Math.log(0.8) - Math.log(0.6)) / 2;
    const label1 = (-Math.log(0.7) - Math.log(0.9)) / 2;
    const perLabel = perLabelLogLoss(yTrue, yPred, 2);
    expect(perLabel[0]).toBeCloseTo(label0, 12);
    expect(perLabel[1]).toBeCloseTo(label1, 12);
    expect(weightedLogLoss(yTrue, yPred, 2, [2, 1])).toBeCloseTo((2 * label0 + label1) / 3, 12);
    expect(meanLogLoss(yTrue, yPred, 2)).toBeCloseTo((label0 + label1) / 2, 12);
  });

  it("clips predictions to [1e-7, 1 - 1e-7]", () => {
    expect(binaryLogLoss(1, 1)).toBeCloseTo(-Math.log(1 - PROBABILITY_EPSILON), 15);
    expect(binaryLogLoss(1, 0)).toBeCloseTo(-Math.log(PROBABILITY_EPSILON), 9);
    expect(binaryLogLoss(0, 1)).toBeCloseTo(-Math.log(PROBABILITY_EPSILON), 6);
    expect(Number.isFinite(binaryLogLoss(0, 1))).toBe(true);
  });

  it("is about the clip value for perfect predictions", () => {
    const yTrue = [1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0];
    const loss = weightedLogLoss(yTrue, yTrue, 6, [2, 1, 1, 1, 1, 1]);
    expect(loss).toBeGreaterThan(0);
    expect(loss).toBeCloseTo(-Math.log(1 - PROBABILITY_EPSILON), 12);
  });

  it("equals the per-sample weighted-average formula (any weight 2) on random data", () => {
    const random = mulberry32(7);
    const n = 257;
    const weights = [2, 1, 1, 1, 1, 1];
    const yTrue = Float32Array.from({ length: n * 6 }, () => (random() < 0.3 ? 1 : 0));
    const yPred = Float32Array.from({ length: n * 6 }, () => random());
    // Kaggle-kernel form: weighted average over labels per sample, then the mean over samples.
    let total = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let l = 0; l < 6; l++) {
        const t = yTrue[i * 6 + l];
        const p = Math.min(Math.max(yPred[i * 6 + l], 1e-7), 1 - 1e-7);
        row += weights[l] * -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
      }
      total += row / 7;
    }
    expect(weightedLogLoss(yTrue, yPred, 6, weights)).toBeCloseTo(total / n, 10);
    // Doubling `any`'s weight must move the score towards `any`'s own loss.
    const perLabel = perLabelLogLoss(yTrue, yPred, 6);
    const unweighted = weightedLogLoss(yTrue, yPred, 6, [1, 1, 1, 1, 1, 1]);
    expect(Math.sign(weightedLogLoss(yTrue, yPred, 6, weights) - unweighted)).toBe(Math.sign(perLabel[0] - unweighted));
  });

  it("rejects mismatched shapes and NaN predictions with a clear message", () => {
    expect(() => weightedLogLoss([1, 0], [0.5], 1, [1])).toThrow(/2 values but the predictions have 1/);
    expect(() => weightedLogLoss([1, 0, 1], [0.5, 0.5, 0.5], 2, [1, 1])).toThrow(/whole number of rows/);
    expect(() => weightedLogLoss([1, 0], [0.5, 0.5], 2, [1])).toThrow(/1 weights for 2 labels/);
    expect(() => perLabelLogLoss([1], [Number.NaN], 1)).toThrow(/prediction 0 is NaN/);
  });
});
