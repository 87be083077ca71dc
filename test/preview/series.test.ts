import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDicomHeader } from "../../src/core/dicom";
import { orderSeries, positionAlongNormal, sameSeries, sliceNormal, type SeriesSlice } from "../../src/extension/preview/series";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";

type Orientation = [number, number, number, number, number, number];

/** A stack of `n` slices `spacing` mm apart along the normal of `orientation`, starting at `origin`. */
function stack(n: number, orientation: Orientation, spacing: number, origin: [number, number, number] = [-120, -110, 40]): SeriesSlice[] {
  const normal = sliceNormal(orientation);
  return Array.from({ length: n }, (_, k) => ({
    file: `slice-${k}`,
    header: {
      seriesInstanceUid: "1.2.3",
      imageOrientationPatient: orientation,
      imagePositionPatient: [0, 1, 2].map((axis) => origin[axis] + normal[axis] * spacing * k) as [number, number, number],
      instanceNumber: n - k, // deliberately reversed: position must win
    },
  }));
}

/** Deterministic shuffle (the file names carry no order either). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe("series ordering", () => {
  it("computes the slice normal as the cross product of the orientation rows", () => {
    expect(sliceNormal([1, 0, 0, 0, 1, 0])).toEqual([0, 0, 1]);
    const n = sliceNormal([1, 0, 0, 0, Math.cos(0.3), -Math.sin(0.3)]);
    expect(n[0]).toBeCloseTo(0);
    expect(n[1]).toBeCloseTo(Math.sin(0.3));
    expect(n[2]).toBeCloseTo(Math.cos(0.3));
  });

  it("orders an axial stack by position along the normal, not by name or instance number", () => {
    const slices = stack(12, [1, 0, 0, 0, 1, 0], 5);
    const renamed = shuffled(slices, 3).map((s, i) => ({ ...s, file: `IMG_${String(i).padStart(3, "0")}`, original: s.file }));
    const ordered = orderSeries(renamed);
    expect(ordered.map((o) => o.slice.original)).toEqual(slices.map((s) => s.file));
    const positions = ordered.map((o) => o.position as number);
    positions.slice(1).forEach((p, i) => expect(p - positions[i]).toBeCloseTo(5));
  });

  it("orders an oblique (tilted and rotated) stack where z alone would be wrong", () => {
    // Rows along x rotated 30° in the x-y plane, columns tilted 110° out of the axial plane: the
    // normal is mostly along y and points down in z, so z decreases while the slices advance.
    const a = Math.PI / 6;
    const t = (110 * Math.PI) / 180;
    const row: [number, number, number] = [Math.cos(a), Math.sin(a), 0];
    const col: [number, number, number] = [-Math.sin(a) * Math.cos(t), Math.cos(a) * Math.cos(t), -Math.sin(t)];
    const orientation = [...row, ...col] as Orientation;
    const slices = stack(20, orientation, 2.5);
    const ordered = orderSeries(shuffled(slices, 11));
    expect(ordered.map((o) => o.slice.file)).toEqual(slices.map((s) => s.file));
    const byZ = [...slices].sort((p, q) => p.header.imagePositionPatient![2] - q.header.imagePositionPatient![2]);
    expect(byZ.map((s) => s.file)).not.toEqual(slices.map((s) => s.file));
  });

  it("falls back to InstanceNumber when a slice has no position, then to file name", () => {
    const numbered: SeriesSlice[] = [3, 1, 2].map((n) => ({ file: `f${4 - n}`, header: { seriesInstanceUid: "9", instanceNumber: n } }));
    expect(orderSeries(numbered).map((o) => o.slice.header.instanceNumber)).toEqual([1, 2, 3]);
    const bare: SeriesSlice[] = ["c", "a", "b"].map((file) => ({ file, header: {} }));
    expect(orderSeries(bare).map((o) => o.slice.file)).toEqual(["a", "b", "c"]);
    expect(positionAlongNormal({})).toBeUndefined();
  });

  it("keeps only the opened file's series", () => {
    const mixed: SeriesSlice[] = [
      { file: "a", header: { seriesInstanceUid: "1" } },
      { file: "b", header: { seriesInstanceUid: "2" } },
      { file: "c", header: { seriesInstanceUid: "1" } },
    ];
    expect(sameSeries(mixed, "a", "1").map((s) => s.file)).toEqual(["a", "c"]);
    expect(sameSeries(mixed, "b", undefined).map((s) => s.file)).toEqual(["b"]);
  });

  it.skipIf(!HAS_SHARED_DATA)("stacks the real tilted RSNA series with even spacing along its normal", async () => {
    const folder = join(SHARED_DATA, "rsna-samples", "series_ID_f10de2d018");
    const files = readdirSync(folder).filter((f) => f.endsWith(".dcm")).map((f) => join(folder, f));
    const slices = await Promise.all(files.map(async (file) => ({ file, header: await readDicomHeader(file) })));
    const ordered = orderSeries(sameSeries(slices, files[0], slices[0].header.seriesInstanceUid));
    expect(ordered).toHaveLength(files.length);
    const positions = ordered.map((o) => o.position as number);
    const gaps = positions.slice(1).map((p, i) => p - positions[i]);
    expect(Math.min(...gaps)).toBeGreaterThan(0);
    expect(Math.max(...gaps) / Math.min(...gaps)).toBeLessThan(1.5);
    // File names are random ids: their order is not the anatomical one.
    expect(ordered.map((o) => o.slice.file)).not.toEqual([...files].sort());
  });
});
