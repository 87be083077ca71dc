// Grad-CAM (Selvaraju et al. 2017): where in the image the evidence for one output comes from.
// heat = ReLU(Σ_k α_k · A_k), α_k = spatial mean of ∂y/∂A_k, A = the last convolutional feature
// map, normalised to [0, 1]. Works for any functional LayersModel: instead of splitting the graph
// at the feature layer, that layer's output gets a zero "probe" added during one forward pass and
// the gradient with respect to the probe is ∂y/∂A.
import type * as tfjs from "@tensorflow/tfjs";

/** The TF.js namespace in use (passed in: the backend module picks tfjs or tfjs-node at run time). */
type Tf = typeof tfjs;
type LayersModel = tfjs.LayersModel;
type Tensor = tfjs.Tensor;

export interface HeatGrid {
  /** Grid size = the feature map's spatial size (e.g. 8×8 for a 256 px ResNet input). */
  width: number;
  height: number;
  /** Row-major, in [0, 1]; all zero when nothing in the map supports the output. */
  values: Float32Array;
  /** Name of the layer whose activations were used. */
  layer: string;
}

type Layer = LayersModel["layers"][number];
type CallFn = Layer["call"];

/**
 * The layer Grad-CAM uses: the last non-pooling one with a spatial (rank-4) output larger than
 * 1×1 — the final activation of the convolutional trunk.
 */
export function featureLayer(model: LayersModel, name?: string): Layer {
  if (name) return model.getLayer(name);
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i];
    const shape = layer.outputShape;
    if (!Array.isArray(shape) || Array.isArray(shape[0]) || shape.length !== 4) continue;
    const [, h, w] = shape as (number | null)[];
    if (h === 1 && w === 1) continue;
    const kind = layer.getClassName();
    if (kind === "InputLayer") break;
    // A pooling layer only halves the resolution of the map it pools; use the map itself.
    if (kind.includes("Pooling")) continue;
    return layer;
  }
  throw new Error(`Grad-CAM: model "${model.name}" has no convolutional feature map (no layer with a rank-4 output)`);
}

/** Runs `fn` with `layer.call` replaced; always restores it. */
function withPatchedCall<T>(layer: Layer, patch: (original: CallFn) => CallFn, fn: () => T): T {
  // Kept only to be put back; every call goes through the bound copy below.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = layer.call;
  layer.call = patch(original.bind(layer));
  try {
    return fn();
  } finally {
    layer.call = original;
  }
}

/**
 * Grad-CAM heat grid for output unit `outputIndex` of `model` on `input` (shape [1, H, W, C]).
 * The gradient is taken of the model's output itself: for sigmoid outputs that scales every α_k
 * by the same positive p(1 − p), which the normalisation removes.
 */
export function gradCam(tf: Tf, model: LayersModel, input: Tensor, outputIndex: number, layerName?: string): HeatGrid {
  if (input.rank !== 4 || input.shape[0] !== 1) throw new Error(`Grad-CAM: input must have shape [1, H, W, C], got [${input.shape.join(", ")}]`);
  const layer = featureLayer(model, layerName);
  const single = (t: Tensor | Tensor[]): Tensor => (Array.isArray(t) ? t[0] : t);

  // Pass 1: the feature map's concrete shape (models built for any input size have nulls in it).
  let featureShape: number[] | undefined;
  tf.tidy(() => {
    withPatchedCall(layer, (call) => (inputs, kwargs) => {
      const out = call(inputs, kwargs);
      featureShape = single(out).shape;
      return out;
    }, () => model.apply(input, { training: false }) as Tensor);
  });
  if (!featureShape || featureShape.length !== 4) throw new Error(`Grad-CAM: layer "${layer.name}" produced no rank-4 output`);
  const [, height, width] = featureShape;
  const outputs = model.outputs[0].shape[1] ?? 1;
  if (!Number.isInteger(outputIndex) || outputIndex < 0 || outputIndex >= outputs) throw new RangeError(`Grad-CAM: output ${outputIndex} does not exist (the model has ${outputs})`);

  let activation: Tensor | undefined;
  const heat = tf.tidy(() => {
    const score = (probe: Tensor): Tensor =>
      withPatchedCall(layer, (call) => (inputs, kwargs) => {
        const out = single(call(inputs, kwargs));
        // tf.grad disposes every intermediate of `score`; the activation must outlive it.
        activation = tf.keep(out.clone());
        return tf.add(out, probe);
      }, () => {
        const y = model.apply(input, { training: false }) as Tensor;
        return tf.sum(tf.slice(y, [0, outputIndex], [1, 1]));
      });
    const gradient = tf.grad(score)(tf.zeros(featureShape as number[]));
    if (!activation) throw new Error(`Grad-CAM: layer "${layer.name}" was not run`);
    const features: Tensor = activation;
    const alpha = tf.mean(gradient, [1, 2], true); // [1, 1, 1, C]
    const cam = tf.relu(tf.sum(tf.mul(features, alpha), 3)).reshape([height * width]); // [H·W]
    const max = tf.max(cam);
    return tf.where(tf.greater(max, 0), tf.div(cam, tf.maximum(max, 1e-12)), tf.zerosLike(cam));
  });
  const values = new Float32Array(heat.dataSync());
  heat.dispose();
  activation?.dispose();
  return { width, height, values, layer: layer.name };
}
