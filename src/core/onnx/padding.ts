// Static spatial sizes and explicit pads for TF-style "same"/"valid" windows. TF's "same" pads
// the odd pixel after (bottom/right), so the pads can be asymmetric; ONNX takes them explicitly.

export type Padding = "same" | "valid";

export interface Window1d {
  kernel: number;
  stride: number;
  dilation: number;
}

/** Output length and [before, after] pads of one spatial axis. */
export function windowAxis(size: number, padding: Padding, w: Window1d): { out: number; before: number; after: number } {
  const span = (w.kernel - 1) * w.dilation + 1;
  if (padding === "valid") {
    const out = Math.ceil((size - span + 1) / w.stride);
    if (out < 1) throw new RangeError(`a ${w.kernel}-wide window (stride ${w.stride}, dilation ${w.dilation}) does not fit a ${size}-pixel input without padding`);
    return { out, before: 0, after: 0 };
  }
  const out = Math.ceil(size / w.stride);
  const total = Math.max((out - 1) * w.stride + span - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** Output height/width and ONNX pads [top, left, bottom, right]. */
export function window2d(h: number, w: number, padding: Padding, y: Window1d, x: Window1d): { h: number; w: number; pads: number[] } {
  const a = windowAxis(h, padding, y);
  const b = windowAxis(w, padding, x);
  return { h: a.out, w: b.out, pads: [a.before, b.before, a.after, b.after] };
}
