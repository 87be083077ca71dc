// Label-weighted binary cross-entropy: the training-time counterpart of the RSNA weighted log loss.
import type { Tensor, Tf, LayersModel } from "./tf-types";

const EPSILON = 1e-7;

/**
 * mean over samples of sum_l w_l·BCE_l / sum_l w_l. `output` is the model output: logits when
 * `fromLogits`, otherwise probabilities (clipped to [1e-7, 1-1e-7] like the metric).
 */
export function weightedBce(tf: Tf, output: Tensor, targets: Tensor, weights: readonly number[], fromLogits: boolean): Tensor {
  return tf.tidy(() => {
    const w = tf.tensor1d(weights as number[]);
    let perLabel: Tensor;
    if (fromLogits) {
      // max(z,0) - z·y + log(1 + exp(-|z|)): stable for large |z|.
      perLabel = tf.relu(output).sub(output.mul(targets)).add(tf.log1p(tf.exp(tf.neg(tf.abs(output)))));
    } else {
      const p = tf.clipByValue(output, EPSILON, 1 - EPSILON);
      perLabel = tf.neg(targets.mul(tf.log(p)).add(tf.scalar(1).sub(targets).mul(tf.log(tf.scalar(1).sub(p)))));
    }
    return perLabel.mul(w).sum(1).div(w.sum()).mean();
  });
}

type AnyLayer = LayersModel["layers"][number];
interface DenseInternals {
  kernel: { read(): Tensor };
  bias: { read(): Tensor } | null;
}

/** Per model: the model up to the input of its final sigmoid layer (shares every layer and weight). */
const featureViews = new WeakMap<LayersModel, LayersModel>();

function featuresBeforeHead(tf: Tf, model: LayersModel): LayersModel {
  let view = featureViews.get(model);
  if (!view) {
    view = tf.model({ inputs: model.inputs, outputs: model.outputs[0].inputs[0] });
    featureViews.set(model, view);
  }
  return view;
}

/**
 * The model's pre-sigmoid outputs in training mode, or null when its last layer is not a sigmoid
 * Dense or Activation. A sigmoid Dense is re-computed as features·kernel + bias from its own
 * variables, so gradients reach them exactly as through the layer.
 */
export function trainingLogits(tf: Tf, model: LayersModel, x: Tensor): Tensor | null {
  if (model.outputs.length !== 1 || model.outputs[0].inputs.length !== 1) return null;
  const last = model.outputs[0].sourceLayer as AnyLayer;
  const kind = last.getClassName();
  if ((last.getConfig() as { activation?: string }).activation !== "sigmoid" || (kind !== "Dense" && kind !== "Activation")) return null;
  const features = featuresBeforeHead(tf, model).apply(x, { training: true }) as Tensor;
  if (kind === "Activation") return features;
  const { kernel, bias } = last as unknown as DenseInternals;
  const k = kernel.read();
  const [inUnits, outUnits] = k.shape as [number, number];
  const flat = features.reshape([-1, inUnits]);
  let z = tf.matMul(flat, k);
  if (bias) z = z.add(bias.read());
  return z.reshape([...features.shape.slice(0, -1), outUnits]);
}

/**
 * The training loss of one batch: BCE from logits (fastai's BCEWithLogitsLossFlat) whenever the
 * model's logits can be reached, so confidently wrong predictions keep a gradient; otherwise BCE
 * on the clipped probabilities. `logits`: the model itself outputs logits (no final sigmoid).
 */
export function modelLoss(tf: Tf, model: LayersModel, x: Tensor, targets: Tensor, weights: readonly number[], logits: boolean): Tensor {
  return tf.tidy(() => {
    if (logits) return weightedBce(tf, model.apply(x, { training: true }) as Tensor, targets, weights, true);
    const z = trainingLogits(tf, model, x);
    if (z) return weightedBce(tf, z, targets, weights, true);
    return weightedBce(tf, model.apply(x, { training: true }) as Tensor, targets, weights, false);
  });
}
