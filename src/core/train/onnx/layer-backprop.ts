// One TF.js layer in a training graph for ONNX Runtime: its forward in training mode (batch-norm
// batch statistics, dropout masks fed per step) and the nodes of its backward pass, emitted
// together so the backward can read the forward's intermediate values. Feature maps are NCHW as
// in the export (src/core/onnx/layers.ts); weights are graph inputs, convolution kernels in OIHW
// (weight-layout.ts) and the rest as in TF.js; kernel gradients come out as HWOI (gradientToTf),
// the rest in TF.js's layout.
//
// The gradients follow TF.js's own: ReLU passes where the output is > 0, max pooling routes to the
// maximum, global max pooling to every position equal to the maximum, batch norm uses the biased
// batch variance (tf.moments) and updates the moving statistics as tfjs-layers does.
import type { OnnxGraph } from "../../onnx/graph";
import { window2d, type Padding } from "../../onnx/padding";
import { adaptivePoolMatrix } from "../../models/adaptive-pool";
import { adaptivePoolColumns, pair, type LayerConfig } from "../../onnx/layer-config";
import type { LayersModel } from "../../models/types";
import { onnxShape, type WeightLayout } from "./weight-layout";

type Layer = LayersModel["layers"][number];

export type Shape = { rank: 4; c: number; h: number; w: number } | { rank: 2; c: number };

/** A value of the training graph; `requiresGrad`: some trainable weight lies upstream of it. */
export interface TValue {
  name: string;
  shape: Shape;
  requiresGrad: boolean;
}

export interface LayerStep {
  output: TValue;
  /** Emits the backward nodes for the output gradient `dy` and returns the inputs' gradients (null where none is needed). */
  backward: ((dy: string) => (string | null)[]) | null;
}

/** A model weight the graph reads as an input. */
export interface WeightInput {
  input: string;
  variable: string;
  layout: WeightLayout;
  /** The variable's TF.js shape. */
  tfShape: number[];
  /** The graph input's shape (`layout` applied). */
  shape: number[];
}

export interface BatchNormStatistics {
  layer: string;
  /** Graph outputs: the batch mean and biased variance per channel. */
  mean: string;
  variance: string;
  movingMean: string;
  movingVariance: string;
  momentum: number;
}

export interface DropoutMask {
  /** Graph input: [batch, …features] of 0 or 1/(1 − rate). */
  input: string;
  rate: number;
  /** Feature dims after the batch, NCHW for feature maps. */
  dims: number[];
}

export class UnsupportedLayerError extends Error {
  constructor(layer: Layer, problem: string) {
    super(`layer "${layer.name}" (${layer.getClassName()}): ${problem}`);
    this.name = "UnsupportedLayerError";
  }
}

type Spatial = TValue & { shape: { rank: 4 } };

const INT64_MAX = 2 ** 62;
/** Input pixels above which a stride-1 input gradient runs as a flipped-kernel Conv rather than ConvTranspose (measured on ResNet18). */
const FLIPPED_CONV_MIN_PIXELS = 256;

export class TrainingLayers {
  readonly weights: WeightInput[] = [];
  readonly gradients = new Map<string, string>();
  readonly batchNorms: BatchNormStatistics[] = [];
  readonly dropouts: DropoutMask[] = [];
  private zeroName: string | null = null;

  constructor(
    private readonly g: OnnxGraph,
    private readonly trainable: ReadonlySet<string>,
  ) {}

  step(layer: Layer, inputs: TValue[]): LayerStep {
    const config = layer.getConfig() as LayerConfig;
    if (config.dataFormat !== undefined && config.dataFormat !== "channelsLast") throw new UnsupportedLayerError(layer, `dataFormat ${config.dataFormat}`);
    switch (layer.getClassName()) {
      case "Conv2D":
        return this.conv2d(layer, config, this.spatial(layer, inputs));
      case "BatchNormalization":
        return this.batchNorm(layer, config, this.single(layer, inputs));
      case "Activation":
        return this.activation(layer, config.activation ?? "linear", this.single(layer, inputs));
      case "MaxPooling2D":
        return this.maxPool(layer, config, this.spatial(layer, inputs));
      case "AveragePooling2D":
        return this.avgPool(layer, config, this.spatial(layer, inputs));
      case "GlobalAveragePooling2D":
        return this.globalAvgPool(layer, config, this.spatial(layer, inputs));
      case "GlobalMaxPooling2D":
        return this.globalMaxPool(layer, config, this.spatial(layer, inputs));
      case "Add":
        return this.add(layer, inputs);
      case "Concatenate":
        return this.concat(layer, config, inputs);
      case "Flatten":
        return this.flatten(layer, this.single(layer, inputs));
      case "Dense":
        return this.dense(layer, config, this.single(layer, inputs));
      case "Dropout":
        return this.dropout(layer, config, this.single(layer, inputs));
      case "ZeroPadding2D":
        return this.zeroPad(layer, config, this.spatial(layer, inputs));
      case "AdaptiveAveragePooling2D":
        return this.adaptiveAvgPool(layer, config, this.spatial(layer, inputs));
      default:
        throw new UnsupportedLayerError(layer, "this layer type has no ONNX training graph");
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private single(layer: Layer, inputs: TValue[]): TValue {
    if (inputs.length !== 1) throw new UnsupportedLayerError(layer, `expected one input, got ${inputs.length}`);
    return inputs[0];
  }

  private spatial(layer: Layer, inputs: TValue[]): Spatial {
    const x = this.single(layer, inputs);
    if (x.shape.rank !== 4) throw new UnsupportedLayerError(layer, "expected an image-shaped (rank 4) input");
    return x as Spatial;
  }

  private padding(layer: Layer, config: LayerConfig): Padding {
    if (config.padding !== "same" && config.padding !== "valid") throw new UnsupportedLayerError(layer, `padding ${JSON.stringify(config.padding)}`);
    return config.padding;
  }

  private variable(layer: Layer, name: string) {
    return layer.weights.find((v) => v.originalName.split("/").pop() === name);
  }

  /** The graph input holding weight `name` of `layer` ("kernel", "gamma"…), or null if the layer has none. */
  private weight(layer: Layer, name: string, layout: WeightLayout = "tf"): { input: string; variable: string; trainable: boolean; shape: number[] } | null {
    const w = this.variable(layer, name);
    if (!w) return null;
    let entry = this.weights.find((e) => e.variable === w.name);
    if (!entry) {
      const tfShape = w.shape.map((d) => d ?? 0);
      entry = { input: this.g.reserve(`weight:${w.name}`), variable: w.name, layout, tfShape, shape: onnxShape(layout, tfShape) };
      this.weights.push(entry);
    }
    return { input: entry.input, variable: w.name, trainable: this.trainable.has(w.name), shape: entry.shape };
  }

  private requireWeight(layer: Layer, name: string, layout: WeightLayout = "tf") {
    const w = this.weight(layer, name, layout);
    if (!w) throw new UnsupportedLayerError(layer, `has no weight "${name}"`);
    return w;
  }

  private gradient(variable: string, value: string): void {
    this.gradients.set(variable, value);
  }

  private ints(base: string, values: number[]): string {
    return this.g.int64Tensor(base, values);
  }

  private scalar(base: string, value: number): string {
    return this.g.floatTensor(base, [], new Float32Array([value]));
  }

  private zero(): string {
    this.zeroName ??= this.scalar("zero", 0);
    return this.zeroName;
  }

  private reduceSum(x: string, axes: number[], keepdims: 0 | 1, base: string): string {
    return this.g.node("ReduceSum", [x, this.ints(`${base}/axes`, axes)], base, { keepdims });
  }

  /** dy where `y` > 0, else 0: the gradient of a ReLU with output `y` (≥ 0, so its sign is the mask; ONNX Runtime's Where is several times slower). */
  private reluGrad(y: string, dy: string, base: string): string {
    return this.g.node("Mul", [dy, this.g.node("Sign", [y], `${base}/mask`)], base);
  }

  private withActivation(layer: Layer, activation: string, z: TValue, base: string): { y: TValue; dz: (dy: string) => string } {
    if (activation === "linear") return { y: z, dz: (dy) => dy };
    if (activation === "relu") {
      const y = this.g.node("Relu", [z.name], base);
      return { y: { ...z, name: y }, dz: (dy) => this.reluGrad(y, dy, `${base}/grad`) };
    }
    throw new UnsupportedLayerError(layer, `activation "${activation}" inside the network (only relu; sigmoid only on the output)`);
  }

  // ---- layers --------------------------------------------------------------------------------

  private conv2d(layer: Layer, config: LayerConfig, x: Spatial): LayerStep {
    const g = this.g;
    const [kh, kw] = pair(config.kernelSize, 1);
    const [sh, sw] = pair(config.strides, 1);
    const [dh, dw] = pair(config.dilationRate, 1);
    if (dh !== 1 || dw !== 1) throw new UnsupportedLayerError(layer, "dilated convolutions");
    const out = window2d(x.shape.h, x.shape.w, this.padding(layer, config), { kernel: kh, stride: sh, dilation: 1 }, { kernel: kw, stride: sw, dilation: 1 });
    const [pt, pl, pb, pr] = out.pads;
    const kernel = this.requireWeight(layer, "kernel", "oihw");
    const [co, ci] = kernel.shape;
    const oihw = kernel.input;
    const bias = config.useBias ? this.requireWeight(layer, "bias") : null;
    const conv = g.node("Conv", [x.name, oihw, ...(bias ? [bias.input] : [])], `${layer.name}/conv`, {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      pads: out.pads,
    });
    const requiresGrad = x.requiresGrad || kernel.trainable || (bias?.trainable ?? false);
    const z: TValue = { name: conv, shape: { rank: 4, c: co, h: out.h, w: out.w }, requiresGrad };
    const { y, dz } = this.withActivation(layer, config.activation ?? "linear", z, layer.name);
    if (!requiresGrad) return { output: y, backward: null };
    return {
      output: y,
      backward: (dy) => {
        const d = dz(dy);
        const base = `${layer.name}/grad`;
        if (bias?.trainable) this.gradient(bias.variable, this.reduceSum(d, [0, 2, 3], 0, `${base}/bias`));
        if (kernel.trainable) {
          // dW = Σ over batch and output pixels of dy × input patch: per kernel tap, dy as [co,
          // pixels] times the input pixels under that tap as [ci, pixels]ᵀ, a [co, ci] block. Both
          // come from channel-first transposes that move whole feature maps (cheap in ONNX Runtime,
          // unlike NHWC); the blocks stacked by tap are HWOI, which FlatAdamW reads.
          let xc = g.node("Transpose", [x.name], `${base}/x_cnhw`, { perm: [1, 0, 2, 3] });
          if (out.pads.some((p) => p > 0)) xc = g.node("Pad", [xc, this.ints(`${base}/pads`, [0, 0, pt, pl, 0, 0, pb, pr])], `${base}/x_padded`);
          const dyc = g.node("Reshape", [g.node("Transpose", [d], `${base}/dy_cnhw`, { perm: [1, 0, 2, 3] }), this.ints(`${base}/dy_shape`, [co, -1])], `${base}/dy_rows`);
          const rowsShape = this.ints(`${base}/rows_shape`, [ci, -1]);
          const blocks: string[] = [];
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const whole = kh === 1 && kw === 1 && sh === 1 && sw === 1 && x.shape.h === out.h && x.shape.w === out.w;
              const ends = [i + sh * (out.h - 1) + 1, j + sw * (out.w - 1) + 1];
              const tap = whole ? xc : g.node("Slice", [xc, this.ints(`${base}/starts`, [i, j]), this.ints(`${base}/ends`, ends), this.ints(`${base}/axes`, [2, 3]), this.ints(`${base}/steps`, [sh, sw])], `${base}/tap`);
              blocks.push(g.node("Gemm", [dyc, g.node("Reshape", [tap, rowsShape], `${base}/tap_rows`)], `${base}/tap_kernel`, { transB: 1 }));
            }
          }
          const stacked = blocks.length === 1 ? blocks[0] : g.node("Concat", blocks, `${base}/kernel_flat`, { axis: 0 });
          this.gradient(kernel.variable, g.node("Reshape", [stacked, this.ints(`${base}/kernel_shape`, [kh, kw, co, ci])], `${base}/kernel`));
        }
        if (!x.requiresGrad) return [null];
        if (sh === 1 && sw === 1 && x.shape.h * x.shape.w > FLIPPED_CONV_MIN_PIXELS) {
          // Stride 1 on large maps: a convolution of dy with the flipped, transposed kernel, which
          // ONNX Runtime runs faster than ConvTranspose there; on small maps with many channels,
          // transforming the kernel costs more than ConvTranspose's extra work.
          const swapped = g.node("Transpose", [oihw], `${base}/kernel_io`, { perm: [1, 0, 2, 3] });
          const flipped = g.node("Slice", [swapped, this.ints(`${base}/flip_starts`, [-1, -1]), this.ints(`${base}/flip_ends`, [-INT64_MAX, -INT64_MAX]), this.ints(`${base}/flip_axes`, [2, 3]), this.ints(`${base}/flip_steps`, [-1, -1])], `${base}/kernel_flipped`);
          return [g.node("Conv", [d, flipped], `${base}/input`, { kernel_shape: [kh, kw], pads: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr] })];
        }
        const extraH = x.shape.h - ((out.h - 1) * sh + kh - pt - pb);
        const extraW = x.shape.w - ((out.w - 1) * sw + kw - pl - pr);
        return [g.node("ConvTranspose", [d, oihw], `${base}/input`, { kernel_shape: [kh, kw], strides: [sh, sw], pads: out.pads, output_padding: [extraH, extraW] })];
      },
    };
  }

  private batchNorm(layer: Layer, config: LayerConfig, x: TValue): LayerStep {
    const g = this.g;
    const rank = x.shape.rank;
    const axis = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1];
    if (axis.length !== 1 || !(axis[0] === -1 || axis[0] === rank - 1)) throw new UnsupportedLayerError(layer, `batch norm over axis ${JSON.stringify(config.axis)} (only the channel axis)`);
    const c = x.shape.c;
    const axes = rank === 4 ? [0, 2, 3] : [0];
    const broadcast = this.ints(`${layer.name}/broadcast`, rank === 4 ? [1, c, 1, 1] : [1, c]);
    const gamma = config.scale === false ? null : this.requireWeight(layer, "gamma");
    const beta = config.center === false ? null : this.requireWeight(layer, "beta");
    // The moving statistics are not read in training mode; they are updated from the batch statistics output below.
    const movingMean = this.variable(layer, "moving_mean")?.name;
    const movingVariance = this.variable(layer, "moving_variance")?.name;
    if (!movingMean || !movingVariance) throw new UnsupportedLayerError(layer, "has no moving statistics");

    // TF.js's formula, op by op: ONNX Runtime's fused training-mode BatchNormalization is no faster
    // here and rounds the batch variance differently enough to flip ReLUs of deep, small maps.
    const mean = g.node("ReduceMean", [x.name], `${layer.name}/mean`, { axes, keepdims: 1 });
    const centered = g.node("Sub", [x.name, mean], `${layer.name}/centered`);
    const variance = g.node("ReduceMean", [g.node("Mul", [centered, centered], `${layer.name}/squares`)], `${layer.name}/variance`, { axes, keepdims: 1 });
    const epsilon = this.scalar(`${layer.name}/epsilon`, config.epsilon ?? 1e-3);
    const invStd = g.node("Reciprocal", [g.node("Sqrt", [g.node("Add", [variance, epsilon], `${layer.name}/var_eps`)], `${layer.name}/std`)], `${layer.name}/inv_std`);
    const normed = g.node("Mul", [centered, invStd], `${layer.name}/normed`);
    const gammaB = gamma ? g.node("Reshape", [gamma.input, broadcast], `${layer.name}/gamma_b`) : null;
    let y = gammaB ? g.node("Mul", [normed, gammaB], `${layer.name}/scaled`) : normed;
    if (beta) y = g.node("Add", [y, g.node("Reshape", [beta.input, broadcast], `${layer.name}/beta_b`)], layer.name);
    const channels = this.ints(`${layer.name}/channels`, [c]);
    this.batchNorms.push({
      layer: layer.name,
      mean: g.node("Reshape", [mean, channels], `stats:${layer.name}/mean`),
      variance: g.node("Reshape", [variance, channels], `stats:${layer.name}/variance`),
      movingMean,
      movingVariance,
      momentum: config.momentum ?? 0.99,
    });
    const requiresGrad = x.requiresGrad || (gamma?.trainable ?? false) || (beta?.trainable ?? false);
    const output: TValue = { name: y, shape: x.shape, requiresGrad };
    if (!requiresGrad) return { output, backward: null };
    return {
      output,
      backward: (dy) => {
        const base = `${layer.name}/grad`;
        const dBeta = this.reduceSum(dy, axes, 1, `${base}/beta_keep`);
        const dGamma = this.reduceSum(g.node("Mul", [dy, normed], `${base}/dy_normed`), axes, 1, `${base}/gamma_keep`);
        if (gamma?.trainable) this.gradient(gamma.variable, g.node("Reshape", [dGamma, channels], `${base}/gamma`));
        if (beta?.trainable) this.gradient(beta.variable, g.node("Reshape", [dBeta, channels], `${base}/beta`));
        if (!x.requiresGrad) return [null];
        // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), the means over the batch (and pixels).
        const count = g.node("Cast", [g.node("ReduceProd", [g.node("Gather", [g.node("Shape", [dy], `${base}/shape`), this.ints(`${base}/reduced`, axes)], `${base}/reduced_dims`)], `${base}/count_int`, { keepdims: 0 })], `${base}/count`, { to: 1 });
        const meanDy = g.node("Div", [dBeta, count], `${base}/mean_dy`);
        const meanDyNormed = g.node("Div", [dGamma, count], `${base}/mean_dy_normed`);
        const inner = g.node("Sub", [g.node("Sub", [dy, meanDy], `${base}/dy_centered`), g.node("Mul", [normed, meanDyNormed], `${base}/normed_term`)], `${base}/inner`);
        const factor = gammaB ? g.node("Mul", [gammaB, invStd], `${base}/factor`) : invStd;
        return [g.node("Mul", [inner, factor], `${base}/input`)];
      },
    };
  }

  private activation(layer: Layer, activation: string, x: TValue): LayerStep {
    const { y, dz } = this.withActivation(layer, activation, x, layer.name);
    return { output: y, backward: x.requiresGrad ? (dy) => [dz(dy)] : null };
  }

  private maxPool(layer: Layer, config: LayerConfig, x: Spatial): LayerStep {
    const g = this.g;
    const [kh, kw] = pair(config.poolSize, 2);
    const [sh, sw] = pair(config.strides, kh);
    const out = window2d(x.shape.h, x.shape.w, this.padding(layer, config), { kernel: kh, stride: sh, dilation: 1 }, { kernel: kw, stride: sw, dilation: 1 });
    const attributes = { kernel_shape: [kh, kw], strides: [sh, sw], pads: out.pads };
    const output = (name: string): TValue => ({ name, shape: { rank: 4, c: x.shape.c, h: out.h, w: out.w }, requiresGrad: x.requiresGrad });
    if (!x.requiresGrad) return { output: output(g.node("MaxPool", [x.name], layer.name, attributes)), backward: null };
    const [y, indices] = g.nodeOutputs("MaxPool", [x.name], [layer.name, `${layer.name}/indices`], attributes);
    return {
      output: output(y),
      backward: (dy) => {
        // Indices are flat positions in the whole NCHW input: scatter-add dy there.
        const base = `${layer.name}/grad`;
        const flat = this.ints(`${base}/flat`, [-1]);
        const zeros = g.node("ConstantOfShape", [g.node("Shape", [g.node("Reshape", [x.name, flat], `${base}/x_flat`)], `${base}/size`)], `${base}/zeros`);
        const scattered = g.node("ScatterElements", [zeros, g.node("Reshape", [indices, flat], `${base}/indices_flat`), g.node("Reshape", [dy, flat], `${base}/dy_flat`)], `${base}/scattered`, { axis: 0, reduction: "add" });
        return [g.node("Reshape", [scattered, g.node("Shape", [x.name], `${base}/x_shape`)], `${base}/input`)];
      },
    };
  }

  private avgPool(layer: Layer, config: LayerConfig, x: Spatial): LayerStep {
    const g = this.g;
    const [kh, kw] = pair(config.poolSize, 2);
    const [sh, sw] = pair(config.strides, kh);
    if (this.padding(layer, config) !== "valid") throw new UnsupportedLayerError(layer, `"same" average pooling`);
    const out = window2d(x.shape.h, x.shape.w, "valid", { kernel: kh, stride: sh, dilation: 1 }, { kernel: kw, stride: sw, dilation: 1 });
    const y = g.node("AveragePool", [x.name], layer.name, { kernel_shape: [kh, kw], strides: [sh, sw], pads: out.pads });
    const output: TValue = { name: y, shape: { rank: 4, c: x.shape.c, h: out.h, w: out.w }, requiresGrad: x.requiresGrad };
    if (!x.requiresGrad) return { output, backward: null };
    return {
      output,
      backward: (dy) => {
        // Each input pixel gets dy / (kh·kw) from every window holding it: a depthwise transposed
        // convolution with a constant kernel.
        const c = x.shape.c;
        const spread = g.floatTensor(`${layer.name}/grad/spread`, [c, 1, kh, kw], new Float32Array(c * kh * kw).fill(1 / (kh * kw)));
        const extraH = x.shape.h - ((out.h - 1) * sh + kh);
        const extraW = x.shape.w - ((out.w - 1) * sw + kw);
        return [g.node("ConvTranspose", [dy, spread], `${layer.name}/grad/input`, { kernel_shape: [kh, kw], strides: [sh, sw], group: c, output_padding: [extraH, extraW] })];
      },
    };
  }

  private globalAvgPool(layer: Layer, config: LayerConfig, x: Spatial): LayerStep {
    if (config.keepDims) throw new UnsupportedLayerError(layer, "keepDims");
    const g = this.g;
    const y = g.node("ReduceMean", [x.name], layer.name, { axes: [2, 3], keepdims: 0 });
    const output: TValue = { name: y, shape: { rank: 2, c: x.shape.c }, requiresGrad: x.requiresGrad };
    if (!x.requiresGrad) return { output, backward: null };
    return {
      output,
      backward: (dy) => {
        const base = `${layer.name}/grad`;
        const scaled = g.node("Div", [dy, this.scalar(`${base}/pixels`, x.shape.h * x.shape.w)], `${base}/scaled`);
        const column = g.node("Unsqueeze", [scaled, this.ints(`${base}/axes`, [2, 3])], `${base}/column`);
        return [g.node("Expand", [column, g.node("Shape", [x.name], `${base}/x_shape`)], `${base}/input`)];
      },
    };
  }

  private globalMaxPool(layer: Layer, config: LayerConfig, x: Spatial): LayerStep {
    if (config.keepDims) throw new UnsupportedLayerError(layer, "keepDims");
    const g = this.g;
    const kept = g.node("ReduceMax", [x.name], `${layer.name}/kept`, { axes: [2, 3], keepdims: 1 });
    const y = g.node("Reshape", [kept, this.ints(`${layer.name}/shape`, [-1, x.shape.c])], layer.name);
    const output: TValue = { name: y, shape: { rank: 2, c: x.shape.c }, requiresGrad: x.requiresGrad };
    if (!x.requiresGrad) return { output, backward: null };
    return {
      output,
      backward: (dy) => {
        const base = `${layer.name}/grad`;
        const column = g.node("Unsqueeze", [dy, this.ints(`${base}/axes`, [2, 3])], `${base}/column`);
        return [g.node("Where", [g.node("Equal", [x.name, kept], `${base}/is_max`), column, this.zero()], `${base}/input`)];
      },
    };
  }

  private add(layer: Layer, inputs: TValue[]): LayerStep {
    if (inputs.length < 2) throw new UnsupportedLayerError(layer, `expected at least two inputs, got ${inputs.length}`);
    let acc = inputs[0].name;
    for (let i = 1; i < inputs.length; i++) acc = this.g.node("Add", [acc, inputs[i].name], i === inputs.length - 1 ? layer.name : `${layer.name}/${i}`);
    const requiresGrad = inputs.some((v) => v.requiresGrad);
    const backward = requiresGrad ? (dy: string) => inputs.map((v) => (v.requiresGrad ? dy : null)) : null;
    return { output: { name: acc, shape: inputs[0].shape, requiresGrad }, backward };
  }

  private concat(layer: Layer, config: LayerConfig, inputs: TValue[]): LayerStep {
    const first = inputs[0];
    if (!first || inputs.some((v) => v.shape.rank !== first.shape.rank)) throw new UnsupportedLayerError(layer, "inputs of different ranks");
    const rank = first.shape.rank;
    const raw = typeof config.axis === "number" ? config.axis : -1;
    if ((raw < 0 ? raw + rank : raw) !== rank - 1) throw new UnsupportedLayerError(layer, `concatenation along axis ${raw} (only channels)`);
    const c = inputs.reduce((sum, v) => sum + v.shape.c, 0);
    const y = this.g.node("Concat", inputs.map((v) => v.name), layer.name, { axis: 1 });
    const requiresGrad = inputs.some((v) => v.requiresGrad);
    const output: TValue = { name: y, shape: first.shape.rank === 4 ? { ...first.shape, c } : { rank: 2, c }, requiresGrad };
    if (!requiresGrad) return { output, backward: null };
    return {
      output,
      backward: (dy) => {
        const sizes = this.ints(`${layer.name}/grad/sizes`, inputs.map((v) => v.shape.c));
        const parts = this.g.nodeOutputs("Split", [dy, sizes], inputs.map((_, i) => `${layer.name}/grad/part${i}`), { axis: 1 });
        return inputs.map((v, i) => (v.requiresGrad ? parts[i] : null));
      },
    };
  }

  private flatten(layer: Layer, x: TValue): LayerStep {
    if (x.shape.rank === 2) return { output: x, backward: x.requiresGrad ? (dy) => [dy] : null };
    const g = this.g;
    const { c, h, w } = x.shape;
    // Keras flattens in NHWC order: back to NHWC first so Dense weights line up.
    const y = g.node("Reshape", [g.node("Transpose", [x.name], `${layer.name}/nhwc`, { perm: [0, 2, 3, 1] }), this.ints(`${layer.name}/shape`, [-1, c * h * w])], layer.name);
    const output: TValue = { name: y, shape: { rank: 2, c: c * h * w }, requiresGrad: x.requiresGrad };
    if (!x.requiresGrad) return { output, backward: null };
    return {
      output,
      backward: (dy) => {
        const nhwc = g.node("Reshape", [dy, this.ints(`${layer.name}/grad/shape`, [-1, h, w, c])], `${layer.name}/grad/nhwc`);
        return [g.node("Transpose", [nhwc], `${layer.name}/grad/input`, { perm: [0, 3, 1, 2] })];
      },
    };
  }

  /** The output Dense layer without its sigmoid: the loss reads logits. */
  logitsDense(layer: Layer, x: TValue): LayerStep {
    return this.dense(layer, layer.getConfig(), x, true);
  }

  /** Dense; with `logits`, a sigmoid activation is left out (the loss applies it). */
  private dense(layer: Layer, config: LayerConfig, x: TValue, logits = false): LayerStep {
    const g = this.g;
    if (x.shape.rank !== 2) throw new UnsupportedLayerError(layer, "Dense on an image-shaped input");
    const kernel = this.requireWeight(layer, "kernel");
    const bias = config.useBias === false ? null : this.requireWeight(layer, "bias");
    const units = kernel.shape[1];
    const z = g.node("Gemm", [x.name, kernel.input, ...(bias ? [bias.input] : [])], `${layer.name}/gemm`);
    const requiresGrad = x.requiresGrad || kernel.trainable || (bias?.trainable ?? false);
    const activation = logits && config.activation === "sigmoid" ? "linear" : config.activation ?? "linear";
    const { y, dz } = this.withActivation(layer, activation, { name: z, shape: { rank: 2, c: units }, requiresGrad }, layer.name);
    if (!requiresGrad) return { output: y, backward: null };
    return {
      output: y,
      backward: (dy) => {
        const base = `${layer.name}/grad`;
        const d = dz(dy);
        if (kernel.trainable) this.gradient(kernel.variable, g.node("Gemm", [x.name, d], `${base}/kernel`, { transA: 1 }));
        if (bias?.trainable) this.gradient(bias.variable, this.reduceSum(d, [0], 0, `${base}/bias`));
        return [x.requiresGrad ? g.node("Gemm", [d, kernel.input], `${base}/input`, { transB: 1 }) : null];
      },
    };
  }

  private dropout(layer: Layer, config: LayerConfig, x: TValue): LayerStep {
    if (config.noiseShape) throw new UnsupportedLayerError(layer, "dropout with a noise shape");
    const rate = config.rate ?? 0;
    if (rate <= 0) return { output: x, backward: x.requiresGrad ? (dy) => [dy] : null };
    const mask = this.g.reserve(`mask:${layer.name}`);
    this.dropouts.push({ input: mask, rate, dims: x.shape.rank === 4 ? [x.shape.c, x.shape.h, x.shape.w] : [x.shape.c] });
    const y = this.g.node("Mul", [x.name, mask], layer.name);
    return { output: { ...x, name: y }, backward: x.requiresGrad ? (dy) => [this.g.node("Mul", [dy, mask], `${layer.name}/grad/input`)] : null };
  }

  private zeroPad(layer: Layer, config: LayerConfig, x: Spatial): LayerStep {
    const [[top, bottom], [left, right]] = config.padding as [[number, number], [number, number]];
    const y = this.g.node("Pad", [x.name, this.ints(`${layer.name}/pads`, [0, 0, top, left, 0, 0, bottom, right])], layer.name);
    const shape = { rank: 4 as const, c: x.shape.c, h: x.shape.h + top + bottom, w: x.shape.w + left + right };
    const output: TValue = { name: y, shape, requiresGrad: x.requiresGrad };
    if (!x.requiresGrad) return { output, backward: null };
    return {
      output,
      backward: (dy) => {
        const base = `${layer.name}/grad`;
        return [this.g.node("Slice", [dy, this.ints(`${base}/starts`, [top, left]), this.ints(`${base}/ends`, [top + x.shape.h, left + x.shape.w]), this.ints(`${base}/axes`, [2, 3])], `${base}/input`)];
      },
    };
  }

  /** PyTorch's adaptive average pool as two MatMuls with its bin matrices (as the export), and their transposes backwards. */
  private adaptiveAvgPool(layer: Layer, config: LayerConfig, x: Spatial): LayerStep {
    const g = this.g;
    const o = config.outputSize;
    if (!o) throw new UnsupportedLayerError(layer, "no outputSize");
    const { h, w, c } = x.shape;
    const swap = { perm: [0, 1, 3, 2] };
    const byWidth = g.node("MatMul", [x.name, g.floatTensor(`${layer.name}/pool_w`, [w, o], adaptivePoolColumns(w, o))], `${layer.name}/w`);
    const byHeight = g.node("MatMul", [g.node("Transpose", [byWidth], `${layer.name}/hw`, swap), g.floatTensor(`${layer.name}/pool_h`, [h, o], adaptivePoolColumns(h, o))], `${layer.name}/h`);
    const y = g.node("Transpose", [byHeight], layer.name, swap);
    const output: TValue = { name: y, shape: { rank: 4, c, h: o, w: o }, requiresGrad: x.requiresGrad };
    if (!x.requiresGrad) return { output, backward: null };
    return {
      output,
      backward: (dy) => {
        const base = `${layer.name}/grad`;
        const dSwapped = g.node("MatMul", [g.node("Transpose", [dy], `${base}/h`, swap), g.floatTensor(`${base}/pool_h`, [o, h], adaptivePoolMatrix(h, o))], `${base}/swapped`);
        return [g.node("MatMul", [g.node("Transpose", [dSwapped], `${base}/w`, swap), g.floatTensor(`${base}/pool_w`, [o, w], adaptivePoolMatrix(w, o))], `${base}/input`)];
      },
    };
  }
}
