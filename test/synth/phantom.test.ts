import { describe, expect, it } from "vitest";
import { LABELS, SUBTYPES } from "../../src/shared/labels";
import { synthesizeSeries, synthesizeSlice } from "../../src/core/synth";
import { bloodPixels } from "./helpers";

const SIZE = 96;

/** Distance in pixels from each pixel to the nearest bone pixel (> 300 HU), by BFS over 4-neighbours. */
function distanceToBone(hu: Float32Array, size: number): Int32Array {
  const dist = new Int32Array(hu.length).fill(-1);
  const queue: number[] = [];
  hu.forEach((v, i) => {
    if (v > 300) {
      dist[i] = 0;
      queue.push(i);
    }
  });
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    const x = i % size;
    for (const j of [i - size, i + size, x > 0 ? i - 1 : -1, x < size - 1 ? i + 1 : -1]) {
      if (j >= 0 && j < hu.length && dist[j] < 0) {
        dist[j] = dist[i] + 1;
        queue.push(j);
      }
    }
  }
  return dist;
}

describe("synthesizeSlice", () => {
  it("is deterministic and depends on seed and index", () => {
    const a = synthesizeSlice({ seed: 3, index: 5, size: 64 });
    const b = synthesizeSlice({ seed: 3, index: 5, size: 64 });
    expect(a.hu.every((v, i) => v === b.hu[i])).toBe(true);
    expect(a.labels).toEqual(b.labels);
    const c = synthesizeSlice({ seed: 3, index: 6, size: 64 });
    const d = synthesizeSlice({ seed: 4, index: 5, size: 64 });
    expect(a.hu.some((v, i) => v !== c.hu[i])).toBe(true);
    expect(a.hu.some((v, i) => v !== d.hu[i])).toBe(true);
    expect([a.rows, a.columns, a.hu.length, a.pixelSpacing]).toEqual([64, 64, 64 * 64, 250 / 64]);
  });

  it("with `slices`, returns the slice the series (and the dataset writer) holds", () => {
    const series = synthesizeSeries({ seed: 11, patient: 2, slices: 5, size: 48 });
    for (let k = 0; k < 5; k++) {
      const slice = synthesizeSlice({ seed: 11, index: 2 * 5 + k, slices: 5, size: 48 });
      expect(slice.sliceIndex).toBe(k);
      expect(slice.labels).toEqual(series.slices[k].labels);
      expect(slice.hu.every((v, i) => v === series.slices[k].hu[i])).toBe(true);
    }
  });

  it("renders neighbours of the same series with `offset`, clamped at the ends", () => {
    const centre = synthesizeSlice({ seed: 8, index: 3, size: 48 });
    const above = synthesizeSlice({ seed: 8, index: 3, size: 48, offset: 1 });
    const below = synthesizeSlice({ seed: 8, index: 3, size: 48, offset: -1 });
    expect(above.sliceIndex).toBe(Math.min(centre.seriesLength - 1, centre.sliceIndex + 1));
    expect(below.sliceIndex).toBe(Math.max(0, centre.sliceIndex - 1));
    const series = synthesizeSeries({ seed: 8, patient: 1, slices: 4, size: 48 });
    const last = synthesizeSlice({ seed: 8, index: 7, slices: 4, size: 48, offset: 2 });
    expect(last.sliceIndex).toBe(3);
    expect(last.hu.every((v, i) => v === series.slices[3].hu[i])).toBe(true);
    const previous = synthesizeSlice({ seed: 8, index: 7, slices: 4, size: 48, offset: -1 });
    expect(previous.hu.every((v, i) => v === series.slices[2].hu[i])).toBe(true);
  });

  it("rejects bad specs", () => {
    expect(() => synthesizeSlice({ seed: 1, size: 8 })).toThrow(/size/);
    expect(() => synthesizeSlice({ seed: 1, index: -1 })).toThrow(/index/);
    expect(() => synthesizeSeries({ seed: 1, slices: 0 })).toThrow(/slices/);
    expect(() => synthesizeSlice({ seed: 1, offset: 0.5 })).toThrow(/offset/);
  });

  it("has every label often enough to learn, and about half the slices positive", () => {
    const n = 300;
    const counts = Object.fromEntries(LABELS.map((l) => [l, 0]));
    let multi = 0;
    for (let i = 0; i < n; i++) {
      const { labels } = synthesizeSlice({ seed: 21, index: i, size: 48 });
      for (const l of LABELS) counts[l] += labels[l];
      if (SUBTYPES.filter((s) => labels[s]).length > 1) multi++;
    }
    expect(counts.any / n).toBeGreaterThan(0.35);
    expect(counts.any / n).toBeLessThan(0.65);
    for (const s of SUBTYPES) expect(counts[s] / n, s).toBeGreaterThan(0.06);
    expect(multi).toBeGreaterThan(5);
  });
});

describe("hemorrhage shape and location", () => {
  // Single-subtype slices from a fixed set of phantoms; blood found from the pixels alone.
  const bySubtype = new Map<string, { hu: Float32Array; blood: number[] }[]>();
  for (let i = 0; i < 400 && [...bySubtype.values()].reduce((a, l) => a + Math.min(l.length, 4), 0) < 20; i++) {
    const slice = synthesizeSlice({ seed: 5, index: i, size: SIZE });
    const present = SUBTYPES.filter((s) => slice.labels[s]);
    if (present.length !== 1) continue;
    const list = bySubtype.get(present[0]) ?? [];
    if (list.length < 4) list.push({ hu: slice.hu, blood: bloodPixels(slice.hu, SIZE) });
    bySubtype.set(present[0], list);
  }
  const mm = 250 / SIZE;

  it("finds examples of every subtype alone", () => {
    for (const s of SUBTYPES) expect(bySubtype.get(s)?.length ?? 0, s).toBeGreaterThanOrEqual(2);
  });

  it("puts epidural and subdural blood against the skull and intraparenchymal blood away from it", () => {
    const medianDistanceMm = (hu: Float32Array, blood: number[]) => {
      const dist = distanceToBone(hu, SIZE);
      const d = blood.map((i) => dist[i]).sort((a, b) => a - b);
      return d[Math.floor(d.length / 2)] * mm;
    };
    for (const kind of ["epidural", "subdural"]) {
      for (const { hu, blood } of bySubtype.get(kind) ?? []) {
        expect(blood.length).toBeGreaterThan(0);
        expect(medianDistanceMm(hu, blood), kind).toBeLessThan(12);
      }
    }
    for (const { hu, blood } of bySubtype.get("intraparenchymal") ?? []) expect(medianDistanceMm(hu, blood)).toBeGreaterThan(15);
  });

  it("puts intraventricular blood near the midline, next to CSF", () => {
    for (const { hu, blood } of bySubtype.get("intraventricular") ?? []) {
      expect(blood.length).toBeGreaterThan(0);
      const meanOffset = blood.reduce((a, i) => a + Math.abs((i % SIZE) - SIZE / 2), 0) / blood.length;
      expect(meanOffset * mm).toBeLessThan(35);
      const nearCsf = blood.filter((i) => [i - 2, i + 2, i - 2 * SIZE, i + 2 * SIZE].some((j) => hu[j] < 18 && hu[j] > -20));
      expect(nearCsf.length).toBeGreaterThan(0);
    }
  });

  it("makes subdural collections longer and thinner than epidural ones", () => {
    // Extent along the skull vs pixels: a thin crescent covers more angle per pixel than a lens.
    const angularSpread = (blood: number[]) => {
      const angles = blood.map((i) => Math.atan2(Math.floor(i / SIZE) - SIZE / 2, (i % SIZE) - SIZE / 2));
      const mean = Math.atan2(angles.reduce((a, t) => a + Math.sin(t), 0), angles.reduce((a, t) => a + Math.cos(t), 0));
      return Math.max(...angles.map((t) => Math.abs(Math.atan2(Math.sin(t - mean), Math.cos(t - mean)))));
    };
    const ratio = (kind: string) => {
      const list = bySubtype.get(kind) ?? [];
      return list.reduce((a, { blood }) => a + angularSpread(blood) / Math.sqrt(blood.length), 0) / list.length;
    };
    expect(ratio("subdural")).toBeGreaterThan(ratio("epidural"));
  });
});
