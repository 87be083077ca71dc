// What the panels plot and tabulate: curves from metrics points, the final-metrics table with its
// better direction per row, and the best value per row. Browser-safe (the webviews import it).
import { formatElapsed } from "./duration";
import { LABELS, type Label } from "./labels";
import type { EpochPoint, EvalSummary, MetricsPoint, RunSummary } from "../protocol/dashboard";

export interface XY {
  x: number;
  y: number;
}

/** Epoch lines only, one per epoch: a resumed run that repeats an epoch keeps its latest line. */
export function epochPoints(points: readonly MetricsPoint[]): EpochPoint[] {
  const byEpoch = new Map<number, EpochPoint>();
  for (const p of points) if (p.kind === "epoch") byEpoch.set(p.epoch, p);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

export interface CurveDef {
  id: string;
  title: string;
  /** "epoch" curves have one point per epoch; "step" curves one per logged training step. */
  x: "epoch" | "step";
  pick: (p: MetricsPoint) => number | null | undefined;
}

export const CURVES: readonly CurveDef[] = [
  { id: "trainLoss", title: "Training loss", x: "epoch", pick: (p) => (p.kind === "epoch" ? p.trainLoss : undefined) },
  { id: "valLoss", title: "Validation loss", x: "epoch", pick: (p) => (p.kind === "epoch" ? p.val?.loss : undefined) },
  { id: "weightedLogLoss", title: "Weighted log loss (validation)", x: "epoch", pick: (p) => (p.kind === "epoch" ? p.val?.weightedLogLoss : undefined) },
  { id: "meanAuc", title: "Mean AUC (validation)", x: "epoch", pick: (p) => (p.kind === "epoch" ? p.val?.meanAuc : undefined) },
  { id: "lr", title: "Learning rate", x: "step", pick: (p) => (p.kind === "step" ? p.lr : undefined) },
  { id: "stepLoss", title: "Training loss by step", x: "step", pick: (p) => (p.kind === "step" ? p.loss : undefined) },
];

export function curveById(id: string): CurveDef {
  const curve = CURVES.find((c) => c.id === id);
  if (!curve) throw new Error(`unknown curve ${id}`);
  return curve;
}

/** Points of one curve, x ascending; missing and non-finite values are left out. */
export function curveSeries(points: readonly MetricsPoint[], curve: CurveDef): XY[] {
  const source: readonly MetricsPoint[] = curve.x === "epoch" ? epochPoints(points) : points.filter((p) => p.kind === "step");
  const out: XY[] = [];
  for (const p of source) {
    const y = curve.pick(p);
    if (typeof y === "number" && Number.isFinite(y)) out.push({ x: curve.x === "epoch" ? p.epoch : p.globalStep, y });
  }
  if (curve.x === "step") {
    // A resumed run logs steps again from its checkpoint: keep the latest value per step.
    const byStep = new Map<number, number>();
    for (const p of out) byStep.set(p.x, p.y);
    return [...byStep].map(([x, y]) => ({ x, y })).sort((a, b) => a.x - b.x);
  }
  return out;
}

/** Per-label AUC: from eval.json when the run has one, else from the last validated epoch. */
export function perLabelAuc(points: readonly MetricsPoint[], evaluation: EvalSummary | null): Partial<Record<Label, number | null>> {
  const out: Partial<Record<Label, number | null>> = {};
  const source = evaluation?.perLabel ?? [...epochPoints(points)].reverse().find((p) => p.val)?.val?.perLabel;
  if (!source) return out;
  for (const label of LABELS) if (source[label]) out[label] = source[label].auc;
  return out;
}

export type Direction = "lower" | "higher" | "none";

export interface FinalMetricDef {
  id: string;
  title: string;
  direction: Direction;
  digits: number;
}

export interface RunMetricsInput {
  run: RunSummary;
  points: readonly MetricsPoint[];
  evaluation: EvalSummary | null;
}

const mean = (values: number[]): number | undefined => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined);
const finite = (v: number | null | undefined): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Rows of the final-metrics table, in display order. */
export const FINAL_METRICS: readonly FinalMetricDef[] = [
  { id: "weightedLogLoss", title: "Weighted log loss", direction: "lower", digits: 4 },
  { id: "valLoss", title: "Validation loss", direction: "lower", digits: 4 },
  { id: "meanAuc", title: "Mean AUC", direction: "higher", digits: 3 },
  ...LABELS.map((label) => ({ id: `auc.${label}`, title: `AUC ${label}`, direction: "higher" as const, digits: 3 })),
  { id: "trainLoss", title: "Final training loss", direction: "lower", digits: 4 },
  { id: "epochs", title: "Epochs done", direction: "none", digits: 0 },
  { id: "secondsPerEpoch", title: "Seconds per epoch", direction: "lower", digits: 1 },
  { id: "imagesPerSec", title: "Images / s", direction: "higher", digits: 1 },
  { id: "parameters", title: "Parameters", direction: "lower", digits: 0 },
];

/**
 * The run's final metrics by FINAL_METRICS id. Validation numbers come from eval.json (the best
 * model scored after training) when present, else from the best epoch (lowest weighted log loss).
 */
export function finalMetrics({ run, points, evaluation }: RunMetricsInput): Record<string, number | undefined> {
  const epochs = epochPoints(points);
  const validated = epochs.filter((e) => e.val);
  const best = validated.reduce<EpochPoint | undefined>((b, e) => (!b || e.val!.weightedLogLoss < b.val!.weightedLogLoss ? e : b), undefined);
  const auc = perLabelAuc(points, evaluation);
  const out: Record<string, number | undefined> = {
    weightedLogLoss: evaluation?.weightedLogLoss ?? best?.val?.weightedLogLoss,
    valLoss: evaluation?.loss ?? best?.val?.loss,
    meanAuc: finite(evaluation ? evaluation.meanAuc : best?.val?.meanAuc),
    trainLoss: epochs.at(-1)?.trainLoss,
    epochs: run.epochsDone,
    secondsPerEpoch: mean(epochs.map((e) => e.seconds).filter((s) => s > 0)),
    imagesPerSec: mean(epochs.map((e) => e.imagesPerSec).filter((s) => s > 0)),
    parameters: finite(run.parameterCount),
  };
  for (const label of LABELS) out[`auc.${label}`] = finite(auc[label]);
  return out;
}

/** Indices of the best value (all of them on a tie); empty when fewer than two runs have a value or direction is "none". */
export function bestIndices(values: readonly (number | undefined)[], direction: Direction): number[] {
  if (direction === "none") return [];
  const present = values.map((v, i) => [v, i] as const).filter((e): e is readonly [number, number] => typeof e[0] === "number" && Number.isFinite(e[0]));
  if (present.length < 2) return [];
  const best = direction === "lower" ? Math.min(...present.map(([v]) => v)) : Math.max(...present.map(([v]) => v));
  return present.filter(([v]) => v === best).map(([, i]) => i);
}

/** A number for a table cell: fixed digits, thousands separators for counts, "—" when missing. */
export function formatValue(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  if (digits === 0) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(digits);
}

/** `1h 02m`, `3m 05s`, `12s`. */
export function formatDurationMs(ms: number): string {
  return formatElapsed(ms / 1000);
}
