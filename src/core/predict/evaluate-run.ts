// `ich eval RUN [--data CONFIG_OR_DIR]`: scores a run's best model and (re)writes its eval.json
// and predictions.csv.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { openDataset } from "../data/dataset";
import { LoaderPool } from "../data/loader-pool";
import { indexRsnaFolder } from "../data/rsna-index";
import type { Sample } from "../data/sample";
import { loadExperiment } from "../experiment";
import type { BackendChoice, ExperimentConfig } from "../experiment/types";
import type { RunStore } from "../runs";
import { readModelInput } from "../train/model-input";
import type { EngineChoice } from "../inference/engine";
import { openEngine } from "../inference/open-engine";
import { guardEvaluation } from "./leak-guard";
import { evaluateEngineAndWrite, type RunEvaluation } from "./run-evaluation";
import { resolveTta, type TtaSetting } from "./tta";

export interface EvaluateRunOptions {
  /** An experiment file (its validation split is scored) or an RSNA folder (all its labelled DICOMs). Default: the run's own validation split. */
  data?: string;
  /** Overrides the run config's eval.tta (true: the run's views, or the flip when it has none). */
  tta?: TtaSetting;
  backend?: BackendChoice;
  /** auto (ONNX Runtime when the run has a current model.onnx), onnx or tfjs. */
  engine?: EngineChoice;
  loaderWorkers?: number;
  /** Score images of the run's training patients anyway (recorded in eval.json); default: refuse. */
  allowOverlap?: boolean;
  onLog?: (message: string) => void;
}

/** The labels CSV of an RSNA folder: stage_2_train.csv, labels.csv, or its only .csv file. */
export function findLabelsCsv(dir: string): string {
  const csvs = readdirSync(dir).filter((f) => f.toLowerCase().endsWith(".csv") && f !== "metadata.csv");
  for (const preferred of ["stage_2_train.csv", "labels.csv"]) if (csvs.includes(preferred)) return join(dir, preferred);
  if (csvs.length === 1) return join(dir, csvs[0]);
  throw new Error(`${dir}: ${csvs.length === 0 ? "no labels CSV" : `several CSV files (${csvs.join(", ")})`}; expected stage_2_train.csv or labels.csv`);
}

async function evaluationSamples(
  config: ExperimentConfig,
  data: string | undefined,
  onLog: (m: string) => void,
): Promise<{ samples: Sample[]; description: string; fingerprint?: string }> {
  if (data && existsSync(data) && statSync(data).isDirectory()) {
    const dicomDir = existsSync(join(data, "dicom")) && statSync(join(data, "dicom")).isDirectory() ? join(data, "dicom") : data;
    const metadata = join(data, "metadata.csv");
    const index = await indexRsnaFolder(dicomDir, findLabelsCsv(data), existsSync(metadata) ? metadata : undefined);
    index.notes.forEach(onLog);
    return { samples: index.samples, description: `${dicomDir}: all ${index.samples.length} labelled DICOM files` };
  }
  const source = data ? await loadExperiment(data) : config;
  const plan = await openDataset(source);
  plan.notes.forEach(onLog);
  if (plan.validation.length === 0) throw new Error(`${data ?? "the run's experiment"}: the validation split is empty (validationFraction is 0)`);
  return { samples: plan.validation, description: `${plan.description}; scored: the ${plan.validation.length} validation images`, fingerprint: data ? undefined : plan.fingerprint };
}

export async function evaluateRun(runStore: RunStore, runId: string, options: EvaluateRunOptions = {}): Promise<RunEvaluation> {
  const record = await runStore.get(runId);
  const paths = runStore.paths(runId);
  if (!existsSync(join(paths.modelDir, "model.json"))) throw new Error(`run ${runId}: no model in ${paths.modelDir} (it finished no epoch)`);
  const config = record.config as ExperimentConfig;
  const onLog = options.onLog ?? (() => undefined);
  const spec = await readModelInput(paths.modelDir);
  const { samples, description, fingerprint } = await evaluationSamples(config, options.data, onLog);
  const overlap = await guardEvaluation(samples, {
    runId,
    runDir: paths.dir,
    fingerprint: fingerprint ? { run: record.datasetFingerprint, now: fingerprint } : undefined,
    allowOverlap: options.allowOverlap,
    onLog,
  });
  const engine = await openEngine(paths.modelDir, spec, { engine: options.engine, backend: options.backend });
  [...engine.info.notes, ...(engine.info.warnings ?? [])].forEach(onLog);
  const pool = new LoaderPool(options.loaderWorkers ?? 1);
  try {
    const tta = resolveTta(options.tta, config.eval.tta);
    const result = await evaluateEngineAndWrite(engine, pool, samples, config, spec, paths, runId, description, tta, { engine: engine.info, overlap });
    return result;
  } finally {
    await pool.close();
    await engine.dispose();
  }
}
