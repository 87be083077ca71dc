// Numeric features from DICOM header fields (the `ich index` entries) for the metadata baseline.
// Each row is built from the same index entry as its labels, so features and labels cannot be
// misaligned (the seed's notebook 05 joined them by position and scored chance).
import type { IndexEntry } from "../dataset/types";

/** Stands in for a missing header value (trees split it off like any other value). */
export const MISSING = -9999;

export const FEATURE_NAMES = [
  "rows",
  "columns",
  "bitsStored",
  "pixelRepresentation",
  "rescaleSlope",
  "rescaleIntercept",
  "windowCenter",
  "windowWidth",
  "pixelSpacing",
  "sliceThickness",
  "position",
  "instanceNumber",
  "rsnaFix",
  "monochrome1",
  "slicesInSeries",
  "relativePositionInSeries",
] as const;

const num = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? MISSING : value);

/** One feature row per entry, in FEATURE_NAMES order. Series-level features need all entries of a series. */
export function headerFeatures(entries: readonly IndexEntry[]): number[][] {
  const series = new Map<string, number[]>();
  entries.forEach((e, i) => {
    if (!e.seriesUid) return;
    const list = series.get(e.seriesUid) ?? [];
    list.push(i);
    series.set(e.seriesUid, list);
  });
  const slices = new Array<number>(entries.length).fill(MISSING);
  const relative = new Array<number>(entries.length).fill(MISSING);
  for (const members of series.values()) {
    const order = members.filter((i) => entries[i].position !== undefined).sort((a, b) => entries[a].position! - entries[b].position!);
    for (const i of members) slices[i] = members.length;
    order.forEach((i, rank) => (relative[i] = order.length > 1 ? rank / (order.length - 1) : 0.5));
  }
  return entries.map((e, i) => [
    num(e.rows),
    num(e.columns),
    num(e.bitsStored),
    num(e.pixelRepresentation),
    num(e.rescaleSlope),
    num(e.rescaleIntercept),
    num(e.windowCenter),
    num(e.windowWidth),
    num(e.pixelSpacing?.[0]),
    num(e.sliceThickness),
    num(e.position),
    num(e.instanceNumber),
    e.rsnaFix === undefined ? MISSING : e.rsnaFix ? 1 : 0,
    e.photometric === undefined ? MISSING : e.photometric === "MONOCHROME1" ? 1 : 0,
    slices[i],
    relative[i],
  ]);
}
