// AdamW over plain Float32Arrays for the ONNX Runtime engine: the same update as src/core/train/
// adamw.ts (TF.js's Adam, one instance and step count per parameter group, decoupled decay on
// kernels), so a step needs no TF.js call at all. Gradients and moments are in the graph's gradient
// layout and the weights in its weight layout (kernels: HWOI and OIHW, weight-layout.ts), so the
// update reads sequentially and writes with a short stride. The state converts to and from
// AdamW's serialised form, which TF.js's Adam reads positionally: checkpoints and engine changes
// carry the moments over.
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, GROUP_PREFIX, isDecayedName, type AdamW, type SerializedOptimizer } from "../adamw";
import { runAdamJob, sharedFloat32, type AdamHyper, type AdamJob } from "./adam-kernels";
import type { AdamThread } from "./adam-thread";
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

export class FlatAdamW {
  private readonly slots: Slot[] = [];
  /** Groups with a trainable variable: TF.js's AdamW skips the others entirely. */
  private readonly activeGroups: Set<string>;
  private readonly hasGroups: boolean;
  /**
   * The weights the optimizer thread updates, as shared copies (ONNX Runtime takes no
   * SharedArrayBuffer input, so `params` keeps the arrays it reads), and the shared buffers their
   * gradients are copied into.
   */
  private readonly shadows = new Map<string, Float32Array>();
  private readonly staging = new Map<string, Float32Array>();

  /**
   * @param optimizer the run's AdamW: its groups, multipliers and decay, and its current state
   * @param params every weight the graph reads, by variable name
   * @param trainable the variables being trained, in the order AdamW.apply would get them
   * @param state `await optimizer.serialize()`
   * @param thread an optimizer worker to update about half of the values at the same time
   */
  constructor(
    private readonly optimizer: AdamW,
    private readonly params: ReadonlyMap<string, FlatParam>,
    trainable: readonly string[],
    state: SerializedOptimizer,
    private readonly thread: AdamThread | null = null,
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
        const moment = sharedFloat32(this.size(name));
        if (fits && p && moments.length > 0) moment.set(gradientFromTf(p.layout, p.tfShape, moments[i].data));
        return moment;
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
    if (thread) this.assignToThread();
  }

  /** Largest weights first, each to the side with fewer values so far (the thread side: shadow copies). */
  private assignToThread(): void {
    let mine = 0;
    let theirs = 0;
    const updated = new Set(this.slots.flatMap((s) => s.names));
    for (const [name, p] of [...this.params].filter(([n]) => updated.has(n)).sort((a, b) => b[1].values.length - a[1].values.length)) {
      if (theirs <= mine) {
        const shadow = sharedFloat32(p.values.length);
        shadow.set(p.values);
        this.shadows.set(name, shadow);
        this.staging.set(name, sharedFloat32(p.values.length));
        theirs += p.values.length;
      } else {
        mine += p.values.length;
      }
    }
  }

  private size(name: string): number {
    return this.params.get(name)?.values.length ?? 0;
  }

  /**
   * One AdamW step with `grads` (gradient layout, by variable name) at learning rate `lr`. With an
   * optimizer thread, its weights are updated there meanwhile (gradients copied in, weights out).
   */
  async step(grads: ReadonlyMap<string, Float32Array>, lr: number): Promise<void> {
    const decay = this.optimizer.decayRate;
    const mine: AdamJob[] = [];
    const theirs: AdamJob[] = [];
    const shadowed: string[] = [];
    for (const slot of this.slots) {
      const active = slot.key === null ? slot.names.length > 0 || !this.hasGroups : this.activeGroups.has(slot.key);
      if (!active) continue;
      slot.iterations++;
      const rate = lr * slot.multiplier;
      const c1 = 1 - ADAM_BETA1 ** slot.iterations;
      const c2 = 1 - ADAM_BETA2 ** slot.iterations;
      slot.names.forEach((name, i) => {
        const p = this.params.get(name);
        if (!p) return;
        const g = grads.get(name) ?? null;
        const keep = g && decay !== 0 && isDecayedName(name, p.tfShape.length) ? 1 - rate * decay : 1;
        const job: AdamJob = { w: p.values, m: slot.m[i], v: slot.v[i], g, kernelShape: p.layout === "oihw" ? p.tfShape : null, rate, c1, c2, keep };
        const shadow = this.shadows.get(name);
        if (!shadow) {
          mine.push(job);
          return;
        }
        const staged = g ? this.staging.get(name)! : null;
        if (g) staged!.set(g);
        theirs.push({ ...job, w: shadow, g: staged });
        shadowed.push(name);
      });
    }
    const hyper: AdamHyper = { beta1: ADAM_BETA1, beta2: ADAM_BETA2, epsilon: ADAM_EPSILON };
    const done = this.thread && theirs.length > 0 ? this.thread.run(theirs, hyper) : Promise.resolve();
    for (const job of mine) runAdamJob(job, hyper);
    await done;
    for (const name of shadowed) this.params.get(name)!.values.set(this.shadows.get(name)!);
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
