import type { SymbolicTensor, Tf } from "./types";

export interface ConvOptions {
  filters: number;
  kernel: number;
  strides?: number;
  useBias?: boolean;
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
    return this.apply(
      tf.layers.conv2d({
        name,
        filters: options.filters,
        kernelSize: options.kernel,
        strides: options.strides ?? 1,
        padding: "same",
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

  maxPool(x: SymbolicTensor, name: string, size: number, strides: number): SymbolicTensor {
    return this.apply(this.tf.layers.maxPooling2d({ name, poolSize: size, strides, padding: "same" }), x);
  }

  avgPool(x: SymbolicTensor, name: string, size: number, strides: number): SymbolicTensor {
    return this.apply(this.tf.layers.averagePooling2d({ name, poolSize: size, strides, padding: "same" }), x);
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

  dropout(x: SymbolicTensor, name: string, rate: number): SymbolicTensor {
    if (rate <= 0) return x;
    return this.apply(this.tf.layers.dropout({ name, rate, seed: this.nextSeed() }), x);
  }

  dense(x: SymbolicTensor, name: string, units: number, activation: "relu" | "sigmoid" | "linear"): SymbolicTensor {
    const { tf } = this;
    const kernelInitializer =
      activation === "relu" ? tf.initializers.heNormal({ seed: this.nextSeed() }) : tf.initializers.glorotUniform({ seed: this.nextSeed() });
    return this.apply(tf.layers.dense({ name, units, activation, kernelInitializer }), x);
  }
}

/** Name of the final sigmoid layer of every model built here (and of heads adaptHead adds). */
export const HEAD_LAYER_NAME = "predictions";
