// One TF.js (Keras) layer → ONNX nodes. Feature maps are NCHW inside the graph (ONNX Conv's
// layout); TF.js works in NHWC, so channel axes and weights are converted here. Each value carries
// its static shape: pads depend on the spatial size, which is fixed per exported model.
import type { LayersModel, Tf } from "../models/types";
import type { OnnxGraph } from "./graph";
import { adaptivePoolColumns, pair, type LayerConfig } from "./layer-config";
import { window2d, type Padding } from "./padding";

type Layer = LayersModel["layers"][number];

/** A graph value: rank-4 NCHW feature map or rank-2 [N, features]. */
export interface Value {
  name: string;
  shape: { rank: 4; c: number; h: number; w: number } | { rank: 2; c: number };
}

const IDENTITY_AT_INFERENCE = new Set(["Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout"]);

export class LayerConversionError extends Error {
  constructor(layer: Layer, problem: string) {
    super(`ONNX export: layer "${layer.name}" (${layer.getClassName()}): ${problem}`);
    this.name = "LayerConversionError";
  }
}

export class LayerConverter {
  constructor(
    private readonly tf: Tf,
    private readonly g: OnnxGraph,
  ) {}

  /** Converts one layer applied to `inputs`; returns its output value. */
  convert(layer: Layer, inputs: Value[]): Value {
    const className = layer.getClassName();
    const config = layer.getConfig() as LayerConfig;
    if (IDENTITY_AT_INFERENCE.has(className)) return this.single(layer, inputs);
    switch (className) {
      case "Conv2D":
        return this.conv2d(layer, config, this.spatial(layer, inputs));
      case "BatchNormalization":
        return this.batchNorm(layer, config, this.single(layer, inputs));
      case "Activation":
        return this.activation(layer, config.activation ?? "linear", this.single(layer, inputs), layer.name);
      case "ReLU":
        return this.relu(layer, config, this.single(layer, inputs));
      case "MaxPooling2D":
        return this.pool(layer, config, this.spatial(layer, inputs), "MaxPool");
      case "AveragePooling2D":
        return this.pool(layer, config, this.spatial(layer, inputs), "AveragePool");
      case "GlobalAveragePooling2D":
        return this.globalPool(layer, config, this.spatial(layer, inputs), "GlobalAveragePool");
      case "GlobalMaxPooling2D":
        return this.globalPool(layer, config, this.spatial(layer, inputs), "GlobalMaxPool");
      case "Add":
        return this.elementwise(layer, inputs, "Add");
      case "Multiply":
        return this.elementwise(layer, inputs, "Mul");
      case "Concatenate":
        return this.concat(layer, config, inputs);
      case "Flatten":
        return this.flatten(layer, this.single(layer, inputs));
      case "Dense":
        return this.dense(layer, config, this.single(layer, inputs));
      case "ZeroPadding2D":
        return this.zeroPad(layer, config, this.spatial(layer, inputs));
      case "AdaptiveAveragePooling2D":
        return this.adaptiveAvgPool(layer, config, this.spatial(layer, inputs));
      default:
        throw new LayerConversionError(layer, "this layer type has no ONNX conversion");
    }
  }

  private single(layer: Layer, inputs: Value[]): Value {
    if (inputs.length !== 1) throw new LayerConversionError(layer, `expected one input, got ${inputs.length}`);
    return inputs[0];
  }

  private spatial(layer: Layer, inputs: Value[]): Value & { shape: { rank: 4 } } {
    const x = this.single(layer, inputs);
    if (x.shape.rank !== 4) throw new LayerConversionError(layer, "expected an image-shaped (rank 4) input");
    return x as Value & { shape: { rank: 4 } };
  }

  private channelsLast(layer: Layer, config: LayerConfig): void {
    if (config.dataFormat !== undefined && config.dataFormat !== "channelsLast") {
      throw new LayerConversionError(layer, `dataFormat ${config.dataFormat} is not supported (only channelsLast)`);
    }
  }

  private padding(layer: Layer, config: LayerConfig): Padding {
    if (config.padding !== "same" && config.padding !== "valid") throw new LayerConversionError(layer, `padding ${JSON.stringify(config.padding)} is not supported`);
    return config.padding;
  }

  /**
   * Float32 copy of the weight named `name` ("kernel", "gamma", "moving_mean"…), optionally
   * transposed first (TF.js HWIO → ONNX OIHW). By name, since the order of getWeights() depends on
   * which weights the layer has and on whether it is frozen.
   */
  private weight(layer: Layer, name: string, perm?: number[]): { data: Float32Array; dims: number[] } {
    const index = layer.weights.findIndex((w) => w.originalName.split("/").pop() === name);
    const tensor = index < 0 ? undefined : layer.getWeights()[index];
    if (!tensor) throw new LayerConversionError(layer, `has no weight "${name}"`);
    const moved = perm ? this.tf.transpose(tensor, perm) : tensor;
    const data = Float32Array.from(moved.dataSync() as Float32Array);
    const dims = [...moved.shape];
    if (moved !== tensor) moved.dispose();
    return { data, dims };
  }

  private conv2d(layer: Layer, config: LayerConfig, x: Value & { shape: { rank: 4 } }): Value {
    this.channelsLast(layer, config);
    const [kh, kw] = pair(config.kernelSize, 1);
    const [sh, sw] = pair(config.strides, 1);
    const [dh, dw] = pair(config.dilationRate, 1);
    const out = window2d(x.shape.h, x.shape.w, this.padding(layer, config), { kernel: kh, stride: sh, dilation: dh }, { kernel: kw, stride: sw, dilation: dw });
    const kernel = this.weight(layer, "kernel", [3, 2, 0, 1]);
    const inputs = [x.name, this.g.floatTensor(`${layer.name}/kernel`, kernel.dims, kernel.data)];
    if (config.useBias) {
      const bias = this.weight(layer, "bias");
      inputs.push(this.g.floatTensor(`${layer.name}/bias`, bias.dims, bias.data));
    }
    const filters = kernel.dims[0];
    const conv = this.g.node("Conv", inputs, config.activation && config.activation !== "linear" ? `${layer.name}/conv` : layer.name, {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      dilations: [dh, dw],
      pads: out.pads,
      group: 1,
    });
    return this.activation(layer, config.activation ?? "linear", { name: conv, shape: { rank: 4, c: filters, h: out.h, w: out.w } }, layer.name);
  }

  private batchNorm(layer: Layer, config: LayerConfig, x: Value): Value {
    const axis = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1];
    const rank = x.shape.rank;
    if (axis.length !== 1 || !(axis[0] === -1 || axis[0] === rank - 1)) throw new LayerConversionError(layer, `only the channel axis (-1) is supported, got ${JSON.stringify(config.axis)}`);
    const c = x.shape.c;
    const gamma = config.scale === false ? new Float32Array(c).fill(1) : this.weight(layer, "gamma").data;
    const beta = config.center === false ? new Float32Array(c) : this.weight(layer, "beta").data;
    const mean = this.weight(layer, "moving_mean").data;
    const variance = this.weight(layer, "moving_variance").data;
    const name = this.g.node(
      "BatchNormalization",
      [
        x.name,
        this.g.floatTensor(`${layer.name}/gamma`, [c], gamma),
        this.g.floatTensor(`${layer.name}/beta`, [c], beta),
        this.g.floatTensor(`${layer.name}/moving_mean`, [c], mean),
        this.g.floatTensor(`${layer.name}/moving_variance`, [c], variance),
      ],
      layer.name,
      { epsilon: { float: config.epsilon ?? 1e-3 } },
    );
    return { name, shape: x.shape };
  }

  /** Applies a Keras activation by name; "linear" returns `x` unchanged. */
  private activation(layer: Layer, activation: string, x: Value, outputBase: string): Value {
    const g = this.g;
    const to = (name: string): Value => ({ name, shape: x.shape });
    switch (activation) {
      case "linear":
        return x;
      case "relu":
        return to(g.node("Relu", [x.name], outputBase));
      case "relu6":
        return to(g.node("Clip", [x.name, this.scalar(`${layer.name}/min`, 0), this.scalar(`${layer.name}/max`, 6)], outputBase));
      case "sigmoid":
        return to(g.node("Sigmoid", [x.name], outputBase));
      case "tanh":
        return to(g.node("Tanh", [x.name], outputBase));
      case "elu":
        return to(g.node("Elu", [x.name], outputBase, { alpha: { float: 1 } }));
      case "selu":
        return to(g.node("Selu", [x.name], outputBase));
      case "softplus":
        return to(g.node("Softplus", [x.name], outputBase));
      case "swish":
        return to(g.node("Mul", [x.name, g.node("Sigmoid", [x.name], `${outputBase}/sigmoid`)], outputBase));
      case "softmax":
        // Keras softmax runs over the last (channel) axis, which is axis 1 in NCHW.
        return to(g.node("Softmax", [x.name], outputBase, { axis: x.shape.rank === 4 ? 1 : -1 }));
      default:
        throw new LayerConversionError(layer, `activation "${activation}" has no ONNX conversion`);
    }
  }

  private scalar(base: string, value: number): string {
    return this.g.floatTensor(base, [], new Float32Array([value]));
  }

  private relu(layer: Layer, config: LayerConfig, x: Value): Value {
    if ((config.negativeSlope ?? 0) !== 0 || (config.threshold ?? 0) !== 0) throw new LayerConversionError(layer, "ReLU with a negative slope or threshold is not supported");
    if (config.maxValue === null || config.maxValue === undefined) return { name: this.g.node("Relu", [x.name], layer.name), shape: x.shape };
    const clip = this.g.node("Clip", [x.name, this.scalar(`${layer.name}/min`, 0), this.scalar(`${layer.name}/max`, config.maxValue)], layer.name);
    return { name: clip, shape: x.shape };
  }

  private pool(layer: Layer, config: LayerConfig, x: Value & { shape: { rank: 4 } }, op: "MaxPool" | "AveragePool"): Value {
    this.channelsLast(layer, config);
    const [kh, kw] = pair(config.poolSize, 2);
    const [sh, sw] = pair(config.strides, kh);
    const out = window2d(x.shape.h, x.shape.w, this.padding(layer, config), { kernel: kh, stride: sh, dilation: 1 }, { kernel: kw, stride: sw, dilation: 1 });
    // TF.js averages over the window's pixels inside the image only: count_include_pad = 0.
    const attributes = { kernel_shape: [kh, kw], strides: [sh, sw], pads: out.pads, ...(op === "AveragePool" ? { count_include_pad: 0 } : {}) };
    return { name: this.g.node(op, [x.name], layer.name, attributes), shape: { rank: 4, c: x.shape.c, h: out.h, w: out.w } };
  }

  private globalPool(layer: Layer, config: LayerConfig, x: Value & { shape: { rank: 4 } }, op: "GlobalAveragePool" | "GlobalMaxPool"): Value {
    this.channelsLast(layer, config);
    if ((config as { keepDims?: boolean }).keepDims) throw new LayerConversionError(layer, "keepDims is not supported");
    const pooled = this.g.node(op, [x.name], `${layer.name}/pool`);
    return { name: this.g.node("Flatten", [pooled], layer.name, { axis: 1 }), shape: { rank: 2, c: x.shape.c } };
  }

  private elementwise(layer: Layer, inputs: Value[], op: "Add" | "Mul"): Value {
    if (inputs.length < 2) throw new LayerConversionError(layer, `expected at least two inputs, got ${inputs.length}`);
    let acc = inputs[0].name;
    for (let i = 1; i < inputs.length; i++) acc = this.g.node(op, [acc, inputs[i].name], i === inputs.length - 1 ? layer.name : `${layer.name}/${i}`);
    return { name: acc, shape: inputs[0].shape };
  }

  private concat(layer: Layer, config: LayerConfig, inputs: Value[]): Value {
    const first = inputs[0];
    if (!first || inputs.some((v) => v.shape.rank !== first.shape.rank)) throw new LayerConversionError(layer, "inputs of different ranks");
    const rank = first.shape.rank;
    const raw = typeof config.axis === "number" ? config.axis : -1;
    const nhwc = raw < 0 ? raw + rank : raw;
    if (nhwc !== rank - 1) throw new LayerConversionError(layer, `only concatenation along the channel axis is supported, got axis ${raw}`);
    const c = inputs.reduce((sum, v) => sum + v.shape.c, 0);
    const name = this.g.node("Concat", inputs.map((v) => v.name), layer.name, { axis: 1 });
    return { name, shape: first.shape.rank === 4 ? { ...first.shape, c } : { rank: 2, c } };
  }

  private flatten(layer: Layer, x: Value): Value {
    if (x.shape.rank === 2) return x;
    // Keras flattens in NHWC order; go back to NHWC before flattening so Dense weights line up.
    const nhwc = this.g.node("Transpose", [x.name], `${layer.name}/nhwc`, { perm: [0, 2, 3, 1] });
    const { c, h, w } = x.shape;
    return { name: this.g.node("Flatten", [nhwc], layer.name, { axis: 1 }), shape: { rank: 2, c: c * h * w } };
  }

  private zeroPad(layer: Layer, config: LayerConfig, x: Value & { shape: { rank: 4 } }): Value {
    this.channelsLast(layer, config);
    const [[top, bottom], [left, right]] = config.padding as unknown as [[number, number], [number, number]];
    const pads = this.g.int64Tensor(`${layer.name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
    const name = this.g.node("Pad", [x.name, pads], layer.name, { mode: "constant" });
    return { name, shape: { rank: 4, c: x.shape.c, h: x.shape.h + top + bottom, w: x.shape.w + left + right } };
  }

  /** PyTorch's adaptive average pool (src/core/models/adaptive-pool.ts) as two MatMuls with its bin matrices. */
  private adaptiveAvgPool(layer: Layer, config: LayerConfig, x: Value & { shape: { rank: 4 } }): Value {
    const o = (config as { outputSize?: number }).outputSize;
    if (!o) throw new LayerConversionError(layer, "no outputSize");
    const { h, w, c } = x.shape;
    const byWidth = this.g.node("MatMul", [x.name, this.g.floatTensor(`${layer.name}/pool_w`, [w, o], adaptivePoolColumns(w, o))], `${layer.name}/w`);
    const swapped = this.g.node("Transpose", [byWidth], `${layer.name}/hw`, { perm: [0, 1, 3, 2] });
    const byHeight = this.g.node("MatMul", [swapped, this.g.floatTensor(`${layer.name}/pool_h`, [h, o], adaptivePoolColumns(h, o))], `${layer.name}/h`);
    return { name: this.g.node("Transpose", [byHeight], layer.name, { perm: [0, 1, 3, 2] }), shape: { rank: 4, c, h: o, w: o } };
  }

  private dense(layer: Layer, config: LayerConfig, x: Value): Value {
    if (x.shape.rank !== 2) throw new LayerConversionError(layer, "Dense on an image-shaped input is not supported (flatten or pool first)");
    const kernel = this.weight(layer, "kernel");
    const inputs = [x.name, this.g.floatTensor(`${layer.name}/kernel`, kernel.dims, kernel.data)];
    if (config.useBias !== false) {
      const bias = this.weight(layer, "bias");
      inputs.push(this.g.floatTensor(`${layer.name}/bias`, bias.dims, bias.data));
    }
    const activation = config.activation ?? "linear";
    const gemm = this.g.node("Gemm", inputs, activation === "linear" ? layer.name : `${layer.name}/gemm`);
    return this.activation(layer, activation, { name: gemm, shape: { rank: 2, c: kernel.dims[1] } }, layer.name);
  }
}
