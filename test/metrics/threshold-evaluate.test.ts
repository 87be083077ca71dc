import { describe, expect, it } from "vitest";
import { LABELS } from "../../src/shared/labels";
import { evaluate, maxByGroup, perLabelLogLoss, rocAuc, thresholdMetrics, weightedLogLoss } from "../../src/core/metrics";
import { mulberry32 } from "../../src/core/data/rng";

describe("threshold metrics", () => {
  it("counts a hand-worked confusion matrix (score ≥ threshold is positive)", () => {
    const m = thresholdMetrics([1, 1, 1, 0, 0, 0, 0], [0.9, 0.5, 0.2, 0.5, 0.4, 0.1, 0.7], 0.5);
    expect([m.tp, m.fn, m.fp, m.tn]).toEqual([2, 1, 2, 2]);
    expect(m.accuracy).toBeCloseTo(4 / 7, 15);
    expect(m.sensitivity).toBeCloseTo(2 / 3, 15);
    expect(m.specificity).toBeCloseTo(2 / 4, 15);
    expect(m.precision).toBeCloseTo(2 / 4, 15);
    expect(m.f1).toBeCloseTo((2 * (2 / 4) * (2 / 3)) / (2 / 4 + 2 / 3), 15);
  });

  it("reports undefined ratios as NaN", () => {
    const m = thresholdMetrics([0, 0], [0.1, 0.2], 0.5);
    expect(m.sensitivity).toBeNaN();
    expect(m.precision).toBeNaN();
    expect(m.f1).toBeNaN();
    expect(m.specificity).toBe(1);
    expect(m.accuracy).toBe(1);
  });
});

describe("evaluate", () => {
  const random = mulberry32(21);
  const n = 400;
  const yTrue = Float32Array.from({ length: n * 6 }, (_, k) => (random() < (k % 6 === 0 ? 0.4 : 0.15) ? 1 : 0));
  const yPred = Float32Array.from(yTrue, (t) => Math.min(1, Math.max(0, 0.3 + 0.35 * t + 0.4 * (random() - 0.5))));

  it("combines the per-label metrics into the EpochValidation shape", () => {
    const result = evaluate(yTrue, yPred, { labels: LABELS, thresholds: { any: 0.4 } });
    expect(result.samples).toBe(n);
    expect(result.weightedLogLoss).toBeCloseTo(weightedLogLoss(yTrue, yPred, 6, [2, 1, 1, 1, 1, 1]), 12);
    const perLabel = perLabelLogLoss(yTrue, yPred, 6);
    expect(result.loss).toBeCloseTo(perLabel.reduce((a, b) => a + b) / 6, 12);
    const aucs = LABELS.map((_, l) => rocAuc(Array.from({ length: n }, (_, i) => yTrue[i * 6 + l]), Array.from({ length: n }, (_, i) => yPred[i * 6 + l])));
    expect(result.meanAuc).toBeCloseTo(aucs.reduce((a, b) => a + b) / 6, 12);
    expect(result.perLabel.any!.threshold).toBe(0.4);
    expect(result.perLabel.subdural!.threshold).toBe(0.5);
    expect(result.perLabel.subdural!.auc).toBeCloseTo(aucs[5], 12);
    const any = result.perLabel.any!;
    expect(any.tp + any.fn).toBe(any.positives);
    expect(any.tn + any.fp).toBe(any.negatives);
    for (const label of LABELS) expect(result.roc[label]!.length).toBeGreaterThan(2);
    // Survives a JSON round trip (what eval.json stores).
    expect((JSON.parse(JSON.stringify(result)) as typeof result).perLabel.epidural!.logLoss).toBeCloseTo(perLabel[1], 12);
  });

  it("evaluates an `any`-only model and skips undefined AUCs in the mean", () => {
    const anyTrue = [1, 0, 1, 0];
    const anyOnly = evaluate(anyTrue, [0.9, 0.2, 0.6, 0.7], { labels: ["any"] });
    expect(anyOnly.weightedLogLoss).toBeCloseTo(anyOnly.perLabel.any!.logLoss, 15);
    expect(anyOnly.meanAuc).toBeCloseTo(0.75, 15);

    const twoLabels = evaluate([1, 0, 0, 0, 1, 0, 0, 0], [0.9, 0.1, 0.2, 0.3, 0.8, 0.4, 0.1, 0.2], { labels: ["any", "epidural"], thresholds: 0.5 });
    expect(twoLabels.perLabel.epidural!.auc).toBeNaN();
    expect(twoLabels.perLabel.epidural!.aucUndefined).toBe("only negative samples (4)");
    expect(twoLabels.meanAuc).toBe(1);
    expect(twoLabels.roc.epidural).toEqual([]);
  });
});

describe("maxByGroup", () => {
  it("takes each label's maximum over the rows of a study, in first-seen order", () => {
    const grouped = maxByGroup(["s2", "s1", "s2", "s1", "s3"], [0.1, 0.5, 0.9, 0.2, 0.3, 0.4, 0.7, 0.1, 0.6, 0.6], 2);
    expect(grouped.keys).toEqual(["s2", "s1", "s3"]);
    expect(grouped.counts).toEqual([2, 2, 1]);
    expect(Array.from(grouped.values)).toEqual(Array.from(Float32Array.from([0.3, 0.5, 0.9, 0.2, 0.6, 0.6])));
    expect(() => maxByGroup(["a"], [1, 2, 3], 2)).toThrow(/need 2 values, got 3/);
  });
});
