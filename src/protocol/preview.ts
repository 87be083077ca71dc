// Messages between the DICOM preview custom editor (src/extension/preview) and its webview
// (webview/preview/main.ts). Both sides validate everything they receive with the guards below.
import { LABELS } from "../shared/labels";
import { isCount, isFiniteNumber, isLabelName, isProbability, isRecord, isString } from "./guards";

export const LABEL_COUNT = LABELS.length;

/** Pixel payload: HU for monochrome images (int16 when lossless, else float32), or display RGBA. */
export type PixelType = "int16" | "float32" | "rgba8";

export interface SliceMessage {
  type: "slice";
  /** Position of this slice in the series (0-based) and the series length. */
  index: number;
  total: number;
  file: string;
  fileName: string;
  frame: number;
  frames: number;
  width: number;
  height: number;
  pixelType: PixelType;
  pixels: ArrayBuffer;
  /** MONOCHROME1: low values are displayed bright. */
  monochrome1: boolean;
  photometric: string;
  transferSyntax: string;
  windowCenter?: number;
  windowWidth?: number;
  /** Position along the series' slice normal in mm, when the header has one. */
  position?: number;
  instanceNumber?: number;
  /** Milliseconds the extension spent reading and decoding this slice. */
  decodeMs: number;
}

export interface TagRow {
  tag: string;
  name: string;
  vr: string;
  value: string;
}

export interface TagsMessage {
  type: "tags";
  file: string;
  tags: TagRow[];
}

export interface SeriesEntry {
  fileName: string;
  position?: number;
}

export interface SeriesMessage {
  type: "series";
  /** False while the folder is still being indexed. */
  complete: boolean;
  index: number;
  entries: SeriesEntry[];
}

export interface ErrorMessage {
  type: "error";
  file: string;
  code: string;
  message: string;
}

export interface ModelMessage {
  type: "model";
  /** Active run id, or null when no model is picked. */
  runId: string | null;
  threshold: number;
}

export interface PredictionEntry {
  index: number;
  /** Probabilities in LABELS order; null for labels the model does not predict. */
  probabilities: (number | null)[];
}

export interface PredictionsMessage {
  type: "predictions";
  runId: string;
  entries: PredictionEntry[];
}

export interface PredictionStatusMessage {
  type: "predictionStatus";
  state: "idle" | "running" | "done" | "error";
  message: string;
}

export interface GradcamMessage {
  type: "gradcam";
  index: number;
  label: string;
  width: number;
  height: number;
  values: number[];
}

export type ToWebview =
  | SliceMessage
  | TagsMessage
  | SeriesMessage
  | ErrorMessage
  | ModelMessage
  | PredictionsMessage
  | PredictionStatusMessage
  | GradcamMessage;

export type FromWebview =
  | { type: "ready" }
  | { type: "requestSlice"; index: number; frame: number }
  | { type: "prefetch"; indices: number[] }
  | { type: "perf"; name: string; ms: number }
  | { type: "command"; command: "selectActiveModel" | "train" }
  | { type: "requestGradcam"; index: number; label: string };

type Guard<T> = (value: unknown) => value is T;

const isIndex = isCount;
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const optional = <T>(guard: Guard<T>) => (v: unknown): v is T | undefined => v === undefined || guard(v);
const MAX_SIDE = 16384;

function bytesPerPixel(type: PixelType): number {
  return type === "float32" || type === "rgba8" ? 4 : 2;
}

function isSlice(m: Record<string, unknown>): boolean {
  if (!(isIndex(m.index) && isPositiveInt(m.total) && m.index < m.total)) return false;
  if (!(isString(m.file) && isString(m.fileName) && isString(m.photometric) && isString(m.transferSyntax))) return false;
  if (!(isIndex(m.frame) && isPositiveInt(m.frames) && m.frame < m.frames)) return false;
  if (!(isPositiveInt(m.width) && isPositiveInt(m.height) && m.width <= MAX_SIDE && m.height <= MAX_SIDE)) return false;
  if (m.pixelType !== "int16" && m.pixelType !== "float32" && m.pixelType !== "rgba8") return false;
  if (!(m.pixels instanceof ArrayBuffer)) return false;
  if (m.pixels.byteLength !== m.width * m.height * bytesPerPixel(m.pixelType)) return false;
  if (typeof m.monochrome1 !== "boolean" || !isFiniteNumber(m.decodeMs)) return false;
  if (!optional(isFiniteNumber)(m.windowCenter) || !optional(isFiniteNumber)(m.windowWidth)) return false;
  return optional(isFiniteNumber)(m.position) && optional(isFiniteNumber)(m.instanceNumber);
}

function isTagRow(v: unknown): v is TagRow {
  return isRecord(v) && isString(v.tag) && isString(v.name) && isString(v.vr) && isString(v.value);
}

function isSeriesEntry(v: unknown): v is SeriesEntry {
  return isRecord(v) && isString(v.fileName) && optional(isFiniteNumber)(v.position);
}

function isPredictionEntry(v: unknown): v is PredictionEntry {
  if (!(isRecord(v) && isIndex(v.index) && Array.isArray(v.probabilities))) return false;
  return v.probabilities.length === LABEL_COUNT && v.probabilities.every((p) => p === null || isProbability(p));
}

/** Validates a message the webview receives from the extension; null when malformed. */
export function parseToWebview(value: unknown): ToWebview | null {
  if (!isRecord(value)) return null;
  const m = value;
  switch (m.type) {
    case "slice":
      return isSlice(m) ? (m as unknown as SliceMessage) : null;
    case "tags":
      return isString(m.file) && Array.isArray(m.tags) && m.tags.every(isTagRow) ? (m as unknown as TagsMessage) : null;
    case "series":
      return typeof m.complete === "boolean" && isIndex(m.index) && Array.isArray(m.entries) && m.entries.every(isSeriesEntry) && (m.entries.length === 0 || m.index < m.entries.length)
        ? (m as unknown as SeriesMessage)
        : null;
    case "error":
      return isString(m.file) && isString(m.code) && isString(m.message) ? (m as unknown as ErrorMessage) : null;
    case "model":
      return (m.runId === null || (isString(m.runId) && m.runId.length > 0)) && isProbability(m.threshold) ? (m as unknown as ModelMessage) : null;
    case "predictions":
      return isString(m.runId) && Array.isArray(m.entries) && m.entries.every(isPredictionEntry) ? (m as unknown as PredictionsMessage) : null;
    case "predictionStatus":
      return (m.state === "idle" || m.state === "running" || m.state === "done" || m.state === "error") && isString(m.message)
        ? (m as unknown as PredictionStatusMessage)
        : null;
    case "gradcam":
      return isIndex(m.index) && isLabelName(m.label) && isPositiveInt(m.width) && isPositiveInt(m.height) && Array.isArray(m.values) &&
        m.values.length === m.width * m.height && m.values.every(isProbability)
        ? (m as unknown as GradcamMessage)
        : null;
    default:
      return null;
  }
}

const PERF_NAME = /^[a-z][a-z0-9-]{0,40}$/;
const MAX_PREFETCH = 16;

/** Validates a message the extension receives from the webview; null when malformed. */
export function parseFromWebview(value: unknown): FromWebview | null {
  if (!isRecord(value)) return null;
  const m = value;
  switch (m.type) {
    case "ready":
      return { type: "ready" };
    case "requestSlice":
      return isIndex(m.index) && isIndex(m.frame) ? { type: "requestSlice", index: m.index, frame: m.frame } : null;
    case "prefetch":
      return Array.isArray(m.indices) && m.indices.length <= MAX_PREFETCH && m.indices.every(isIndex) ? { type: "prefetch", indices: [...m.indices] } : null;
    case "perf":
      return isString(m.name) && PERF_NAME.test(m.name) && isFiniteNumber(m.ms) && m.ms >= 0 ? { type: "perf", name: m.name, ms: m.ms } : null;
    case "command":
      return m.command === "selectActiveModel" || m.command === "train" ? { type: "command", command: m.command } : null;
    case "requestGradcam":
      return isIndex(m.index) && isLabelName(m.label) ? { type: "requestGradcam", index: m.index, label: m.label } : null;
    default:
      return null;
  }
}
