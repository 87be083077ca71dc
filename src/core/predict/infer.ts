// Batched inference over samples through the shared preprocessing (used by per-epoch
// validation, `ich eval` and `ich predict`), with optional test-time augmentation (./tta).
import { streamBatches } from "../data/batch-loader";
import type { LoaderPool } from "../data/loader-pool";
import type { PreprocessOptions, Sample } from "../data/sample";
import { LABELS } from "../../shared/labels";
import type { InferenceEngine } from "../inference/engine";
import type { LayersModel, Tensor, Tf } from "../train/tf-types";
import { predictWithTta, type TtaSetting } from "./tta";

/** True when the model's last layer has no sigmoid, i.e. it outputs logits. */
export function outputsLogits(model: LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  const activation = (last.getConfig() as { activation?: string }).activation;
  return activation !== "sigmoid";
}

/** Model output → probabilities. */
export function probabilities(tf: Tf, output: Tensor, logits: boolean): Tensor {
  return logits ? tf.sigmoid(output) : output;
}

export interface InferenceResult {
  /** Row-major samples × outputs probabilities, in `samples` order. */
  probabilities: Float32Array;
  /** Row-major samples × 6 labels from the data (NaN where unknown). */
  targets: Float32Array;
  /** Per-sample error (null when predicted); failed rows hold NaN probabilities. */
  errors: (string | null)[];
}

export interface InferenceOptions {
  preprocess: PreprocessOptions;
  channels: number;
  batchSize: number;
  outputs: number;
  /** eval.tta: the views averaged per image (false: the image only). */
  tta: TtaSetting;
  onBatch?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** One TF.js forward pass of an NHWC batch (plus its left-right mirror with `tta`) → probabilities. */
export async function predictTfjsBatch(
  tf: Tf,
  model: LayersModel,
  logits: boolean,
  x: Float32Array,
  shape: [n: number, size: number, channels: number],
  tta: boolean,
): Promise<Float32Array> {
  const [n, size, channels] = shape;
  const out = tf.tidy(() => {
    const input = tf.tensor4d(x, [n, size, size, channels]);
    let p = probabilities(tf, model.predict(input) as Tensor, logits);
    if (tta) p = p.add(probabilities(tf, model.predict(tf.reverse(input, 2)) as Tensor, logits)).div(2);
    return p;
  });
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

export async function inferSamples(tf: Tf, model: LayersModel, pool: LoaderPool, samples: readonly Sample[], o: InferenceOptions): Promise<InferenceResult> {
  const logits = outputsLogits(model);
  const { size } = o.preprocess;
  return inferWithEngine({ predict: (x, n, tta) => predictTfjsBatch(tf, model, logits, x, [n, size, o.channels], tta) }, pool, samples, o);
}

/**
 * Inference through an engine (ONNX Runtime or TF.js). The loader pool prepares the next batches
 * (streamBatches prefetches two) while the engine runs the current one.
 */
export async function inferWithEngine(engine: Pick<InferenceEngine, "predict">, pool: LoaderPool, samples: readonly Sample[], o: InferenceOptions): Promise<InferenceResult> {
  const n = samples.length;
  const probs = new Float32Array(n * o.outputs);
  const targets = new Float32Array(n * LABELS.length);
  const errors = new Array<string | null>(n).fill(null);
  let row = 0;
  for await (const batch of streamBatches(pool, { samples, batchSize: o.batchSize, preprocess: o.preprocess, channels: o.channels, augment: null })) {
    if (o.signal?.aborted) throw new Error("inference cancelled");
    const b = batch.samples.length;
    const values = await predictWithTta(engine, batch.x, b, o.preprocess.size, o.channels, o.tta);
    probs.set(values, row * o.outputs);
    targets.set(batch.y, row * LABELS.length);
    batch.errors.forEach((error, i) => {
      if (error) {
        errors[row + i] = error;
        probs.fill(Number.NaN, (row + i) * o.outputs, (row + i + 1) * o.outputs);
      }
    });
    row += b;
    o.onBatch?.(row, n);
  }
  return { probabilities: probs, targets, errors };
}

/**
 * Throws, naming `model`, when it gave a non-finite probability for an image that was read: its
 * weights are corrupt (or training diverged), so none of its numbers mean anything.
 */
export function assertFiniteProbabilities(result: InferenceResult, outputs: number, model: string): void {
  let bad = 0;
  let first = Number.NaN;
  const read = result.errors.filter((e) => e === null).length;
  result.errors.forEach((error, i) => {
    if (error) return;
    const row = result.probabilities.subarray(i * outputs, (i + 1) * outputs);
    const value = row.find((p) => !Number.isFinite(p));
    if (value === undefined) return;
    if (bad++ === 0) first = value;
  });
  if (bad > 0) throw new Error(`${model}: the model outputs ${first} probabilities for ${bad} of ${read} images; its weights are corrupt or its training diverged`);
}

/** The target columns for the model's outputs (["any"] picks column 0 of the six). */
export function selectTargets(targets: Float32Array, labels: readonly string[]): Float32Array {
  const columns = labels.map((l) => LABELS.indexOf(l as (typeof LABELS)[number]));
  const n = targets.length / LABELS.length;
  const out = new Float32Array(n * columns.length);
  for (let i = 0; i < n; i++) columns.forEach((c, k) => (out[i * columns.length + k] = targets[i * LABELS.length + c]));
  return out;
}
