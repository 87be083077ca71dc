// Seeded geometric and intensity augmentation of an interleaved (HWC) float image in [0, 1].
import type { AugmentConfig } from "../experiment/types";
import { mulberry32 } from "./rng";

/** The experiment's `train.augment` block: each transform with its own probability `p`. */
export type AugmentOptions = AugmentConfig;

export const NO_AUGMENTATION: AugmentOptions = {
  flip: { p: 0 },
  rotate: { p: 0, degrees: 0 },
  zoom: { p: 0, max: 1 },
  brightnessContrast: { p: 0, brightness: 0, contrast: 0 },
};

interface Draw {
  flip: boolean;
  angle: number;
  scale: number;
  brightness: number;
  contrast: number;
}

function draw(options: AugmentOptions, seed: number): Draw {
  const random = mulberry32(seed);
  const chance = (p: number) => random() < p;
  const symmetric = (max: number) => (random() * 2 - 1) * max;
  const flip = chance(options.flip.p);
  const angle = chance(options.rotate.p) ? (symmetric(options.rotate.degrees) * Math.PI) / 180 : 0;
  // Zoom in only (factor in [1, max]): zooming out would pad the skull with empty borders.
  const scale = chance(options.zoom.p) ? 1 + random() * Math.max(0, options.zoom.max - 1) : 1;
  const bc = chance(options.brightnessContrast.p);
  const brightness = bc ? symmetric(options.brightnessContrast.brightness) : 0;
  const contrast = bc ? 1 + symmetric(options.brightnessContrast.contrast) : 1;
  return { flip, angle, scale, brightness, contrast };
}

/** Horizontal flip of an HWC image (used by augmentation and by test-time augmentation). */
export function flipHorizontal(image: Float32Array, size: number, channels: number): Float32Array {
  const out = new Float32Array(image.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + (size - 1 - x)) * channels;
      const to = (y * size + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = image[from + c];
    }
  }
  return out;
}

/** Returns a new augmented image; the same (options, seed) always gives the same result. */
export function augmentImage(image: Float32Array, size: number, channels: number, options: AugmentOptions, seed: number): Float32Array {
  const d = draw(options, seed);
  let out = d.angle !== 0 || d.scale !== 1 ? affine(image, size, channels, d.angle, d.scale) : image;
  if (d.flip) out = flipHorizontal(out, size, channels);
  if (d.brightness !== 0 || d.contrast !== 1) {
    if (out === image) out = image.slice();
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, (out[i] - 0.5) * d.contrast + 0.5 + d.brightness));
  }
  return out === image ? image.slice() : out;
}

/** Rotation by `angle` (radians) and zoom by `scale` about the image centre, bilinear, zero outside (also test-time augmentation). */
export function affine(image: Float32Array, size: number, channels: number, angle: number, scale: number): Float32Array {
  const out = new Float32Array(image.length);
  const centre = (size - 1) / 2;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - centre;
      const dy = y - centre;
      const sx = cos * dx + sin * dy + centre;
      const sy = -sin * dx + cos * dy + centre;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= size || y0 >= size) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const to = (y * size + x) * channels;
      for (let c = 0; c < channels; c++) {
        const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= size || yy >= size ? 0 : image[(yy * size + xx) * channels + c]);
        out[to + c] = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
      }
    }
  }
  return out;
}
