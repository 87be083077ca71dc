// On-disk contract of the run store (runs/<id>/...). The CLI, the training process and the
// extension's Runs view / dashboards all read and write these shapes.
import type { Label } from "../../shared/labels";

export const RUN_STATUSES = ["running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunRecord {
  id: string;
  name: string;
  /** Path of the *.ich.json the run was started from (absolute), if any. */
  experimentPath?: string;
  /** Full snapshot of the validated experiment config. */
  config: unknown;
  status: RunStatus;
  startedAt: string; // ISO
  endedAt?: string;
  /** Last time the training process touched the run (heartbeat used to detect crashed runs). */
  heartbeatAt?: string;
  pid?: number;
  host: string;
  backend: string; // "wasm" | "tensorflow" | "cpu" ...
  device: string; // "CPU (WASM SIMD, 1 thread)", "GPU /device:GPU:0" ...
  /** What computed the training steps: "ONNX Runtime 1.x on the CPU, 2 threads", "TF.js wasm"… (src/core/train/step-runner.ts). */
  trainingEngine?: string;
  gitCommit?: string;
  datasetFingerprint?: string;
  architecture: string;
  parameterCount?: number;
  epochsPlanned: number;
  epochsDone: number;
  bestEpoch?: number;
  best?: { weightedLogLoss: number; meanAuc: number };
  error?: string;
  /** Training images that could not be read and were skipped (at most MAX_LISTED_BAD_IMAGES listed). */
  badImages?: BadImage[];
  /** How many distinct training images were skipped (can exceed the list). */
  badImageCount?: number;
}

export interface BadImage {
  file: string;
  reason: string;
}

/**
 * A run as the store lists it. The folder is the run's identity: `id` and `record.id` are the
 * folder name, whatever run.json says (a copied folder keeps the original's id inside); such
 * a disagreement is reported in `note`.
 */
export interface ListedRun {
  id: string;
  dir: string;
  record: RunRecord;
  note?: string;
}

/** A run folder whose run.json is missing, not JSON or not a run record: listed with the reason, never hidden. */
export interface BrokenRun {
  id: string;
  dir: string;
  status: "broken";
  /** Names the file and what is wrong with it. */
  error: string;
}

export interface RunListing {
  /** Oldest first. */
  runs: ListedRun[];
  /** By folder name. */
  broken: BrokenRun[];
}

/** One line of metrics.jsonl. */
export type MetricsLine =
  | {
      kind: "step";
      epoch: number;
      step: number;
      globalStep: number;
      loss: number;
      lr: number;
      imagesPerSec: number;
      time: string;
      /** fineTune runs: the stage this step trained in. */
      stage?: "frozen" | "unfrozen";
    }
  | {
      kind: "epoch";
      epoch: number;
      globalStep: number;
      trainLoss: number;
      lr: number;
      imagesPerSec: number;
      seconds: number;
      val?: EpochValidation;
      time: string;
      /** fineTune runs: the stage of this epoch. */
      stage?: "frozen" | "unfrozen";
    };

export interface EpochValidation {
  loss: number;
  weightedLogLoss: number;
  meanAuc: number;
  perLabel: Partial<Record<Label, { logLoss: number; auc: number; accuracy: number; sensitivity: number; specificity: number; f1: number }>>;
}

/** Progress events the training process prints as JSON lines (one per line, prefixed by nothing). */
export type ProgressEvent =
  | { type: "run-started"; runId: string; runDir: string; epochs: number; stepsPerEpoch: number; backend: string; device: string }
  | { type: "step"; runId: string; epoch: number; step: number; stepsPerEpoch: number; loss: number; lr: number; imagesPerSec: number; etaSeconds: number }
  | { type: "epoch"; runId: string; epoch: number; epochs: number; trainLoss: number; val?: EpochValidation }
  | { type: "checkpoint"; runId: string; epoch: number; path: string }
  | { type: "warning"; runId?: string; message: string }
  | { type: "log"; runId?: string; message: string }
  | { type: "run-ended"; runId: string; status: RunStatus; error?: string };

/** Files and folders of one run, all absolute. */
export interface RunPaths {
  dir: string;
  runJson: string;
  metricsJsonl: string;
  /** Best model, TF.js layers format (model.json + weight shards). */
  modelDir: string;
  checkpointDir: string;
  evalJson: string;
  /** Validation predictions in RSNA submission form. */
  predictionsCsv: string;
  /** Where the TensorBoard event files go (the run folder itself, so TensorBoard names the curves by run id). */
  tensorboardDir: string;
  logFile: string;
}

/** What the training process knows when it starts a run. */
export interface CreateRunOptions {
  name: string;
  experimentPath?: string;
  config: unknown;
  architecture: string;
  backend: string;
  device: string;
  epochsPlanned: number;
  parameterCount?: number;
  datasetFingerprint?: string;
}

/** Per-image probabilities; `id` is the image id (`ID_<hex>`; the `ID_` prefix is added when missing). */
export interface PredictionRow {
  id: string;
  probabilities: Partial<Record<Label, number>>;
}
