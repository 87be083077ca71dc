// AdamW: TF.js's Adam plus decoupled weight decay on the kernels (not biases or
// normalisation parameters), applied after every step as w -= lr * weightDecay * w.
// Optional parameter groups (fine-tuning) give each group its own learning-rate multiplier and its
// own Adam instance: TF.js's Adam keeps its moments by position in the variable list and one bias
// correction step count for all variables, so a group that starts training later (unfrozen) needs
// a fresh Adam to get PyTorch's per-parameter state.
import type { Tensor, Tf, Variable } from "./tf-types";

export interface SerializedOptimizer {
  /** Names in the order of `getWeights()` (iterations, first moments, second moments). */
  names: string[];
  shapes: number[][];
  data: Float32Array;
}

/** Adam's hyper-parameters (PyTorch's betas; TF.js's epsilon): shared with the ONNX Runtime engine's copy of this optimizer. */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;

/** Whether weight decay applies to a variable of this name and rank: kernels, not biases or normalisation parameters. */
export function isDecayedName(name: string, rank: number): boolean {
  return /kernel$/i.test(name) || (rank >= 2 && !/(gamma|beta|moving|bias)/i.test(name));
}

export function isDecayed(variable: Variable): boolean {
  return isDecayedName(variable.name, variable.rank);
}

/** Variables trained together at `multiplier` × the optimizer's learning rate. */
export interface OptimizerGroup {
  key: string;
  names: readonly string[];
  multiplier: number;
}

export const GROUP_PREFIX = "group:";

export class AdamW {
  private readonly optimizer;
  private lr: number;
  private groups: OptimizerGroup[] = [];
  private groupOf = new Map<string, OptimizerGroup>();
  private readonly groupOptimizers = new Map<string, ReturnType<Tf["train"]["adam"]>>();

  constructor(
    private readonly tf: Tf,
    learningRate: number,
    private readonly weightDecay: number,
  ) {
    this.lr = learningRate;
    this.optimizer = tf.train.adam(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  }

  get decayRate(): number {
    return this.weightDecay;
  }

  /** The parameter groups in force (setGroups). */
  get parameterGroups(): readonly OptimizerGroup[] {
    return this.groups;
  }

  get learningRate(): number {
    return this.lr;
  }

  setLearningRate(lr: number): void {
    this.lr = lr;
    // Adam reads its learning rate on every applyGradients call.
    (this.optimizer as unknown as { learningRate: number }).learningRate = lr;
  }

  /**
   * Parameter groups with their multipliers (replacing earlier ones; Adam state of a group key is
   * kept). Variables in no group train at the plain learning rate.
   */
  setGroups(groups: readonly OptimizerGroup[]): void {
    this.groups = groups.map((g) => ({ ...g }));
    this.groupOf = new Map(this.groups.flatMap((g) => g.names.map((name) => [name, g] as const)));
  }

  /** The learning rate a variable is updated with at the current setting. */
  learningRateOf(name: string): number {
    return this.lr * (this.groupOf.get(name)?.multiplier ?? 1);
  }

  private groupOptimizer(key: string) {
    let optimizer = this.groupOptimizers.get(key);
    if (!optimizer) {
      optimizer = this.tf.train.adam(this.lr, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
      this.groupOptimizers.set(key, optimizer);
    }
    return optimizer;
  }

  /** Applies gradients (keyed by variable name, in `variables` order), then the decoupled decay. */
  apply(variables: readonly Variable[], grads: Record<string, Tensor>): void {
    const ordered: Record<string, Tensor> = {};
    for (const v of variables) if (grads[v.name] && !this.groupOf.has(v.name)) ordered[v.name] = grads[v.name];
    if (Object.keys(ordered).length > 0 || this.groups.length === 0) {
      this.optimizer.applyGradients(ordered as Parameters<typeof this.optimizer.applyGradients>[0]);
    }
    for (const group of this.groups) {
      if (!group.names.some((name) => grads[name])) continue;
      const optimizer = this.groupOptimizer(group.key);
      (optimizer as unknown as { learningRate: number }).learningRate = this.lr * group.multiplier;
      // Always the group's full list, in the same order: Adam's moments are positional.
      this.tf.tidy(() => {
        const own: Record<string, Tensor> = {};
        for (const name of group.names) own[name] = grads[name] ?? this.tf.zerosLike(this.tf.engine().registeredVariables[name]);
        optimizer.applyGradients(own as Parameters<typeof optimizer.applyGradients>[0]);
      });
    }
    this.decay(variables.filter((v) => grads[v.name]));
  }

  decay(variables: readonly Variable[]): void {
    if (this.weightDecay === 0) return;
    this.tf.tidy(() => {
      for (const v of variables) if (isDecayed(v)) v.assign(v.mul(1 - this.learningRateOf(v.name) * this.weightDecay));
    });
  }

  async serialize(): Promise<SerializedOptimizer> {
    const weights = await this.optimizer.getWeights();
    for (const [key, optimizer] of this.groupOptimizers) {
      weights.push(...(await optimizer.getWeights()).map((w) => ({ name: `${GROUP_PREFIX}${key}/${w.name}`, tensor: w.tensor })));
    }
    const names = weights.map((w) => w.name);
    const shapes = weights.map((w) => w.tensor.shape);
    const arrays = await Promise.all(weights.map((w) => w.tensor.data() as Promise<Float32Array>));
    const data = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let offset = 0;
    for (const a of arrays) {
      data.set(a, offset);
      offset += a.length;
    }
    // Only the iteration counts are fresh tensors; the moments are Adam's live variables.
    for (const w of weights) if (w.name === "iter" || w.name.endsWith("/iter")) w.tensor.dispose();
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
    const plain = weights.filter((w) => !w.name.startsWith(GROUP_PREFIX));
    await this.optimizer.setWeights(plain);
    const byGroup = new Map<string, typeof weights>();
    for (const w of weights) {
      if (!w.name.startsWith(GROUP_PREFIX)) continue;
      const rest = w.name.slice(GROUP_PREFIX.length);
      const key = rest.slice(0, rest.indexOf("/"));
      byGroup.set(key, [...(byGroup.get(key) ?? []), { name: rest.slice(key.length + 1), tensor: w.tensor }]);
    }
    for (const [key, groupWeights] of byGroup) await this.groupOptimizer(key).setWeights(groupWeights);
    weights.forEach((w) => w.tensor.dispose());
  }

  dispose(): void {
    this.optimizer.dispose();
    for (const optimizer of this.groupOptimizers.values()) optimizer.dispose();
  }
}
