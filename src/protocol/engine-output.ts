// The contract between the engine and the extension: what `ich … --json` prints. The CLI commands
// build values of these types before printing them (so the compiler checks the engine side), and
// the extension reads engine output only through the readers below, which check every field it
// uses and throw an EngineOutputError naming the command and the field. Browser-safe.
import { RUN_STATUSES, type ProgressEvent } from "../core/runs/types";
import type { ExploreSummary, AugmentationPreview } from "./explore";
import { isAugmentationPreview, isExploreSummary } from "./explore";
import { isCount, isFiniteNumber, isLabelName, isProbability, isRecord, isString } from "./guards";
import { LABELS, type Label } from "../shared/labels";

export type { ProgressEvent };

/** Engine output that does not have the contract's shape (an engine of another version, a crash mid-line). */
export class EngineOutputError extends Error {
  override readonly name = "EngineOutputError";
  constructor(
    readonly command: string,
    problem: string,
  ) {
    super(`${command}: ${problem}`);
  }
}

/** What ran the model (`engine` in predict, eval and backend output). */
export interface EngineRunInfo {
  name: "onnx" | "tfjs";
  device: string;
  requestedProviders?: string[];
  usedProviders?: string[] | null;
  notes: string[];
}

export type Probabilities = Partial<Record<Label, number>>;

export interface PredictSlice {
  file: string;
  id: string;
  patientId?: string;
  studyUid?: string;
  seriesUid?: string;
  probabilities: Probabilities;
}

export interface PredictStudy {
  studyUid: string;
  seriesUid: string;
  slices: number;
  probabilities: Probabilities;
}

/** `ich predict RUN FILE_OR_FOLDER... --json`. */
export interface PredictOutput {
  labels: Label[];
  /** The views averaged: false, true (the flip) or the run's eval.tta object. */
  tta: boolean | object;
  engine: EngineRunInfo | null;
  slices: PredictSlice[];
  studies: PredictStudy[];
  failures: { file: string; error: string }[];
}

/** `ich predict RUN FILE --gradcam LABEL` (always JSON). */
export interface GradcamOutput {
  file: string;
  label: Label;
  probability: number;
  gradcam: { width: number; height: number; values: number[]; layer: string };
}

/** `ich eval RUN --json` (eval.json; non-finite numbers printed as null). The fields the extension reads. */
export interface EvalOutput {
  runId: string;
  data: string;
  samples: number;
  weightedLogLoss: number | null;
  meanAuc: number | null;
  engine?: EngineRunInfo;
}

/** `ich backend --json`. */
export interface BackendOutput {
  backend: string;
  device: string;
  gpu: boolean;
  versions: Record<string, string>;
  warnings: string[];
  replacedKernels?: string[];
  /** The prediction engine: ONNX Runtime's state and what really ran its probe. */
  engine?: {
    default: string;
    onnx: {
      available: boolean;
      reason?: string;
      version?: string;
      providers?: { name: string; bundled: boolean }[];
      cudaProviderInstalled?: boolean;
      threads?: number;
      gpu?: { missing: string[]; ready: boolean };
      probe?: { requested: string[]; used: string[] | null; device: string; notes: string[] } | { error: string };
    };
  };
  /**
   * The engine train.engine "auto" computes training steps on here: "onnx" or "tfjs" (a model
   * ONNX Runtime cannot train still falls back to TF.js); absent from older engines.
   */
  autoTrainingEngine?: string;
}

/** `ich lr-find CONFIG --json`. JSON has no NaN: a diverged loss is printed as null. */
export interface LrFindOutput {
  points: { lr: number; loss: number | null; smoothed: number | null }[];
  steepestLr: number;
  minimumLr: number;
  suggestedLr: number;
  stoppedEarly: boolean;
  backend: string;
  device: string;
  /** What computed the steps (train.engine / --engine): "ONNX Runtime … on the CPU, N threads" or "TF.js wasm"; absent from older engines. */
  trainingEngine?: string;
  /** Input size swept at. */
  size: number;
  stage?: "frozen" | "unfrozen";
}

// ---- readers ----

/**
 * The JSON document a `--json` command printed. Commands print one document on the last line;
 * lines before it (a library's warning on stdout) are skipped.
 */
export function jsonDocument(stdout: string, command: string): unknown {
  const lines = stdout.trim().split(/\r?\n/).reverse();
  for (const line of lines) {
    const text = line.trim();
    if (!text.startsWith("{") && !text.startsWith("[")) continue;
    try {
      return JSON.parse(text);
    } catch {
      // a log line that merely starts with a brace
    }
  }
  throw new EngineOutputError(command, `output is not JSON: ${stdout.trim().slice(0, 200) || "(empty)"}`);
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isOptionalString = (v: unknown) => v === undefined || isString(v);
const isNumberOrNull = (v: unknown): v is number | null => v === null || isFiniteNumber(v);

function isProbabilities(v: unknown): v is Probabilities {
  return isRecord(v) && Object.entries(v).every(([k, p]) => isLabelName(k) && isProbability(p));
}

function checkEngineInfo(v: unknown, command: string, where: string): void {
  if (v === null || v === undefined) return;
  if (!isRecord(v) || (v.name !== "onnx" && v.name !== "tfjs") || !isString(v.device) || !isStringArray(v.notes)) {
    throw new EngineOutputError(command, `${where} is not {name: onnx|tfjs, device, notes}`);
  }
}

export function readPredictOutput(stdout: string, command = "ich predict --json"): PredictOutput {
  const value = jsonDocument(stdout, command);
  if (!isRecord(value)) throw new EngineOutputError(command, "output is not a JSON object");
  if (!Array.isArray(value.labels) || !value.labels.every(isLabelName)) throw new EngineOutputError(command, `labels is not a list of ${LABELS.join(", ")}`);
  if (!Array.isArray(value.slices)) throw new EngineOutputError(command, "no slices array");
  value.slices.forEach((s: unknown, i) => {
    if (!isRecord(s) || !isString(s.file) || !isString(s.id)) throw new EngineOutputError(command, `slices[${i}] lacks file or id`);
    if (!isProbabilities(s.probabilities)) throw new EngineOutputError(command, `slices[${i}] (${s.file}) has probabilities outside [0, 1] or unknown labels`);
    for (const key of ["patientId", "studyUid", "seriesUid"] as const) if (!isOptionalString(s[key])) throw new EngineOutputError(command, `slices[${i}].${key} is not a string`);
  });
  if (!Array.isArray(value.studies)) throw new EngineOutputError(command, "no studies array");
  value.studies.forEach((s: unknown, i) => {
    if (!isRecord(s) || !isString(s.studyUid) || !isString(s.seriesUid) || !isCount(s.slices) || !isProbabilities(s.probabilities)) {
      throw new EngineOutputError(command, `studies[${i}] is not {studyUid, seriesUid, slices, probabilities}`);
    }
  });
  if (!Array.isArray(value.failures) || !value.failures.every((f) => isRecord(f) && isString(f.file) && isString(f.error))) {
    throw new EngineOutputError(command, "failures is not a list of {file, error}");
  }
  if (typeof value.tta !== "boolean" && !isRecord(value.tta)) throw new EngineOutputError(command, "tta is neither a boolean nor an object");
  checkEngineInfo(value.engine, command, "engine");
  return value as unknown as PredictOutput;
}

export function readGradcamOutput(stdout: string, command = "ich predict --gradcam"): GradcamOutput {
  const value = jsonDocument(stdout, command);
  if (!isRecord(value) || !isString(value.file) || !isLabelName(value.label) || !isProbability(value.probability)) {
    throw new EngineOutputError(command, "output is not {file, label, probability, gradcam}");
  }
  const grid = value.gradcam;
  if (!isRecord(grid) || !isCount(grid.width) || !isCount(grid.height) || !isString(grid.layer)) throw new EngineOutputError(command, "gradcam is not {width, height, values, layer}");
  if (!Array.isArray(grid.values) || grid.values.length !== grid.width * grid.height || !grid.values.every((v) => isFiniteNumber(v) && v >= 0 && v <= 1)) {
    throw new EngineOutputError(command, `gradcam.values is not ${grid.width}×${grid.height} numbers in [0, 1]`);
  }
  return value as unknown as GradcamOutput;
}

export function readEvalOutput(stdout: string, command = "ich eval --json"): EvalOutput {
  const value = jsonDocument(stdout, command);
  if (!isRecord(value) || !isString(value.runId) || !isString(value.data) || !isCount(value.samples)) throw new EngineOutputError(command, "output is not an evaluation {runId, data, samples, …}");
  if (!isNumberOrNull(value.weightedLogLoss) || !isNumberOrNull(value.meanAuc)) throw new EngineOutputError(command, "weightedLogLoss or meanAuc is neither a number nor null");
  checkEngineInfo(value.engine, command, "engine");
  return value as unknown as EvalOutput;
}

export function readBackendOutput(stdout: string, command = "ich backend --json"): BackendOutput {
  const value = jsonDocument(stdout, command);
  if (!isRecord(value) || !isString(value.backend) || !isString(value.device) || typeof value.gpu !== "boolean") throw new EngineOutputError(command, "output is not {backend, device, gpu, …}");
  if (!isRecord(value.versions) || !Object.values(value.versions).every(isString)) throw new EngineOutputError(command, "versions is not a {name: version} record");
  if (!isStringArray(value.warnings)) throw new EngineOutputError(command, "warnings is not a list of strings");
  const engine = value.engine;
  if (engine !== undefined && !(isRecord(engine) && isString(engine.default) && isRecord(engine.onnx) && typeof engine.onnx.available === "boolean")) {
    throw new EngineOutputError(command, "engine is not {default, onnx: {available, …}}");
  }
  if (value.autoTrainingEngine !== undefined && !isString(value.autoTrainingEngine)) throw new EngineOutputError(command, "autoTrainingEngine is not a string");
  return value as unknown as BackendOutput;
}

export function readLrFindOutput(stdout: string, command = "ich lr-find --json"): LrFindOutput {
  const value = jsonDocument(stdout, command);
  if (!isRecord(value) || !Array.isArray(value.points)) throw new EngineOutputError(command, "output is not {points, suggestedLr, …}");
  for (const key of ["suggestedLr", "steepestLr", "minimumLr"] as const) {
    if (!isFiniteNumber(value[key]) || value[key] <= 0) throw new EngineOutputError(command, `${key} is not a positive number`);
  }
  value.points.forEach((p: unknown, i) => {
    if (!isRecord(p) || !isFiniteNumber(p.lr) || p.lr <= 0 || !isNumberOrNull(p.loss) || !isNumberOrNull(p.smoothed)) throw new EngineOutputError(command, `points[${i}] is not {lr > 0, loss, smoothed}`);
  });
  if (typeof value.stoppedEarly !== "boolean" || !isString(value.backend) || !isString(value.device) || !isCount(value.size)) {
    throw new EngineOutputError(command, "stoppedEarly, backend, device or size is missing");
  }
  if (value.trainingEngine !== undefined && !isString(value.trainingEngine)) throw new EngineOutputError(command, "trainingEngine is not a string");
  return value as unknown as LrFindOutput;
}

export function readExploreOutput(stdout: string, command = "ich explore --json"): ExploreSummary {
  const value = jsonDocument(stdout, command);
  if (!isExploreSummary(value)) throw new EngineOutputError(command, "printed a summary this extension cannot read (engine and extension versions differ?)");
  return value;
}

export function readAugmentationOutput(stdout: string, command = "ich explore --augment-only --json"): AugmentationPreview {
  const value = jsonDocument(stdout, command);
  if (!isAugmentationPreview(value)) throw new EngineOutputError(command, "printed an augmentation preview this extension cannot read");
  return value;
}

const PROGRESS_FIELDS: Record<ProgressEvent["type"], (v: Record<string, unknown>) => boolean> = {
  "run-started": (v) => isString(v.runId) && isString(v.runDir) && isCount(v.epochs) && isCount(v.stepsPerEpoch) && isString(v.backend) && isString(v.device),
  step: (v) => isString(v.runId) && isCount(v.epoch) && isCount(v.step) && isFiniteNumber(v.loss) && isFiniteNumber(v.lr),
  epoch: (v) =>
    isString(v.runId) &&
    isCount(v.epoch) &&
    isCount(v.epochs) &&
    isFiniteNumber(v.trainLoss) &&
    (v.val === undefined || (isRecord(v.val) && isFiniteNumber(v.val.loss) && isFiniteNumber(v.val.weightedLogLoss) && isNumberOrNull(v.val.meanAuc))),
  checkpoint: (v) => isString(v.runId) && isCount(v.epoch) && isString(v.path),
  warning: (v) => isString(v.message),
  log: (v) => isString(v.message),
  "run-ended": (v) => isString(v.runId) && (RUN_STATUSES as readonly unknown[]).includes(v.status) && isOptionalString(v.error),
};

/**
 * A progress event (`ich train --json-progress`, and the log/warning lines of other commands)
 * when `line` is one; undefined for plain text and other JSON (a `--json` command's document).
 */
export function readProgressEvent(line: string): ProgressEvent | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !isString(value.type) || !Object.hasOwn(PROGRESS_FIELDS, value.type)) return undefined;
  return PROGRESS_FIELDS[value.type as ProgressEvent["type"]](value) ? (value as ProgressEvent) : undefined;
}
