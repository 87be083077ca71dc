// Renders one axial slice of a synthetic patient to Hounsfield units, and labels it from the
// hemorrhage pixels actually drawn (a bleed too small to see on this slice is not drawn at all,
// so a label is never set without visible blood, nor blood drawn without its label).
import { LABELS, type Label } from "../../shared/labels";
import type { Patient, Subtype, Ventricle } from "./patient";
import { Rng } from "./random";

/** Field of view of every phantom image, in mm. */
export const FIELD_OF_VIEW_MM = 250;
/** A bleed smaller than this on a slice is left out of that slice. */
const MIN_BLEED_AREA_MM2 = 40;
/**
 * Bleeds are ellipsoids along the series axis; their last sliver (extent below this share of the
 * widest cross-section) is left out, so labelled blood is never thinner than a model can see.
 */
const MIN_EXTENT = 0.5;

const DRAW_ORDER: Record<Subtype, number> = { intraparenchymal: 0, intraventricular: 1, subarachnoid: 2, subdural: 3, epidural: 4 };

export interface RenderedSlice {
  hu: Float32Array;
  labels: Record<Label, 0 | 1>;
  /** Pixels of each subtype's blood on this slice. */
  bleedPixels: Record<Subtype, number>;
}

const smoothstep = (a: number, b: number, x: number) => {
  const t = x <= a ? 0 : x >= b ? 1 : (x - a) / (b - a);
  return t * t * (3 - 2 * t);
};

function wrapAngle(a: number): number {
  return a - 2 * Math.PI * Math.round(a / (2 * Math.PI));
}

/** Slice-local geometry of one lateral ventricle. */
interface VentricleNow {
  cu: number;
  cv: number;
  cos: number;
  sin: number;
  a: number;
  b: number;
}

function ventricleNow(v: Ventricle, scale: number, extent: number): VentricleNow {
  return { cu: v.du * scale, cv: v.dv * scale, cos: Math.cos(v.tilt), sin: Math.sin(v.tilt), a: v.a * Math.sqrt(extent) * scale, b: v.b * extent * scale };
}

/** Ventricle-local coordinates (p across, q along; q = +1 at the posterior end), or null outside. */
function insideVentricle(v: VentricleNow, u: number, w: number): number | null {
  const x = u - v.cu;
  const y = w - v.cv;
  const p = (x * v.cos + y * v.sin) / v.a;
  const q = (-x * v.sin + y * v.cos) / v.b;
  return p * p + q * q < 1 ? q : null;
}

function extentAt(t: number, tc: number, hz: number): number {
  const d = (t - tc) / hz;
  return d * d < 1 ? Math.sqrt(1 - d * d) : 0;
}

export function renderSlice(patient: Patient, t: number, size: number, noiseSeed: number): RenderedSlice {
  const n = size * size;
  const pixelMm = FIELD_OF_VIEW_MM / size;
  const minPixels = Math.max(2, MIN_BLEED_AREA_MM2 / (pixelMm * pixelMm));
  const scale = Math.sqrt(Math.max(0.25, 1 - (t / 0.95) ** 2));
  const A = patient.A * scale;
  const B = patient.B * scale;
  const rMean = (A + B) / 2;
  const rhoInner = 1 - patient.skull / rMean;
  const rhoScalp = 1 + patient.scalp / rMean;
  const cosR = Math.cos(patient.rotation);
  const sinR = Math.sin(patient.rotation);
  const ventricleExtent = extentAt(t, patient.ventricles.tc, patient.ventricles.hz);
  const { left, right } = patient.ventricles;
  const ventricles = ventricleExtent > 0.05 ? [ventricleNow(left, scale, ventricleExtent), ventricleNow(right, scale, ventricleExtent)] : [];
  const cistern = t < patient.cistern.tTop ? { v: patient.cistern.v * scale, r: patient.cistern.radius * scale, w: patient.cistern.width } : null;
  const { sulci, texture } = patient;
  // Grey/white texture: a sum of plane waves in image coordinates, separable per row and column
  // (sin(a + b) = sin a cos b + cos a sin b) so the pixel loop does no trigonometry for it.
  const textureSum = texture.reduce((s, k) => s + k.amp, 0);
  const waves = texture.length;
  const colSin = new Float32Array(waves * size);
  const colCos = new Float32Array(waves * size);
  const rowSin = new Float32Array(waves * size);
  const rowCos = new Float32Array(waves * size);
  for (let k = 0; k < waves; k++) {
    const wave = texture[k];
    for (let j = 0; j < size; j++) {
      const c = ((j + 0.5) / size) * 2 - 1;
      colSin[k * size + j] = (wave.amp / textureSum) * Math.sin(wave.kx * c);
      colCos[k * size + j] = (wave.amp / textureSum) * Math.cos(wave.kx * c);
      rowSin[k * size + j] = Math.sin(wave.ky * c + wave.kz * t + wave.phase);
      rowCos[k * size + j] = Math.cos(wave.ky * c + wave.kz * t + wave.phase);
    }
  }

  const active = patient.bleeds
    .map((bleed) => ({ bleed, e: extentAt(t, bleed.tc, bleed.hz) }))
    .filter((b) => b.e > MIN_EXTENT && (b.bleed.kind !== "intraventricular" || ventricles.length > 0))
    .sort((a, b) => DRAW_ORDER[a.bleed.kind] - DRAW_ORDER[b.bleed.kind]);

  const base = new Float32Array(n);
  const blood = new Uint8Array(n);
  const edema = new Uint8Array(n);
  const isBrain = new Uint8Array(n);

  for (let row = 0, i = 0; row < size; row++) {
    const y = ((row + 0.5) / size) * 2 - 1 - patient.cy;
    for (let col = 0; col < size; col++, i++) {
      const x = ((col + 0.5) / size) * 2 - 1 - patient.cx;
      const u = x * cosR + y * sinR;
      const w = -x * sinR + y * cosR;
      const un = u / A;
      const wn = w / B;
      const rho = Math.sqrt(un * un + wn * wn);
      if (rho > rhoScalp) {
        base[i] = -1000;
        continue;
      }
      if (rho > 1) {
        base[i] = patient.scalpHu;
        continue;
      }
      if (rho > rhoInner) {
        const q = (rho - rhoInner) / (1 - rhoInner);
        base[i] = patient.diploeHu + (patient.tableHu - patient.diploeHu) * (2 * q - 1) * (2 * q - 1);
        continue;
      }
      isBrain[i] = 1;
      const rLocal = rho > 1e-6 ? Math.sqrt(A * A * un * un + B * B * wn * wn) / rho : rMean;
      const depth = (rhoInner - rho) * rLocal;
      const alpha = Math.atan2(wn, un);
      const sulcus = Math.abs(Math.sin((sulci.count / 2) * (alpha + 0.08 * Math.sin(3 * alpha + sulci.wobble)) + sulci.phase));

      let inCistern = false;
      if (cistern) {
        const dv = w - cistern.v;
        const d = Math.sqrt(u * u + dv * dv);
        const au = Math.abs(u);
        if (Math.abs(d - cistern.r) < cistern.w) inCistern = true;
        else if (au > cistern.r && au < cistern.r + 0.3 * scale && Math.abs(dv + 0.06 + 0.35 * (au - cistern.r)) < cistern.w * 0.8) inCistern = true;
        else if (au < cistern.w * 0.6 && dv < -cistern.r && depth > 0.02) inCistern = true;
      }
      let ventricleQ: number | null = null;
      let ventricleSide = -1;
      for (let k = 0; k < ventricles.length; k++) {
        const q = insideVentricle(ventricles[k], u, w);
        if (q !== null) {
          ventricleQ = q;
          ventricleSide = k;
        }
      }
      const csf = depth < 0.01 || (depth < sulci.depth && sulcus < sulci.width) || inCistern || ventricleQ !== null;
      if (csf) base[i] = patient.csfHu;
      else {
        let f = 0;
        for (let k = 0, ci = col, ri = row; k < waves; k++, ci += size, ri += size) f += colSin[ci] * rowCos[ri] + colCos[ci] * rowSin[ri];
        const white = smoothstep(-0.1, 0.3, f) * smoothstep(0.04, 0.12, depth);
        base[i] = patient.greyHu + (patient.whiteHu - patient.greyHu) * white;
      }

      for (let b = 0; b < active.length; b++) {
        const { bleed, e } = active[b];
        let hit = false;
        switch (bleed.kind) {
          case "epidural":
          case "subdural": {
            const half = bleed.halfAngle * (0.5 + 0.5 * e);
            const delta = wrapAngle(alpha - bleed.theta) / half;
            if (delta * delta < 1) hit = depth < bleed.thickness * e * Math.pow(1 - delta * delta, bleed.power);
            break;
          }
          case "subarachnoid":
            if (bleed.variant === "cistern") hit = inCistern;
            else {
              const delta = wrapAngle(alpha - bleed.theta) / (bleed.halfAngle * (0.5 + 0.5 * e));
              hit = delta * delta < 1 && (depth < 0.028 || (depth < sulci.depth * 1.3 && sulcus < 0.5));
            }
            break;
          case "intraparenchymal": {
            const radius = bleed.radius * e;
            const dx = u - bleed.cu * A;
            const dy = w - bleed.cv * B;
            const r = Math.sqrt(dx * dx + dy * dy) / radius;
            if (r < 1.6) {
              const beta = Math.atan2(dy, dx);
              const edge = 1 + bleed.lobes[0] * Math.sin(3 * beta + bleed.lobes[1]) + bleed.lobes[2] * Math.sin(5 * beta + bleed.lobes[3]);
              if (r < edge) hit = true;
              else if (r < edge * 1.4 && !csf) edema[i] |= 1 << b;
            }
            break;
          }
          case "intraventricular":
            hit = ventricleQ !== null && bleed.sides.includes(ventricleSide as 0 | 1) && ventricleQ > 1 - 2 * bleed.fill;
            break;
        }
        if (hit) blood[i] |= 1 << b;
      }
    }
  }

  // Drop bleeds with too little visible blood on this slice, then recount (a dropped bleed on
  // top may uncover another one).
  let enabled = (1 << active.length) - 1;
  const counts = new Int32Array(active.length);
  for (;;) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const bits = blood[i] & enabled;
      if (bits) counts[31 - Math.clz32(bits)]++;
    }
    let next = enabled;
    for (let b = 0; b < active.length; b++) if (counts[b] < minPixels) next &= ~(1 << b);
    if (next === enabled) break;
    enabled = next;
  }

  const rng = new Rng(noiseSeed);
  const hu = new Float32Array(n);
  const bleedHu = active.map((a) => a.bleed.hu);
  const edemaHu = active.map((a) => (a.bleed.kind === "intraparenchymal" ? a.bleed.edemaHu : 0));
  for (let i = 0; i < n; i++) {
    const bits = blood[i] & enabled;
    let value = base[i];
    if (bits) value = bleedHu[31 - Math.clz32(bits)];
    else if (isBrain[i] && edema[i] & enabled) value = edemaHu[31 - Math.clz32(edema[i] & enabled)];
    value += patient.noise * rng.gaussian();
    hu[i] = value < -1024 ? -1024 : value;
  }

  const bleedPixels: Record<Subtype, number> = { epidural: 0, intraparenchymal: 0, intraventricular: 0, subarachnoid: 0, subdural: 0 };
  active.forEach((a, b) => {
    if (enabled & (1 << b)) bleedPixels[a.bleed.kind] += counts[b];
  });
  const labels = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, 0 | 1>;
  for (const kind of Object.keys(bleedPixels) as Subtype[]) {
    if (bleedPixels[kind] > 0) {
      labels[kind] = 1;
      labels.any = 1;
    }
  }
  return { hu, labels, bleedPixels };
}

