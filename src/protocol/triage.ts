// Messages between the triage table (src/extension/panels/triage.ts) and its webview
// (webview/triage/main.ts). Both sides validate what they receive.
import type { Label } from "../shared/labels";
import { isLabelName, isProbability, isRecord, isString } from "./guards";

export interface TriageSlice {
  /** Absolute path of the DICOM file (opened in the DICOM preview on click). */
  file: string;
  id: string;
  probabilities: Partial<Record<Label, number>>;
}

export interface TriageStudy {
  studyUid: string;
  seriesUid: string;
  patientId: string | null;
  /** Max over the slices, per label. */
  max: Partial<Record<Label, number>>;
  /** Slices, highest `any` first. */
  slices: TriageSlice[];
}

export interface TriageResult {
  /** Where the RSNA submission CSV was written. */
  csvPath: string;
  /** The model's run id (or folder). */
  model: string;
  labels: Label[];
  /** Studies, highest `any` first. */
  studies: TriageStudy[];
  failures: { file: string; error: string }[];
}

export type TriageToWebview = { type: "result"; result: TriageResult };

/** What reopens a triage table after a window reload (stored by the webview): the prediction it shows. */
export interface TriageState {
  result: TriageResult;
}

export type TriageFromWebview = { type: "ready" } | { type: "openSlice"; file: string } | { type: "revealCsv" } | { type: "openCsv" };

const MAX_ROWS = 1_000_000;

export function isProbabilities(v: unknown): v is Partial<Record<Label, number>> {
  return isRecord(v) && Object.entries(v).every(([k, p]) => isLabelName(k) && isProbability(p));
}

function isTriageSlice(v: unknown): v is TriageSlice {
  return isRecord(v) && isString(v.file) && isString(v.id) && isProbabilities(v.probabilities);
}

function isTriageStudy(v: unknown): v is TriageStudy {
  return (
    isRecord(v) &&
    isString(v.studyUid) &&
    isString(v.seriesUid) &&
    (v.patientId === null || isString(v.patientId)) &&
    isProbabilities(v.max) &&
    Array.isArray(v.slices) &&
    v.slices.every(isTriageSlice)
  );
}

export function isTriageResult(v: unknown): v is TriageResult {
  return (
    isRecord(v) &&
    isString(v.csvPath) &&
    isString(v.model) &&
    Array.isArray(v.labels) &&
    v.labels.every(isLabelName) &&
    Array.isArray(v.studies) &&
    v.studies.length <= MAX_ROWS &&
    v.studies.every(isTriageStudy) &&
    Array.isArray(v.failures) &&
    v.failures.every((f) => isRecord(f) && isString(f.file) && isString(f.error))
  );
}

export function parseTriageToWebview(value: unknown): TriageToWebview | null {
  return isRecord(value) && value.type === "result" && isTriageResult(value.result) ? (value as TriageToWebview) : null;
}

export function parseTriageFromWebview(value: unknown): TriageFromWebview | null {
  if (!isRecord(value)) return null;
  if (value.type === "ready" || value.type === "revealCsv" || value.type === "openCsv") return { type: value.type };
  if (value.type === "openSlice" && isString(value.file) && value.file.length > 0 && value.file.length < 4096) return { type: "openSlice", file: value.file };
  return null;
}

export function parseTriageState(value: unknown): TriageState | null {
  return isRecord(value) && isTriageResult(value.result) ? { result: value.result } : null;
}
