import { describe, expect, it } from "vitest";
import { validateExperiment } from "../../src/core/experiment";
import { describeTta, predictWithTta, resolveTta, ttaTransforms } from "../../src/core/predict/tta";

const size = 5;
const channels = 2;
const per = size * size * channels;

/** n images with distinct, non-symmetric pixel values. */
function batch(n: number): Float32Array {
  const x = new Float32Array(n * per);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 37) % 101) / 100;
  return x;
}
const pixel = (x: Float32Array, image: number, row: number, col: number, c: number) => x[image * per + (row * size + col) * channels + c];

/**
 * A fake engine whose two "probabilities" are pixel values at fixed places, so the average over
 * views can be predicted by reading the untransformed image at the places each view moves there.
 */
const calls: number[] = [];
const engine = {
  async predict(x: Float32Array, n: number, tta: boolean): Promise<Float32Array> {
    expect(tta).toBe(false);
    calls.push(n);
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      out[i * 2] = pixel(x, i, 0, 4, 0);
      out[i * 2 + 1] = pixel(x, i, 2, 0, 1);
    }
    return out;
  },
};

describe("test-time augmentation", () => {
  it("averages the image, its mirror, a 90° rotation and a 2× zoom", async () => {
    const n = 3;
    const x = batch(n);
    calls.length = 0;
    const p = await predictWithTta(engine, x, n, size, channels, { flip: true, rotate: [90], zoom: [2] });
    expect(calls).toEqual([4 * n]); // one engine call with every view
    for (let i = 0; i < n; i++) {
      // (row, col) → where each view reads it from in the original image (size 5, centre 2):
      // mirror: (r, 4 − c); rotation by +90°: (4 − c, r); zoom 2: (2 + (r − 2)/2, 2 + (c − 2)/2).
      const views = (r: number, c: number) => [
        [r, c],
        [r, 4 - c],
        [4 - c, r],
        [2 + (r - 2) / 2, 2 + (c - 2) / 2],
      ];
      const mean = (r: number, c: number, ch: number) => views(r, c).reduce((s, [rr, cc]) => s + pixel(x, i, rr, cc, ch), 0) / 4;
      expect(p[i * 2]).toBeCloseTo(mean(0, 4, 0), 5);
      expect(p[i * 2 + 1]).toBeCloseTo(mean(2, 0, 1), 5);
    }
  });

  it("true is the flip alone; false and an empty object are the image alone", async () => {
    const x = batch(2);
    const plain = await predictWithTta(engine, x, 2, size, channels, false);
    expect(Array.from(plain)).toEqual([pixel(x, 0, 0, 4, 0), pixel(x, 0, 2, 0, 1), pixel(x, 1, 0, 4, 0), pixel(x, 1, 2, 0, 1)]);
    const flip = await predictWithTta(engine, x, 2, size, channels, true);
    expect(flip[0]).toBeCloseTo((pixel(x, 0, 0, 4, 0) + pixel(x, 0, 0, 0, 0)) / 2, 6);
    expect(ttaTransforms({ flip: false })).toHaveLength(1);
    expect(ttaTransforms({ rotate: [-10, 10], zoom: [1.1] })).toHaveLength(5);
    expect(describeTta({ rotate: [-10, 10], zoom: [1.1] })).toBe("flip, rotate -10°, rotate 10°, zoom ×1.1");
  });

  it("--tta uses the run's views, or the flip when it has none; no option keeps the run's", () => {
    const rich = { flip: true, rotate: [-10, 10] };
    expect(resolveTta(undefined, rich)).toBe(rich);
    expect(resolveTta(true, rich)).toBe(rich);
    expect(resolveTta(true, false)).toBe(true);
    expect(resolveTta(false, rich)).toBe(false);
    expect(resolveTta(undefined, undefined)).toBe(false);
  });

  it("the schema takes an object of views and rejects out-of-range ones", () => {
    const base = { data: { kind: "synthetic" } };
    const config = validateExperiment({ ...base, eval: { tta: { rotate: [-10, 10], zoom: [1.1] } } }, "/virtual/x.ich.json");
    expect(ttaTransforms(config.eval.tta)).toHaveLength(5);
    expect(() => validateExperiment({ ...base, eval: { tta: { zoom: [0.5] } } }, "/virtual/x.ich.json")).toThrow(/tta/);
    expect(() => validateExperiment({ ...base, eval: { tta: { spin: true } } }, "/virtual/x.ich.json")).toThrow(/tta/);
  });
});
