// Separable resampling of interleaved (HWC) float images. Shrinking an axis averages the input
// pixels each output pixel covers (area / box filter, exact for integer factors such as 512→128);
// growing an axis interpolates linearly between pixel centres. Browser-safe.

interface AxisTaps {
  /** First input index read by each output index. */
  start: Int32Array;
  /** Number of input indices read by each output index. */
  count: Int32Array;
  /** Weights, `maxTaps` per output index. */
  weights: Float32Array;
  maxTaps: number;
}

const tapCache = new Map<string, AxisTaps>();

function axisTaps(inSize: number, outSize: number): AxisTaps {
  const key = `${inSize}>${outSize}`;
  const cached = tapCache.get(key);
  if (cached) return cached;
  const taps = outSize < inSize ? areaTaps(inSize, outSize) : linearTaps(inSize, outSize);
  if (tapCache.size > 64) tapCache.clear();
  tapCache.set(key, taps);
  return taps;
}

function areaTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const maxTaps = Math.ceil(scale) + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const from = o * scale;
    const to = Math.min(inSize, (o + 1) * scale);
    const first = Math.floor(from);
    const last = Math.min(inSize - 1, Math.ceil(to) - 1);
    start[o] = first;
    let n = 0;
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(to, i + 1) - Math.max(from, i);
      if (overlap > 1e-9) weights[o * maxTaps + n] = overlap / scale;
      else weights[o * maxTaps + n] = 0;
      n++;
    }
    count[o] = n;
  }
  return { start, count, weights, maxTaps };
}

function linearTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const maxTaps = 2;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(inSize - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const i0 = Math.floor(s);
    const f = s - i0;
    start[o] = i0;
    if (f > 0 && i0 + 1 < inSize) {
      count[o] = 2;
      weights[o * 2] = 1 - f;
      weights[o * 2 + 1] = f;
    } else {
      count[o] = 1;
      weights[o * 2] = 1;
    }
  }
  return { start, count, weights, maxTaps };
}

/**
 * Resizes an interleaved `width`×`height`×`channels` image to `outW`×`outH` (same layout).
 * Returns `src` unchanged in content (copied into `out` when given) when the size already matches.
 */
export function resizeBilinear(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  outW: number,
  outH: number,
  out: Float32Array = new Float32Array(outW * outH * channels),
): Float32Array {
  if (!(width > 0 && height > 0 && outW > 0 && outH > 0 && channels > 0)) {
    throw new Error(`resize: sizes must be positive (got ${width}x${height}x${channels} → ${outW}x${outH})`);
  }
  if (src.length < width * height * channels) throw new Error(`resize: source holds ${src.length} values, ${width}x${height}x${channels} needs ${width * height * channels}`);
  if (out.length < outW * outH * channels) throw new Error(`resize: output holds ${out.length} values, need ${outW * outH * channels}`);
  if (width === outW && height === outH) {
    out.set(src.subarray(0, width * height * channels));
    return out;
  }
  if (width % outW === 0 && height % outH === 0 && width / outW === height / outH) {
    return boxDownsample(src, width, channels, width / outW, outW, outH, out);
  }
  return resizeSeparable(src, width, height, channels, outW, outH, out);
}

/**
 * The general two-pass resampler behind resizeBilinear (area taps to shrink, linear to grow),
 * without the integer-factor shortcuts; exported so tests can hold the shortcuts to it.
 */
export function resizeSeparable(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  outW: number,
  outH: number,
  out: Float32Array = new Float32Array(outW * outH * channels),
): Float32Array {
  const xt = axisTaps(width, outW);
  const yt = axisTaps(height, outH);
  // Horizontal pass into rows of outW, then vertical pass into out.
  const mid = new Float32Array(height * outW * channels);
  const inRow = width * channels;
  const midRow = outW * channels;
  for (let y = 0; y < height; y++) {
    const srcBase = y * inRow;
    const midBase = y * midRow;
    for (let o = 0; o < outW; o++) {
      const s = xt.start[o];
      const n = xt.count[o];
      const wBase = o * xt.maxTaps;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += src[srcBase + (s + k) * channels + c] * xt.weights[wBase + k];
        mid[midBase + o * channels + c] = acc;
      }
    }
  }
  for (let o = 0; o < outH; o++) {
    const s = yt.start[o];
    const n = yt.count[o];
    const wBase = o * yt.maxTaps;
    const outBase = o * midRow;
    out.fill(0, outBase, outBase + midRow);
    for (let k = 0; k < n; k++) {
      const weight = yt.weights[wBase + k];
      if (weight === 0) continue;
      const midBase = (s + k) * midRow;
      for (let i = 0; i < midRow; i++) out[outBase + i] += mid[midBase + i] * weight;
    }
  }
  return out;
}

/** Integer-factor shrink: each output pixel is the mean of its factor×factor block (same result as the area taps, faster). */
function boxDownsample(src: Float32Array, width: number, channels: number, factor: number, outW: number, outH: number, out: Float32Array): Float32Array {
  const inRow = width * channels;
  const outRow = outW * channels;
  if (factor === 2) {
    // The common 512→256 case: one write per output value.
    for (let oy = 0; oy < outH; oy++) {
      const r0 = 2 * oy * inRow;
      const r1 = r0 + inRow;
      for (let o = oy * outRow, x = 0, end = o + outRow; o < end; x += channels) {
        for (let c = 0; c < channels; c++, o++, x++) {
          out[o] = (src[r0 + x] + src[r0 + x + channels] + src[r1 + x] + src[r1 + x + channels]) * 0.25;
        }
      }
    }
    return out;
  }
  if (factor === 4) {
    // 512→128: sum each 4×4 block straight into its output value.
    const step = channels;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = 4 * oy * inRow;
      const r1 = r0 + inRow;
      const r2 = r1 + inRow;
      const r3 = r2 + inRow;
      for (let o = oy * outRow, x = 0, end = o + outRow; o < end; x += 3 * channels) {
        for (let c = 0; c < channels; c++, o++, x++) {
          const a = x + step;
          const b = a + step;
          const d = b + step;
          out[o] =
            (src[r0 + x] + src[r0 + a] + src[r0 + b] + src[r0 + d] +
              src[r1 + x] + src[r1 + a] + src[r1 + b] + src[r1 + d] +
              src[r2 + x] + src[r2 + a] + src[r2 + b] + src[r2 + d] +
              src[r3 + x] + src[r3 + a] + src[r3 + b] + src[r3 + d]) *
            0.0625;
        }
      }
    }
    return out;
  }
  const scale = 1 / (factor * factor);
  out.fill(0, 0, outH * outRow);
  for (let oy = 0; oy < outH; oy++) {
    const outBase = oy * outRow;
    for (let dy = 0; dy < factor; dy++) {
      const rowBase = (oy * factor + dy) * inRow;
      for (let ox = 0, i = rowBase, o = outBase; ox < outW; ox++, o += channels) {
        for (let dx = 0; dx < factor; dx++) {
          for (let c = 0; c < channels; c++, i++) out[o + c] += src[i];
        }
      }
    }
    for (let o = outBase; o < outBase + outRow; o++) out[o] *= scale;
  }
  return out;
}

