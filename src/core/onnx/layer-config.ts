// What the ONNX converters (the export, layers.ts, and the training graph, train/onnx/layer-backprop.ts)
// read from a TF.js layer's getConfig(), and the helpers both need.
import { adaptivePoolMatrix } from "../models/adaptive-pool";

export interface LayerConfig {
  activation?: string;
  padding?: string | number | number[] | number[][];
  kernelSize?: number | number[];
  poolSize?: number | number[];
  strides?: number | number[] | null;
  dilationRate?: number | number[];
  dataFormat?: string;
  useBias?: boolean;
  axis?: number | number[];
  epsilon?: number;
  momentum?: number;
  center?: boolean;
  scale?: boolean;
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
  rate?: number;
  noiseShape?: number[] | null;
  outputSize?: number;
  keepDims?: boolean;
}

/** A Keras size or stride (one number or [h, w]) as [h, w]; `fallback` when unset. */
export function pair(value: number | number[] | null | undefined, fallback: number): [number, number] {
  if (value === null || value === undefined) return [fallback, fallback];
  if (typeof value === "number") return [value, value];
  return [value[0], value[1] ?? value[0]];
}

/** PyTorch's adaptive-pool bins (adaptivePoolMatrix, [out, n]) transposed to [n, out], the right operand of a MatMul over the last axis. */
export function adaptivePoolColumns(n: number, out: number): Float32Array {
  const m = adaptivePoolMatrix(n, out);
  const t = new Float32Array(n * out);
  for (let i = 0; i < out; i++) for (let j = 0; j < n; j++) t[j * out + i] = m[i * n + j];
  return t;
}
