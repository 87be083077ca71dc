// What the pointer is over: pixel value, coordinates and local Grad-CAM heat (pure).
import type { View } from "./viewport";
import { canvasToPixel } from "./viewport";

export interface HeatGrid {
  width: number;
  height: number;
  values: ArrayLike<number>;
}

export interface HoverInfo {
  column: number;
  row: number;
  /** HU for monochrome images; [r, g, b] for colour. */
  value: number | [number, number, number];
  heat?: number;
}

/** Heat of the grid cell that covers image pixel (column, row). */
export function heatAt(grid: HeatGrid, column: number, row: number, imageWidth: number, imageHeight: number): number {
  const gx = Math.min(grid.width - 1, Math.floor((column * grid.width) / imageWidth));
  const gy = Math.min(grid.height - 1, Math.floor((row * grid.height) / imageHeight));
  return grid.values[gy * grid.width + gx];
}

export function hoverAt(
  view: View,
  x: number,
  y: number,
  image: { width: number; height: number; hu?: ArrayLike<number>; rgba?: ArrayLike<number> },
  heat?: HeatGrid,
): HoverInfo | null {
  const pixel = canvasToPixel(view, x, y, image.width, image.height);
  if (!pixel) return null;
  const i = pixel.row * image.width + pixel.column;
  const value: HoverInfo["value"] = image.hu ? image.hu[i] : image.rgba ? [image.rgba[i * 4], image.rgba[i * 4 + 1], image.rgba[i * 4 + 2]] : 0;
  return { ...pixel, value, heat: heat ? heatAt(heat, pixel.column, pixel.row, image.width, image.height) : undefined };
}
