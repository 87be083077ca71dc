// One interface for the two ways a model runs: ONNX Runtime (model/model.onnx) and TF.js
// (model/model.json). Callers hand an engine a prepared NHWC batch and get probabilities back.

export const ENGINE_CHOICES = ["auto", "onnx", "tfjs"] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];
export type EngineName = Exclude<EngineChoice, "auto">;

export function isEngineChoice(value: unknown): value is EngineChoice {
  return typeof value === "string" && (ENGINE_CHOICES as readonly string[]).includes(value);
}

/** What ran the model, as reported in `--json` output and by `ich backend`. */
export interface EngineInfo {
  name: EngineName;
  /** Human-readable device, e.g. "CPU (ONNX Runtime 1.30.0, 2 intra-op threads)". */
  device: string;
  /** ONNX Runtime: execution providers asked for, in order of preference. */
  requestedProviders?: string[];
  /**
   * ONNX Runtime: providers the graph's nodes actually ran on, read from ORT's own profile of the
   * first batch; null when not checked (a CPU-only session cannot run anywhere else).
   */
  usedProviders?: string[] | null;
  /** Why this engine or device was chosen when it is not the obvious one (fallbacks, stale files). */
  notes: string[];
  /** TF.js: the backend's warnings (native backends skipped and why). */
  warnings?: string[];
}

export interface InferenceEngine {
  readonly info: EngineInfo;
  /**
   * @param x `n` prepared inputs, NHWC float32 (n × size × size × channels), as the loader makes them
   * @param tta also run the left-right mirrored images and average the two probabilities
   * @returns n × outputs sigmoid probabilities, row-major
   */
  predict(x: Float32Array, n: number, tta: boolean): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Geometry of the engine's input, checked against every batch. */
export interface InputShape {
  size: number;
  channels: number;
  outputs: number;
}

/** The batch mirrored left-right (reverses the W axis of an NHWC buffer), as TF.js `reverse(x, 2)`. */
export function flipHorizontal(x: Float32Array, n: number, size: number, channels: number): Float32Array {
  const out = new Float32Array(x.length);
  const row = size * channels;
  for (let i = 0; i < n * size; i++) {
    const base = i * row;
    for (let w = 0; w < size; w++) {
      const from = base + w * channels;
      const to = base + (size - 1 - w) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = x[from + c];
    }
  }
  return out;
}

/** Element-wise mean of two probability arrays (TTA). */
export function averageProbabilities(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] + b[i]) / 2;
  return out;
}
