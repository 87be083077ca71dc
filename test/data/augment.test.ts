import { describe, expect, it } from "vitest";
import { NO_AUGMENTATION, augmentImage, flipHorizontal } from "../../src/core/data/augment";

const size = 8;
const channels = 2;
const image = Float32Array.from({ length: size * size * channels }, (_, i) => (i % 17) / 17);

describe("augmentImage", () => {
  it("is the identity with every probability at 0", () => {
    expect(Array.from(augmentImage(image, size, channels, NO_AUGMENTATION, 3))).toEqual(Array.from(image));
  });

  it("flips horizontally when p = 1", () => {
    const out = augmentImage(image, size, channels, { ...NO_AUGMENTATION, flip: { p: 1 } }, 3);
    expect(Array.from(out)).toEqual(Array.from(flipHorizontal(image, size, channels)));
    // pixel (y=2, x=0) channel 1 moves to x = 7
    expect(out[(2 * size + 7) * channels + 1]).toBe(image[(2 * size + 0) * channels + 1]);
  });

  it("is deterministic per seed and differs across seeds", () => {
    const options = { flip: { p: 0.5 }, rotate: { p: 1, degrees: 20 }, zoom: { p: 1, max: 1.2 }, brightnessContrast: { p: 1, brightness: 0.1, contrast: 0.1 } };
    const a = augmentImage(image, size, channels, options, 11);
    expect(Array.from(augmentImage(image, size, channels, options, 11))).toEqual(Array.from(a));
    expect(Array.from(augmentImage(image, size, channels, options, 12))).not.toEqual(Array.from(a));
    for (const v of a) expect(v >= 0 && v <= 1).toBe(true);
  });

  it("brightness shifts every pixel alike and stays in [0, 1]", () => {
    const brighter = { ...NO_AUGMENTATION, brightnessContrast: { p: 1, brightness: 0.2, contrast: 0 } };
    const bright = augmentImage(new Float32Array(size * size).fill(0.5), size, 1, brighter, 5);
    const mean = bright.reduce((s, v) => s + v, 0) / bright.length;
    expect(Math.abs(mean - 0.5)).toBeGreaterThan(0);
    expect(new Set(bright).size).toBe(1);
  });
});
