import { describe, expect, it } from "vitest";
import { curveArea, rocAuc, rocAucDetailed, rocCurve } from "../../src/core/metrics";
import { mulberry32 } from "../../src/core/data/rng";
import { bruteForceAuc } from "./brute-force-auc";

describe("ROC AUC", () => {
  it("matches a hand-worked case with a tie", () => {
    // Positives score 0.9 and 0.5; negatives 0.5 and 0.1. Pairs: (0.9>0.5) 1, (0.9>0.1) 1, (0.5=0.5) ½, (0.5>0.1) 1.
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1])).toBeCloseTo(3.5 / 4, 15);
  });

  it("is 1 for perfect, 0 for reversed and 0.5 for all-tied scores", () => {
    const yTrue = [0, 1, 0, 1, 1, 0, 0];
    const perfect = yTrue.map((t, i) => t * 10 + i * 0.1);
    expect(rocAuc(yTrue, perfect)).toBe(1);
    expect(rocAuc(yTrue, perfect.map((s) => -s))).toBe(0);
    expect(rocAuc(yTrue, yTrue.map(() => 0.3))).toBe(0.5);
  });

  it("agrees with the O(n²) pairwise count on random data with many ties", () => {
    const random = mulberry32(11);
    for (let trial = 0; trial < 5; trial++) {
      const n = 300;
      const yTrue = Array.from({ length: n }, () => (random() < 0.2 ? 1 : 0));
      // Scores on a coarse grid, correlated with the truth, so ties are frequent.
      const yScore = yTrue.map((t) => Math.round((random() + 0.4 * t) * 10) / 10);
      expect(rocAuc(yTrue, yScore)).toBeCloseTo(bruteForceAuc(yTrue, yScore), 12);
    }
  });

  it("is about 0.5 for random scores and invariant under monotone transforms", () => {
    const random = mulberry32(3);
    const yTrue = Array.from({ length: 4000 }, () => (random() < 0.5 ? 1 : 0));
    const noise = yTrue.map(() => random());
    expect(Math.abs(rocAuc(yTrue, noise) - 0.5)).toBeLessThan(0.03);

    const informative = yTrue.map((t) => random() + 0.5 * t);
    const auc = rocAuc(yTrue, informative);
    expect(auc).toBeGreaterThan(0.7);
    expect(rocAuc(yTrue, informative.map((s) => Math.exp(3 * s) - 7))).toBeCloseTo(auc, 12);
    expect(rocAuc(yTrue, informative.map((s) => 1 / (1 + Math.exp(-s))))).toBeCloseTo(auc, 12);
  });

  it("is NaN with a reason when a label has one class", () => {
    const negatives = rocAucDetailed([0, 0, 0], [0.1, 0.2, 0.3]);
    expect(negatives.auc).toBeNaN();
    expect(negatives.reason).toBe("only negative samples (3)");
    expect(rocAucDetailed([1, 1], [0.1, 0.2]).reason).toBe("only positive samples (2)");
    expect(rocAucDetailed([], []).reason).toBe("no samples");
    expect(rocCurve([1, 1], [0.1, 0.2])).toEqual([]);
  });

  it("rejects soft targets", () => {
    expect(() => rocAuc([0.5, 1], [0.1, 0.2])).toThrow(/target 0 is 0.5/);
  });
});

describe("ROC curve", () => {
  it("has one point per distinct score from (0,0) to (1,1) and its area equals the AUC", () => {
    const yTrue = [1, 1, 0, 0, 1, 0];
    const yScore = [0.9, 0.5, 0.5, 0.1, 0.7, 0.3];
    const curve = rocCurve(yTrue, yScore);
    expect(curve.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [0, 1 / 3],
      [0, 2 / 3],
      [1 / 3, 1],
      [2 / 3, 1],
      [1, 1],
    ]);
    expect(curve.map((p) => p.threshold)).toEqual([Infinity, 0.9, 0.7, 0.5, 0.3, 0.1]);
    expect(curveArea(curve)).toBeCloseTo(rocAuc(yTrue, yScore), 15);
  });

  it("downsamples to at most 200 points keeping the endpoints, monotonicity and the area", () => {
    const random = mulberry32(5);
    const yTrue = Array.from({ length: 5000 }, () => (random() < 0.3 ? 1 : 0));
    const yScore = yTrue.map((t) => random() + 0.6 * t);
    const full = rocCurve(yTrue, yScore, 100_000);
    const curve = rocCurve(yTrue, yScore);
    expect(full.length).toBe(5001);
    expect(curve.length).toBeLessThanOrEqual(200);
    expect(curve.length).toBeGreaterThan(150);
    expect(curve[0]).toEqual(full[0]);
    expect(curve[curve.length - 1]).toEqual(full[full.length - 1]);
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i].fpr).toBeGreaterThanOrEqual(curve[i - 1].fpr);
      expect(curve[i].tpr).toBeGreaterThanOrEqual(curve[i - 1].tpr);
      expect(curve[i].threshold).toBeLessThan(curve[i - 1].threshold);
    }
    expect(Math.abs(curveArea(curve) - rocAuc(yTrue, yScore))).toBeLessThan(0.002);
  });
});
