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

interface ActivationHolder {
  activation: { getClassName(): string; apply(x: Tensor): Tensor } | null;
}

/** What a sigmoid becomes while the loss reads logits: the identity ("linear" runs the fused Dense kernel without activation). */
const IDENTITY = { getClassName: () => "linear", apply: (x: Tensor) => x };

/**
 * The model's pre-sigmoid outputs in training mode, or null when its last layer is not a sigmoid
 * Dense or Activation. The forward is the model's own (model.apply) with that layer's sigmoid
 * swapped for the identity for this one synchronous call, so gradients reach every weight exactly
 * as through the model.
 */
export function trainingLogits(tf: Tf, model: LayersModel, x: Tensor): Tensor | null {
  if (model.outputs.length !== 1) return null;
  const last = model.outputs[0].sourceLayer;
  const kind = last.getClassName();
  if ((last.getConfig() as { activation?: string }).activation !== "sigmoid" || (kind !== "Dense" && kind !== "Activation")) return null;
  const holder = last as unknown as ActivationHolder;
  const sigmoid = holder.activation;
  holder.activation = IDENTITY;
  try {
    return model.apply(x, { training: true }) as Tensor;
  } finally {
    holder.activation = sigmoid;
  }
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
