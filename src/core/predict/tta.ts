// Test-time augmentation: the transforms of `eval.tta`, applied to prepared NHWC batches in plain
// TypeScript so every engine (TF.js, ONNX Runtime) averages over exactly the same images.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { affine, flipHorizontal } from "../data/augment";
import type { InferenceEngine } from "../inference/engine";

/** `eval.tta` as an object: each listed transform is one extra prediction to average. */
export interface TtaConfig {
  /** The left-right mirror (default true). */
  flip?: boolean;
  /** Rotations in degrees, e.g. [-10, 10]. */
  rotate?: number[];
  /** Zoom-in factors (> 1), e.g. [1.1]. */
  zoom?: number[];
}

/** `eval.tta`: false (none), true (flip, as before) or a list of transforms. */
export type TtaSetting = boolean | TtaConfig;

/** One view of the image: mirrored or not, rotated by `degrees`, zoomed by `zoom`. */
export interface TtaTransform {
  flip: boolean;
  degrees: number;
  zoom: number;
}

const IDENTITY: TtaTransform = { flip: false, degrees: 0, zoom: 1 };

/** The views whose probabilities are averaged; the first is always the image itself. */
export function ttaTransforms(setting: TtaSetting | undefined): TtaTransform[] {
  if (!setting) return [IDENTITY];
  const config: TtaConfig = setting === true ? { flip: true } : setting;
  const views = [IDENTITY];
  if (config.flip ?? true) views.push({ ...IDENTITY, flip: true });
  for (const degrees of config.rotate ?? []) if (degrees !== 0) views.push({ ...IDENTITY, degrees });
  for (const zoom of config.zoom ?? []) if (zoom !== 1) views.push({ ...IDENTITY, zoom });
  return views;
}

/** True when the setting adds any view to the image itself. */
export function ttaActive(setting: TtaSetting | undefined): boolean {
  return ttaTransforms(setting).length > 1;
}

/** Short description for logs, e.g. "flip, rotate -10°, rotate 10°, zoom ×1.1"; "" without TTA. */
export function describeTta(setting: TtaSetting | undefined): string {
  return ttaTransforms(setting)
    .slice(1)
    .map((t) => (t.flip ? "flip" : t.degrees !== 0 ? `rotate ${t.degrees}°` : `zoom ×${t.zoom}`))
    .join(", ");
}

/** One HWC image seen through `t` (a new array). */
export function transformImage(image: Float32Array, size: number, channels: number, t: TtaTransform): Float32Array {
  let out = t.degrees !== 0 || t.zoom !== 1 ? affine(image, size, channels, (t.degrees * Math.PI) / 180, t.zoom) : image;
  if (t.flip) out = flipHorizontal(out, size, channels);
  return out === image ? image.slice() : out;
}

/**
 * Probabilities of `n` prepared NHWC images averaged over the views of `setting`. All views go to
 * the engine as one batch of n × views rows (one engine call, as the ONNX flip path did).
 */
export async function predictWithTta(engine: Pick<InferenceEngine, "predict">, x: Float32Array, n: number, size: number, channels: number, setting: TtaSetting | undefined): Promise<Float32Array> {
  const views = ttaTransforms(setting);
  if (views.length === 1) return engine.predict(x, n, false);
  const per = size * size * channels;
  const batch = new Float32Array(views.length * n * per);
  views.forEach((view, v) => {
    for (let i = 0; i < n; i++) {
      const image = x.subarray(i * per, (i + 1) * per);
      batch.set(v === 0 ? image : transformImage(image, size, channels, view), (v * n + i) * per);
    }
  });
  const all = await engine.predict(batch, views.length * n, false);
  const outputs = all.length / (views.length * n);
  const mean = new Float32Array(n * outputs);
  for (let v = 0; v < views.length; v++) for (let j = 0; j < n * outputs; j++) mean[j] += all[v * n * outputs + j];
  for (let j = 0; j < mean.length; j++) mean[j] /= views.length;
  return mean;
}

/** The `eval.tta` a run was trained with (its run.json next to the model folder), if any. */
export function runTtaSetting(modelDir: string): TtaSetting | undefined {
  for (const file of [join(dirname(modelDir), "run.json"), join(modelDir, "run.json")]) {
    if (!existsSync(file)) continue;
    try {
      const record = JSON.parse(readFileSync(file, "utf8")) as { config?: { eval?: { tta?: TtaSetting } } };
      return record.config?.eval?.tta;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The TTA to use: `requested` false/object wins; true means the run's own views when it has any,
 * else the flip; undefined means the run's setting.
 */
export function resolveTta(requested: TtaSetting | undefined, runSetting: TtaSetting | undefined): TtaSetting {
  if (requested === undefined) return runSetting ?? false;
  if (requested === true) return ttaActive(runSetting) ? runSetting! : true;
  return requested;
}
