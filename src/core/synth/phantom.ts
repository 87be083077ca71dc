// In-memory phantoms: one slice (the training pipeline's on-the-fly `synthetic` source) or one
// whole axial series. Deterministic for a seed.
import type { Label } from "../../shared/labels";
import { makePatient, sliceT, type Patient } from "./patient";
import { hash32 } from "./random";
import { FIELD_OF_VIEW_MM, renderSlice } from "./render";

export const DEFAULT_SYNTH_SIZE = 256;
/** Slices of the virtual series a standalone slice is drawn from. */
const STANDALONE_SERIES_LENGTH = 24;

export interface SynthSlice {
  /** Hounsfield units, rows × columns, row-major. */
  hu: Float32Array;
  rows: number;
  columns: number;
  labels: Record<Label, 0 | 1>;
  /** Square pixel size in mm. */
  pixelSpacing: number;
  /** Slice index within its series and the series length. */
  sliceIndex: number;
  seriesLength: number;
}

export interface SynthSliceSpec {
  seed: number;
  /** Sample number; different indices give different slices. Default 0. */
  index?: number;
  /** Image width and height in pixels (default 256). */
  size?: number;
  /**
   * When given, sample `index` is slice `index % slices` of patient `floor(index / slices)`
   * (the same slice `writeSyntheticDataset` writes for that seed). When absent, every index is
   * a slice of its own random patient at a random height, for maximum variety.
   */
  slices?: number;
  /**
   * Render the slice this many positions below (negative) or above (positive) the sample's slice
   * in the same series, clamped to the series ends: the neighbours for adjacent-slice context.
   * Default 0.
   */
  offset?: number;
}

export interface SynthSeriesSpec {
  seed: number;
  /** Patient number within the seed (default 0). */
  patient?: number;
  slices: number;
  size?: number;
}

export interface SynthSeries {
  patientSeed: number;
  size: number;
  pixelSpacing: number;
  /** Distance between slice centres, mm (also the slice thickness). */
  sliceSpacing: number;
  slices: SynthSlice[];
}

function checkSize(size: number): number {
  if (!Number.isInteger(size) || size < 16 || size > 2048) throw new Error(`synthetic image size must be an integer from 16 to 2048 (got ${size})`);
  return size;
}

/** Seed of patient `p` of dataset seed `seed`. */
export function patientSeed(seed: number, patient: number): number {
  return hash32("patient", seed, patient);
}

/** Slice spacing so a series covers roughly a 140 mm head, in 0.5 mm steps within 1–10 mm. */
export function sliceSpacingFor(slices: number): number {
  return Math.min(10, Math.max(1, Math.round((140 / Math.max(1, slices - 1)) * 2) / 2));
}

function render(patient: Patient, pSeed: number, index: number, count: number, size: number): SynthSlice {
  const { hu, labels } = renderSlice(patient, sliceT(index, count), size, hash32("noise", pSeed, index, count, size));
  return { hu, rows: size, columns: size, labels, pixelSpacing: FIELD_OF_VIEW_MM / size, sliceIndex: index, seriesLength: count };
}

export function synthesizeSlice(spec: SynthSliceSpec): SynthSlice {
  const size = checkSize(spec.size ?? DEFAULT_SYNTH_SIZE);
  const index = spec.index ?? 0;
  if (!Number.isInteger(index) || index < 0) throw new Error(`synthetic slice index must be a non-negative integer (got ${index})`);
  const offset = spec.offset ?? 0;
  if (!Number.isInteger(offset)) throw new Error(`synthetic slice offset must be an integer (got ${offset})`);
  const shifted = (k: number, count: number) => Math.min(count - 1, Math.max(0, k + offset));
  if (spec.slices !== undefined) {
    if (!Number.isInteger(spec.slices) || spec.slices < 1) throw new Error(`slices per series must be a positive integer (got ${spec.slices})`);
    const pSeed = patientSeed(spec.seed, Math.floor(index / spec.slices));
    return render(makePatient(pSeed), pSeed, shifted(index % spec.slices, spec.slices), spec.slices, size);
  }
  const pSeed = hash32("standalone", spec.seed, index);
  return render(makePatient(pSeed), pSeed, shifted(pSeed % STANDALONE_SERIES_LENGTH, STANDALONE_SERIES_LENGTH), STANDALONE_SERIES_LENGTH, size);
}

export function synthesizeSeries(spec: SynthSeriesSpec): SynthSeries {
  const size = checkSize(spec.size ?? DEFAULT_SYNTH_SIZE);
  if (!Number.isInteger(spec.slices) || spec.slices < 1) throw new Error(`slices per series must be a positive integer (got ${spec.slices})`);
  const pSeed = patientSeed(spec.seed, spec.patient ?? 0);
  const patient = makePatient(pSeed);
  const slices = Array.from({ length: spec.slices }, (_, k) => render(patient, pSeed, k, spec.slices, size));
  return { patientSeed: pSeed, size, pixelSpacing: FIELD_OF_VIEW_MM / size, sliceSpacing: sliceSpacingFor(spec.slices), slices };
}
