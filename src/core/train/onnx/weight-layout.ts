// Convolution kernels live in ONNX's OIHW layout while the ONNX Runtime engine trains (ONNX Runtime
// transposes a weight input slowly, ~20 ns per value, on every run); TF.js keeps them as HWIO. The
// conversion runs only when the TF.js model is synchronised (validation, checkpoints, stage changes).

/** How a weight is laid out in the training graph relative to TF.js. */
export type WeightLayout = "oihw" | "tf";

export function onnxShape(layout: WeightLayout, tfShape: readonly number[]): number[] {
  if (layout === "tf") return [...tfShape];
  const [kh, kw, ci, co] = tfShape;
  return [co, ci, kh, kw];
}

/** TF.js values → the graph's layout (a copy). */
export function toOnnxLayout(layout: WeightLayout, tfShape: readonly number[], values: Float32Array): Float32Array {
  if (layout === "tf") return Float32Array.from(values);
  const [kh, kw, ci, co] = tfShape;
  const taps = kh * kw;
  const out = new Float32Array(values.length);
  for (let t = 0; t < taps; t++) {
    for (let i = 0; i < ci; i++) {
      const from = (t * ci + i) * co;
      for (let o = 0; o < co; o++) out[(o * ci + i) * taps + t] = values[from + o];
    }
  }
  return out;
}

/** The graph's layout → TF.js values (a copy). */
export function toTfLayout(layout: WeightLayout, tfShape: readonly number[], values: Float32Array): Float32Array {
  if (layout === "tf") return Float32Array.from(values);
  const [kh, kw, ci, co] = tfShape;
  const taps = kh * kw;
  const out = new Float32Array(values.length);
  for (let t = 0; t < taps; t++) {
    for (let i = 0; i < ci; i++) {
      const to = (t * ci + i) * co;
      for (let o = 0; o < co; o++) out[to + o] = values[(o * ci + i) * taps + t];
    }
  }
  return out;
}

/**
 * A kernel's gradient (and Adam's moments) for "oihw" weights comes out of the graph as HWOI
 * [kh, kw, co, ci]: per tap one [co, ci] matrix product, stacked with no transpose. To TF.js's HWIO.
 */
export function gradientToTf(layout: WeightLayout, tfShape: readonly number[], values: Float32Array): Float32Array {
  if (layout === "tf") return Float32Array.from(values);
  const [kh, kw, ci, co] = tfShape;
  const out = new Float32Array(values.length);
  for (let t = 0; t < kh * kw; t++) {
    const base = t * ci * co;
    for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) out[base + i * co + o] = values[base + o * ci + i];
  }
  return out;
}

/** TF.js's HWIO → the gradient layout (gradientToTf's inverse). */
export function gradientFromTf(layout: WeightLayout, tfShape: readonly number[], values: Float32Array): Float32Array {
  if (layout === "tf") return Float32Array.from(values);
  const [kh, kw, ci, co] = tfShape;
  const out = new Float32Array(values.length);
  for (let t = 0; t < kh * kw; t++) {
    const base = t * ci * co;
    for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[base + o * ci + i] = values[base + i * co + o];
  }
  return out;
}
