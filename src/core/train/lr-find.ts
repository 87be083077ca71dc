// Learning-rate finder (Smith 2015 / fastai): train the model `ich train` would start from (fresh
// weights, or model.pretrained) while the learning rate grows exponentially, smooth the loss, and
// suggest a rate where it falls fastest. With a fine_tune stage the sweep is the head's rate: the
// model is frozen or unfrozen as in that stage and the body groups follow at the stage's multipliers.
import { preprocessOptions } from "../data/dataset";
import { LoaderPool } from "../data/loader-pool";
import type { BackendChoice, ExperimentConfig } from "../experiment/types";
import type { RunStore } from "../runs";
import type { ProgressEvent } from "../runs/types";
import { outputsLogits } from "../predict/infer";
import { AdamW } from "./adamw";
import { epochBatches, openTraining, type BatchTrainer } from "./batch-training";
import type { EngineChoice } from "../inference/engine";
import { openStepRunner, type StepRunner } from "./step-runner";
import { initialModel } from "./initial-model";
import { exponentialLr } from "./schedule";
import { imageSizeForEpoch } from "../experiment";
import { enterStage, firstEpochOf, type Stage } from "./fine-tune";
import { trainableVariables } from "./step";

export interface LrFindOptions {
  config: ExperimentConfig;
  /** Where a `run:<id>` model.pretrained is found. */
  runStore: RunStore;
  backend?: BackendChoice;
  /** Sweep length; default 100, fewer when the training set is small. */
  steps?: number;
  minLr?: number;
  maxLr?: number;
  /** Sweep as in this train.fineTune stage (frozen: head and batch norm; unfrozen: every group). */
  stage?: Stage;
  loaderWorkers?: number;
  /** What computes the steps (overrides `train.engine`), as in `ich train`. */
  engine?: EngineChoice;
  signal?: AbortSignal;
  onEvent?: (event: ProgressEvent) => void;
}

export interface LrFindPoint {
  lr: number;
  loss: number;
  /** Exponential moving average (β = 0.9), bias-corrected. */
  smoothed: number;
}

export interface LrFindResult {
  points: LrFindPoint[];
  /** Where the smoothed loss falls fastest (steepest negative slope against log10 LR). */
  steepestLr: number;
  /** The LR of the minimal smoothed loss, divided by 10. */
  minimumLr: number;
  suggestedLr: number;
  stoppedEarly: boolean;
  backend: string;
  device: string;
  /** What computed the steps, as run.json's trainingEngine of `ich train` ("ONNX Runtime … on the CPU, N threads", "TF.js wasm"). */
  trainingEngine: string;
  /** Input size swept at. */
  size: number;
  stage?: Stage;
}

/** Suggestions from a smoothed curve; exported for tests. */
export function suggestFromCurve(points: readonly LrFindPoint[]): { steepestLr: number; minimumLr: number } {
  if (points.length < 3) throw new Error(`lr-find: only ${points.length} points; need at least 3`);
  let min = 0;
  points.forEach((p, i) => {
    if (p.smoothed < points[min].smoothed) min = i;
  });
  // Skip the first tenth (the moving average is still settling) and stop at the minimum (past it
  // the loss diverges).
  const skip = Math.max(1, Math.floor(points.length / 10));
  let steepest = Math.min(skip, min);
  let slope = Number.POSITIVE_INFINITY;
  for (let i = skip; i <= min; i++) {
    const s = (points[i].smoothed - points[i - 1].smoothed) / (Math.log10(points[i].lr) - Math.log10(points[i - 1].lr));
    if (s < slope) {
      slope = s;
      steepest = i;
    }
  }
  return { steepestLr: points[steepest].lr, minimumLr: points[min].lr / 10 };
}

export async function lrFind(options: LrFindOptions): Promise<LrFindResult> {
  const { config } = options;
  const warn = (message: string) => options.onEvent?.({ type: "warning", message });
  const { backend, tf, plan, labels, channels, weights } = await openTraining(config, options.backend, warn);
  const batchesPerEpoch = Math.ceil(plan.train.length / config.train.batchSize);
  const steps = options.steps ?? Math.min(100, Math.max(20, batchesPerEpoch * 3));
  const minLr = options.minLr ?? 1e-7;
  const maxLr = options.maxLr ?? 1;
  const model = await initialModel(tf, config, channels, labels.length, options.runStore);
  const optimizer = new AdamW(tf, minLr, config.train.weightDecay);
  const fineTune = config.train.fineTune;
  if (options.stage && !fineTune) {
    model.dispose();
    throw new Error(`lr-find --stage ${options.stage}: the experiment has no train.fineTune`);
  }
  const variables = options.stage && fineTune ? enterStage(model, config.model.architecture, fineTune, optimizer, options.stage) : trainableVariables(model);
  const trainer: BatchTrainer = { tf, model, optimizer, variables, logits: outputsLogits(model), labels, weights, channels };
  const pool = new LoaderPool(options.loaderWorkers ?? 1);
  // The input size training uses at the start of the sweep's stage (progressive resizing).
  const size = imageSizeForEpoch(config, options.stage && fineTune ? firstEpochOf(fineTune, options.stage) : 1);
  const points: LrFindPoint[] = [];
  let average = 0;
  let best = Number.POSITIVE_INFINITY;
  let stoppedEarly = false;
  let runner: StepRunner | undefined;
  let trainingEngine: string;
  try {
    // The engine `ich train` would use, so the curve is the one training will see. The model is
    // discarded afterwards, so the ONNX engine's weights are never synced back into it.
    const opened = await openStepRunner(
      trainer,
      {
        engine: options.engine ?? config.train.engine ?? "auto", backend: backend.backend, workers: config.train.workers ?? "auto",
        batchSize: config.train.batchSize, size, seed: config.train.seed, firstStep: 0,
      },
      warn,
    );
    runner = opened.runner;
    trainingEngine = opened.description;
    sweep: for (let epoch = 1; points.length < steps; epoch++) {
      const batches = epochBatches(pool, config, plan.train, epoch, preprocessOptions(config, size), channels);
      for await (const batch of batches) {
        if (options.signal?.aborted) {
          stoppedEarly = true;
          break sweep;
        }
        const i = points.length;
        const lr = exponentialLr(i, steps, minLr, maxLr);
        const loss = await runner.step(batch, size, lr);
        average = 0.9 * average + 0.1 * loss;
        const smoothed = average / (1 - Math.pow(0.9, i + 1));
        points.push({ lr, loss, smoothed });
        options.onEvent?.({ type: "log", message: `lr-find step ${i + 1}/${steps}: lr ${lr.toExponential(2)}, loss ${loss.toFixed(4)}` });
        best = Math.min(best, smoothed);
        if (!Number.isFinite(loss) || (i > 5 && smoothed > 4 * best)) {
          stoppedEarly = true;
          break sweep;
        }
        if (points.length >= steps) break sweep;
      }
    }
  } finally {
    await runner?.close();
    await pool.close();
    optimizer.dispose();
    model.dispose();
  }
  const finite = points.filter((p) => Number.isFinite(p.smoothed));
  const { steepestLr, minimumLr } = suggestFromCurve(finite);
  return {
    points, steepestLr, minimumLr, suggestedLr: steepestLr, stoppedEarly,
    backend: backend.backend, device: backend.device, trainingEngine, size, stage: options.stage,
  };
}
