import { AdaptiveAveragePooling2D } from "./adaptive-pool";
import type { SymbolicTensor, Tf } from "./types";

export interface ConvOptions {
  filters: number;
  kernel: number;
  strides?: number;
  useBias?: boolean;
  /**
   * Zero padding on each side, as torchvision's `padding=` (default (kernel − 1) / 2). Stride 1 with
   * that padding is TF's "same"; anything else becomes ZeroPadding2D + "valid", whose output size
   * floor((n + 2p − k) / s) + 1 and window placement are PyTorch's, so ONNX-imported weights give
   * torchvision's outputs.
   */
  pad?: number;
}

/**
 * Functional-API helper shared by the architectures: explicit layer names (so weight names in
 * model.json are stable) and a distinct, seed-derived initialiser seed for every layer.
 */
export class GraphBuilder {
  private layerCount = 0;

  constructor(
    readonly tf: Tf,
    private readonly seed: number,
  ) {}

  private nextSeed(): number {
    this.layerCount++;
    // Distinct per layer and per model seed; kept well inside the exact-integer range.
    return (this.seed * 100_003 + this.layerCount * 7_919) % 2_147_483_647;
  }

  private apply(layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown }, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    return layer.apply(x) as SymbolicTensor;
  }

  conv(x: SymbolicTensor, name: string, options: ConvOptions): SymbolicTensor {
    const { tf } = this;
    const strides = options.strides ?? 1;
    const half = Math.floor((options.kernel - 1) / 2);
    const pad = options.pad ?? half;
    const same = strides === 1 && pad === half && options.kernel % 2 === 1;
    if (!same && pad > 0) x = this.zeroPad(x, `${name}_pad`, pad);
    return this.apply(
      tf.layers.conv2d({
        name,
        filters: options.filters,
        kernelSize: options.kernel,
        strides,
        padding: same ? "same" : "valid",
        useBias: options.useBias ?? false,
        kernelInitializer: tf.initializers.heNormal({ seed: this.nextSeed() }),
      }),
      x,
    );
  }

  /**
   * `zeroGamma` starts the layer at zero output: used on the last batch norm of each residual
   * branch so every block begins as the identity (Goyal et al. 2017; torchvision's
   * zero_init_residual). Without it deep ResNets' activations grow block by block and the fresh
   * sigmoid head saturates at exactly 0 or 1.
   */
  batchNorm(x: SymbolicTensor, name: string, zeroGamma = false): SymbolicTensor {
    // PyTorch's defaults (momentum 0.1 there is 0.9 here; eps 1e-5), which the reference nets use.
    return this.apply(
      this.tf.layers.batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-5, gammaInitializer: zeroGamma ? "zeros" : "ones" }),
      x,
    );
  }

  relu(x: SymbolicTensor, name: string): SymbolicTensor {
    return this.apply(this.tf.layers.activation({ name, activation: "relu" }), x);
  }

  convBnRelu(x: SymbolicTensor, prefix: string, options: ConvOptions): SymbolicTensor {
    return this.relu(this.batchNorm(this.conv(x, `${prefix}_conv`, options), `${prefix}_bn`), `${prefix}_relu`);
  }

  /**
   * (x − mean) / std per channel as a frozen 1×1 convolution (kernel diag(1/std), bias −mean/std):
   * a layer every engine already runs (TF.js, the ONNX export), saved with the model, so training,
   * evaluation and prediction all feed the network what its pretrained weights expect.
   */
  normalize(x: SymbolicTensor, name: string, mean: readonly number[], std: readonly number[]): SymbolicTensor {
    const { tf } = this;
    const c = mean.length;
    const layer = tf.layers.conv2d({ name, filters: c, kernelSize: 1, padding: "valid", useBias: true, trainable: false });
    const y = this.apply(layer, x);
    const kernel = new Float32Array(c * c);
    for (let i = 0; i < c; i++) kernel[i * c + i] = 1 / std[i];
    layer.setWeights([tf.tensor4d(kernel, [1, 1, c, c]), tf.tensor1d(mean.map((m, i) => -m / std[i]))]);
    return y;
  }

  zeroPad(x: SymbolicTensor, name: string, pad: number): SymbolicTensor {
    return this.apply(this.tf.layers.zeroPadding2d({ name, padding: pad }), x);
  }

  /**
   * `pad` undefined: TF "same" pooling. A number: PyTorch's MaxPool2d(padding=pad) — zero padding
   * then "valid", which equals PyTorch's −∞ padding only because every caller pools after a ReLU.
   */
  maxPool(x: SymbolicTensor, name: string, size: number, strides: number, pad?: number): SymbolicTensor {
    if (pad === undefined) return this.apply(this.tf.layers.maxPooling2d({ name, poolSize: size, strides, padding: "same" }), x);
    if (pad > 0) x = this.zeroPad(x, `${name}_pad`, pad);
    return this.apply(this.tf.layers.maxPooling2d({ name, poolSize: size, strides, padding: "valid" }), x);
  }

  /** PyTorch's AvgPool2d without padding (floor output size). */
  avgPool(x: SymbolicTensor, name: string, size: number, strides: number): SymbolicTensor {
    return this.apply(this.tf.layers.averagePooling2d({ name, poolSize: size, strides, padding: "valid" }), x);
  }

  add(inputs: SymbolicTensor[], name: string): SymbolicTensor {
    return this.apply(this.tf.layers.add({ name }), inputs);
  }

  concat(inputs: SymbolicTensor[], name: string): SymbolicTensor {
    return this.apply(this.tf.layers.concatenate({ name, axis: -1 }), inputs);
  }

  globalAvgPool(x: SymbolicTensor, name: string): SymbolicTensor {
    return this.apply(this.tf.layers.globalAveragePooling2d({ name }), x);
  }

  globalMaxPool(x: SymbolicTensor, name: string): SymbolicTensor {
    return this.apply(this.tf.layers.globalMaxPooling2d({ name }), x);
  }

  /** PyTorch's AdaptiveAvgPool2d(size) (see adaptive-pool.ts). */
  adaptiveAvgPool(x: SymbolicTensor, name: string, size: number): SymbolicTensor {
    return this.apply(new AdaptiveAveragePooling2D({ name, outputSize: size }), x);
  }

  flatten(x: SymbolicTensor, name: string): SymbolicTensor {
    return this.apply(this.tf.layers.flatten({ name }), x);
  }

  dropout(x: SymbolicTensor, name: string, rate: number): SymbolicTensor {
    if (rate <= 0) return x;
    return this.apply(this.tf.layers.dropout({ name, rate, seed: this.nextSeed() }), x);
  }

  dense(x: SymbolicTensor, name: string, units: number, activation: "relu" | "sigmoid" | "linear", useBias = true): SymbolicTensor {
    const { tf } = this;
    const kernelInitializer =
      activation === "relu" ? tf.initializers.heNormal({ seed: this.nextSeed() }) : tf.initializers.glorotUniform({ seed: this.nextSeed() });
    return this.apply(tf.layers.dense({ name, units, activation, kernelInitializer, useBias }), x);
  }
}

/** Name of the final sigmoid layer of every model built here (and of heads adaptHead adds). */
export const HEAD_LAYER_NAME = "predictions";
