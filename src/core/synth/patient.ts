// One synthetic patient: head anatomy parameters and the hemorrhages in 3D. Shapes are given in
// head-local normalised units (the image spans -1..1, 250 mm field of view) and along the
// series axis `t` (-0.55 at the lowest slice to 0.7 at the highest; 0 = widest cross-section).
import type { SUBTYPES } from "../../shared/labels";
import { Rng } from "./random";

export type Subtype = (typeof SUBTYPES)[number];

export const T_MIN = -0.55;
export const T_MAX = 0.7;

interface Extent {
  /** Centre and half-extent along t: the bleed scales with sqrt(1 - ((t - tc) / hz)^2). */
  tc: number;
  hz: number;
  hu: number;
}

/** Epidural (short thick lens) or subdural (long thin crescent) collection against the inner skull. */
export interface ExtraAxialBleed extends Extent {
  kind: "epidural" | "subdural";
  theta: number;
  halfAngle: number;
  thickness: number;
  /** Profile exponent: thickness × (1 - (δ/halfAngle)^2)^power; low = flat crescent, high = lens. */
  power: number;
}

export interface SulcalSah extends Extent {
  kind: "subarachnoid";
  variant: "sulcal";
  theta: number;
  halfAngle: number;
}

export interface CisternSah extends Extent {
  kind: "subarachnoid";
  variant: "cistern";
}

export interface ParenchymalBleed extends Extent {
  kind: "intraparenchymal";
  /** Centre as a fraction of the head semi-axes (scaled with the cross-section). */
  cu: number;
  cv: number;
  radius: number;
  lobes: [number, number, number, number];
  edemaHu: number;
}

export interface VentricularBleed extends Extent {
  kind: "intraventricular";
  sides: (0 | 1)[];
  /** Share of the ventricle's length (from the posterior, dependent end) filled with blood. */
  fill: number;
}

export type Bleed = ExtraAxialBleed | SulcalSah | CisternSah | ParenchymalBleed | VentricularBleed;

export interface Ventricle {
  du: number;
  dv: number;
  a: number;
  b: number;
  tilt: number;
}

export interface Patient {
  cx: number;
  cy: number;
  rotation: number;
  /** Outer-skull semi-axes (lateral, antero-posterior) at the widest slice. */
  A: number;
  B: number;
  skull: number;
  scalp: number;
  tableHu: number;
  diploeHu: number;
  scalpHu: number;
  greyHu: number;
  whiteHu: number;
  csfHu: number;
  noise: number;
  texture: { kx: number; ky: number; kz: number; phase: number; amp: number }[];
  sulci: { count: number; phase: number; wobble: number; depth: number; width: number };
  ventricles: { left: Ventricle; right: Ventricle; tc: number; hz: number };
  cistern: { v: number; radius: number; width: number; tTop: number };
  bleeds: Bleed[];
}

const SUBTYPE_LIST: Subtype[] = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"];

function makeBleed(rng: Rng, kind: Subtype, patient: Patient): Bleed {
  const hu = rng.range(58, 88);
  switch (kind) {
    case "epidural":
      return {
        kind, hu, tc: rng.range(-0.35, 0.5), hz: rng.range(0.25, 0.42), theta: rng.range(-Math.PI, Math.PI),
        halfAngle: rng.range(0.3, 0.5), thickness: rng.range(0.11, 0.17), power: 0.5,
      };
    case "subdural":
      return {
        kind, hu: rng.range(55, 82), tc: rng.range(-0.25, 0.45), hz: rng.range(0.3, 0.5), theta: rng.range(-Math.PI, Math.PI),
        halfAngle: rng.range(0.9, 1.4), thickness: rng.range(0.045, 0.08), power: 0.25,
      };
    case "subarachnoid":
      if (rng.chance(0.35)) return { kind, variant: "cistern", hu, tc: rng.range(-0.5, -0.25), hz: rng.range(0.22, 0.35) };
      return { kind, variant: "sulcal", hu, tc: rng.range(-0.2, 0.5), hz: rng.range(0.25, 0.45), theta: rng.range(-Math.PI, Math.PI), halfAngle: rng.range(0.6, 1.1) };
    case "intraparenchymal": {
      const angle = rng.range(-Math.PI, Math.PI);
      const r = rng.range(0.32, 0.55);
      return {
        kind,
        hu,
        tc: rng.range(-0.3, 0.45),
        hz: rng.range(0.25, 0.4),
        cu: r * Math.cos(angle),
        cv: r * Math.sin(angle),
        radius: rng.range(0.07, 0.14),
        lobes: [rng.range(0.05, 0.2), rng.range(0, 2 * Math.PI), rng.range(0.02, 0.1), rng.range(0, 2 * Math.PI)],
        edemaHu: rng.range(16, 24),
      };
    }
    case "intraventricular": {
      const { tc, hz } = patient.ventricles;
      const sides: (0 | 1)[] = rng.chance(0.5) ? [0, 1] : [rng.chance(0.5) ? 0 : 1];
      return { kind, hu, tc: tc + rng.range(-0.1, 0.1), hz: hz * rng.range(0.7, 1), sides, fill: rng.range(0.4, 0.9) };
    }
  }
}

/** A patient drawn from `seed`: anatomy plus 0–3 hemorrhages (about one patient in ten has none). */
export function makePatient(seed: number): Patient {
  const rng = new Rng(seed);
  const A = rng.range(0.68, 0.76);
  const patient: Patient = {
    cx: rng.range(-0.04, 0.04),
    cy: rng.range(-0.04, 0.04),
    rotation: rng.range(-0.12, 0.12),
    A,
    B: A * rng.range(1.12, 1.22),
    skull: rng.range(0.045, 0.07),
    scalp: rng.range(0.03, 0.05),
    tableHu: rng.range(1300, 1500),
    diploeHu: rng.range(700, 900),
    scalpHu: rng.range(20, 45),
    greyHu: rng.range(36, 40),
    whiteHu: rng.range(27, 31),
    csfHu: rng.range(3, 12),
    noise: rng.range(2.5, 6),
    texture: Array.from({ length: 5 }, () => {
      const freq = rng.range(4, 9);
      const dir = rng.range(0, 2 * Math.PI);
      return { kx: freq * Math.cos(dir), ky: freq * Math.sin(dir), kz: rng.range(-4, 4), phase: rng.range(0, 2 * Math.PI), amp: rng.range(0.5, 1) };
    }),
    sulci: {
      count: 2 * rng.int(6) + 18, phase: rng.range(0, 2 * Math.PI), wobble: rng.range(0, 2 * Math.PI),
      depth: rng.range(0.07, 0.11), width: rng.range(0.1, 0.16),
    },
    ventricles: {
      left: { du: -rng.range(0.08, 0.11), dv: rng.range(-0.06, 0.02), a: rng.range(0.05, 0.075), b: rng.range(0.17, 0.23), tilt: rng.range(0.12, 0.3) },
      right: { du: rng.range(0.08, 0.11), dv: rng.range(-0.06, 0.02), a: rng.range(0.05, 0.075), b: rng.range(0.17, 0.23), tilt: -rng.range(0.12, 0.3) },
      tc: rng.range(0.05, 0.2),
      hz: rng.range(0.3, 0.4),
    },
    cistern: { v: rng.range(0.02, 0.1), radius: rng.range(0.12, 0.16), width: rng.range(0.018, 0.026), tTop: rng.range(-0.15, -0.05) },
    bleeds: [],
  };
  const count = [0, 1, 2, 3][rng.weighted([0.1, 0.3, 0.35, 0.25])];
  for (let i = 0; i < count; i++) patient.bleeds.push(makeBleed(rng, rng.pick(SUBTYPE_LIST), patient));
  return patient;
}

/** Position along the series axis of slice `index` of `count`. */
export function sliceT(index: number, count: number): number {
  return count <= 1 ? 0 : T_MIN + ((T_MAX - T_MIN) * index) / (count - 1);
}
