import type { Command } from "../usage";

export interface CommandEntry {
  summary: string;
  /** Loaded on demand, so `ich info` or `ich runs` never pay for loading TF.js. */
  load(): Promise<Command>;
}

const entry = (summary: string, load: () => Promise<{ command: Command }>): CommandEntry => ({
  summary,
  load: async () => (await load()).command,
});

// One line per sub-command; each module exports `command: Command`.
export const commands: Record<string, CommandEntry> = {
  info: entry("key tags, transfer syntax, size and value statistics of DICOM files", () => import("./info")),
  render: entry("render a CT slice through named or custom windows to PNG", () => import("./render")),
  synth: entry("write synthetic head-CT phantom series (DICOM) with RSNA-style labels", () => import("./synth")),
  train: entry("train a model from an experiment file (or --resume a run)", () => import("./train")),
  eval: entry("evaluate a run's best model (eval.json, predictions.csv)", () => import("./eval")),
  predict: entry("predict hemorrhage probabilities for DICOM files with a trained run", () => import("./predict")),
  serve: entry("serve a run's model over HTTP (POST /v1/predict with DICOM; GET /healthz)", () => import("./serve")),
  export: entry("write a run's best model as ONNX (default RUN/model/model.onnx)", () => import("./export")),
  "import-weights": entry("import torchvision weights exported to ONNX into a model folder (ImageNet pretraining)", () => import("./import-weights")),
  "lr-find": entry("learning-rate finder: loss against an exponential LR sweep, suggested LR", () => import("./lr-find")),
  index: entry("header-only, incremental index of a dataset folder as JSON lines (with labels)", () => import("./dataset-index")),
  explore: entry("dataset summary: counts, prevalence, co-occurrence, header histograms, samples, augmentations", () => import("./explore")),
  "baseline-metadata": entry("metadata baseline: random forest on DICOM header fields, per-label AUC with a patient split", () => import("./baseline-metadata")),
  clean: entry("cleaning report of a dataset folder (unreadable, non-CT, label problems, low brain content) + exclusion CSV", () => import("./clean")),
  runs: entry("list training runs (status, best weighted log loss, mean AUC, duration)", () => import("./runs")),
  backend: entry("show the TF.js backend and device this machine trains on", () => import("./backend")),
};
