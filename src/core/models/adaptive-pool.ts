// PyTorch's AdaptiveAvgPool2d as a TF.js layer: torchvision's AlexNet pools its features to 6×6
// whatever the input size, and its first classifier layer expects exactly those 256×6×6 values.
import * as tf from "@tensorflow/tfjs";

/**
 * Row i of the [out, n] matrix averages input positions floor(i·n/out) … ceil((i+1)·n/out) − 1,
 * PyTorch's bins: overlapping when n is not a multiple of out, repeated when n < out.
 */
export function adaptivePoolMatrix(n: number, out: number): Float32Array {
  const m = new Float32Array(out * n);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * n) / out);
    const end = Math.ceil(((i + 1) * n) / out);
    for (let j = start; j < end; j++) m[i * n + j] = 1 / (end - start);
  }
  return m;
}

export interface AdaptiveAveragePooling2DArgs {
  name?: string;
  /** Output height and width. */
  outputSize: number;
  trainable?: boolean;
}

/** NHWC [batch, h, w, c] → [batch, outputSize, outputSize, c]; two matrix products, so it has gradients. */
export class AdaptiveAveragePooling2D extends tf.layers.Layer {
  static className = "AdaptiveAveragePooling2D";
  readonly outputSize: number;

  constructor(args: AdaptiveAveragePooling2DArgs) {
    super(args);
    if (!Number.isInteger(args.outputSize) || args.outputSize < 1) throw new RangeError(`AdaptiveAveragePooling2D: outputSize must be a positive integer, got ${args.outputSize}`);
    this.outputSize = args.outputSize;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], this.outputSize, this.outputSize, shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const o = this.outputSize;
      const pw = tf.tensor2d(adaptivePoolMatrix(w, o), [o, w]);
      const ph = tf.tensor2d(adaptivePoolMatrix(h, o), [o, h]);
      // [n, c, h, w] → pool w → [n, c, h, o] → pool h → [n, c, o(w), o(h)] → [n, o(h), o(w), c]
      const byWidth = tf.matMul(tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c * h, w]), pw, false, true);
      const hLast = tf.reshape(tf.transpose(tf.reshape(byWidth, [n * c, h, o]), [0, 2, 1]), [n * c * o, h]);
      const byHeight = tf.matMul(hLast, ph, false, true);
      return tf.transpose(tf.reshape(byHeight, [n, c, o, o]), [0, 3, 2, 1]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outputSize: this.outputSize };
  }
}

tf.serialization.registerClass(AdaptiveAveragePooling2D);
