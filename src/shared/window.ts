// Display windows (width/level) for CT modality values. Browser-safe: the webviews bundle this
// file, so it must not import anything from Node.

/** A CT display window: values in [level - width/2, level + width/2] map linearly onto [0, 1]. */
export interface Window {
  name: string;
  width: number;
  level: number;
}

function preset(name: string, width: number, level: number): Window {
  return Object.freeze({ name, width, level });
}

/** Named presets (width, level in HU). */
export const WINDOWS = Object.freeze({
  brain: preset("brain", 80, 40),
  subdural: preset("subdural", 254, 100),
  "subdural-wide": preset("subdural-wide", 200, 80),
  stroke: preset("stroke", 8, 32),
  "stroke-wide": preset("stroke-wide", 40, 40),
  bone: preset("bone", 2800, 600),
  "soft-tissue": preset("soft-tissue", 375, 40),
}) satisfies Record<string, Window>;

export type WindowName = keyof typeof WINDOWS;

/** The three windows stacked as channels of the model input ("model view"). */
export const DEFAULT_CHANNEL_WINDOWS: readonly Window[] = Object.freeze([WINDOWS.brain, WINDOWS.subdural, WINDOWS.bone]);

export const WINDOW_NAMES = Object.keys(WINDOWS) as WindowName[];

/** A custom window; its name is "W<width>/L<level>". */
export function customWindow(width: number, level: number): Window {
  if (!Number.isFinite(width) || !Number.isFinite(level)) throw new Error(`window width and level must be numbers (got ${width}, ${level})`);
  if (width < 1) throw new Error(`window width must be at least 1 HU (got ${width})`);
  return { name: `W${width}/L${level}`, width, level };
}

function lookupPreset(token: string): Window | undefined {
  const key = token.toLowerCase().replace(/[\s_]+/g, "-");
  if (key in WINDOWS) return WINDOWS[key as WindowName];
  if (key === "softtissue" || key === "soft") return WINDOWS["soft-tissue"];
  return undefined;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Parses a window spec: a preset name ("brain"), a custom "W,L" pair ("80,40"; also "80/40" or
 * "80:40"), or a comma-separated list of those ("brain,subdural,bone", "brain,2800,600").
 * Throws an Error saying what is wrong for anything else.
 */
export function parseWindowSpec(spec: string): Window[] {
  const trimmed = spec.trim();
  if (trimmed === "") throw new Error(`empty window spec; use a name (${WINDOW_NAMES.join(", ")}) or W,L`);
  const tokens = trimmed.split(",").map((t) => t.trim());
  const windows: Window[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === "") throw new Error(`window spec '${spec}' has an empty item`);
    const pair = token.match(/^(.+?)[/:](.+)$/);
    if (pair && NUMBER.test(pair[1].trim()) && NUMBER.test(pair[2].trim())) {
      windows.push(customWindow(Number(pair[1]), Number(pair[2])));
      continue;
    }
    if (NUMBER.test(token)) {
      const next = tokens[i + 1]?.trim();
      if (next === undefined || !NUMBER.test(next)) {
        throw new Error(`window spec '${spec}': width ${token} needs a level after it (W,L such as 80,40)`);
      }
      windows.push(customWindow(Number(token), Number(next)));
      i++;
      continue;
    }
    const named = lookupPreset(token);
    if (!named) throw new Error(`unknown window '${token}' in '${spec}'; known: ${WINDOW_NAMES.join(", ")}, or W,L such as 80,40`);
    windows.push(named);
  }
  return windows;
}

/**
 * The DICOM linear VOI function (PS3.3 C.11.2.1.2.1) scaled to [0, 1]:
 * y = (x - (c - 0.5)) / (w - 1) + 0.5, clamped. Returns [offset, scale] with y = (x - offset) * scale.
 */
export function windowTransform(w: Window): [number, number] {
  const width = Math.max(1, w.width);
  if (width === 1) return [w.level - 0.5, Number.POSITIVE_INFINITY];
  return [w.level - 0.5 - (width - 1) / 2, 1 / (width - 1)];
}

/** Windows modality values (HU) into [0, 1]. `out` may be `hu` itself. */
export function applyWindow(hu: Float32Array, w: Window, out: Float32Array = new Float32Array(hu.length)): Float32Array {
  if (out.length < hu.length) throw new Error(`applyWindow: output holds ${out.length} values, need ${hu.length}`);
  const [offset, scale] = windowTransform(w);
  const n = hu.length;
  if (scale === Number.POSITIVE_INFINITY) {
    for (let i = 0; i < n; i++) out[i] = hu[i] > offset ? 1 : 0;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const v = (hu[i] - offset) * scale;
    out[i] = v <= 0 ? 0 : v >= 1 ? 1 : v;
  }
  return out;
}

/** Windowed greyscale as RGBA bytes (alpha 255); `invert` flips black and white. */
export function windowToRgba(
  hu: Float32Array,
  w: Window,
  out: Uint8ClampedArray = new Uint8ClampedArray(hu.length * 4),
  invert = false,
): Uint8ClampedArray {
  if (out.length < hu.length * 4) throw new Error(`windowToRgba: output holds ${out.length} bytes, need ${hu.length * 4}`);
  const [offset, rawScale] = windowTransform(w);
  const scale = rawScale === Number.POSITIVE_INFINITY ? 1e30 : rawScale * 255;
  const base = invert ? 255 : 0;
  const sign = invert ? -1 : 1;
  const n = hu.length;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    let v = (hu[i] - offset) * scale;
    v = v <= 0 ? 0 : v >= 255 ? 255 : v;
    const g = base + sign * v;
    out[j] = g;
    out[j + 1] = g;
    out[j + 2] = g;
    out[j + 3] = 255;
  }
  return out;
}

/**
 * The "model view": up to three windows of the same HU image as the R, G, B channels
 * (one window gives greyscale; missing channels are 0).
 */
export function channelsToRgba(
  hu: Float32Array,
  windows: readonly Window[] = DEFAULT_CHANNEL_WINDOWS,
  out: Uint8ClampedArray = new Uint8ClampedArray(hu.length * 4),
): Uint8ClampedArray {
  if (windows.length < 1 || windows.length > 3) throw new Error(`channelsToRgba: need 1 to 3 windows, got ${windows.length}`);
  if (windows.length === 1) return windowToRgba(hu, windows[0], out);
  if (out.length < hu.length * 4) throw new Error(`channelsToRgba: output holds ${out.length} bytes, need ${hu.length * 4}`);
  const n = hu.length;
  for (let c = 0; c < 3; c++) {
    const j0 = c;
    if (c >= windows.length) {
      for (let i = 0, j = j0; i < n; i++, j += 4) out[j] = 0;
      continue;
    }
    const [offset, rawScale] = windowTransform(windows[c]);
    const scale = rawScale === Number.POSITIVE_INFINITY ? 1e30 : rawScale * 255;
    for (let i = 0, j = j0; i < n; i++, j += 4) {
      const v = (hu[i] - offset) * scale;
      out[j] = v <= 0 ? 0 : v >= 255 ? 255 : v;
    }
  }
  for (let j = 3; j < n * 4; j += 4) out[j] = 255;
  return out;
}

/**
 * RGBA bytes from an HWC float tensor in [0, 1] (e.g. a model input): channel 0..2 → R, G, B;
 * a single channel is shown as grey; channels beyond the third are ignored.
 */
export function tensorToRgba(
  tensor: Float32Array,
  pixels: number,
  channels: number,
  out: Uint8ClampedArray = new Uint8ClampedArray(pixels * 4),
): Uint8ClampedArray {
  if (tensor.length < pixels * channels) throw new Error(`tensorToRgba: tensor holds ${tensor.length} values, need ${pixels * channels}`);
  for (let p = 0, i = 0, j = 0; p < pixels; p++, i += channels, j += 4) {
    const r = tensor[i] * 255;
    out[j] = r;
    out[j + 1] = channels > 1 ? tensor[i + 1] * 255 : r;
    out[j + 2] = channels > 2 ? tensor[i + 2] * 255 : channels > 1 ? 0 : r;
    out[j + 3] = 255;
  }
  return out;
}
