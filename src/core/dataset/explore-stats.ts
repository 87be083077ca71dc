// The explorer's numbers, accumulated one IndexEntry at a time so a 752,803-file index is never
// held in memory: counts, prevalence, co-occurrence, slices per series, header-field histograms
// and a seeded reservoir of sample slices per subtype. Memory grows with patients/studies/series
// (sets of ids) and a bounded number of distinct header values, never with files.
import { LABELS, SUBTYPES } from "../../shared/labels";
import { hashSeed, mulberry32 } from "../data/rng";
import type { DatasetCounts, HeaderField, Histogram, HistogramBin, Prevalence, SampleGroup } from "./explore-types";
import { HEADER_FIELDS } from "./explore-types";
import type { IndexEntry } from "./types";

/** Distinct values kept per field before they are merged onto a coarser grid. */
const MAX_DISTINCT = 2048;
/** Up to this many distinct values are shown one bar each; more are binned. */
const MAX_VALUE_BARS = 16;
const BINS = 20;

/**
 * Counts of numeric values on a grid of step `quantum` (starting at 1e-3); when more than
 * MAX_DISTINCT grid points are in use the grid coarsens tenfold, so memory stays bounded.
 */
export class ValueCounter {
  private counts = new Map<number, number>();
  private quantum = 1e-3;
  count = 0;
  missing = 0;
  min = Infinity;
  max = -Infinity;

  add(value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) {
      this.missing++;
      return;
    }
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const key = this.key(value);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.counts.size > MAX_DISTINCT) this.coarsen();
  }

  private key(value: number): number {
    return Number((Math.round(value / this.quantum) * this.quantum).toPrecision(12));
  }

  private coarsen(): void {
    const old = this.counts;
    this.quantum *= 10;
    this.counts = new Map();
    for (const [v, n] of old) {
      const key = this.key(v);
      this.counts.set(key, (this.counts.get(key) ?? 0) + n);
    }
  }

  histogram(): Histogram {
    const base = { count: this.count, missing: this.missing, min: this.count ? this.min : null, max: this.count ? this.max : null };
    const values = [...this.counts.entries()].sort((a, b) => a[0] - b[0]);
    if (values.length <= MAX_VALUE_BARS) return { kind: "values", bins: values.map(([v, count]) => ({ from: v, to: v, count })), ...base };
    const width = (this.max - this.min) / BINS;
    const bins: HistogramBin[] = Array.from({ length: BINS }, (_, i) => ({
      from: this.min + i * width,
      to: i === BINS - 1 ? this.max : this.min + (i + 1) * width,
      count: 0,
    }));
    for (const [v, n] of values) bins[Math.min(BINS - 1, Math.max(0, Math.floor((v - this.min) / width)))].count += n;
    return { kind: "bins", bins, ...base };
  }
}

/** Picks `size` items uniformly from a stream of unknown length (Algorithm R), seeded. */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  private readonly random: () => number;

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(item);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.size) this.items[j] = item;
    }
  }
}

function fieldValue(entry: IndexEntry, field: HeaderField): number | undefined {
  return field === "pixelSpacing" ? entry.pixelSpacing?.[0] : entry[field];
}

export interface ExploreStatsResult {
  counts: DatasetCounts;
  prevalence: Prevalence[];
  cooccurrence: number[][];
  slicesPerSeries: Histogram;
  headers: Record<HeaderField, Histogram>;
  /** The sampled entries per group (thumbnails are drawn later, from these files only). */
  samples: { group: SampleGroup; entries: IndexEntry[] }[];
}

export class ExploreStats {
  private readonly counts: DatasetCounts = {
    files: 0, dicom: 0, images: 0, unreadable: 0, patients: 0, studies: 0, series: 0, labelled: 0, unlabelled: 0, labelsWithoutFiles: null,
  };
  private readonly patients = new Set<string>();
  private readonly studies = new Set<string>();
  private readonly seriesSlices = new Map<string, number>();
  private readonly cooccurrence = LABELS.map(() => LABELS.map(() => 0));
  private readonly fields = Object.fromEntries(HEADER_FIELDS.map((f) => [f, new ValueCounter()])) as Record<HeaderField, ValueCounter>;
  private readonly reservoirs = new Map<SampleGroup, Reservoir<IndexEntry>>();
  private anyLabels = false;

  constructor(
    private readonly samplesPerGroup = 4,
    private readonly seed = 1,
  ) {}

  private reservoir(group: SampleGroup): Reservoir<IndexEntry> {
    let r = this.reservoirs.get(group);
    if (!r) {
      r = new Reservoir<IndexEntry>(this.samplesPerGroup, hashSeed(this.seed, group));
      this.reservoirs.set(group, r);
    }
    return r;
  }

  add(entry: IndexEntry): void {
    const c = this.counts;
    c.files++;
    if (entry.kind === "dicom") c.dicom++;
    else c.images++;
    if (entry.error) c.unreadable++;
    if (entry.patientId) this.patients.add(entry.patientId);
    if (entry.studyUid) this.studies.add(entry.studyUid);
    if (entry.seriesUid) this.seriesSlices.set(entry.seriesUid, (this.seriesSlices.get(entry.seriesUid) ?? 0) + 1);
    if (entry.kind === "dicom") for (const field of HEADER_FIELDS) this.fields[field].add(entry.error ? undefined : fieldValue(entry, field));
    const labels = entry.labels;
    if (labels === null) c.unlabelled++;
    if (labels) {
      this.anyLabels = true;
      c.labelled++;
      for (let i = 0; i < LABELS.length; i++) {
        if (labels[i] !== 1) continue;
        for (let j = 0; j < LABELS.length; j++) if (labels[j] === 1) this.cooccurrence[i][j]++;
      }
    }
    if (entry.error) return;
    if (!labels) this.reservoir("all").offer(entry);
    else if (labels.every((v) => v !== 1)) this.reservoir("none").offer(entry);
    else SUBTYPES.forEach((subtype, k) => labels[k + 1] === 1 && this.reservoir(subtype).offer(entry));
  }

  /** `labelsWithoutFiles`: label rows whose image has no file, as the index counted them (null: no labels table). */
  result(labelsWithoutFiles: number | null = null): ExploreStatsResult {
    const counts = { ...this.counts, patients: this.patients.size, studies: this.studies.size, series: this.seriesSlices.size, labelsWithoutFiles };
    const prevalence = this.anyLabels
      ? LABELS.map((label, i) => ({ label, positives: this.cooccurrence[i][i], share: counts.labelled ? this.cooccurrence[i][i] / counts.labelled : 0 }))
      : [];
    const perSeries = new ValueCounter();
    for (const n of this.seriesSlices.values()) perSeries.add(n);
    const headers = Object.fromEntries(HEADER_FIELDS.map((f) => [f, this.fields[f].histogram()])) as Record<HeaderField, Histogram>;
    const order: SampleGroup[] = [...SUBTYPES, "none", "all"];
    const samples = order.filter((g) => this.reservoirs.has(g)).map((group) => ({ group, entries: this.reservoirs.get(group)!.items }));
    return { counts, prevalence, cooccurrence: this.cooccurrence.map((row) => [...row]), slicesPerSeries: perSeries.histogram(), headers, samples };
  }
}
