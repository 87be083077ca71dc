// AdamW: TF.js's Adam plus decoupled weight decay on the kernels (not biases or
// normalisation parameters), applied after every step as w -= lr * weightDecay * w.
import type { Tensor, Tf, Variable } from "./tf-types";

export interface SerializedOptimizer {
  /** Names in the order of `getWeights()` (iterations, first moments, second moments). */
  names: string[];
  shapes: number[][];
  data: Float32Array;
}

export function isDecayed(variable: Variable): boolean {
  return /kernel$/i.test(variable.name) || (variable.rank >= 2 && !/(gamma|beta|moving|bias)/i.test(variable.name));
}

export class AdamW {
  private readonly optimizer;
  private lr: number;

  constructor(
    private readonly tf: Tf,
    learningRate: number,
    private readonly weightDecay: number,
  ) {
    this.lr = learningRate;
    this.optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
  }

  get learningRate(): number {
    return this.lr;
  }

  setLearningRate(lr: number): void {
    this.lr = lr;
    // Adam reads its learning rate on every applyGradients call.
    (this.optimizer as unknown as { learningRate: number }).learningRate = lr;
  }

  /** Applies gradients (keyed by variable name, in `variables` order), then the decoupled decay. */
  apply(variables: readonly Variable[], grads: Record<string, Tensor>): void {
    const ordered: Record<string, Tensor> = {};
    for (const v of variables) if (grads[v.name]) ordered[v.name] = grads[v.name];
    this.optimizer.applyGradients(ordered as Parameters<typeof this.optimizer.applyGradients>[0]);
    this.decay(variables);
  }

  decay(variables: readonly Variable[]): void {
    if (this.weightDecay === 0) return;
    const factor = 1 - this.lr * this.weightDecay;
    this.tf.tidy(() => {
      for (const v of variables) if (isDecayed(v)) v.assign(v.mul(factor));
    });
  }

  async serialize(): Promise<SerializedOptimizer> {
    const weights = await this.optimizer.getWeights();
    const names = weights.map((w) => w.name);
    const shapes = weights.map((w) => w.tensor.shape);
    const arrays = await Promise.all(weights.map((w) => w.tensor.data() as Promise<Float32Array>));
    const data = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let offset = 0;
    for (const a of arrays) {
      data.set(a, offset);
      offset += a.length;
    }
    // Only the iteration count is a fresh tensor; the moments are Adam's live variables.
    weights[0]?.tensor.dispose();
    return { names, shapes, data };
  }

  async restore(state: SerializedOptimizer): Promise<void> {
    let offset = 0;
    const weights = state.names.map((name, i) => {
      const size = state.shapes[i].reduce((a, b) => a * b, 1);
      const tensor = this.tf.tensor(state.data.subarray(offset, offset + size), state.shapes[i]);
      offset += size;
      return { name, tensor };
    });
    await this.optimizer.setWeights(weights);
    weights.forEach((w) => w.tensor.dispose());
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
