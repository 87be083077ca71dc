// Series stacking: files in one folder with the same SeriesInstanceUID, ordered along the slice
// normal (OHIF/Cornerstone convention), never by file name.
import type { DicomHeader } from "../../core/dicom/types";

export type Vec3 = [number, number, number];

export interface SeriesSlice {
  file: string;
  header: Pick<DicomHeader, "seriesInstanceUid" | "imagePositionPatient" | "imageOrientationPatient" | "instanceNumber">;
}

/** Normal of the image plane: row direction × column direction (ImageOrientationPatient). */
export function sliceNormal(orientation: readonly number[]): Vec3 {
  const [rx, ry, rz, cx, cy, cz] = orientation;
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

/** Distance of ImagePositionPatient along the normal, or undefined when the header lacks either. */
export function positionAlongNormal(header: SeriesSlice["header"], normal?: Vec3): number | undefined {
  const position = header.imagePositionPatient;
  const n = normal ?? (header.imageOrientationPatient ? sliceNormal(header.imageOrientationPatient) : undefined);
  if (!position || !n) return undefined;
  return position[0] * n[0] + position[1] * n[1] + position[2] * n[2];
}

export interface OrderedSlice<T extends SeriesSlice> {
  slice: T;
  /** mm along the series normal, when every slice has a position and orientation. */
  position?: number;
}

/**
 * Orders slices along the normal of the first slice that has an orientation (all slices of a
 * series share it). Falls back to InstanceNumber, then to file name, when positions are missing.
 */
export function orderSeries<T extends SeriesSlice>(slices: readonly T[]): OrderedSlice<T>[] {
  const oriented = slices.find((s) => s.header.imageOrientationPatient);
  const normal = oriented?.header.imageOrientationPatient ? sliceNormal(oriented.header.imageOrientationPatient) : undefined;
  const withPosition = slices.map((slice) => ({ slice, position: normal ? positionAlongNormal(slice.header, normal) : undefined }));
  const allPositioned = withPosition.every((s) => s.position !== undefined);
  const byName = (a: OrderedSlice<T>, b: OrderedSlice<T>) => (a.slice.file < b.slice.file ? -1 : a.slice.file > b.slice.file ? 1 : 0);
  if (allPositioned) {
    return withPosition.sort((a, b) => (a.position as number) - (b.position as number) || byName(a, b));
  }
  const allNumbered = slices.every((s) => s.header.instanceNumber !== undefined);
  const result = withPosition.map((s) => ({ slice: s.slice, position: undefined as number | undefined }));
  if (allNumbered) {
    return result.sort((a, b) => (a.slice.header.instanceNumber as number) - (b.slice.header.instanceNumber as number) || byName(a, b));
  }
  return result.sort(byName);
}

/** Keeps the slices of `seriesUid` (all slices when the opened file has no SeriesInstanceUID: just itself). */
export function sameSeries<T extends SeriesSlice>(slices: readonly T[], openedFile: string, seriesUid: string | undefined): T[] {
  if (!seriesUid) return slices.filter((s) => s.file === openedFile);
  return slices.filter((s) => s.header.seriesInstanceUid === seriesUid);
}
