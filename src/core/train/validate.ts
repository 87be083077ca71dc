// Per-epoch validation: inference on the validation samples, scored by the metrics module.
import type { ExperimentConfig } from "../experiment/types";
import type { Label } from "../../shared/labels";
import { evaluate, type Evaluation } from "../metrics";
import type { EpochValidation } from "../runs/types";
import type { LoaderPool } from "../data/loader-pool";
import type { PreprocessOptions, Sample } from "../data/sample";
import { assertFiniteProbabilities, inferSamples, selectTargets, type InferenceResult } from "../predict/infer";
import type { LayersModel, Tf } from "./tf-types";

export interface ValidationOutcome {
  evaluation: Evaluation;
  inference: InferenceResult;
  /** Samples that were scored (failed ones are left out and listed in `failures`). */
  scored: Sample[];
  failures: { id: string; error: string }[];
}

export async function validateModel(
  tf: Tf,
  model: LayersModel,
  pool: LoaderPool,
  samples: readonly Sample[],
  config: ExperimentConfig,
  labels: readonly Label[],
  preprocess: PreprocessOptions,
  channels: number,
  tta: boolean,
  signal?: AbortSignal,
  onBatch?: (done: number, total: number) => void,
  /** Names the model in the error when it outputs NaN. */
  modelName = "validation",
): Promise<ValidationOutcome> {
  const batchSize = config.train.batchSize;
  const inference = await inferSamples(tf, model, pool, samples, { preprocess, channels, batchSize, outputs: labels.length, tta, signal, onBatch });
  return scoreInference(inference, samples, config, labels, modelName);
}

/** Scores an inference over labelled samples (any engine); throws, naming `modelName`, on NaN outputs. */
export function scoreInference(
  inference: InferenceResult,
  samples: readonly Sample[],
  config: ExperimentConfig,
  labels: readonly Label[],
  modelName: string,
): ValidationOutcome {
  assertFiniteProbabilities(inference, labels.length, modelName);
  const k = labels.length;
  const targets = selectTargets(inference.targets, labels);
  const keep = samples.map((_, i) => inference.errors[i] === null);
  const scored = samples.filter((_, i) => keep[i]);
  if (scored.length === 0) throw new Error(`validation: none of the ${samples.length} validation images could be prepared (first error: ${inference.errors.find(Boolean)})`);
  const yTrue = new Float32Array(scored.length * k);
  const yPred = new Float32Array(scored.length * k);
  let row = 0;
  samples.forEach((_, i) => {
    if (!keep[i]) return;
    yTrue.set(targets.subarray(i * k, (i + 1) * k), row * k);
    yPred.set(inference.probabilities.subarray(i * k, (i + 1) * k), row * k);
    row++;
  });
  const evaluation = evaluate(yTrue, yPred, { labels, weights: config.train.labelWeights, thresholds: config.eval.thresholds });
  const failures = samples.flatMap((s, i) => (inference.errors[i] ? [{ id: s.id, error: inference.errors[i] }] : []));
  return { evaluation, inference, scored, failures };
}

/** The compact per-epoch form stored in metrics.jsonl and progress events. */
export function epochValidation(e: Evaluation): EpochValidation {
  const perLabel: EpochValidation["perLabel"] = {};
  for (const label of e.labels) {
    const m = e.perLabel[label]!;
    perLabel[label] = { logLoss: m.logLoss, auc: m.auc, accuracy: m.accuracy, sensitivity: m.sensitivity, specificity: m.specificity, f1: m.f1 };
  }
  return { loss: e.loss, weightedLogLoss: e.weightedLogLoss, meanAuc: e.meanAuc, perLabel };
}
