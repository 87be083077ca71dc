// Gradient kernels the stock WASM backend lacks (Conv2DBackpropFilter, the depthwise gradients) or
// runs slowly (Conv2DBackpropInput: a scalar loop; Tile; MaxPoolGrad), rebuilt from kernels WASM
// runs fast (XNNPACK convolutions, matrix products, transposes, pads) plus single JS passes over
// the WASM heap where WASM's own data-movement kernels are slow. Registered through TF.js's public
// kernel registry.
import type * as TF from "@tensorflow/tfjs";
import { KernelScratch } from "./kernel-scratch.js";

type Tf = typeof TF;
type TensorInfo = TF.TensorInfo;
type Pad = "valid" | "same" | number | TF.backend_util.ExplicitPadding;
type Explicit = TF.backend_util.ExplicitPadding;

const BACKEND = "wasm";
const OURS = Symbol.for("ich-lab.wasm-training-kernel");

export const WASM_TRAINING_KERNELS = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "Tile",
  "MaxPoolGrad",
] as const;

interface KernelArgs {
  inputs: TF.NamedTensorInfoMap;
  attrs?: TF.NamedAttrMap;
  backend: TF.KernelBackend;
}

type Impl = (s: KernelScratch, args: KernelArgs) => TensorInfo | undefined;

/**
 * Registers the replacement kernels for the "wasm" backend (idempotent). Returns the kernel names
 * now served by this module. Configurations a replacement does not cover (NCHW, dilated gradients,
 * bool Tile) go to the original kernel where there is one, otherwise fail with a clear error.
 */
export function registerWasmTrainingKernels(tf: Tf): string[] {
  const impls: Record<(typeof WASM_TRAINING_KERNELS)[number], Impl> = {
    Conv2DBackpropFilter: conv2DBackpropFilter,
    Conv2DBackpropInput: conv2DBackpropInput,
    DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
    DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
    Tile: tile,
    MaxPoolGrad: maxPoolGrad,
  };
  for (const name of WASM_TRAINING_KERNELS) {
    const existing = safeGetKernel(tf, name);
    if (existing && (existing.kernelFunc as { [OURS]?: boolean })[OURS]) continue;
    const original = existing;
    const impl = impls[name];
    const kernelFunc = ((args: KernelArgs) => {
      const scratch = new KernelScratch(tf, args.backend, BACKEND);
      try {
        const out = impl(scratch, args);
        if (out !== undefined) return scratch.finish(out);
      } catch (error) {
        scratch.dispose();
        throw error;
      }
      scratch.dispose();
      if (original === undefined) {
        throw new Error(`${name} on the wasm backend: this configuration (${describeAttrs(args.attrs)}) is not supported`);
      }
      return original.kernelFunc(args);
    }) as TF.KernelFunc & { [OURS]?: boolean };
    kernelFunc[OURS] = true;
    if (existing) tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc, setupFunc: original?.setupFunc, disposeFunc: original?.disposeFunc });
  }
  return [...WASM_TRAINING_KERNELS];
}

function required(inputs: TF.NamedTensorInfoMap, ...names: string[]): TensorInfo[] {
  return names.map((name) => {
    const info = inputs[name];
    if (info === undefined) throw new Error(`wasm training kernel: input '${name}' is missing`);
    return info;
  });
}

function safeGetKernel(tf: Tf, name: string): TF.KernelConfig | undefined {
  return tf.getKernel(name, BACKEND) ?? undefined;
}

function describeAttrs(attrs: TF.NamedAttrMap | undefined): string {
  return JSON.stringify(attrs ?? {});
}

function pair(v: number | [number, number] | undefined): [number, number] {
  if (v === undefined) return [1, 1];
  return typeof v === "number" ? [v, v] : v;
}

function explicit(top: number, bottom: number, left: number, right: number): Explicit {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/**
 * Filter gradient: dW[i,j,ci,co] = Σ x[n, oh·s+i−top, ow·s+j−left, ci] · dy[n,oh,ow,co]. That is a
 * stride-1 convolution of x transposed to [ci,H,W,n] with dy transposed to a [OH,OW,n,co] filter
 * dilated by the stride; its output [ci,kh,kw,co] is transposed back.
 */
function conv2DBackpropFilter(s: KernelScratch, { inputs, attrs }: KernelArgs): TensorInfo | undefined {
  const [x, dy] = required(inputs, "x", "dy");
  const a = attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat?: string; dimRoundingMode?: "floor" | "round" | "ceil"; filterShape: [number, number, number, number] };
  if (a.dataFormat === "NCHW" || x.dtype !== "float32") return undefined;
  const info = backendUtil(s).computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, "channelsLast");
  return filterGradient(s, x, dy, info, false);
}

function depthwiseBackpropFilter(s: KernelScratch, { inputs, attrs }: KernelArgs): TensorInfo | undefined {
  const [x, dy] = required(inputs, "x", "dy");
  const a = attrs as unknown as { strides: number | [number, number]; dilations?: number | [number, number]; pad: Pad; dimRoundingMode?: "floor" | "round" | "ceil"; filterShape: [number, number, number, number] };
  if (pair(a.dilations).some((d) => d !== 1) || x.dtype !== "float32") return undefined;
  const info = backendUtil(s).computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, true, "channelsLast");
  return filterGradient(s, x, dy, info, true);
}

type Shape4 = [number, number, number, number];
type ConvInfo = TF.backend_util.Conv2DInfo;

function filterGradient(s: KernelScratch, x: TensorInfo, dy: TensorInfo, info: ConvInfo, depthwise: boolean): TensorInfo {
  const [n, h, w, c] = x.shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  // Pad so the dilated [oh,ow] "filter" slides exactly kh×kw positions; if the input is longer
  // than the forward pass used (valid padding), the extra output rows are cut off afterwards.
  const bottom = Math.max(0, kh + (oh - 1) * sh - top - h);
  const right = Math.max(0, kw + (ow - 1) * sw - left - w);
  const pad = explicit(top, bottom, left, right);
  if (!depthwise && kh === 1 && kw === 1 && top === 0 && left === 0) return pointwiseFilterGradient(s, x, dy, info);
  if (!depthwise) {
    const xT = s.transpose(x, [3, 1, 2, 0]);
    const dyT = s.transpose(dy, [1, 2, 0, 3]);
    const grad = s.run("Conv2D", { x: xT, filter: dyT }, { strides: [1, 1], pad, dilations: [sh, sw], dataFormat: "NHWC" });
    const cropped = s.slice(grad, [c, kh, kw, info.outChannels]);
    return s.transpose(cropped, [1, 2, 0, 3]);
  }
  const m = info.outChannels / c;
  const xT = s.reshape(s.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
  const dyT = s.reshape(s.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, m]);
  const grad = s.run("DepthwiseConv2dNative", { x: xT, filter: dyT }, { strides: [1, 1], pad, dilations: [sh, sw] });
  const cropped = s.slice(grad, [1, kh, kw, n * c * m]);
  const perImage = s.reshape(cropped, [kh, kw, n, c * m]);
  return s.reshape(s.sum(perImage, [2]), [kh, kw, c, m]);
}

// Input shapes whose convolution input-gradient the caller will discard (see withInputGradientsSkipped).
let skippedInputShapes: readonly (readonly number[])[] = [];

/**
 * Runs `fn` with the WASM conv input-gradient kernels answering zeros for convolutions whose input
 * has one of `shapes`, instead of computing a gradient nobody reads. Only for training steps that
 * differentiate with respect to weights, where `shapes` belong to model inputs consumed directly by
 * convolutions and by no other convolution (src/core/tf/train-step.ts checks this).
 */
export function withInputGradientsSkipped<T>(shapes: readonly (readonly number[])[], fn: () => T): T {
  const previous = skippedInputShapes;
  skippedInputShapes = [...previous, ...shapes];
  try {
    return fn();
  } finally {
    skippedInputShapes = previous;
  }
}

function isSkipped(inputShape: readonly number[]): boolean {
  return skippedInputShapes.some((shape) => shape.length === inputShape.length && shape.every((d, i) => d === inputShape[i]));
}

function zeros(s: KernelScratch, shape: number[]): TensorInfo {
  return s.run("Fill", {}, { shape, value: 0, dtype: "float32" });
}

/**
 * 1×1 filter gradient as one matrix product, dWᵀ[co,ci] = dyᵀ[co,N]·x[N,ci] over the N sampled
 * positions (the dilated-convolution form is several times slower for 1×1 filters on WASM).
 */
function pointwiseFilterGradient(s: KernelScratch, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const [n, h, w, c] = x.shape;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const positions = n * oh * ow;
  let sampled: TensorInfo;
  if (sh === 1 && sw === 1 && oh === h && ow === w) {
    sampled = s.reshape(x, [1, positions, c]);
  } else {
    sampled = s.allocate([1, positions, c]);
    const values = s.view(x);
    const out = s.view(sampled);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const from = ((b * h + i * sh) * w + j * sw) * c;
          out.set(values.subarray(from, from + c), ((b * oh + i) * ow + j) * c);
        }
      }
    }
  }
  const dyT = s.transpose(s.reshape(dy, [1, positions, co]), [0, 2, 1]);
  const product = s.run("BatchMatMul", { a: dyT, b: sampled }, { transposeA: false, transposeB: false });
  return s.reshape(s.transpose(product, [0, 2, 1]), [1, 1, c, co]);
}

/**
 * Input gradient: a stride-1 convolution of the output gradient, zero-inserted by the stride and
 * padded by (k−1−pad), with the spatially flipped filter whose in/out channels are swapped.
 */
function conv2DBackpropInput(s: KernelScratch, { inputs, attrs }: KernelArgs): TensorInfo | undefined {
  const [dy, filter] = required(inputs, "dy", "filter");
  const a = attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat?: string; dimRoundingMode?: "floor" | "round" | "ceil"; inputShape: Shape4 };
  if (a.dataFormat === "NCHW" || dy.dtype !== "float32") return undefined;
  if (isSkipped(a.inputShape)) return zeros(s, [...a.inputShape]);
  const info = backendUtil(s).computeConv2DInfo(a.inputShape, filter.shape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, "channelsLast");
  if (info.strideHeight > 1 || info.strideWidth > 1) return stridedInputGradient(s, dy, filter, info, false);
  const plan = inputGradientPlan(info);
  if (plan === undefined) return undefined;
  const flipped = reverseTaps(s, s.transpose(filter, [0, 1, 3, 2]));
  const spread = s.zeroInsert(dy, info.strideHeight, info.strideWidth);
  const grad = s.run("Conv2D", { x: spread, filter: flipped }, { strides: [1, 1], pad: plan.pad, dilations: [1, 1], dataFormat: "NHWC" });
  return s.slice(grad, a.inputShape);
}

function depthwiseBackpropInput(s: KernelScratch, { inputs, attrs }: KernelArgs): TensorInfo | undefined {
  const [dy, filter] = required(inputs, "dy", "filter");
  const a = attrs as unknown as { strides: number | [number, number]; dilations?: number | [number, number]; pad: Pad; dimRoundingMode?: "floor" | "round" | "ceil"; inputShape: Shape4 };
  if (pair(a.dilations).some((d) => d !== 1) || dy.dtype !== "float32") return undefined;
  if (isSkipped(a.inputShape)) return zeros(s, [...a.inputShape]);
  const info = backendUtil(s).computeConv2DInfo(a.inputShape, filter.shape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, true, "channelsLast");
  if (info.strideHeight > 1 || info.strideWidth > 1) {
    const [, , c, m] = filter.shape;
    const grad = stridedInputGradient(s, dy, filter, info, true);
    const [n, h, w] = a.inputShape;
    return m === 1 ? grad : s.sum(s.reshape(grad, [n, h, w, c, m]), [4]);
  }
  const plan = inputGradientPlan(info);
  if (plan === undefined) return undefined;
  const [kh, kw, c, m] = filter.shape;
  const flipped = s.reshape(reverseTaps(s, filter), [kh, kw, c * m, 1]);
  const spread = s.zeroInsert(dy, info.strideHeight, info.strideWidth);
  const grad = s.run("DepthwiseConv2dNative", { x: spread, filter: flipped }, { strides: [1, 1], pad: plan.pad, dilations: [1, 1] });
  const [n, h, w] = a.inputShape;
  const cropped = s.slice(grad, [n, h, w, c * m]);
  return m === 1 ? cropped : s.sum(s.reshape(cropped, [n, h, w, c, m]), [4]);
}

/**
 * A [kh,kw,…] filter with its taps in reverse order (spatial flip). Block copies in JS: WASM's
 * Reverse kernel takes ~170 ms on a 3×3×512×512 filter, more than the convolution it feeds.
 */
function reverseTaps(s: KernelScratch, filter: TensorInfo): TensorInfo {
  const result = s.allocate([...filter.shape]);
  const values = s.view(filter);
  const out = s.view(result);
  const taps = filter.shape[0] * filter.shape[1];
  const block = values.length / taps;
  for (let t = 0; t < taps; t++) out.set(values.subarray((taps - 1 - t) * block, (taps - t) * block), t * block);
  return result;
}

/**
 * Input gradient of a strided convolution without multiplying zeros: input rows i with
 * (i + padTop) mod stride = r only receive filter taps r, r+stride, …, so each of the stride²
 * phases is a stride-1 convolution of dy with that sub-filter (flipped), and the phases are
 * interleaved back: dx[q·stride + r − padTop] = phase_r[q]. For depthwise convolutions the result
 * has c·multiplier channels; the caller sums the multipliers.
 */
function stridedInputGradient(s: KernelScratch, dy: TensorInfo, filter: TensorInfo, info: ConvInfo, depthwise: boolean): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  const [, , inC, outC] = filter.shape;
  const channels = depthwise ? inC * outC : inC;
  const lh = Math.max(oh, Math.ceil((h + top) / sh));
  const lw = Math.max(ow, Math.ceil((w + left) / sw));
  const filterValues = s.read(filter);
  const phaseOutputs: Array<TensorInfo | undefined> = [];
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++) {
      const th = Math.max(0, Math.ceil((kh - rh) / sh));
      const tw = Math.max(0, Math.ceil((kw - rw) / sw));
      if (th === 0 || tw === 0) {
        phaseOutputs.push(undefined);
        continue;
      }
      const sub = phaseFilter(filterValues, kh, kw, inC, outC, rh, rw, sh, sw, th, tw, depthwise);
      const pad = explicit(th - 1, lh - oh, tw - 1, lw - ow);
      const out = depthwise
        ? s.run("DepthwiseConv2dNative", { x: dy, filter: s.write(sub, [th, tw, channels, 1]) }, { strides: [1, 1], pad, dilations: [1, 1] })
        : s.run("Conv2D", { x: dy, filter: s.write(sub, [th, tw, outC, inC]) }, { strides: [1, 1], pad, dilations: [1, 1], dataFormat: "NHWC" });
      phaseOutputs.push(out);
    }
  }
  // Interleave: dx[b, i, j] = phase[(i+top) mod sh][(j+left) mod sw][b, (i+top) div sh, (j+left) div sw].
  const result = s.allocate([n, h, w, channels]);
  const phases = phaseOutputs.map((out) => (out === undefined ? undefined : s.view(out)));
  const dx = s.view(result);
  dx.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      const q = Math.floor((i + top) / sh);
      const rh = (i + top) % sh;
      for (let j = 0; j < w; j++) {
        const phase = phases[rh * sw + ((j + left) % sw)];
        if (phase === undefined) continue;
        const from = ((b * lh + q) * lw + Math.floor((j + left) / sw)) * channels;
        dx.set(phase.subarray(from, from + channels), ((b * h + i) * w + j) * channels);
      }
    }
  }
  return result;
}

/**
 * Taps rh, rh+sh, … × rw, rw+sw, … of a [kh,kw,inC,outC] filter, spatially flipped; laid out as a
 * [th,tw,outC,inC] convolution filter, or [th,tw,inC·mult,1] for a depthwise one.
 */
function phaseFilter(
  values: Float32Array, kh: number, kw: number, inC: number, outC: number,
  rh: number, rw: number, sh: number, sw: number, th: number, tw: number, depthwise: boolean,
): Float32Array {
  const sub = new Float32Array(th * tw * inC * outC);
  const block = inC * outC;
  for (let a = 0; a < th; a++) {
    for (let c = 0; c < tw; c++) {
      const source = ((rh + sh * (th - 1 - a)) * kw + (rw + sw * (tw - 1 - c))) * block;
      const target = (a * tw + c) * block;
      if (depthwise) {
        sub.set(values.subarray(source, source + block), target);
        continue;
      }
      for (let ci = 0; ci < inC; ci++) {
        for (let co = 0; co < outC; co++) sub[target + co * inC + ci] = values[source + ci * outC + co];
      }
    }
  }
  return sub;
}

/**
 * Padding around the zero-inserted gradient (which already ends in stride−1 zeros) so a valid
 * kh×kw convolution yields at least the input size; rows beyond it are sliced off by the caller.
 */
function inputGradientPlan(info: ConvInfo): { pad: Explicit } | undefined {
  const before = (k: number, p: number) => k - 1 - p;
  const after = (len: number, k: number, b: number, out: number, stride: number) => Math.max(0, len + k - 1 - b - out * stride);
  const top = before(info.filterHeight, info.padInfo.top);
  const left = before(info.filterWidth, info.padInfo.left);
  if (top < 0 || left < 0) return undefined;
  const bottom = after(info.inHeight, info.filterHeight, top, info.outHeight, info.strideHeight);
  const right = after(info.inWidth, info.filterWidth, left, info.outWidth, info.strideWidth);
  return { pad: explicit(top, bottom, left, right) };
}

/**
 * Max-pool gradient: each output's gradient goes to the first maximum of its window (row-major,
 * like TensorFlow). One pass with channels innermost; the WASM kernel took ~140 ms on ResNet's
 * first pooling layer at 128 px, about 4% of the whole training step.
 */
function maxPoolGrad(s: KernelScratch, { inputs, attrs }: KernelArgs): TensorInfo | undefined {
  const [dy, input] = required(inputs, "dy", "input");
  const a = attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; dimRoundingMode?: "floor" | "round" | "ceil" };
  if (input.dtype !== "float32") return undefined;
  const info = backendUtil(s).computePool2DInfo(input.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const result = s.allocate([...input.shape]);
  const x = s.view(input);
  const g = s.view(dy);
  const dx = s.view(result);
  dx.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const y0 = Math.max(0, i * sh - top);
      const y1 = Math.min(h, i * sh - top + fh);
      for (let j = 0; j < ow; j++) {
        const x0 = Math.max(0, j * sw - left);
        const x1 = Math.min(w, j * sw - left + fw);
        // The window's first position seeds the maximum; later ones replace it only if larger.
        const first = ((b * h + y0) * w + x0) * c;
        for (let k = 0; k < c; k++) {
          best[k] = x[first + k];
          where[k] = first + k;
        }
        for (let y = y0; y < y1; y++) {
          for (let xx = y === y0 ? x0 + 1 : x0; xx < x1; xx++) {
            const base = ((b * h + y) * w + xx) * c;
            for (let k = 0; k < c; k++) {
              const value = x[base + k];
              if (value > best[k]) {
                best[k] = value;
                where[k] = base + k;
              }
            }
          }
        }
        const out = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) dx[where[k]] += g[out + k];
      }
    }
  }
  return result;
}

/** Tile as a broadcast: x reshaped to [1,d1,1,d2,…] plus zeros of shape [r1,1,r2,1,…]. */
function tile(s: KernelScratch, { inputs, attrs }: KernelArgs): TensorInfo | undefined {
  const [x] = required(inputs, "x");
  const reps = (attrs as unknown as { reps: number[] }).reps;
  if ((x.dtype !== "float32" && x.dtype !== "int32") || x.shape.length === 0) return undefined;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  if (outShape.some((d) => d === 0)) return undefined;
  // Merge neighbouring axes so the broadcast stays within XNNPACK's 6 dimensions: an axis that is
  // not repeated folds into the previous data axis, repeats over unit axes multiply together.
  const groups: Array<{ rep: number; dim: number }> = [];
  x.shape.forEach((dim, i) => {
    const rep = reps[i];
    const last = groups[groups.length - 1];
    if (last && rep === 1) last.dim *= dim;
    else if (last && last.dim === 1 && dim === 1) last.rep *= rep;
    else groups.push({ rep, dim });
  });
  if (groups.length > 3) return undefined;
  const spread = s.reshape(x, groups.flatMap((g) => [1, g.dim]));
  const zeros = s.run("Fill", {}, { shape: groups.flatMap((g) => [g.rep, 1]), value: 0, dtype: x.dtype });
  const tiled = s.run("Add", { a: spread, b: zeros });
  return s.reshape(tiled, outShape);
}

function backendUtil(s: KernelScratch): typeof TF.backend_util {
  return s.tfModule.backend_util;
}
