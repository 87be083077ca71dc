import { describe, expect, it } from "vitest";
import { suggestFromCurve, type LrFindPoint } from "../../src/core/train/lr-find";
import { exponentialLr } from "../../src/core/train/schedule";

function curve(loss: (log10Lr: number) => number, n = 50): LrFindPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const lr = exponentialLr(i, n, 1e-6, 1);
    const l = loss(Math.log10(lr));
    return { lr, loss: l, smoothed: l };
  });
}

describe("suggestFromCurve", () => {
  it("finds the steepest descent before the minimum and the minimum's LR / 10", () => {
    // flat, a steep fall centred at 1e-3, minimum near 1e-2, then divergence
    const points = curve((x) => (x < -2 ? 1 - 0.8 / (1 + Math.exp(-4 * (x + 3))) : 0.2 + 3 * (x + 2) ** 2));
    const { steepestLr, minimumLr } = suggestFromCurve(points);
    expect(Math.log10(steepestLr)).toBeCloseTo(-3, 0);
    expect(Math.log10(minimumLr)).toBeCloseTo(-3, 0);
    expect(steepestLr).toBeLessThan(minimumLr * 10);
  });

  it("ignores a noisy start", () => {
    const points = curve((x) => 1 - 0.5 / (1 + Math.exp(-3 * (x + 2.5))));
    points[2] = { ...points[2], smoothed: 0.7 };
    points[0] = { ...points[0], smoothed: 3 };
    expect(Math.log10(suggestFromCurve(points).steepestLr)).toBeGreaterThan(-4);
  });
});
