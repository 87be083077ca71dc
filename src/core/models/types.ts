import type * as tfjs from "@tensorflow/tfjs";

/**
 * The TF.js namespace in use. It is passed in rather than imported because the backend module picks
 * @tensorflow/tfjs or @tensorflow/tfjs-node(-gpu) at run time; both expose this API.
 */
export type Tf = typeof tfjs;
export type LayersModel = tfjs.LayersModel;
export type SymbolicTensor = tfjs.SymbolicTensor;

export const ARCHITECTURES = ["small-cnn", "resnet18", "resnet34", "resnet50", "resnet101", "densenet121", "alexnet"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export function isArchitecture(value: string): value is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(value);
}

/** Classifier heads (see buildHead): "torchvision" is AlexNet's only. */
export const HEADS = ["linear", "fastai", "torchvision"] as const;
export type HeadKind = (typeof HEADS)[number];

export interface BuildOptions {
  architecture: Architecture;
  /**
   * Height and width of the square input in pixels (≥ the architecture's minInputSize), or null for a model that accepts any
   * size (every architecture ends in global average pooling, so the same weights serve
   * 64, 128 and 256 px — what progressive resizing needs).
   */
  inputSize: number | null;
  channels: number;
  /** Sigmoid outputs: 1 for `any` only, 6 for all labels. */
  outputs: number;
  /** Classifier head; default "linear". */
  head?: HeadKind;
  /** Dropout before the classifier (fastai head: its `ps`); defaults per architecture (see describeArchitecture). */
  dropout?: number;
  /**
   * Per-channel input normalisation built into the model as its first layer (INPUT_NORMALIZATION_LAYER),
   * e.g. ImageNet mean/std for weights imported from torchvision. One value per input channel.
   */
  inputNormalization?: { mean: readonly number[]; std: readonly number[] };
  /** Seeds every initialiser, so the same options build the same weights. Default 0. */
  seed?: number;
}
