// Convolution kernels live in ONNX's OIHW layout while the ONNX Runtime engine trains (ONNX Runtime
// transposes a weight input slowly, ~20 ns per value, on every run); TF.js keeps them as HWIO. The
// graph returns their gradients as HWOI (one [co, ci] matrix product per tap, stacked), which the
// optimizer reads as is. Conversions run only when the TF.js model is synchronised (validation,
// checkpoints, stage changes) and when the optimizer state is loaded or saved.

/** How a weight is laid out in the training graph relative to TF.js. */
export type WeightLayout = "oihw" | "tf";

export function onnxShape(layout: WeightLayout, tfShape: readonly number[]): number[] {
  if (layout === "tf") return [...tfShape];
  const [kh, kw, ci, co] = tfShape;
  return [co, ci, kh, kw];
}

/** A copy of `values` (dims `dims`, row-major) with its three axes in the order `perm`. */
function transpose3(values: Float32Array, dims: readonly [number, number, number], perm: readonly [number, number, number]): Float32Array {
  const strides = [dims[1] * dims[2], dims[2], 1];
  const [a, b, c] = perm.map((p) => dims[p]);
  const [sa, sb, sc] = perm.map((p) => strides[p]);
  const out = new Float32Array(values.length);
  let k = 0;
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let l = 0; l < c; l++) out[k++] = values[i * sa + j * sb + l * sc];
  return out;
}

/** TF.js weights (HWIO = [taps, ci, co]) → the graph's layout (OIHW = [co, ci, taps]); a copy. */
export function toOnnxLayout(layout: WeightLayout, tfShape: readonly number[], values: Float32Array): Float32Array {
  if (layout === "tf") return Float32Array.from(values);
  const [kh, kw, ci, co] = tfShape;
  return transpose3(values, [kh * kw, ci, co], [2, 1, 0]);
}

/** The graph's weights → TF.js layout (toOnnxLayout's inverse); a copy. */
export function toTfLayout(layout: WeightLayout, tfShape: readonly number[], values: Float32Array): Float32Array {
  if (layout === "tf") return Float32Array.from(values);
  const [kh, kw, ci, co] = tfShape;
  return transpose3(values, [co, ci, kh * kw], [2, 1, 0]);
}

/** A kernel gradient (or Adam moment) as the graph gives it (HWOI = [taps, co, ci]) → TF.js's HWIO; a copy. */
export function gradientToTf(layout: WeightLayout, tfShape: readonly number[], values: Float32Array): Float32Array {
  if (layout === "tf") return Float32Array.from(values);
  const [kh, kw, ci, co] = tfShape;
  return transpose3(values, [kh * kw, co, ci], [0, 2, 1]);
}

/** TF.js's HWIO → the gradient layout (gradientToTf's inverse); a copy. */
export function gradientFromTf(layout: WeightLayout, tfShape: readonly number[], values: Float32Array): Float32Array {
  if (layout === "tf") return Float32Array.from(values);
  const [kh, kw, ci, co] = tfShape;
  return transpose3(values, [kh * kw, ci, co], [0, 2, 1]);
}
