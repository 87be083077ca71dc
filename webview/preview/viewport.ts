// Pure geometry of the image viewport: canvas = image * scale + offset (canvas pixels).

export interface View {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 40;

/** Largest scale that shows the whole image, centred. */
export function fitView(imageWidth: number, imageHeight: number, canvasWidth: number, canvasHeight: number): View {
  const scale = Math.max(MIN_SCALE, Math.min(canvasWidth / imageWidth, canvasHeight / imageHeight));
  return { scale, offsetX: (canvasWidth - imageWidth * scale) / 2, offsetY: (canvasHeight - imageHeight * scale) / 2 };
}

/** Zooms by `factor` keeping the image point under canvas point (x, y) fixed. */
export function zoomAt(view: View, factor: number, x: number, y: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const applied = scale / view.scale;
  return { scale, offsetX: x - (x - view.offsetX) * applied, offsetY: y - (y - view.offsetY) * applied };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { scale: view.scale, offsetX: view.offsetX + dx, offsetY: view.offsetY + dy };
}

/** Image pixel (column, row) under canvas point (x, y), or null outside the image. */
export function canvasToPixel(view: View, x: number, y: number, imageWidth: number, imageHeight: number): { column: number; row: number } | null {
  const column = Math.floor((x - view.offsetX) / view.scale);
  const row = Math.floor((y - view.offsetY) / view.scale);
  if (column < 0 || row < 0 || column >= imageWidth || row >= imageHeight) return null;
  return { column, row };
}

/** Window width/level after a drag of (dx, dy) screen pixels: right widens, down raises the level. */
export function dragWindow(start: { width: number; level: number }, dx: number, dy: number): { width: number; level: number } {
  const sensitivity = Math.max(0.5, start.width / 256);
  return { width: Math.max(1, Math.round(start.width + dx * sensitivity)), level: Math.round(start.level + dy * sensitivity) };
}
