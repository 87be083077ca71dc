// Training steps that do not compute the gradient with respect to the model's input image.
//
// tfjs-layers convolutions run as fused conv2d, whose custom gradient computes the input gradient
// eagerly even when the tape will throw it away. For the first convolution that gradient is never
// needed (the image is not trained), and on WASM it costs about a quarter of a ResNet18 step.
import type * as TF from "@tensorflow/tfjs";
import { withInputGradientsSkipped } from "./wasm-kernels.js";

type Tf = typeof TF;
type LayersModel = TF.LayersModel;
type Tensor = TF.Tensor;

/** Layers that never run a convolution input-gradient kernel in their forward pass. */
const KNOWN_LAYERS = new Set([
  "InputLayer", "Conv2D", "DepthwiseConv2D", "BatchNormalization", "LayerNormalization", "Activation", "ReLU",
  "LeakyReLU", "ELU", "PReLU", "Softmax", "ThresholdedReLU", "MaxPooling2D", "AveragePooling2D",
  "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Dense", "Dropout", "SpatialDropout1D", "GaussianNoise",
  "GaussianDropout", "AlphaDropout", "Flatten", "Reshape", "Permute", "RepeatVector", "Add", "Subtract",
  "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "ZeroPadding2D", "Cropping2D", "UpSampling2D",
  "Rescaling", "CenterCrop", "Resizing",
]);
const CONVOLUTIONS = new Set(["Conv2D", "DepthwiseConv2D"]);

interface LayerNodes {
  inboundNodes?: Array<{ inputTensors?: TF.SymbolicTensor[] }>;
}

const sameDims = (a: readonly (number | null)[], b: readonly (number | null)[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Shapes (with batch) of the inputs whose convolution input-gradient a weights-only training step
 * can skip: model inputs fed straight into Conv2D/DepthwiseConv2D layers. Empty (skip nothing)
 * when the model holds a layer we cannot vouch for, or another convolution sees a tensor of the
 * same shape — the kernels only see shapes, so these must identify the input convolutions exactly.
 */
export function inputGradientFreeShapes(model: LayersModel, inputs: readonly Tensor[]): number[][] {
  if (model.inputs.length !== inputs.length) return [];
  const inputShapes = model.inputs.map((input) => input.shape.slice(1));
  const direct = new Set<number>();
  for (const layer of model.layers) {
    if (!KNOWN_LAYERS.has(layer.getClassName())) return [];
    if (!CONVOLUTIONS.has(layer.getClassName())) continue;
    for (const node of (layer as unknown as LayerNodes).inboundNodes ?? []) {
      for (const tensor of node.inputTensors ?? []) {
        const index = model.inputs.indexOf(tensor);
        if (index >= 0) {
          direct.add(index);
          continue;
        }
        // Another convolution whose input could be mistaken for a model input.
        if (inputShapes.some((shape) => shape.length === tensor.shape.length - 1 && sameDims(shape, tensor.shape.slice(1)))) return [];
        if (inputs.some((x) => x.shape.length === tensor.shape.length && sameDims(x.shape.slice(1), tensor.shape.slice(1)))) return [];
      }
    }
  }
  return [...direct].map((i) => [...inputs[i].shape]);
}

/** Runs `fn` (a weights-only gradient computation on `inputs`) without the input-image gradient. */
export function withoutInputGradients<T>(model: LayersModel, inputs: Tensor | Tensor[], fn: () => T): T {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  return withInputGradientsSkipped(inputGradientFreeShapes(model, list), fn);
}

/**
 * One optimiser step on a batch: forward in training mode (batch-norm statistics update), loss plus
 * any layer regularisation losses, gradients with respect to the trainable weights only, update.
 * Returns the batch loss.
 */
export function trainStep(
  tf: Tf,
  model: LayersModel,
  optimizer: TF.Optimizer,
  xs: Tensor | Tensor[],
  ys: Tensor,
  lossFn: (yTrue: Tensor, yPred: Tensor) => Tensor,
): number {
  const variables = model.trainableWeights.map((w) => w.read() as TF.Variable);
  const cost = withoutInputGradients(model, xs, () =>
    optimizer.minimize(
      () => {
        const predicted = model.apply(xs, { training: true }) as Tensor;
        const regularisation = model.layers.flatMap((layer) => layer.calculateLosses());
        const loss = tf.mean<TF.Scalar>(lossFn(ys, predicted));
        return regularisation.length > 0 ? tf.addN<TF.Scalar>([loss, ...regularisation]) : loss;
      },
      true,
      variables,
    ),
  );
  if (cost === null) throw new Error("trainStep: the optimizer returned no loss");
  const value = cost.dataSync()[0];
  cost.dispose();
  return value;
}
