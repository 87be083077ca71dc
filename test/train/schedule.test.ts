import { describe, expect, it } from "vitest";
import { exponentialLr, makeSchedule, oneCycleLr } from "../../src/core/train/schedule";

const o = { maxLr: 0.01, totalSteps: 101, warmupShare: 0.3, divFactor: 25, finalDivFactor: 1e4 };

describe("one-cycle schedule", () => {
  it("starts at maxLr/divFactor, peaks at the end of the warm-up, ends at start/finalDivFactor", () => {
    expect(oneCycleLr(0, o)).toBeCloseTo(0.01 / 25, 12);
    expect(oneCycleLr(30, o)).toBeCloseTo(0.01, 12);
    expect(oneCycleLr(100, o)).toBeCloseTo(0.01 / 25 / 1e4, 12);
    // cosine: halfway through the warm-up is the mean of start and peak
    expect(oneCycleLr(15, o)).toBeCloseTo((0.01 / 25 + 0.01) / 2, 12);
  });

  it("rises monotonically then falls monotonically", () => {
    const values = Array.from({ length: 101 }, (_, s) => oneCycleLr(s, o));
    for (let s = 1; s <= 30; s++) expect(values[s]).toBeGreaterThan(values[s - 1]);
    for (let s = 31; s <= 100; s++) expect(values[s]).toBeLessThan(values[s - 1]);
  });

  it("constant schedule and exponential sweep", () => {
    expect(makeSchedule({ kind: "constant", lr: 0.002 }, 10)(7)).toBe(0.002);
    expect(exponentialLr(0, 100, 1e-7, 1)).toBeCloseTo(1e-7, 15);
    expect(exponentialLr(99, 100, 1e-7, 1)).toBeCloseTo(1, 10);
    expect(exponentialLr(49.5, 100, 1e-7, 1)).toBeCloseTo(Math.sqrt(1e-7), 8);
  });
});
