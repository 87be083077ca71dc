// The unit of work a loader worker (or the main thread, as a fallback) does: prepare and
// augment a list of samples and pack them into one batch buffer.
import { LABELS } from "../../shared/labels";
import { augmentImage, type AugmentOptions } from "./augment";
import { prepareSample } from "./preprocess";
import { hashSeed } from "./rng";
import type { PreprocessOptions, Sample } from "./sample";
import { errorMessage } from "../../shared/errors";

export interface BatchTask {
  samples: Sample[];
  preprocess: PreprocessOptions;
  channels: number;
  /** Augmentation, or null for validation/prediction. */
  augment: AugmentOptions | null;
  /** Per-sample augmentation seeds derive from this and the sample's position in the epoch. */
  augmentSeed: number;
}

export interface BatchResult {
  /** samples*size*size*channels values (NHWC); failed samples are left as zeros. */
  x: Float32Array;
  /** samples*6 labels (NaN where unknown). */
  y: Float32Array;
  /** Per-sample error message, or null when the sample was prepared. */
  errors: (string | null)[];
}

export async function runBatchTask(task: BatchTask): Promise<BatchResult> {
  const { size } = task.preprocess;
  const per = size * size * task.channels;
  const x = new Float32Array(task.samples.length * per);
  const y = new Float32Array(task.samples.length * LABELS.length).fill(Number.NaN);
  const errors: (string | null)[] = [];
  for (let i = 0; i < task.samples.length; i++) {
    const sample = task.samples[i];
    try {
      const prepared = await prepareSample(sample, task.preprocess);
      const image = task.augment ? augmentImage(prepared.image, size, task.channels, task.augment, hashSeed(task.augmentSeed, sample.id, i)) : prepared.image;
      if (image.length !== per) throw new Error(`${sample.id}: ${image.length / (size * size)} channels, the model expects ${task.channels}`);
      x.set(image, i * per);
      if (prepared.labels) y.set(prepared.labels, i * LABELS.length);
      errors.push(null);
    } catch (error) {
      errors.push(errorMessage(error));
    }
  }
  return { x, y, errors };
}
