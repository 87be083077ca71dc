// Messages between the dataset explorer (src/extension/panels/explore.ts) and its webview
// (webview/explore/main.ts). Both sides validate what they receive.
import type { AugmentationPreview, ExploreSummary, Histogram, SampleSlice } from "../core/dataset/explore-types";
import { HEADER_FIELDS } from "../core/dataset/explore-types";
import { LABELS } from "../shared/labels";
import { isCount, isFiniteNumber, isLabelName, isProbability, isRecord, isString } from "./guards";

// The summary's shape is the engine's (`ich explore --json`); the webview takes it from here.
export type { AugmentationPreview, ExploreSummary, Histogram } from "../core/dataset/explore-types";
export { HEADER_FIELD_TITLES, HEADER_FIELDS } from "../core/dataset/explore-types";

export type ExploreToWebview =
  /** A progress line of the engine while it indexes and draws. */
  | { type: "progress"; message: string }
  /** `canReroll`: the summary is of an experiment, so its augmentation preview can be re-drawn. */
  | { type: "summary"; summary: ExploreSummary; canReroll: boolean }
  | { type: "augmentation"; preview: AugmentationPreview }
  | { type: "error"; message: string };

/** What reopens an explorer after a window reload (stored by the webview): the folder or experiment file it summarises. */
export interface ExploreState {
  target: string;
}

export type ExploreFromWebview = { type: "ready" } | { type: "openSlice"; file: string } | { type: "reroll" } | { type: "refresh" };

const MAX_ITEMS = 100_000;
const MAX_PICTURE = 4_000_000;
const MAX_MESSAGE = 10_000;

/** Pictures are inline PNGs only: the webview puts them into img src. */
const isPngDataUri = (v: unknown): v is string => isString(v) && v.length < MAX_PICTURE && v.startsWith("data:image/png;base64,") && /^[A-Za-z0-9+/=]*$/.test(v.slice(22));
const isPath = (v: unknown): v is string => isString(v) && v.length > 0 && v.length < 4096;
const isList = (v: unknown): v is unknown[] => Array.isArray(v) && v.length <= MAX_ITEMS;
const countOrNull = (v: unknown) => v === null || isCount(v);
const numberOrNull = (v: unknown) => v === null || isFiniteNumber(v);
const isLabelVector = (v: unknown) => Array.isArray(v) && v.length === LABELS.length && v.every((x) => x === 0 || x === 1);

export function isHistogram(v: unknown): v is Histogram {
  return (
    isRecord(v) &&
    (v.kind === "values" || v.kind === "bins") &&
    isList(v.bins) &&
    v.bins.every((b) => isRecord(b) && isFiniteNumber(b.from) && isFiniteNumber(b.to) && isCount(b.count)) &&
    isCount(v.count) &&
    isCount(v.missing) &&
    numberOrNull(v.min) &&
    numberOrNull(v.max)
  );
}

function isSampleSlice(v: unknown): v is SampleSlice {
  return (
    isRecord(v) &&
    isString(v.id) &&
    isPath(v.file) &&
    (v.labels === null || isLabelVector(v.labels)) &&
    (v.thumbnail === null || isPngDataUri(v.thumbnail)) &&
    (v.error === undefined || isString(v.error))
  );
}

export function isAugmentationPreview(v: unknown): v is AugmentationPreview {
  return (
    isRecord(v) &&
    isPath(v.experiment) &&
    isCount(v.seed) &&
    isCount(v.size) &&
    isString(v.shows) &&
    isList(v.slices) &&
    v.slices.every(
      (s) =>
        isRecord(s) &&
        isString(s.id) &&
        isPath(s.file) &&
        (s.original === null || isPngDataUri(s.original)) &&
        isList(s.augmented) &&
        s.augmented.every(isPngDataUri) &&
        (s.error === undefined || isString(s.error)),
    )
  );
}

function isCounts(v: unknown): boolean {
  return isRecord(v) && ["files", "dicom", "images", "unreadable", "patients", "studies", "series", "labelled", "unlabelled"].every((k) => isCount(v[k])) && countOrNull(v.labelsWithoutFiles);
}

function isClean(v: unknown): boolean {
  return (
    v === null ||
    (isRecord(v) &&
      isPath(v.file) &&
      isString(v.createdAt) &&
      isCount(v.files) &&
      isCount(v.decoded) &&
      isRecord(v.counts) &&
      Object.values(v.counts).every(isCount) &&
      isCount(v.excluded) &&
      isString(v.exclusionCsv) &&
      isFiniteNumber(v.lowBrainThreshold) &&
      isCount(v.totalIssues) &&
      isList(v.issues) &&
      v.issues.every((i) => isRecord(i) && isString(i.kind) && isString(i.id) && isString(i.detail) && (i.file === undefined || isString(i.file)) && typeof i.excluded === "boolean"))
  );
}

export function isExploreSummary(v: unknown): v is ExploreSummary {
  return (
    isRecord(v) &&
    isPath(v.root) &&
    isString(v.source) &&
    (v.labelsFile === null || isPath(v.labelsFile)) &&
    (v.experiment === null || isPath(v.experiment)) &&
    isCounts(v.counts) &&
    isList(v.prevalence) &&
    v.prevalence.every((p) => isRecord(p) && isLabelName(p.label) && isCount(p.positives) && isProbability(p.share)) &&
    Array.isArray(v.cooccurrence) &&
    v.cooccurrence.length === LABELS.length &&
    v.cooccurrence.every((row) => Array.isArray(row) && row.length === LABELS.length && row.every(isCount)) &&
    isHistogram(v.slicesPerSeries) &&
    isRecord(v.headers) &&
    HEADER_FIELDS.every((f) => isHistogram((v.headers as Record<string, unknown>)[f])) &&
    isList(v.samples) &&
    v.samples.every((g) => isRecord(g) && isString(g.group) && isList(g.slices) && g.slices.every(isSampleSlice)) &&
    isClean(v.clean) &&
    (v.augmentation === null || isAugmentationPreview(v.augmentation)) &&
    typeof v.cancelled === "boolean" &&
    isFiniteNumber(v.seconds)
  );
}

const isMessageText = (v: unknown): v is string => isString(v) && v.length < MAX_MESSAGE;

export function parseExploreToWebview(value: unknown): ExploreToWebview | null {
  if (!isRecord(value)) return null;
  if ((value.type === "progress" || value.type === "error") && isMessageText(value.message)) return { type: value.type, message: value.message };
  if (value.type === "summary" && isExploreSummary(value.summary) && typeof value.canReroll === "boolean") return { type: "summary", summary: value.summary, canReroll: value.canReroll };
  if (value.type === "augmentation" && isAugmentationPreview(value.preview)) return { type: "augmentation", preview: value.preview };
  return null;
}

export function parseExploreFromWebview(value: unknown): ExploreFromWebview | null {
  if (!isRecord(value)) return null;
  if (value.type === "ready" || value.type === "reroll" || value.type === "refresh") return { type: value.type };
  if (value.type === "openSlice" && isPath(value.file)) return { type: "openSlice", file: value.file };
  return null;
}

export function parseExploreState(value: unknown): ExploreState | null {
  return isRecord(value) && isString(value.target) && value.target.length > 0 && value.target.length < 4096 ? { target: value.target } : null;
}
