// Turns a decoded DICOM frame into the pixel payload the webview windows: HU as int16 when that is
// lossless (half the bytes of float32), float32 otherwise, and RGBA for colour images.
import type { DecodedDicom } from "../../core/dicom/types";
import type { PixelType } from "../../protocol/preview";

export interface PixelPayload {
  pixelType: PixelType;
  pixels: ArrayBuffer;
}

/** HU values → the smallest exact encoding. */
export function encodeHu(hu: Float32Array): PixelPayload {
  let integral = true;
  for (let i = 0; i < hu.length; i++) {
    const v = hu[i];
    if (v !== Math.round(v) || v < -32768 || v > 32767) {
      integral = false;
      break;
    }
  }
  if (integral) return { pixelType: "int16", pixels: Int16Array.from(hu).buffer };
  return { pixelType: "float32", pixels: hu.slice().buffer };
}

export function isColour(decoded: DecodedDicom): boolean {
  return decoded.header.samplesPerPixel > 1 || decoded.palette !== undefined;
}

/** Colour (RGB, or palette indices through the LUT) → RGBA bytes; samples above 8 bits are scaled down. */
export function colourToRgba(decoded: DecodedDicom, frame: number): PixelPayload {
  const { rows, columns, samplesPerPixel, bitsStored } = decoded.header;
  const values = decoded.frames[frame];
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * 4);
  const palette = decoded.palette;
  if (palette) {
    const last = palette.red.length - 1;
    for (let p = 0; p < pixels; p++) {
      const k = Math.max(0, Math.min(last, values[p * samplesPerPixel] - palette.firstIndex));
      out[p * 4] = palette.red[k];
      out[p * 4 + 1] = palette.green[k];
      out[p * 4 + 2] = palette.blue[k];
      out[p * 4 + 3] = 255;
    }
    return { pixelType: "rgba8", pixels: out.buffer };
  }
  const shift = Math.max(0, bitsStored - 8);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const v = values[p * samplesPerPixel + Math.min(c, samplesPerPixel - 1)] >> shift;
      out[p * 4 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    out[p * 4 + 3] = 255;
  }
  return { pixelType: "rgba8", pixels: out.buffer };
}
