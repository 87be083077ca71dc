// Text for the training progress notification and the Runs view, from ProgressEvents.
import { formatElapsed } from "../../shared/duration";
import type { ProgressEvent } from "../../core/runs/types";

export interface TrainingProgressState {
  runId?: string;
  epochs?: number;
  stepsPerEpoch?: number;
  epoch?: number;
  step?: number;
  loss?: number;
  imagesPerSec?: number;
  etaSeconds?: number;
  backend?: string;
  lastValidation?: { weightedLogLoss: number; meanAuc: number };
  ended?: { status: string; error?: string };
  warnings: string[];
}

export function initialProgressState(): TrainingProgressState {
  return { warnings: [] };
}

/** Folds one event into the state (returns a new object). */
export function applyProgressEvent(state: TrainingProgressState, event: ProgressEvent): TrainingProgressState {
  switch (event.type) {
    case "run-started":
      return { ...state, runId: event.runId, epochs: event.epochs, stepsPerEpoch: event.stepsPerEpoch, backend: event.backend };
    case "step":
      return {
        ...state,
        epoch: event.epoch,
        step: event.step,
        stepsPerEpoch: event.stepsPerEpoch,
        loss: event.loss,
        imagesPerSec: event.imagesPerSec,
        etaSeconds: event.etaSeconds,
      };
    case "epoch":
      return {
        ...state,
        epoch: event.epoch,
        epochs: event.epochs,
        lastValidation: event.val ? { weightedLogLoss: event.val.weightedLogLoss, meanAuc: event.val.meanAuc } : state.lastValidation,
      };
    case "warning":
      return { ...state, warnings: [...state.warnings, event.message] };
    case "run-ended":
      return { ...state, ended: { status: event.status, error: event.error } };
    default:
      return state;
  }
}

/** Fraction of the whole run done, 0..1, from epoch/step counters (epochs are 1-based). */
export function progressFraction(state: TrainingProgressState): number {
  if (!state.epochs || state.epoch === undefined) return 0;
  const steps = state.stepsPerEpoch && state.step !== undefined ? Math.min(state.step / state.stepsPerEpoch, 1) : 0;
  const done = (Math.max(state.epoch - 1, 0) + steps) / state.epochs;
  return Math.min(Math.max(done, 0), 1);
}

export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  return formatElapsed(seconds);
}

export function formatDuration(ms: number): string {
  return formatEta(ms / 1000);
}

function formatNumber(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/** e.g. "epoch 2/5 · step 14/40 · loss 0.2431 · 17.3 img/s · ETA 3m 05s" */
export function formatProgressMessage(state: TrainingProgressState): string {
  if (state.epoch === undefined) return state.runId ? `starting ${state.runId}${state.backend ? ` on ${state.backend}` : ""}…` : "starting…";
  const parts = [`epoch ${state.epoch}/${state.epochs ?? "?"}`];
  if (state.step !== undefined) parts.push(`step ${state.step}/${state.stepsPerEpoch ?? "?"}`);
  if (state.loss !== undefined) parts.push(`loss ${formatNumber(state.loss, 4)}`);
  if (state.imagesPerSec !== undefined) parts.push(`${formatNumber(state.imagesPerSec, 1)} img/s`);
  parts.push(`ETA ${formatEta(state.etaSeconds)}`);
  return parts.join(" · ");
}
