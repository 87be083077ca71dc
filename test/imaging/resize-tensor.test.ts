import { describe, expect, it } from "vitest";
import { resizeBilinear } from "../../src/core/imaging/resize";
import { adjacentIndices, stackAdjacent, toModelTensor } from "../../src/core/imaging/tensor";
import { applyWindow, DEFAULT_CHANNEL_WINDOWS, WINDOWS } from "../../src/shared/window";

const round = (a: Float32Array) => Array.from(a, (v) => Math.round(v * 1e5) / 1e5);

describe("resizeBilinear", () => {
  it("box-averages when shrinking by an integer factor", () => {
    // 4x4 single channel, 2x2 blocks → their means
    const src = new Float32Array([1, 3, 10, 10, 5, 7, 10, 10, 0, 0, 2, 2, 0, 4, 2, 6]);
    expect(round(resizeBilinear(src, 4, 4, 1, 2, 2))).toEqual([4, 10, 1, 3]);
  });

  it("keeps channels separate", () => {
    // 2x2 image, 2 channels: channel 0 all 1, channel 1 = 0,2,4,6 → 1x1 mean
    const src = new Float32Array([1, 0, 1, 2, 1, 4, 1, 6]);
    expect(round(resizeBilinear(src, 2, 2, 2, 1, 1))).toEqual([1, 3]);
  });

  it("weights partial pixels when shrinking by a fractional factor", () => {
    // 3 → 2: output 0 covers [0,1.5) = x0 + half x1; output 1 covers [1.5,3)
    const src = new Float32Array([0, 6, 12]);
    expect(round(resizeBilinear(src, 3, 1, 1, 2, 1))).toEqual([2, 10]);
  });

  it("interpolates between pixel centres when growing, clamping at the edges", () => {
    const src = new Float32Array([0, 8]);
    // centres of 4 outputs map to -0.25, 0.25, 0.75, 1.25 → clamp, 2, 6, clamp
    expect(round(resizeBilinear(src, 2, 1, 1, 4, 1))).toEqual([0, 2, 6, 8]);
  });

  it("preserves the mean of a 512x512 random image shrunk to 128 and a constant exactly", () => {
    const n = 512;
    const src = new Float32Array(n * n);
    let s = 1;
    for (let i = 0; i < src.length; i++) src[i] = ((s = (s * 16807) % 2147483647) / 2147483647) * 100;
    const mean = (a: Float32Array) => a.reduce((x, y) => x + y, 0) / a.length;
    const out = resizeBilinear(src, n, n, 1, 128, 128);
    expect(out.length).toBe(128 * 128);
    expect(Math.abs(mean(out) - mean(src))).toBeLessThan(1e-3);
    const constant = resizeBilinear(new Float32Array(300 * 200).fill(7), 300, 200, 1, 64, 64);
    expect(Math.max(...constant) - 7).toBeLessThan(1e-5);
    expect(7 - Math.min(...constant)).toBeLessThan(1e-5);
  });

  it("copies when the size matches and rejects bad sizes", () => {
    const src = new Float32Array([1, 2, 3, 4]);
    const out = resizeBilinear(src, 2, 2, 1, 2, 2);
    expect(out).not.toBe(src);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(() => resizeBilinear(src, 3, 2, 1, 2, 2)).toThrow(/needs 6/);
    expect(() => resizeBilinear(src, 2, 2, 1, 0, 2)).toThrow(/positive/);
  });
});

describe("toModelTensor", () => {
  it("lays out HWC with one channel per window, in [0, 1]", () => {
    // 2x2 HU image at model size 2: no resize, channel c of pixel p at p*3+c
    const hu = new Float32Array([-1000, 40, 100, 2000]);
    const t = toModelTensor(hu, 2, 2, DEFAULT_CHANNEL_WINDOWS, 2);
    expect(t.length).toBe(12);
    for (let c = 0; c < 3; c++) {
      const expected = applyWindow(hu, DEFAULT_CHANNEL_WINDOWS[c]);
      for (let p = 0; p < 4; p++) expect(t[p * 3 + c]).toBeCloseTo(expected[p], 6);
    }
  });

  it("windows before resizing: a 4x4 image of four quadrants becomes its 2x2 windowed means", () => {
    const hu = new Float32Array(16);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) hu[y * 4 + x] = y < 2 ? (x < 2 ? 0 : 79) : x < 2 ? -1000 : (x + y) % 2 ? 79 : 0;
    const t = toModelTensor(hu, 4, 4, [WINDOWS.brain], 2);
    expect(round(t)).toEqual([0, 1, 0, 0.5]);
  });

  it("fills a caller-provided buffer and checks its size", () => {
    const out = new Float32Array(8 * 8 * 2);
    const t = toModelTensor(new Float32Array(16 * 16).fill(40), 16, 16, [WINDOWS.brain, WINDOWS.bone], 8, out);
    expect(t).toBe(out);
    expect(t[0]).toBeCloseTo(40 / 79, 5);
    expect(() => toModelTensor(new Float32Array(16), 4, 4, [WINDOWS.brain], 8, new Float32Array(10))).toThrow(/need 64/);
  });
});

describe("adjacent-slice stacking", () => {
  it("concatenates slices channel-wise per pixel", () => {
    const prev = new Float32Array([1, 2, 3, 4]); // 2 pixels x 2 channels
    const cur = new Float32Array([5, 6, 7, 8]);
    const next = new Float32Array([9, 10, 11, 12]);
    expect(Array.from(stackAdjacent([prev, cur, next], 2, 2))).toEqual([1, 2, 5, 6, 9, 10, 3, 4, 7, 8, 11, 12]);
  });

  it("repeats edge slices at the ends of a series", () => {
    expect(adjacentIndices(0, 5, 1)).toEqual([0, 0, 1]);
    expect(adjacentIndices(2, 5, 2)).toEqual([0, 1, 2, 3, 4]);
    expect(adjacentIndices(4, 5, 1)).toEqual([3, 4, 4]);
    expect(() => adjacentIndices(5, 5, 1)).toThrow(/outside/);
  });
});
