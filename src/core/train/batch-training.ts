// The pieces `ich train` and `ich lr-find` share: opening backend and data for a config, the
// shuffled and augmented batches of one epoch, and one optimisation step on a loaded batch.
import { epochShuffleSeed, streamBatches, type Batch } from "../data/batch-loader";
import { modelChannels, openDataset, type DatasetPlan } from "../data/dataset";
import type { LoaderPool } from "../data/loader-pool";
import { hashSeed } from "../data/rng";
import type { PreprocessOptions, Sample } from "../data/sample";
import { modelLabels } from "../experiment";
import type { BackendChoice, ExperimentConfig } from "../experiment/types";
import type { Label } from "../../shared/labels";
import { selectTargets } from "../predict/infer";
import { initBackend, type BackendInfo } from "../tf/backend";
import type { AdamW } from "./adamw";
import { trainStep } from "./step";
import type { LayersModel, Tf, Variable } from "./tf-types";

export interface TrainingSetup {
  backend: BackendInfo;
  tf: Tf;
  plan: DatasetPlan;
  labels: Label[];
  channels: number;
  /** Loss weight of each model output, in `labels` order. */
  weights: number[];
}

/** Starts the backend (its warnings go to `warn`) and indexes the config's data. */
export async function openTraining(config: ExperimentConfig, prefer: BackendChoice | undefined, warn: (message: string) => void): Promise<TrainingSetup> {
  const backend = await initBackend({ prefer: prefer ?? config.train.backend });
  const tf = backend.tf;
  for (const message of backend.warnings) warn(message);
  const plan = await openDataset(config);
  const labels = modelLabels(config);
  return { backend, tf, plan, labels, channels: modelChannels(config), weights: labels.map((l) => config.train.labelWeights[l]) };
}

/** The training batches of one epoch; shuffle and augmentation draws depend only on (seed, epoch). */
export function epochBatches(
  pool: LoaderPool,
  config: ExperimentConfig,
  samples: readonly Sample[],
  epoch: number,
  preprocess: PreprocessOptions,
  channels: number,
  range: { startBatch?: number; maxBatches?: number } = {},
): AsyncGenerator<Batch> {
  return streamBatches(pool, {
    samples,
    batchSize: config.train.batchSize,
    preprocess,
    channels,
    augment: config.train.augment,
    shuffleSeed: epochShuffleSeed(config.train.seed, epoch),
    augmentSeed: hashSeed(config.train.seed, "augment", epoch),
    ...range,
  });
}

export interface BatchTrainer {
  tf: Tf;
  model: LayersModel;
  optimizer: AdamW;
  variables: Variable[];
  /** Whether the model outputs logits (no final sigmoid). */
  logits: boolean;
  labels: readonly Label[];
  weights: readonly number[];
  channels: number;
}

/** Throws on the first image of `batch` that failed to load. */
export function assertBatchLoaded(batch: Batch): void {
  const failed = batch.errors.findIndex(Boolean);
  if (failed >= 0) throw new Error(`training image ${batch.samples[failed].id}: ${batch.errors[failed]}`);
}

/** One step at learning rate `lr` on a batch of `size`×`size` images; throws on the first image that failed to load. */
export function trainOnBatch(trainer: BatchTrainer, batch: Batch, size: number, lr: number): number {
  assertBatchLoaded(batch);
  const { tf, labels } = trainer;
  trainer.optimizer.setLearningRate(lr);
  const n = batch.samples.length;
  const x = tf.tensor4d(batch.x, [n, size, size, trainer.channels]);
  const y = tf.tensor2d(selectTargets(batch.y, labels), [n, labels.length]);
  const loss = trainStep(tf, trainer.model, trainer.optimizer, trainer.variables, x, y, trainer.weights, trainer.logits);
  x.dispose();
  y.dispose();
  return loss;
}
