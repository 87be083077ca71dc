import { alexnetFeatures } from "./alexnet";
import { describeArchitecture } from "./catalog";
import { densenet121Features } from "./densenet";
import { GraphBuilder } from "./graph-builder";
import { buildHead } from "./head";
import { resnetFeatures } from "./resnet";
import { smallCnnFeatures } from "./small-cnn";
import { HEADS, isArchitecture, type BuildOptions, type LayersModel, type SymbolicTensor, type Tf } from "./types";

/** Name of the frozen first layer that normalises the input (BuildOptions.inputNormalization). */
export const INPUT_NORMALIZATION_LAYER = "input_normalization";

/** Smallest input any architecture takes; describeArchitecture(a).minInputSize is per architecture. */
export const MIN_INPUT_SIZE = 32;

function validate(options: BuildOptions): void {
  // Typed as string: callers from JavaScript or JSON can pass any name, and the message shows it.
  const name: string = options.architecture;
  if (!isArchitecture(name)) throw new RangeError(`buildModel: unknown architecture "${name}"`);
  const { inputSize, channels, outputs, dropout } = options;
  const { minInputSize } = describeArchitecture(options.architecture);
  if (inputSize !== null && (!Number.isInteger(inputSize) || inputSize < minInputSize)) {
    throw new RangeError(`buildModel: inputSize must be an integer ≥ ${minInputSize} for ${options.architecture} (or null for any size), got ${inputSize}`);
  }
  const head = options.head ?? "linear";
  if (!(HEADS as readonly string[]).includes(head)) throw new RangeError(`buildModel: unknown head "${head}"; expected one of ${HEADS.join(", ")}`);
  if (head === "torchvision" && options.architecture !== "alexnet") {
    throw new RangeError(`buildModel: head "torchvision" is AlexNet's classifier; ${options.architecture} takes "linear" or "fastai"`);
  }
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`buildModel: channels must be a positive integer, got ${channels}`);
  if (!Number.isInteger(outputs) || outputs < 1) throw new RangeError(`buildModel: outputs must be a positive integer, got ${outputs}`);
  const norm = options.inputNormalization;
  if (norm && (norm.mean.length !== channels || norm.std.length !== channels || norm.std.some((s) => !(s > 0)))) {
    throw new RangeError(`buildModel: inputNormalization needs ${channels} means and ${channels} positive standard deviations`);
  }
  if (dropout !== undefined && !(dropout >= 0 && dropout < 1)) throw new RangeError(`buildModel: dropout must be in [0, 1), got ${dropout}`);
}

/** Builds one of ARCHITECTURES with the chosen head (default global average pooling + Dense) and `outputs` sigmoid units (multi-label). */
export function buildModel(tf: Tf, options: BuildOptions): LayersModel {
  validate(options);
  const { architecture, inputSize, channels, outputs } = options;
  const dropout = options.dropout ?? describeArchitecture(architecture).defaultDropout;
  const g = new GraphBuilder(tf, options.seed ?? 0);
  const image = tf.input({ name: "image", shape: [inputSize, inputSize, channels] });
  const norm = options.inputNormalization;
  const input = norm ? g.normalize(image, INPUT_NORMALIZATION_LAYER, norm.mean, norm.std) : image;

  let features: SymbolicTensor;
  switch (architecture) {
    case "small-cnn":
      features = smallCnnFeatures(g, input);
      break;
    case "resnet18":
      features = resnetFeatures(g, input, 18);
      break;
    case "resnet34":
      features = resnetFeatures(g, input, 34);
      break;
    case "resnet50":
      features = resnetFeatures(g, input, 50);
      break;
    case "resnet101":
      features = resnetFeatures(g, input, 101);
      break;
    case "densenet121":
      features = densenet121Features(g, input);
      break;
    case "alexnet":
      features = alexnetFeatures(g, input);
      break;
  }
  const output = buildHead(g, features, architecture, options.head ?? "linear", outputs, dropout);
  return tf.model({ name: architecture.replace("-", "_"), inputs: image, outputs: output });
}

function size(shape: readonly (number | null)[]): number {
  let n = 1;
  for (const d of shape) n *= d ?? 1;
  return n;
}

/** Trainable parameters, counted as the papers and torchvision do (batch-norm moving statistics excluded). */
export function countParameters(model: LayersModel): number {
  return model.trainableWeights.reduce((sum, weight) => sum + size(weight.shape), 0);
}

/** Every weight the model stores, including batch-norm moving mean and variance. */
export function countAllParameters(model: LayersModel): number {
  return model.weights.reduce((sum, weight) => sum + size(weight.shape), 0);
}
