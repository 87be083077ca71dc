import { LABELS, type Label } from "../../shared/labels";
import type { ExperimentConfig, PretrainedSource } from "./types";

/** Input size for a 1-based epoch, following `input.progressiveResizing` (else `input.size`). */
export function imageSizeForEpoch(config: ExperimentConfig, epoch: number): number {
  let size = config.input.size;
  for (const stage of config.input.progressiveResizing) if (epoch >= stage.fromEpoch) size = stage.size;
  return size;
}

/** The labels the model predicts, in LABELS order. */
export function modelLabels(config: ExperimentConfig): Label[] {
  return config.model.labels === "any" ? ["any"] : [...LABELS];
}

/** Channels per input image: windows × (1 + 2 × adjacentSlices); `images` data is always 3 channels. */
export function inputChannels(config: ExperimentConfig): number {
  const perSlice = config.data.kind === "images" ? 3 : config.input.windows.length;
  return perSlice * (1 + 2 * config.input.adjacentSlices);
}

/** What `model.pretrained` points at, or undefined when training starts from random weights. */
export function pretrainedSource(config: ExperimentConfig): PretrainedSource | undefined {
  const value = config.model.pretrained;
  if (!value) return undefined;
  if (value.startsWith("run:")) return { kind: "run", runId: value.slice(4) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { kind: "url", url: value };
  return { kind: "path", path: value };
}
