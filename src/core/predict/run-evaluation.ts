// Scores a model on labelled samples and writes eval.json + predictions.csv into a run folder.
import type { ExperimentConfig } from "../experiment/types";
import { writeFileAtomic } from "../fs/atomic";
import type { LoaderPool } from "../data/loader-pool";
import type { Sample } from "../data/sample";
import type { Evaluation } from "../metrics";
import { writeSubmissionCsv, type RunPaths } from "../runs";
import type { PredictionRow } from "../runs/types";
import type { ModelInputSpec } from "../train/model-input";
import type { LayersModel, Tf } from "../train/tf-types";
import { scoreInference } from "../train/validate";
import type { EngineInfo, InferenceEngine } from "../inference/engine";
import type { OverlapCheck } from "./leak-guard";
import { inferWithEngine, outputsLogits, predictTfjsBatch } from "./infer";
import type { TtaSetting } from "./tta";

export interface RunEvaluation extends Evaluation {
  runId: string;
  /** What was evaluated, e.g. "synthetic: 96 validation slices". */
  data: string;
  tta: TtaSetting;
  inputSize: number;
  failures: { id: string; error: string }[];
  evaluatedAt: string;
  /** What ran the model (absent in evaluations written before engines were reported). */
  engine?: EngineInfo;
  /** Leak guard of `ich eval`: scored images of training patients (only with --allow-overlap), fingerprint check. */
  overlap?: OverlapCheck;
}

/** JSON.stringify replacer: JSON cannot hold NaN (undefined AUCs) or Infinity (the ROC corner threshold), so they become null. */
export function nonFiniteAsNull(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

/** eval.json text: indented, non-finite numbers as null. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, nonFiniteAsNull, 2)}\n`;
}

/** evaluateAndWrite with a TF.js model in memory (the end of training). */
export async function evaluateAndWrite(
  tf: Tf,
  model: LayersModel,
  pool: LoaderPool,
  samples: readonly Sample[],
  config: ExperimentConfig,
  spec: ModelInputSpec,
  paths: RunPaths,
  runId: string,
  data: string,
  tta: TtaSetting,
  extra: Partial<Pick<RunEvaluation, "overlap">> = {},
): Promise<RunEvaluation> {
  const logits = outputsLogits(model);
  const engine = { predict: (x: Float32Array, n: number, t: boolean) => predictTfjsBatch(tf, model, logits, x, [n, spec.preprocess.size, spec.channels], t) };
  return evaluateEngineAndWrite(engine, pool, samples, config, spec, paths, runId, data, tta, extra);
}

/** Scores the model `engine` runs on labelled samples; writes eval.json and predictions.csv. */
export async function evaluateEngineAndWrite(
  engine: Pick<InferenceEngine, "predict">,
  pool: LoaderPool,
  samples: readonly Sample[],
  config: ExperimentConfig,
  spec: ModelInputSpec,
  paths: RunPaths,
  runId: string,
  data: string,
  tta: TtaSetting,
  extra: Partial<Pick<RunEvaluation, "engine" | "overlap">> = {},
): Promise<RunEvaluation> {
  const inference = await inferWithEngine(engine, pool, samples, {
    preprocess: spec.preprocess, channels: spec.channels, batchSize: config.train.batchSize, outputs: spec.labels.length, tta,
  });
  const outcome = scoreInference(inference, samples, config, spec.labels, paths.modelDir);
  const result: RunEvaluation = {
    ...outcome.evaluation, runId, data, tta, inputSize: spec.preprocess.size, failures: outcome.failures, evaluatedAt: new Date().toISOString(), ...extra,
  };
  await writeFileAtomic(paths.evalJson, toJson(result));
  const k = spec.labels.length;
  const rows: PredictionRow[] = [];
  samples.forEach((sample, i) => {
    if (outcome.inference.errors[i]) return;
    const probabilities: PredictionRow["probabilities"] = {};
    spec.labels.forEach((label, l) => (probabilities[label] = outcome.inference.probabilities[i * k + l]));
    rows.push({ id: sample.id, probabilities });
  });
  await writeSubmissionCsv(paths.predictionsCsv, rows);
  return result;
}
