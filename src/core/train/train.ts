// The training loop behind `ich train` and the extension's Train command.
import { batchCount } from "../data/batch-loader";
import { preprocessOptions, sourceKind } from "../data/dataset";
import { LoaderPool } from "../data/loader-pool";
import type { BackendChoice, ExperimentConfig } from "../experiment/types";
import { imageSizeForEpoch, pretrainedSource } from "../experiment";
import { countParameters, loadModel, saveModel } from "../models";
import { exportAtRunEnd } from "../onnx/export";
import { evaluateAndWrite } from "../predict/run-evaluation";
import type { RunHandle, RunStore } from "../runs";
import type { ProgressEvent, RunStatus } from "../runs/types";
import { guardFineTune, readTrainingGroups, validationOverlap, writeTrainingGroups } from "../predict/leak-guard";
import { AdamW } from "./adamw";
import { BadImageTracker, sampleFile } from "./bad-images";
import { epochBatches, openTraining, type BatchTrainer } from "./batch-training";
import { findCheckpoint, loadCheckpoint, saveCheckpoint, type LoopState } from "./checkpoint";
import type { EngineChoice } from "../inference/engine";
import type { TrainWorkersSetting } from "./parallel";
import { openStepRunner, type StepRunnerOptions } from "./step-runner";
import { initialModel } from "./initial-model";
import { readModelInput, writeModelInput } from "./model-input";
import { outputsLogits } from "../predict/infer";
import { makeSchedule, peakLr } from "./schedule";
import { enterStage, fineTuneLr, stageOfEpoch, withAllTrainable, type Stage } from "./fine-tune";
import { describeTta, ttaActive } from "../predict/tta";
import { trainableVariables } from "./step";
import { TrainLog } from "./train-log";
import type { LayersModel } from "./tf-types";
import { epochValidation, validateModel } from "./validate";
import { errorMessage } from "../../shared/errors";

export interface TrainOptions {
  config: ExperimentConfig;
  experimentPath?: string;
  runStore: RunStore;
  name?: string;
  /** Continue this run from its last checkpoint (its config snapshot wins over `config`). */
  resumeRunId?: string;
  backend?: BackendChoice;
  /** Abort = stop after the current step, save a checkpoint, mark the run cancelled. */
  signal?: AbortSignal;
  onEvent?: (event: ProgressEvent) => void;
  /** Loader worker threads (default 1: the other core trains). 0 prepares batches in-thread. */
  loaderWorkers?: number;
  /** Train although the validation split holds patients a `run:` model.pretrained trained on (a warning instead of an error). */
  allowOverlap?: boolean;
  /** Data-parallel training replicas (overrides `train.workers`). */
  trainWorkers?: TrainWorkersSetting;
  /** What computes the steps (overrides `train.engine`). */
  engine?: EngineChoice;
}

export interface TrainResult {
  runId: string;
  runDir: string;
  status: RunStatus;
  epochsDone: number;
  best?: { epoch: number; weightedLogLoss: number; meanAuc: number };
}

const HEARTBEAT_MS = 5_000;

function freshState(): LoopState {
  return {
    epoch: 1, batch: 0, globalStep: 0, epochLossSum: 0, epochLossCount: 0,
    bestLoss: null, bestEpoch: null, bestMeanAuc: null, epochsWithoutImprovement: 0, savedAt: new Date().toISOString(),
  };
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const log = new TrainLog();
  const emit = (event: ProgressEvent) => {
    log.record(event);
    options.onEvent?.(event);
  };
  let resumed: RunHandle | null = null;
  let config = options.config;
  let resumeFrom: string | null = null;
  if (options.resumeRunId) {
    const record = await options.runStore.get(options.resumeRunId);
    if (record.status === "running") throw new Error(`run ${options.resumeRunId} is still running (pid ${record.pid} on ${record.host}); cancel it first`);
    if (record.status === "completed") throw new Error(`run ${options.resumeRunId} already completed all its epochs`);
    resumeFrom = findCheckpoint(options.runStore.paths(options.resumeRunId).checkpointDir);
    if (!resumeFrom) throw new Error(`run ${options.resumeRunId}: no checkpoint in ${options.runStore.paths(options.resumeRunId).checkpointDir} to resume from`);
    config = record.config as ExperimentConfig;
  }
  const { backend, tf, plan, labels, channels, weights } = await openTraining(config, options.backend, (message) => emit({ type: "warning", message }));
  const source = resumeFrom ? undefined : pretrainedSource(config);
  const inherited = source?.kind === "run" ? await guardFineTune(source.runId, options.runStore.paths(source.runId).dir, plan.validation, options.allowOverlap === true, (message) => emit({ type: "warning", message })) : null;

  let model: LayersModel;
  let state = freshState();
  const optimizer = new AdamW(tf, peakLr(config.train.schedule), config.train.weightDecay);
  if (resumeFrom) {
    const checkpoint = await loadCheckpoint(tf, resumeFrom);
    model = checkpoint.model;
    state = checkpoint.state;
    await optimizer.restore(checkpoint.optimizer);
    resumed = await options.runStore.open(options.resumeRunId!);
    await resumed.update({ backend: backend.backend, device: backend.device });
  } else {
    model = await initialModel(tf, config, channels, labels.length, options.runStore);
  }
  const run =
    resumed ??
    (await options.runStore.createRun({
      name: options.name ?? config.name,
      experimentPath: options.experimentPath,
      config,
      backend: backend.backend,
      device: backend.device,
      architecture: config.model.architecture,
      epochsPlanned: config.train.epochs,
      datasetFingerprint: plan.fingerprint,
      parameterCount: countParameters(model),
    }));
  log.attach(run);
  const runId = run.id;
  if (!resumed) await writeTrainingGroups(run.dir, config.data.split.by, plan.train, inherited);
  const badImages = new BadImageTracker(plan.train.length, config.train.maxBadImageShare ?? 0.01, resumed?.record.badImages, resumed?.record.badImageCount);
  const warn = (message: string) => emit({ type: "warning", runId, message });
  for (const note of plan.notes) warn(note);
  const previousFingerprint = resumed?.record.datasetFingerprint;
  if (previousFingerprint && previousFingerprint !== plan.fingerprint) warn(`the data changed since this run started (fingerprint ${previousFingerprint}, now ${plan.fingerprint}); resuming on the current data`);
  if (config.train.mixedPrecision) warn(`mixedPrecision: the ${backend.backend} backend has no float16 training in TF.js; training in float32`);
  await run.update({ datasetFingerprint: plan.fingerprint, parameterCount: countParameters(model) });

  const pool = new LoaderPool(options.loaderWorkers ?? 1);
  const fineTune = config.train.fineTune;
  const stageAt = (epoch: number): Stage | undefined => (fineTune ? stageOfEpoch(fineTune, epoch) : undefined);
  let stage = stageAt(state.epoch);
  const stageVariables = (s: Stage | undefined) =>
    fineTune && s ? enterStage(model, config.model.architecture, fineTune, optimizer, s) : trainableVariables(model);
  const trainer: BatchTrainer = { tf, model, optimizer, variables: stageVariables(stage), logits: outputsLogits(model), labels, weights, channels };
  const runnerOptions = (): StepRunnerOptions => ({
    engine: options.engine ?? config.train.engine ?? "auto",
    backend: backend.backend,
    workers: options.trainWorkers ?? config.train.workers ?? "auto",
    batchSize: config.train.batchSize,
    size: imageSizeForEpoch(config, state.epoch),
    seed: config.train.seed,
    firstStep: state.globalStep,
  });
  const opened = await openStepRunner(trainer, runnerOptions(), warn);
  let runner = opened.runner;
  await run.update({ trainingEngine: opened.description });
  const stepsPerEpoch = batchCount(plan.train.length, config.train.batchSize, config.train.maxStepsPerEpoch);
  const totalSteps = stepsPerEpoch * config.train.epochs;
  const schedule = fineTune ? (step: number) => fineTuneLr(fineTune, stepsPerEpoch, step).lr : makeSchedule(config.train.schedule, totalSteps);
  emit({ type: "run-started", runId, runDir: run.dir, epochs: config.train.epochs, stepsPerEpoch, backend: backend.backend, device: backend.device });
  if (resumeFrom) emit({ type: "log", runId, message: `resuming from ${resumeFrom}: epoch ${state.epoch}, batch ${state.batch + 1}` });
  emit({ type: "log", runId, message: plan.description });
  emit({ type: "log", runId, message: `training steps: ${opened.description}` });

  let lastHeartbeat = 0;
  let status: RunStatus = "completed";
  const stepSeconds: number[] = [];
  try {
    epochs: for (let epoch = state.epoch; epoch <= config.train.epochs; epoch++) {
      if (stageAt(epoch) !== stage) {
        // fine_tune: unfreeze. The runners hold the trainable list, so they restart with the new one.
        stage = stageAt(epoch);
        await runner.sync();
        await runner.close();
        trainer.variables = stageVariables(stage);
        runner = (await openStepRunner(trainer, { ...runnerOptions(), size: imageSizeForEpoch(config, epoch) }, warn)).runner;
      }
      if (stage) emit({ type: "log", runId, message: `fine_tune: epoch ${epoch} in the ${stage} stage (${trainer.variables.length} trainable tensors)` });
      const size = imageSizeForEpoch(config, epoch);
      const preprocess = preprocessOptions(config, size);
      const epochStart = Date.now();
      let images = 0;
      const first = epoch === state.epoch ? state.batch : 0;
      if (first === 0) {
        state.epochLossSum = 0;
        state.epochLossCount = 0;
      }
      const batches = epochBatches(pool, config, plan.train, epoch, preprocess, channels, { startBatch: first, maxBatches: stepsPerEpoch });
      for await (const loaded of batches) {
        let batch: typeof loaded | null;
        try {
          batch = badImages.filter(loaded, (i) => sampleFile(loaded.samples[i]));
        } finally {
          for (const b of badImages.added) warn(`skipped unreadable training image ${b.file}: ${b.reason}`);
          if (badImages.added.length > 0) await run.update({ badImages: badImages.list, badImageCount: badImages.count });
        }
        if (!batch) {
          state.batch = loaded.index + 1;
          continue;
        }
        const t0 = Date.now();
        const lr = schedule(state.globalStep);
        const loss = await runner.step(batch, size, lr);
        const n = batch.samples.length;
        if (!Number.isFinite(loss)) throw new Error(`training loss became ${loss} at epoch ${epoch}, step ${batch.index + 1}; lower the learning rate (ich lr-find)`);
        const seconds = Math.max(1e-3, (Date.now() - t0) / 1000);
        stepSeconds.push(seconds);
        if (stepSeconds.length > 20) stepSeconds.shift();
        images += n;
        state.globalStep++;
        state.batch = batch.index + 1;
        state.epochLossSum += loss * n;
        state.epochLossCount += n;
        const imagesPerSec = n / seconds;
        const meanStep = stepSeconds.reduce((a, b) => a + b, 0) / stepSeconds.length;
        await run.appendMetrics({ kind: "step", epoch, step: batch.index + 1, globalStep: state.globalStep, loss, lr, imagesPerSec, time: new Date().toISOString(), ...(stage ? { stage } : {}) });
        emit({ type: "step", runId, epoch, step: batch.index + 1, stepsPerEpoch, loss, lr, imagesPerSec, etaSeconds: meanStep * (totalSteps - state.globalStep) });
        if (Date.now() - lastHeartbeat > HEARTBEAT_MS) {
          lastHeartbeat = Date.now();
          await run.heartbeat();
        }
        if (options.signal?.aborted) {
          status = "cancelled";
          state.epoch = epoch;
          await runner.sync();
          await writeCheckpoint(run, model, optimizer, state, emit);
          break epochs;
        }
      }
      await runner.sync();

      const trainLoss = state.epochLossCount > 0 ? state.epochLossSum / state.epochLossCount : Number.NaN;
      // Long validations keep the heartbeat fresh so the run store does not take the run for crashed.
      const beat = () => {
        if (Date.now() - lastHeartbeat < HEARTBEAT_MS) return;
        lastHeartbeat = Date.now();
        void run.heartbeat().catch(() => undefined);
      };
      const outcome =
        plan.validation.length > 0 ? await validateModel(tf, model, pool, plan.validation, config, labels, preprocess, channels, false, undefined, beat) : null;
      for (const failure of outcome?.failures.slice(0, 5) ?? []) warn(`validation image ${failure.id} skipped: ${failure.error}`);
      const val = outcome ? epochValidation(outcome.evaluation) : undefined;
      const seconds = (Date.now() - epochStart) / 1000;
      await run.appendMetrics({ kind: "epoch", epoch, globalStep: state.globalStep, trainLoss, lr: optimizer.learningRate, imagesPerSec: images / Math.max(seconds, 1e-3), seconds, val, time: new Date().toISOString(), ...(stage ? { stage } : {}) });
      emit({ type: "epoch", runId, epoch, epochs: config.train.epochs, trainLoss, val });

      const score = val?.weightedLogLoss ?? trainLoss;
      const improved = state.bestLoss === null || score < state.bestLoss - (config.train.earlyStopping?.minDelta ?? 0);
      if (state.bestLoss === null || score < state.bestLoss) {
        state.bestLoss = score;
        state.bestEpoch = epoch;
        state.bestMeanAuc = val?.meanAuc ?? null;
        await withAllTrainable(model, () => saveModel(model, run.paths.modelDir));
        await writeModelInput(run.paths.modelDir, { preprocess, channels, labels, sourceKind: sourceKind(config) });
      }
      state.epochsWithoutImprovement = improved ? 0 : state.epochsWithoutImprovement + 1;
      state.epoch = epoch + 1;
      state.batch = 0;
      state.epochLossSum = 0;
      state.epochLossCount = 0;
      await run.update({
        epochsDone: epoch,
        bestEpoch: state.bestEpoch ?? undefined,
        best: state.bestLoss === null ? undefined : { weightedLogLoss: state.bestLoss, meanAuc: state.bestMeanAuc ?? Number.NaN },
      });
      if (epoch % config.train.checkpointEvery === 0 || epoch === config.train.epochs) await writeCheckpoint(run, model, optimizer, state, emit);
      const patience = config.train.earlyStopping?.patience;
      if (patience !== undefined && state.epochsWithoutImprovement >= patience) {
        emit({ type: "log", runId, message: `early stopping: no improvement of the validation weighted log loss for ${patience} epochs` });
        break;
      }
      if (options.signal?.aborted) {
        status = "cancelled";
        await writeCheckpoint(run, model, optimizer, state, emit);
        break;
      }
    }
    // A cancelled run stops quickly; `ich eval` scores its best model on request.
    if (status === "completed" && state.bestEpoch !== null && plan.validation.length > 0) {
      emit({ type: "log", runId, message: `evaluating the best model (epoch ${state.bestEpoch})${ttaActive(config.eval.tta) ? ` with TTA (${describeTta(config.eval.tta)})` : ""}` });
      const best = await loadModel(tf, run.paths.modelDir);
      try {
        const spec = await readModelInput(run.paths.modelDir);
        const trained = await readTrainingGroups(run.dir);
        const overlap = trained ? validationOverlap(plan.validation, trained) : undefined;
        await evaluateAndWrite(tf, best, pool, plan.validation, config, spec, run.paths, runId, plan.description, config.eval.tta, overlap ? { overlap } : {});
      } finally {
        best.dispose();
      }
    }
    if (state.bestEpoch !== null) await exportAtRunEnd(tf, run, warn);
    await run.finish(status);
    emit({ type: "run-ended", runId, status });
  } catch (error) {
    const message = errorMessage(error);
    await run.finish("failed", message).catch(() => undefined);
    emit({ type: "run-ended", runId, status: "failed", error: message });
    await log.flush().catch(() => undefined);
    throw error;
  } finally {
    await runner.close();
    await pool.close();
    optimizer.dispose();
    model.dispose();
  }
  await log.flush();
  const epochsDone = state.epoch - 1;
  return {
    runId,
    runDir: run.dir,
    status,
    epochsDone,
    best: state.bestEpoch === null ? undefined : { epoch: state.bestEpoch, weightedLogLoss: state.bestLoss!, meanAuc: state.bestMeanAuc ?? Number.NaN },
  };
}

async function writeCheckpoint(run: RunHandle, model: LayersModel, optimizer: AdamW, state: LoopState, emit: (e: ProgressEvent) => void): Promise<void> {
  state.savedAt = new Date().toISOString();
  await withAllTrainable(model, () => saveCheckpoint(run.paths.checkpointDir, model, optimizer, state));
  emit({ type: "checkpoint", runId: run.id, epoch: state.batch === 0 ? state.epoch - 1 : state.epoch, path: run.paths.checkpointDir });
}
