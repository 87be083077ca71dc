// The validated, fully-defaulted form of an experiment file (*.ich.json). The JSON Schema in
// schemas/experiment.schema.json is the source of truth for fields, defaults and descriptions;
// these types mirror it. Every path here is absolute (resolved against the experiment's folder).
import type { EngineChoice } from "../inference/engine";
import type { Label } from "../../shared/labels";

export type WindowPresetName = "brain" | "subdural" | "subdural-wide" | "stroke" | "stroke-wide" | "bone" | "soft-tissue";
export type WindowSpec = WindowPresetName | { width: number; level: number };

/** Classifier heads; mirrors HEADS in src/core/models/types.ts. */
export type HeadKind = "linear" | "fastai" | "torchvision";
export type Architecture = "small-cnn" | "resnet18" | "resnet34" | "resnet50" | "resnet101" | "densenet121" | "alexnet";
export type BackendChoice = "auto" | "wasm" | "tensorflow" | "tensorflow-gpu" | "cpu";

export interface SplitConfig {
  /** "image": each image on its own (explicit; only when the data has no patient information). */
  by: "patient" | "study" | "image";
  validationFraction: number;
  seed: number;
}

interface DataCommon {
  /** Use only this many images (deterministic subsample). */
  limit?: number;
  split: SplitConfig;
}

/** Label-defined subset and exclusion list of a folder source. */
interface FolderData extends DataCommon {
  /** CSV of image ids to leave out (ich clean's exclude.csv). */
  exclude?: string;
  /** Only images whose labels have these values, e.g. { any: 1 }. */
  where?: Partial<Record<Label, 0 | 1>>;
}

export interface RsnaDataConfig extends FolderData {
  kind: "rsna";
  dicomDir: string;
  labelsCsv: string;
  metadataCsv?: string;
}

export interface ImagesDataConfig extends FolderData {
  kind: "images";
  imageDir: string;
  /** .csv or feather (.fth/.feather) labels table. */
  labels: string;
  metadata?: string;
}

export interface SyntheticDataConfig extends DataCommon {
  kind: "synthetic";
  patients: number;
  slicesPerPatient: number;
  seed: number;
  /** Width and height of generated slices in pixels. */
  size: number;
}

export type DataConfig = RsnaDataConfig | ImagesDataConfig | SyntheticDataConfig;

export interface InputConfig {
  windows: WindowSpec[];
  size: number;
  /** Sorted by fromEpoch (1-based). Empty: `size` for every epoch. */
  progressiveResizing: { fromEpoch: number; size: number }[];
  /** Neighbour slices each side added as channels (0 = none). */
  adjacentSlices: number;
}

export interface ModelConfig {
  architecture: Architecture;
  /** Absolute path, http(s)/file URL, or `run:<runId>`; see `pretrainedSource()`. */
  pretrained?: string;
  /** Classifier head (src/core/models/head.ts); "torchvision" is AlexNet's only. */
  head: HeadKind;
  labels: "all" | "any";
  dropout: number;
}

export type ScheduleConfig =
  | { kind: "one-cycle"; maxLr: number; warmupShare: number; divFactor: number; finalDivFactor: number }
  | { kind: "constant"; lr: number };

export interface AugmentConfig {
  flip: { p: number };
  rotate: { degrees: number; p: number };
  zoom: { max: number; p: number };
  brightnessContrast: { brightness: number; contrast: number; p: number };
}

/** fastai's fine_tune: src/core/train/fine-tune.ts. */
export interface FineTuneConfig {
  /** Epochs with the body frozen (fastai freeze_epochs). */
  freezeEpochs: number;
  /** Epochs after unfreezing (fastai epochs). */
  epochs: number;
  baseLr: number;
  lrMult: number;
  pctStart: number;
  div: number;
  /** Batch-norm layers of the frozen body keep training (fastai train_bn). */
  trainBn: boolean;
}

export interface TrainConfig {
  /** With fineTune: freezeEpochs + fineTune.epochs. */
  epochs: number;
  /** Absent: plain training with `schedule`. */
  fineTune?: FineTuneConfig;
  batchSize: number;
  optimizer: "adamw";
  weightDecay: number;
  schedule: ScheduleConfig;
  labelWeights: Record<Label, number>;
  augment: AugmentConfig;
  /** Absent: no early stopping. */
  earlyStopping?: { patience: number; minDelta: number };
  checkpointEvery: number;
  seed: number;
  mixedPrecision: boolean;
  maxStepsPerEpoch?: number;
  /** Share of unreadable training images above which the run fails (default 0.01). */
  maxBadImageShare: number;
  backend: BackendChoice;
  /** What computes the training steps (src/core/train/step-runner.ts). */
  engine: EngineChoice;
  /** Data-parallel training replicas on the WASM backend with engine tfjs (src/core/train/parallel). */
  workers: "auto" | number;
}

export interface EvalConfig {
  /** false, true (flip) or { flip, rotate: degrees[], zoom: factors[] }: src/core/predict/tta.ts. */
  tta: boolean | { flip?: boolean; rotate?: number[]; zoom?: number[] };
  threshold: number;
  /** Every label, filled from `threshold` where the file gives no per-label value. */
  thresholds: Record<Label, number>;
}

export interface ExperimentConfig {
  name: string;
  description?: string;
  data: DataConfig;
  input: InputConfig;
  model: ModelConfig;
  train: TrainConfig;
  eval: EvalConfig;
}

export type PretrainedSource = { kind: "run"; runId: string } | { kind: "url"; url: string } | { kind: "path"; path: string };
