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
    throw new Error(`Cannot load the pretrained model ${source}: ${(error as Error).message}`);
  }
}
