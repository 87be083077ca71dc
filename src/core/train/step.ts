// One optimisation step: forward in training mode, weighted BCE (plus any layer regularisation
// losses), gradients with respect to the trainable weights only — skipping the never-used
// gradient of the input image (src/core/tf/train-step) — then the AdamW update.
import { withoutInputGradients } from "../tf/train-step";
import type { AdamW } from "./adamw";
import { modelLoss } from "./loss";
import type { LayersModel, Tensor, Tf, Variable } from "./tf-types";

export function trainableVariables(model: LayersModel): Variable[] {
  return model.trainableWeights.map((w) => w.read() as Variable);
}

/**
 * Loss and gradients of one batch (keyed by variable name), without updating the weights. The
 * forward runs in training mode, so batch-norm moving statistics do update. The caller disposes
 * the returned tensors.
 */
export function batchGradients(
  tf: Tf,
  model: LayersModel,
  variables: Variable[],
  x: Tensor,
  y: Tensor,
  weights: readonly number[],
  logits: boolean,
): { value: Tensor; grads: Record<string, Tensor> } {
  return withoutInputGradients(model, x, () =>
    tf.variableGrads(() => {
      const data = modelLoss(tf, model, x, y, weights, logits);
      const regularisation = model.layers.flatMap((layer) => layer.calculateLosses());
      return (regularisation.length > 0 ? tf.addN([data, ...regularisation]) : data) as ReturnType<typeof tf.scalar>;
    }, variables),
  );
}

export function trainStep(
  tf: Tf,
  model: LayersModel,
  optimizer: AdamW,
  variables: Variable[],
  x: Tensor,
  y: Tensor,
  weights: readonly number[],
  logits: boolean,
): number {
  const loss = tf.tidy(() => {
    const { value, grads } = batchGradients(tf, model, variables, x, y, weights, logits);
    optimizer.apply(variables, grads);
    return value;
  });
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}
