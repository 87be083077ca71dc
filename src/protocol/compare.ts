// Messages between the compare panel (src/extension/panels/compare.ts) and its webview
// (webview/compare/main.ts). Both sides validate what they receive.
import { isEvalSummary, isMetricsPoints, isRunSummary, type EvalSummary, type MetricsPoint, type RunSummary } from "./dashboard";
import { isRecord, isString } from "./guards";

export interface CompareRunData {
  run: RunSummary;
  /** Epoch lines plus (thinned) step lines. */
  points: MetricsPoint[];
  /** eval.json without ROC curves (the compare panel does not draw them). */
  evaluation: EvalSummary | null;
}

export const MAX_COMPARE_RUNS = 200;

export type CompareToWebview =
  /** Every run, in column order; sent on open, on `ready` and whenever a run changed. */
  | { type: "runs"; runs: CompareRunData[] }
  | { type: "exported"; path: string }
  | { type: "error"; message: string };

/** What reopens a comparison after a window reload (stored by the webview): its run folders, in column order. */
export interface CompareState {
  runDirs: string[];
}

export type CompareFromWebview = { type: "ready" } | { type: "exportCsv" } | { type: "openDashboard"; runId: string };

function isCompareRunData(v: unknown): v is CompareRunData {
  return isRecord(v) && isRunSummary(v.run) && isMetricsPoints(v.points) && (v.evaluation === null || isEvalSummary(v.evaluation));
}

export function parseCompareToWebview(value: unknown): CompareToWebview | null {
  if (!isRecord(value)) return null;
  switch (value.type) {
    case "runs":
      return Array.isArray(value.runs) && value.runs.length <= MAX_COMPARE_RUNS && value.runs.every(isCompareRunData) ? (value as CompareToWebview) : null;
    case "exported":
      return isString(value.path) ? (value as CompareToWebview) : null;
    case "error":
      return isString(value.message) ? (value as CompareToWebview) : null;
    default:
      return null;
  }
}

export function parseCompareFromWebview(value: unknown): CompareFromWebview | null {
  if (!isRecord(value)) return null;
  if (value.type === "ready" || value.type === "exportCsv") return { type: value.type };
  if (value.type === "openDashboard" && isString(value.runId) && value.runId.length > 0 && value.runId.length < 256) return { type: "openDashboard", runId: value.runId };
  return null;
}

export function parseCompareState(value: unknown): CompareState | null {
  if (!isRecord(value) || !Array.isArray(value.runDirs)) return null;
  const dirs = value.runDirs;
  const valid = dirs.length >= 2 && dirs.length <= MAX_COMPARE_RUNS && dirs.every((d) => isString(d) && d.length > 0 && d.length < 4096);
  return valid ? { runDirs: dirs as string[] } : null;
}
