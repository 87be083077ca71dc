// HU → display RGBA on the client, using the engine's windows (src/shared/window.ts) so the
// preview shows exactly what the data pipeline computes. Int16 slices go through a 64 Ki lookup
// table built with the same function, so a window change repaints 512×512 in a few milliseconds.
import { DEFAULT_CHANNEL_WINDOWS, WINDOWS, channelsToRgba, customWindow, windowToRgba, type Window } from "../../src/shared/window";

export type { Window };
export type HuArray = Int16Array | Float32Array;

export const PRESETS: readonly { id: string; label: string; window: Window }[] = [
  { id: "brain", label: "Brain", window: WINDOWS.brain },
  { id: "subdural", label: "Subdural", window: WINDOWS.subdural },
  { id: "stroke", label: "Stroke", window: WINDOWS.stroke },
  { id: "bone", label: "Bone", window: WINDOWS.bone },
  { id: "soft-tissue", label: "Soft tissue", window: WINDOWS["soft-tissue"] },
];

export function makeWindow(width: number, level: number): Window {
  return customWindow(Math.max(1, width), level);
}

let int16Domain: Float32Array | undefined;
/** Every int16 value as a float, the domain of the lookup tables. */
function allInt16(): Float32Array {
  if (!int16Domain) {
    int16Domain = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) int16Domain[i] = i - 32768;
  }
  return int16Domain;
}

const lutCache = new Map<string, Uint8ClampedArray>();
/** RGBA for every int16 HU value under `windows` (1 window = grey, 3 = model view channels). */
function lutFor(windows: readonly Window[], invert: boolean): Uint8ClampedArray {
  const key = `${windows.map((w) => `${w.width}/${w.level}`).join(",")}|${invert}`;
  let lut = lutCache.get(key);
  if (!lut) {
    lut = windows.length === 1 ? windowToRgba(allInt16(), windows[0], undefined, invert) : channelsToRgba(allInt16(), windows);
    if (lutCache.size > 32) lutCache.clear();
    lutCache.set(key, lut);
  }
  return lut;
}

function applyLut(hu: Int16Array, lut: Uint8ClampedArray, out: Uint8ClampedArray): Uint8ClampedArray {
  const lut32 = new Uint32Array(lut.buffer, lut.byteOffset, lut.length / 4);
  const out32 = new Uint32Array(out.buffer, out.byteOffset, hu.length);
  for (let i = 0; i < hu.length; i++) out32[i] = lut32[hu[i] + 32768];
  return out;
}

/** Windowed grey values into `out` (RGBA, opaque); `invert` for MONOCHROME1 or the user's toggle. */
export function huToRgba(hu: HuArray, window: Window, invert: boolean, out: Uint8ClampedArray): Uint8ClampedArray {
  if (hu instanceof Int16Array) return applyLut(hu, lutFor([window], invert), out);
  return windowToRgba(hu, window, out, invert);
}

/** Model view: brain / subdural / bone windows as R, G, B — the model's input channels, never inverted. */
export function modelViewToRgba(hu: HuArray, out: Uint8ClampedArray): Uint8ClampedArray {
  if (hu instanceof Int16Array) return applyLut(hu, lutFor(DEFAULT_CHANNEL_WINDOWS, false), out);
  return channelsToRgba(hu, DEFAULT_CHANNEL_WINDOWS, out);
}

/** Colour images arrive as RGBA already; invert flips the colour channels. */
export function colourToRgba(rgba: Uint8Array, invert: boolean, out: Uint8ClampedArray): Uint8ClampedArray {
  if (!invert) {
    out.set(rgba);
    return out;
  }
  for (let o = 0; o < rgba.length; o += 4) {
    out[o] = 255 - rgba[o];
    out[o + 1] = 255 - rgba[o + 1];
    out[o + 2] = 255 - rgba[o + 2];
    out[o + 3] = rgba[o + 3];
  }
  return out;
}

/** Heat 0..1 → translucent red→yellow (alpha scaled by opacity). */
export function heatToRgba(values: ArrayLike<number>, opacity: number, out: Uint8ClampedArray): Uint8ClampedArray {
  for (let i = 0, o = 0; i < values.length; i++, o += 4) {
    const v = Math.min(1, Math.max(0, values[i]));
    out[o] = 255;
    out[o + 1] = Math.round(255 * v * v);
    out[o + 2] = 0;
    out[o + 3] = Math.round(255 * opacity * v);
  }
  return out;
}
