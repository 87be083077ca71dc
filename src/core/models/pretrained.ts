import { fileURLToPath } from "node:url";
import { loadModel } from "./io";
import type { LayersModel, Tf } from "./types";

/**
 * Loads a TF.js layers model to fine-tune from: an http(s) URL of a model.json (through
 * tf.loadLayersModel), a file:// URL, or a plain path to a model directory or model.json.
 */
export async function loadPretrained(tf: Tf, source: string): Promise<LayersModel> {
  try {
    if (/^https?:\/\//i.test(source)) return await tf.loadLayersModel(source);
    if (/^file:\/\//i.test(source)) return await loadModel(tf, fileURLToPath(source));
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(source)) throw new Error("unsupported scheme; use a path, file:// or http(s)://");
    return await loadModel(tf, source);
  } catch (error) {
    throw new Error(`Cannot load the pretrained model ${source}: ${(error as Error).message}`, { cause: error });
  }
}

/** torchvision's ImageNet statistics (RGB), which fastai's Normalize.from_stats(*imagenet_stats) applies to pretrained models. */
export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

/**
 * ImageNet mean/std for `channels` input channels, following the first convolution's adaptation
 * (src/core/onnx/import-map.ts): channel c takes the statistics of RGB channel c mod 3; a single
 * channel the mean of the three.
 */
export function imagenetNormalization(channels: number): { mean: number[]; std: number[] } {
  if (channels === 1) return { mean: [IMAGENET_MEAN.reduce((a, b) => a + b) / 3], std: [IMAGENET_STD.reduce((a, b) => a + b) / 3] };
  return { mean: Array.from({ length: channels }, (_, c) => IMAGENET_MEAN[c % 3]), std: Array.from({ length: channels }, (_, c) => IMAGENET_STD[c % 3]) };
}
