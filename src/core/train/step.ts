// One optimisation step: forward in training mode, weighted BCE, gradients with respect to
// the trainable weights only, AdamW update.
import type { AdamW } from "./adamw";
import { weightedBce } from "./loss";
import type { LayersModel, Tensor, Tf, Variable } from "./tf-types";

export function trainableVariables(model: LayersModel): Variable[] {
  return model.trainableWeights.map((w) => w.read() as Variable);
}

export function trainStep(tf: Tf, model: LayersModel, optimizer: AdamW, variables: Variable[], x: Tensor, y: Tensor, weights: readonly number[], logits: boolean): number {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => weightedBce(tf, model.apply(x, { training: true }) as Tensor, y, weights, logits) as ReturnType<typeof tf.scalar>, variables);
    optimizer.apply(variables, grads);
    return value;
  });
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}
