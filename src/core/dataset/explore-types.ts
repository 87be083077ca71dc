// What `ich explore --json` prints and the ICH: Explore Dataset panel shows. Plain JSON, no
// Node imports: the webview imports these types too.
import type { Label } from "../../shared/labels";
import type { CleanIssue, CleanIssueKind } from "./types";

/** One bar of a histogram: a single value (from === to) or the range [from, to). */
export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

export interface Histogram {
  /** "values": one bar per distinct value; "bins": equal-width ranges between min and max. */
  kind: "values" | "bins";
  bins: HistogramBin[];
  /** Entries that had a value. */
  count: number;
  /** Entries without one (absent element, or a file whose header could not be read). */
  missing: number;
  min: number | null;
  max: number | null;
}

export type HeaderField = "bitsStored" | "pixelRepresentation" | "rescaleIntercept" | "windowCenter" | "windowWidth" | "pixelSpacing" | "sliceThickness";

export interface DatasetCounts {
  files: number;
  dicom: number;
  images: number;
  /** Files whose header could not be read. */
  unreadable: number;
  patients: number;
  studies: number;
  series: number;
  /** Files with a label row (0 when no labels table was given). */
  labelled: number;
  /** Files without a label row, when a labels table was given. */
  unlabelled: number;
  /** Label rows naming an image the folder does not have (null when unknown). */
  labelsWithoutFiles: number | null;
}

export interface Prevalence {
  label: Label;
  positives: number;
  /** positives / labelled files (0 when nothing is labelled). */
  share: number;
}

/** The sample grid groups: the five subtypes, images with no bleed, or every image when unlabelled. */
export type SampleGroup = Exclude<Label, "any"> | "none" | "all";

export interface SampleSlice {
  id: string;
  /** Absolute path (opened in the DICOM preview on click). */
  file: string;
  labels: number[] | null;
  /** PNG data URI through the brain window, or null when the pixels could not be read. */
  thumbnail: string | null;
  error?: string;
}

export interface AugmentationPreview {
  experiment: string;
  seed: number;
  size: number;
  /** The experiment's train.augment block, as the training code reads it. */
  augment: unknown;
  /** Which channels the pictures show (the centre slice's first three). */
  shows: string;
  slices: { id: string; file: string; original: string | null; augmented: string[]; error?: string }[];
}

export interface CleanSummary {
  /** The report file read. */
  file: string;
  createdAt: string;
  files: number;
  decoded: number;
  counts: Partial<Record<CleanIssueKind, number>>;
  excluded: number;
  exclusionCsv: string;
  lowBrainThreshold: number;
  /** The first issues of the report (all of them up to the cap). */
  issues: CleanIssue[];
  totalIssues: number;
}

export interface ExploreSummary {
  root: string;
  /** Where the entries came from: the index file read, or "header scan". */
  source: string;
  labelsFile: string | null;
  experiment: string | null;
  counts: DatasetCounts;
  /** In LABELS order; empty when nothing is labelled. */
  prevalence: Prevalence[];
  /** cooccurrence[i][j]: labelled files positive for both LABELS[i] and LABELS[j] (diagonal: positives). */
  cooccurrence: number[][];
  slicesPerSeries: Histogram;
  headers: Record<HeaderField, Histogram>;
  samples: { group: SampleGroup; slices: SampleSlice[] }[];
  clean: CleanSummary | null;
  augmentation: AugmentationPreview | null;
  /** Indexing was stopped (Ctrl-C): the numbers cover the files indexed so far. */
  cancelled: boolean;
  seconds: number;
}

export const HEADER_FIELD_TITLES: Record<HeaderField, string> = {
  bitsStored: "Bits Stored",
  pixelRepresentation: "Pixel Representation",
  rescaleIntercept: "Rescale Intercept",
  windowCenter: "Window Center",
  windowWidth: "Window Width",
  pixelSpacing: "Pixel Spacing (mm)",
  sliceThickness: "Slice Thickness (mm)",
};

export const HEADER_FIELDS = Object.keys(HEADER_FIELD_TITLES) as HeaderField[];
