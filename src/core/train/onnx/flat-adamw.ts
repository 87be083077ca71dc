// AdamW over plain Float32Arrays for the ONNX Runtime engine: the same update as src/core/train/
// adamw.ts (TF.js's Adam, one instance and step count per parameter group, decoupled decay on
// kernels), so a step needs no TF.js call at all. Gradients and moments are in the graph's gradient
// layout and the weights in its weight layout (kernels: HWOI and OIHW, weight-layout.ts), so the
// update reads sequentially and writes with a short stride. The state converts to and from
// AdamW's serialised form, which TF.js's Adam reads positionally: checkpoints and engine changes
// carry the moments over.
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, GROUP_PREFIX, isDecayedName, type AdamW, type SerializedOptimizer } from "../adamw";
import { gradientFromTf, gradientToTf, type WeightLayout } from "./weight-layout";

export interface FlatParam {
  values: Float32Array;
  layout: WeightLayout;
  tfShape: number[];
}

interface Slot {
  /** null: the optimizer's own Adam (variables in no group). */
  key: string | null;
  multiplier: number;
  iterations: number;
  /** Variables in the order TF.js's Adam saw them (its moments are positional). */
  names: string[];
  m: Float32Array[];
  v: Float32Array[];
}

interface SavedSlot {
  iterations: number;
  moments: { name: string; shape: number[]; data: Float32Array }[];
}

function splitState(state: SerializedOptimizer): Map<string | null, SavedSlot> {
  const slots = new Map<string | null, SavedSlot>();
  let offset = 0;
  state.names.forEach((fullName, i) => {
    const size = state.shapes[i].reduce((a, b) => a * b, 1);
    const data = state.data.subarray(offset, offset + size);
    offset += size;
    let key: string | null = null;
    let name = fullName;
    if (fullName.startsWith(GROUP_PREFIX)) {
      const rest = fullName.slice(GROUP_PREFIX.length);
      key = rest.slice(0, rest.indexOf("/"));
      name = rest.slice(key.length + 1);
    }
    const slot = slots.get(key) ?? { iterations: 0, moments: [] };
    if (name === "iter") slot.iterations = data[0];
    else slot.moments.push({ name, shape: state.shapes[i], data });
    slots.set(key, slot);
  });
  return slots;
}

/** TF.js's Adam update of one tensor, in place (monomorphic: Float32Arrays and numbers only). */
function adamUpdate(
  w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
  rate: number, b1: number, b2: number, eps: number, c1: number, c2: number,
): void {
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  // (m / c1) / (sqrt(v / c2) + eps) with one square root and one division per value.
  const step = rate / c1;
  const root = 1 / Math.sqrt(c2);
  for (let k = 0; k < w.length; k++) {
    const gk = g[k];
    const mk = b1 * m[k] + a1 * gk;
    const vk = b2 * v[k] + a2 * gk * gk;
    m[k] = mk;
    v[k] = vk;
    w[k] -= (step * mk) / (Math.sqrt(vk) * root + eps);
  }
}

/**
 * adamUpdate for a kernel whose weights are OIHW while its gradient and moments are HWOI: reads
 * run sequentially, writes with a stride of one tap.
 */
function adamUpdateOihw(
  w: Float32Array, tfShape: readonly number[], m: Float32Array, v: Float32Array, g: Float32Array,
  rate: number, b1: number, b2: number, eps: number, c1: number, c2: number,
): void {
  const [kh, kw, ci, co] = tfShape;
  const taps = kh * kw;
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  // (m / c1) / (sqrt(v / c2) + eps) with one square root and one division per value.
  const step = rate / c1;
  const root = 1 / Math.sqrt(c2);
  let k = 0;
  for (let t = 0; t < taps; t++) {
    for (let o = 0; o < co; o++) {
      let at = o * ci * taps + t;
      for (let i = 0; i < ci; i++, k++, at += taps) {
        const gk = g[k];
        const mk = b1 * m[k] + a1 * gk;
        const vk = b2 * v[k] + a2 * gk * gk;
        m[k] = mk;
        v[k] = vk;
        w[at] -= (step * mk) / (Math.sqrt(vk) * root + eps);
      }
    }
  }
}

export class FlatAdamW {
  private readonly slots: Slot[] = [];
  /** Groups with a trainable variable: TF.js's AdamW skips the others entirely. */
  private readonly activeGroups: Set<string>;
  private readonly hasGroups: boolean;

  /**
   * @param optimizer the run's AdamW: its groups, multipliers and decay, and its current state
   * @param params every weight the graph reads, by variable name
   * @param trainable the variables being trained, in the order AdamW.apply would get them
   * @param state `await optimizer.serialize()`
   */
  constructor(
    private readonly optimizer: AdamW,
    private readonly params: ReadonlyMap<string, FlatParam>,
    private readonly trainable: readonly string[],
    state: SerializedOptimizer,
  ) {
    const saved = splitState(state);
    const groups = optimizer.parameterGroups;
    const grouped = new Set(groups.flatMap((g) => g.names));
    const plain = trainable.filter((name) => !grouped.has(name));
    const slot = (key: string | null, multiplier: number, names: string[]) => {
      const previous = saved.get(key);
      const moments = previous?.moments ?? [];
      const count = moments.length / 2;
      // TF.js's Adam keeps its moments by position; a list that does not fit restarts them, as TF.js would misapply them.
      const fits = moments.length === 0 || (count === names.length && names.every((name, i) => this.size(name) === moments[i].data.length));
      const take = (i: number) => {
        const name = names[i % names.length];
        const p = this.params.get(name);
        return fits && p && moments.length > 0 ? gradientFromTf(p.layout, p.tfShape, moments[i].data) : new Float32Array(this.size(name));
      };
      this.slots.push({
        key,
        multiplier,
        iterations: previous?.iterations ?? 0,
        names,
        m: names.map((_, i) => take(i)),
        v: names.map((_, i) => take(i + names.length)),
      });
    };
    slot(null, 1, plain);
    for (const g of groups) slot(g.key, g.multiplier, [...g.names]);
    this.activeGroups = new Set(groups.filter((g) => g.names.some((name) => trainable.includes(name))).map((g) => g.key));
    this.hasGroups = groups.length > 0;
  }

  private size(name: string): number {
    return this.params.get(name)?.values.length ?? 0;
  }

  /** One AdamW step with `grads` (graph layout, by variable name) at learning rate `lr`. */
  step(grads: ReadonlyMap<string, Float32Array>, lr: number): void {
    // Locals: imported bindings are getter calls once bundled, far too slow for the inner loop.
    const b1 = ADAM_BETA1;
    const b2 = ADAM_BETA2;
    const eps = ADAM_EPSILON;
    const decay = this.optimizer.decayRate;
    for (const slot of this.slots) {
      const active = slot.key === null ? slot.names.length > 0 || !this.hasGroups : this.activeGroups.has(slot.key);
      if (!active) continue;
      slot.iterations++;
      const rate = lr * slot.multiplier;
      const c1 = 1 - b1 ** slot.iterations;
      const c2 = 1 - b2 ** slot.iterations;
      for (let i = 0; i < slot.names.length; i++) {
        const name = slot.names[i];
        const p = this.params.get(name);
        if (!p) continue;
        const g = grads.get(name) ?? new Float32Array(p.values.length);
        if (p.layout === "oihw") adamUpdateOihw(p.values, p.tfShape, slot.m[i], slot.v[i], g, rate, b1, b2, eps, c1, c2);
        else adamUpdate(p.values, slot.m[i], slot.v[i], g, rate, b1, b2, eps, c1, c2);
        if (grads.has(name) && decay !== 0 && isDecayedName(name, p.tfShape.length)) {
          const keep = 1 - rate * decay;
          const w = p.values;
          for (let k = 0; k < w.length; k++) w[k] *= keep;
        }
      }
    }
  }

  /** The state in AdamW.serialize()'s form (TF.js layouts), for AdamW.restore. */
  serialize(): SerializedOptimizer {
    const names: string[] = [];
    const shapes: number[][] = [];
    const parts: Float32Array[] = [];
    for (const slot of this.slots) {
      const prefix = slot.key === null ? "" : `${GROUP_PREFIX}${slot.key}/`;
      if (slot.key !== null && slot.iterations === 0) continue;
      names.push(`${prefix}iter`);
      shapes.push([]);
      parts.push(new Float32Array([slot.iterations]));
      if (slot.iterations === 0) continue;
      for (const [suffix, moments] of [["m", slot.m], ["v", slot.v]] as const) {
        slot.names.forEach((name, i) => {
          const p = this.params.get(name);
          names.push(`${prefix}${name}/${suffix}`);
          shapes.push(p ? p.tfShape : [0]);
          parts.push(p ? gradientToTf(p.layout, p.tfShape, moments[i]) : new Float32Array(0));
        });
      }
    }
    const data = new Float32Array(parts.reduce((n, a) => n + a.length, 0));
    let offset = 0;
    for (const a of parts) {
      data.set(a, offset);
      offset += a.length;
    }
    return { names, shapes, data };
  }
}
