// What the pipeline knows about one training/validation/prediction image, before decoding.
// Plain data (no class instances): samples are posted to loader workers as they are.

export type SampleSource =
  /** A DICOM slice; `neighbours` are the files just below and above in the same series (context channels). */
  | { kind: "dicom"; file: string; neighbours?: [string | null, string | null] }
  /** A 3-channel PNG/JPG already windowed (e.g. the cleaned RSNA JPG set). */
  | { kind: "image"; file: string; neighbours?: [string | null, string | null] }
  /** A phantom generated on the fly (src/core/synth): slice `index % slices` of patient `index / slices`. */
  | { kind: "synthetic"; seed: number; index: number; size: number; slices: number };

export interface Sample {
  /** RSNA image id ("ID_0123abcd"), the key of the labels CSV and of predictions. */
  id: string;
  patientId: string;
  studyUid?: string;
  seriesUid?: string;
  /** Position along the series axis (mm), for ordering neighbours. */
  position?: number;
  /** Six 0/1 values in LABELS order; absent when predicting unlabelled files. */
  labels?: number[];
  source: SampleSource;
}

/** How a sample becomes a model input; shared by training, evaluation and prediction. */
export interface PreprocessOptions {
  /** Output side length in pixels (square). */
  size: number;
  /** Windows as [width, level] pairs, one channel each (ignored for 3-channel image files). */
  windows: { name: string; width: number; level: number }[];
  /** Neighbour slices on each side stacked as extra channels (0 = none). */
  context: number;
  /** Apply the RSNA mis-encoding fix when a header shows it. */
  rsnaFix: boolean;
}

/** Channels of a prepared input: per slice (windows, or RGB for image files) × (1 + 2·context). */
export function channelCount(p: PreprocessOptions, kind: SampleSource["kind"]): number {
  return (kind === "image" ? 3 : p.windows.length) * (1 + 2 * p.context);
}
