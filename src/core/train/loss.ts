// Label-weighted binary cross-entropy: the training-time counterpart of the RSNA weighted log loss.
import type { Tensor, Tf } from "./tf-types";

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
