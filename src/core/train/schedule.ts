// Learning-rate schedules, as pure functions of the global step.
import type { ScheduleConfig } from "../experiment/types";

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  /** Fraction of the steps spent warming up (cosine from maxLr/divFactor to maxLr). */
  warmupShare: number;
  divFactor: number;
  finalDivFactor: number;
}

const cosineBetween = (from: number, to: number, t: number) => to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;

/**
 * One-cycle (fast.ai / PyTorch OneCycleLR, cosine both ways): step 0 → maxLr/divFactor, peak at
 * the end of the warm-up, last step → (maxLr/divFactor)/finalDivFactor.
 */
export function oneCycleLr(step: number, o: OneCycleOptions): number {
  const last = Math.max(1, o.totalSteps - 1);
  const peak = Math.min(last, Math.max(0, Math.round(o.warmupShare * last)));
  const start = o.maxLr / o.divFactor;
  const end = start / o.finalDivFactor;
  const s = Math.min(Math.max(step, 0), last);
  if (s <= peak) return peak === 0 ? o.maxLr : cosineBetween(start, o.maxLr, s / peak);
  return cosineBetween(o.maxLr, end, (s - peak) / (last - peak));
}

export type LrSchedule = (globalStep: number) => number;

export function makeSchedule(schedule: ScheduleConfig, totalSteps: number): LrSchedule {
  if (schedule.kind === "constant") return () => schedule.lr;
  const options = { ...schedule, totalSteps };
  return (step) => oneCycleLr(step, options);
}

/** The schedule's peak learning rate. */
export function peakLr(schedule: ScheduleConfig): number {
  return schedule.kind === "constant" ? schedule.lr : schedule.maxLr;
}

/** Exponential sweep for the LR finder: step 0 → from, step n-1 → to. */
export function exponentialLr(step: number, steps: number, from: number, to: number): number {
  return from * Math.pow(to / from, step / Math.max(1, steps - 1));
}
