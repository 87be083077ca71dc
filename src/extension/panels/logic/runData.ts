// Converts what the run store holds on disk (run.json, metrics.jsonl lines, eval.json) into the
// panels' protocol shapes, checking every field: files may be half-written, old or hand-edited.
import { LABELS, type Label } from "../../../shared/labels";
import type { RunRecord } from "../../../core/runs/types";
import { isFiniteNumber, isRecord, isString } from "../../../protocol/guards";
import {
  isBadImage,
  isRunSummary,
  MAX_BAD_IMAGES,
  type EpochPoint,
  type EvalSummary,
  type LabelScores,
  type MetricsPoint,
  type RocCurvePoint,
  type RunSummary,
} from "../../../protocol/dashboard";

const num = (v: unknown): number | null => (isFiniteNumber(v) ? v : null);

/** Wall time of a run: start to end, or to `now` while it runs. */
export function durationMs(record: Pick<RunRecord, "startedAt" | "endedAt" | "heartbeatAt" | "status">, now: Date): number {
  const start = Date.parse(record.startedAt);
  const endText = record.endedAt ?? (record.status === "running" ? undefined : record.heartbeatAt);
  const end = endText ? Date.parse(endText) : now.getTime();
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : 0;
}

/** A RunSummary from a parsed run.json, or null when required fields are missing. */
export function toRunSummary(raw: unknown, now: Date): RunSummary | null {
  if (!isRecord(raw)) return null;
  const record = raw as unknown as RunRecord;
  const summary: RunSummary = {
    id: record.id,
    name: isString(record.name) && record.name ? record.name : record.id,
    status: record.status,
    architecture: isString(record.architecture) ? record.architecture : "?",
    backend: isString(record.backend) ? record.backend : "?",
    device: isString(record.device) ? record.device : "",
    parameterCount: num(record.parameterCount),
    epochsDone: Number.isInteger(record.epochsDone) ? record.epochsDone : 0,
    epochsPlanned: Number.isInteger(record.epochsPlanned) ? record.epochsPlanned : 0,
    startedAt: record.startedAt,
    endedAt: isString(record.endedAt) ? record.endedAt : null,
    durationMs: isString(record.startedAt) ? durationMs(record, now) : 0,
    bestEpoch: num(record.bestEpoch),
    error: isString(record.error) ? record.error : null,
    config: record.config ?? null,
  };
  if (Number.isInteger(record.badImageCount) && record.badImageCount! > 0) {
    summary.badImageCount = record.badImageCount;
    if (Array.isArray(record.badImages)) summary.badImages = record.badImages.slice(0, MAX_BAD_IMAGES).filter(isBadImage);
  }
  if (isString(record.trainingEngine) && record.trainingEngine) summary.trainingEngine = record.trainingEngine;
  return isRunSummary(summary) ? summary : null;
}

function labelScores(raw: unknown): Partial<Record<Label, LabelScores>> {
  const out: Partial<Record<Label, LabelScores>> = {};
  if (!isRecord(raw)) return out;
  for (const label of LABELS) {
    const s = raw[label];
    if (isRecord(s)) out[label] = { auc: num(s.auc), logLoss: num(s.logLoss) };
  }
  return out;
}

/** One metrics.jsonl line (parsed JSON) as a chart point, or null when it is not a usable line. */
export function toMetricsPoint(raw: unknown): MetricsPoint | null {
  if (!isRecord(raw) || !Number.isInteger(raw.epoch) || !Number.isInteger(raw.globalStep) || !isFiniteNumber(raw.lr)) return null;
  const epoch = raw.epoch as number;
  const globalStep = raw.globalStep as number;
  if (epoch < 0 || globalStep < 0) return null;
  // fineTune runs: the stage (frozen / unfrozen) of each line.
  const stage: Pick<EpochPoint, "stage"> = raw.stage === "frozen" || raw.stage === "unfrozen" ? { stage: raw.stage } : {};
  if (raw.kind === "step") return isFiniteNumber(raw.loss) ? { kind: "step", epoch, globalStep, loss: raw.loss, lr: raw.lr, ...stage } : null;
  if (raw.kind !== "epoch" || !isFiniteNumber(raw.trainLoss)) return null;
  const val = raw.val;
  const point: EpochPoint = {
    kind: "epoch",
    epoch,
    globalStep,
    trainLoss: raw.trainLoss,
    lr: raw.lr,
    imagesPerSec: num(raw.imagesPerSec) ?? 0,
    seconds: num(raw.seconds) ?? 0,
    val:
      isRecord(val) && isFiniteNumber(val.loss) && isFiniteNumber(val.weightedLogLoss)
        ? { loss: val.loss, weightedLogLoss: val.weightedLogLoss, meanAuc: num(val.meanAuc), perLabel: labelScores(val.perLabel) }
        : null,
    ...stage,
  };
  return point;
}

/** Keeps every `stride`-th point of a long curve (and always the last) so a chart stays responsive. */
export function strideDown<T>(points: readonly T[], maxPoints: number): T[] {
  if (points.length <= maxPoints) return [...points];
  const stride = Math.ceil(points.length / maxPoints);
  const kept = points.filter((_, i) => i % stride === 0);
  if (kept[kept.length - 1] !== points[points.length - 1]) kept.push(points[points.length - 1]);
  return kept;
}

/** eval.json (NaN stored as null) reduced to the panels' EvalSummary, or null when it is not one. */
export function toEvalSummary(raw: unknown, maxRocPoints = 200): EvalSummary | null {
  if (!isRecord(raw) || !isFiniteNumber(raw.loss) || !isFiniteNumber(raw.weightedLogLoss)) return null;
  const roc: Partial<Record<Label, RocCurvePoint[]>> = {};
  if (isRecord(raw.roc)) {
    for (const label of LABELS) {
      const curve = raw.roc[label];
      if (!Array.isArray(curve)) continue;
      const points = curve
        .filter((p): p is RocCurvePoint => isRecord(p) && isFiniteNumber(p.fpr) && isFiniteNumber(p.tpr))
        .map((p) => ({ fpr: p.fpr, tpr: p.tpr }));
      if (points.length > 0) roc[label] = strideDown(points, maxRocPoints);
    }
  }
  return {
    samples: Number.isInteger(raw.samples) ? (raw.samples as number) : 0,
    data: isString(raw.data) ? raw.data : "",
    loss: raw.loss,
    weightedLogLoss: raw.weightedLogLoss,
    meanAuc: num(raw.meanAuc),
    perLabel: labelScores(raw.perLabel),
    roc,
  };
}
