// Messages between the run dashboard (src/extension/panels/dashboard.ts) and its webview
// (webview/dashboard/main.ts). Both sides validate what they receive with the parsers below;
// run summaries, metrics lines and evaluations are also reused by the compare panel.
import { LABELS, type Label } from "../shared/labels";
import { RUN_STATUSES, type MetricsLine, type RunStatus } from "../core/runs/types";
import { isCount, isFiniteNumber, isRecord, isString } from "./guards";

/** What the panels show of a run.json (the config is kept whole for the summary and the diff). */
export interface RunSummary {
  id: string;
  name: string;
  status: RunStatus;
  architecture: string;
  backend: string;
  device: string;
  parameterCount: number | null;
  epochsDone: number;
  epochsPlanned: number;
  startedAt: string;
  endedAt: string | null;
  /** Wall time so far (running) or start to end, in ms. */
  durationMs: number;
  bestEpoch: number | null;
  error: string | null;
  config: unknown;
  /** Unreadable training images the run skipped (run.json badImages, at most MAX_BAD_IMAGES shown) and how many in all. */
  badImages?: { file: string; reason: string }[];
  badImageCount?: number;
  /** What computed the training steps (run.json trainingEngine, e.g. "ONNX Runtime 1.30.0 on the CPU, 2 threads"); absent from older runs. */
  trainingEngine?: string;
}

/** Per-label validation numbers; AUC is null when a label had one class only. */
export interface LabelScores {
  auc: number | null;
  logLoss: number | null;
}

type EpochLine = Extract<MetricsLine, { kind: "epoch" }>;
type StepLine = Extract<MetricsLine, { kind: "step" }>;

/** An epoch line of metrics.jsonl as sent to a webview: JSON has no undefined, so a missing validation is null. */
export interface EpochPoint extends Omit<EpochLine, "val" | "time"> {
  val: { loss: number; weightedLogLoss: number; meanAuc: number | null; perLabel: Partial<Record<Label, LabelScores>> } | null;
}

/** The part of a step line the charts plot. */
export type StepPoint = Pick<StepLine, "kind" | "epoch" | "globalStep" | "loss" | "lr" | "stage">;

export type MetricsPoint = EpochPoint | StepPoint;

export interface RocCurvePoint {
  fpr: number;
  tpr: number;
}

/** eval.json, reduced to what the charts and tables use. */
export interface EvalSummary {
  samples: number;
  data: string;
  loss: number;
  weightedLogLoss: number;
  meanAuc: number | null;
  perLabel: Partial<Record<Label, LabelScores>>;
  roc: Partial<Record<Label, RocCurvePoint[]>>;
}

export type DashboardToWebview =
  /** Everything so far; sent on open, on `ready` and when metrics.jsonl was rewritten. */
  | { type: "init"; run: RunSummary; points: MetricsPoint[]; evaluation: EvalSummary | null }
  /** Only the metrics lines appended since the last message. */
  | { type: "append"; runId: string; points: MetricsPoint[] }
  | { type: "run"; run: RunSummary }
  | { type: "evaluation"; runId: string; evaluation: EvalSummary | null }
  | { type: "error"; message: string };

export type DashboardFromWebview = { type: "ready" } | { type: "openRunJson" };

/** What reopens a dashboard after a window reload (stored by the webview): its run folder. */
export interface DashboardState {
  runDir: string;
}

// ---- guards ----

const finiteOrNull = (v: unknown): v is number | null => v === null || isFiniteNumber(v);
const stringOrNull = (v: unknown): v is string | null => v === null || isString(v);
/** Caps so a hostile or corrupt message cannot make a panel allocate without bound. */
const MAX_POINTS = 1_000_000;
const MAX_ROC_POINTS = 10_000;
export const MAX_BAD_IMAGES = 1000;

/** One entry of run.json's badImages: the file and why it could not be read. */
export function isBadImage(v: unknown): v is { file: string; reason: string } {
  return isRecord(v) && isString(v.file) && isString(v.reason);
}

export function isRunSummary(v: unknown): v is RunSummary {
  return (
    isRecord(v) &&
    isString(v.id) &&
    isString(v.name) &&
    isString(v.status) &&
    (RUN_STATUSES as readonly string[]).includes(v.status) &&
    isString(v.architecture) &&
    isString(v.backend) &&
    isString(v.device) &&
    finiteOrNull(v.parameterCount) &&
    isCount(v.epochsDone) &&
    isCount(v.epochsPlanned) &&
    isString(v.startedAt) &&
    stringOrNull(v.endedAt) &&
    isFiniteNumber(v.durationMs) &&
    finiteOrNull(v.bestEpoch) &&
    stringOrNull(v.error) &&
    (v.badImageCount === undefined || isCount(v.badImageCount)) &&
    (v.trainingEngine === undefined || isString(v.trainingEngine)) &&
    (v.badImages === undefined || (Array.isArray(v.badImages) && v.badImages.length <= MAX_BAD_IMAGES && v.badImages.every(isBadImage))) &&
    "config" in v
  );
}

function isLabelScoresMap(v: unknown): v is Partial<Record<Label, LabelScores>> {
  if (!isRecord(v)) return false;
  return Object.entries(v).every(
    ([label, s]) => (LABELS as readonly string[]).includes(label) && isRecord(s) && finiteOrNull(s.auc) && finiteOrNull(s.logLoss),
  );
}

export function isMetricsPoint(v: unknown): v is MetricsPoint {
  if (!isRecord(v) || !isCount(v.epoch) || !isCount(v.globalStep) || !isFiniteNumber(v.lr)) return false;
  if (v.stage !== undefined && v.stage !== "frozen" && v.stage !== "unfrozen") return false;
  if (v.kind === "step") return isFiniteNumber(v.loss);
  if (v.kind !== "epoch") return false;
  if (!(isFiniteNumber(v.trainLoss) && isFiniteNumber(v.imagesPerSec) && isFiniteNumber(v.seconds))) return false;
  if (v.val === null) return true;
  const val = v.val;
  return isRecord(val) && isFiniteNumber(val.loss) && isFiniteNumber(val.weightedLogLoss) && finiteOrNull(val.meanAuc) && isLabelScoresMap(val.perLabel);
}

export function isMetricsPoints(v: unknown): v is MetricsPoint[] {
  return Array.isArray(v) && v.length <= MAX_POINTS && v.every(isMetricsPoint);
}

export function isEvalSummary(v: unknown): v is EvalSummary {
  if (!(isRecord(v) && isCount(v.samples) && isString(v.data) && isFiniteNumber(v.loss))) return false;
  if (!(isFiniteNumber(v.weightedLogLoss) && finiteOrNull(v.meanAuc))) return false;
  if (!isLabelScoresMap(v.perLabel) || !isRecord(v.roc)) return false;
  return Object.entries(v.roc).every(
    ([label, curve]) =>
      (LABELS as readonly string[]).includes(label) &&
      Array.isArray(curve) &&
      curve.length <= MAX_ROC_POINTS &&
      curve.every((p) => isRecord(p) && isFiniteNumber(p.fpr) && isFiniteNumber(p.tpr)),
  );
}

export function parseDashboardToWebview(value: unknown): DashboardToWebview | null {
  if (!isRecord(value)) return null;
  switch (value.type) {
    case "init":
      return isRunSummary(value.run) && isMetricsPoints(value.points) && (value.evaluation === null || isEvalSummary(value.evaluation))
        ? (value as DashboardToWebview)
        : null;
    case "append":
      return isString(value.runId) && isMetricsPoints(value.points) ? (value as DashboardToWebview) : null;
    case "run":
      return isRunSummary(value.run) ? (value as DashboardToWebview) : null;
    case "evaluation":
      return isString(value.runId) && (value.evaluation === null || isEvalSummary(value.evaluation)) ? (value as DashboardToWebview) : null;
    case "error":
      return isString(value.message) ? (value as DashboardToWebview) : null;
    default:
      return null;
  }
}

export function parseDashboardFromWebview(value: unknown): DashboardFromWebview | null {
  if (!isRecord(value)) return null;
  if (value.type === "ready" || value.type === "openRunJson") return { type: value.type };
  return null;
}

/** The restore state a reloaded window's webview hands back, or null when it is not a dashboard's. */
export function parseDashboardState(value: unknown): DashboardState | null {
  return isRecord(value) && isString(value.runDir) && value.runDir.length > 0 && value.runDir.length < 4096 ? { runDir: value.runDir } : null;
}
