// fastai's Learner.fine_tune (fastai/callback/schedule.py) as a stage schedule:
//   freeze(); fit_one_cycle(freeze_epochs, slice(base_lr), pct_start=0.99)
//   base_lr /= 2; unfreeze(); fit_one_cycle(epochs, slice(base_lr/lr_mult, base_lr), pct_start, div)
// fit_one_cycle anneals (cosine) lr_max/div → lr_max → lr_max/div_final with div=25, div_final=1e5
// unless given. slice(lr) gives the head lr and every other group lr/10; slice(a, b) spreads the
// groups geometrically from a to b (even_mults). Not reproduced: fastai also cycles Adam's beta1
// (0.95 → 0.85 → 0.95); TF.js's Adam has a fixed beta1 (0.9).
import type { Architecture, FineTuneConfig } from "../experiment/types";
import { INPUT_NORMALIZATION_LAYER } from "../models/build";
import type { AdamW } from "./adamw";
import { freezeTo, GROUP_NAMES, HEAD_GROUP, layerGroups, paramGroups } from "./layer-groups";
import { oneCycleLr } from "./schedule";
import { trainableVariables } from "./step";
import type { LayersModel, Variable } from "./tf-types";

export type Stage = "frozen" | "unfrozen";

/** fit_one_cycle's default div and div_final. */
const FIT_ONE_CYCLE_DIV = 25;
const FIT_ONE_CYCLE_DIV_FINAL = 1e5;
const FROZEN_PCT_START = 0.99;

/** The stage of a 1-based epoch. */
export function stageOfEpoch(fineTune: FineTuneConfig, epoch: number): Stage {
  return epoch <= fineTune.freezeEpochs ? "frozen" : "unfrozen";
}

/** First epoch of a stage (1-based). */
export function firstEpochOf(fineTune: FineTuneConfig, stage: Stage): number {
  return stage === "frozen" ? 1 : fineTune.freezeEpochs + 1;
}

/** fastai's even_mults(start, stop, n): n values from start to stop, evenly spaced in log space. */
export function evenMults(start: number, stop: number, n: number): number[] {
  if (n === 1) return [stop];
  const step = Math.pow(stop / start, 1 / (n - 1));
  return Array.from({ length: n }, (_, i) => start * Math.pow(step, i));
}

/** The peak (head) learning rate of a stage: base_lr frozen, base_lr / 2 unfrozen. */
export function stagePeakLr(fineTune: FineTuneConfig, stage: Stage): number {
  return stage === "frozen" ? fineTune.baseLr : fineTune.baseLr / 2;
}

/** Learning rate of each of `groups` layer groups relative to the head's (last), in a stage. */
export function groupMultipliers(fineTune: FineTuneConfig, stage: Stage, groups: number): number[] {
  if (stage === "frozen") return Array.from({ length: groups }, (_, i) => (i === groups - 1 ? 1 : 0.1));
  const top = stagePeakLr(fineTune, stage);
  return evenMults(top / fineTune.lrMult, top, groups).map((lr) => lr / top);
}

/** The head's learning rate at a global step (0-based) of the whole fine_tune. */
export function fineTuneLr(fineTune: FineTuneConfig, stepsPerEpoch: number, globalStep: number): { stage: Stage; lr: number } {
  const frozenSteps = fineTune.freezeEpochs * stepsPerEpoch;
  if (globalStep < frozenSteps) {
    const options = {
      maxLr: fineTune.baseLr, totalSteps: frozenSteps, warmupShare: FROZEN_PCT_START,
      divFactor: FIT_ONE_CYCLE_DIV, finalDivFactor: FIT_ONE_CYCLE_DIV_FINAL / FIT_ONE_CYCLE_DIV,
    };
    return { stage: "frozen", lr: oneCycleLr(globalStep, options) };
  }
  const maxLr = stagePeakLr(fineTune, "unfrozen");
  // oneCycleLr ends at maxLr/divFactor/finalDivFactor; fastai ends at lr_max/div_final.
  const options = {
    maxLr, totalSteps: fineTune.epochs * stepsPerEpoch, warmupShare: fineTune.pctStart,
    divFactor: fineTune.div, finalDivFactor: FIT_ONE_CYCLE_DIV_FINAL / fineTune.div,
  };
  return { stage: "unfrozen", lr: oneCycleLr(globalStep - frozenSteps, options) };
}

/**
 * Puts `model` and `optimizer` into a stage: frozen trains the head (and, with trainBn, every
 * batch-norm layer: fastai's train_bn=True); unfrozen trains every group. Each layer group's
 * parameters get the stage's multiplier. Returns the variables to train, in model order.
 */
export function enterStage(model: LayersModel, architecture: Architecture, fineTune: FineTuneConfig, optimizer: AdamW, stage: Stage): Variable[] {
  const groups = layerGroups(model, architecture);
  freezeTo(model, groups, stage === "frozen" ? HEAD_GROUP : 0, fineTune.trainBn);
  const multipliers = groupMultipliers(fineTune, stage, GROUP_NAMES.length);
  optimizer.setGroups(paramGroups(model, groups).map((p) => ({ key: p.key, names: p.names, multiplier: multipliers[p.group] })));
  return trainableVariables(model);
}

/**
 * Runs `fn` (a save) with every layer marked trainable, so saved models and checkpoints carry no
 * stage: the next run or stage sets its own. The input normalisation layer stays frozen.
 */
export async function withAllTrainable<T>(model: LayersModel, fn: () => Promise<T>): Promise<T> {
  const before = model.layers.map((layer) => layer.trainable);
  model.layers.forEach((layer) => {
    if (layer.name !== INPUT_NORMALIZATION_LAYER) layer.trainable = true;
  });
  try {
    return await fn();
  } finally {
    model.layers.forEach((layer, i) => (layer.trainable = before[i]));
  }
}
