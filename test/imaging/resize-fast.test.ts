import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/core/data/rng";
import { resizeBilinear, resizeSeparable } from "../../src/core/imaging/resize";

/** Random values in [0, 1), the range of windowed model tensors that get resized. */
function randomImage(length: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length }, random);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe("integer-factor resize shortcuts", () => {
  for (const factor of [2, 3, 4]) {
    for (const channels of [1, 3, 4, 9]) {
      it(`factor ${factor}, ${channels} channel(s): same values as the general area resampler`, () => {
        const outW = 24;
        const outH = 16;
        const src = randomImage(outW * factor * outH * factor * channels, factor * 31 + channels);
        const fast = resizeBilinear(src, outW * factor, outH * factor, channels, outW, outH);
        const general = resizeSeparable(src, outW * factor, outH * factor, channels, outW, outH);
        expect(fast).toHaveLength(outW * outH * channels);
        expect(maxDifference(fast, general)).toBeLessThanOrEqual(1e-6);
        // and the block mean by hand for one value per channel
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          const ox = 5;
          const oy = 7;
          for (let dy = 0; dy < factor; dy++) {
            for (let dx = 0; dx < factor; dx++) sum += src[((oy * factor + dy) * outW * factor + ox * factor + dx) * channels + c];
          }
          expect(fast[(oy * outW + ox) * channels + c]).toBeCloseTo(sum / factor ** 2, 6);
        }
      });
    }
  }

  it("512→256 and 512→128 of a 3-window slice match the general path", () => {
    const src = randomImage(512 * 512 * 3, 99);
    for (const size of [256, 128]) {
      expect(maxDifference(resizeBilinear(src, 512, 512, 3, size, size), resizeSeparable(src, 512, 512, 3, size, size))).toBeLessThanOrEqual(1e-6);
    }
  });

  it("writes into a given output buffer", () => {
    const src = randomImage(8 * 8 * 3, 5);
    const out = new Float32Array(2 * 2 * 3).fill(Number.NaN);
    expect(resizeBilinear(src, 8, 8, 3, 2, 2, out)).toBe(out);
    expect(out.every(Number.isFinite)).toBe(true);
  });
});
