// Layer groups for discriminative learning rates and freezing, split the way fastai splits
// torchvision bodies (fastai/vision/learner.py model_meta): two body groups and the head.
//   resnet*:     [conv1 … layer2] | [layer3, layer4] | head        (_resnet_split)
//   densenet121: [conv0 … denseblock2] | [transition2 … norm5] | head (_densenet_split)
//   alexnet:     [conv1 … pool2] | [conv3 … pool5] | head            (_alexnet_split)
//   small-cnn:   [block1 … block3] | [block4, block5] | head        (ours; no fastai original)
// "Head" is everything after the body: the pooling/classifier layers of any model.head.
import { INPUT_NORMALIZATION_LAYER } from "../models/build";
import type { Architecture } from "../experiment/types";
import type { LayersModel, Variable } from "./tf-types";

type AnyLayer = LayersModel["layers"][number];

interface Split {
  /** Layer names of the body (both body groups). */
  body: RegExp;
  /** Layer names of the second body group. */
  later: RegExp;
}

const RESNET: Split = { body: /^(image|input_normalization|conv1|bn1|relu1|maxpool|layer\d)(_|$)/, later: /^layer[34]_/ };
const SPLITS: Record<Architecture, Split> = {
  resnet18: RESNET,
  resnet34: RESNET,
  resnet50: RESNET,
  resnet101: RESNET,
  densenet121: { body: /^(image|input_normalization|conv0|norm0|relu0|pool0|denseblock\d|transition\d|norm5|relu5)(_|$)/, later: /^(transition[23]|denseblock[34]|norm5|relu5)(_|$)/ },
  alexnet: { body: /^(image|input_normalization|conv[1-5]|relu[1-5]|pool[125])(_|$)/, later: /^(conv[345]|relu[345]|pool5)(_|$)/ },
  "small-cnn": { body: /^(image|input_normalization|block[1-5])(_|$)/, later: /^block[45](_|$)/ },
};

export const GROUP_NAMES = ["body 1", "body 2", "head"] as const;
export const HEAD_GROUP = 2;

export interface LayerGroups {
  /** Group (0, 1: body; 2: head) of every layer, by layer name. */
  groupOf: Map<string, number>;
  /** How the split was made: by the architecture's layer names, or by position for unknown names. */
  method: "names" | "position";
}

/**
 * Splits `model` into [body 1, body 2, head]. Catalog models (built, imported or from a run) are
 * split by layer name; a model whose names do not fit its architecture (a foreign TF.js model) is
 * split by position: the layers from the last Dense on are the head, and the body halves by its
 * count of layers with weights.
 */
export function layerGroups(model: LayersModel, architecture: Architecture): LayerGroups {
  const split = SPLITS[architecture];
  const groupOf = new Map<string, number>();
  const layers = model.layers;
  const lastBody = layers.reduce((last, layer, i) => (split.body.test(layer.name) ? i : last), -1);
  const namesFit = lastBody > 0 && layers.slice(0, lastBody + 1).every((l) => split.body.test(l.name) || l.getClassName() === "InputLayer");
  if (namesFit) {
    layers.forEach((layer, i) => groupOf.set(layer.name, i > lastBody ? HEAD_GROUP : split.later.test(layer.name) ? 1 : 0));
    return { groupOf, method: "names" };
  }
  let headStart = layers.length - 1;
  while (headStart > 0 && layers[headStart].getClassName() !== "Dense") headStart--;
  const weighted = layers.slice(0, headStart).filter((l) => l.weights.length > 0);
  const secondHalf = new Set(weighted.slice(Math.floor(weighted.length / 2)).map((l) => l.name));
  let inSecond = false;
  layers.forEach((layer, i) => {
    if (secondHalf.has(layer.name)) inSecond = true;
    groupOf.set(layer.name, i >= headStart ? HEAD_GROUP : inSecond ? 1 : 0);
  });
  return { groupOf, method: "position" };
}

const isBatchNorm = (layer: AnyLayer) => layer.getClassName() === "BatchNormalization";

/**
 * One optimizer parameter group: the trainable variables of a layer group, split into its batch
 * norm parameters and the rest (they start training at different stages, and Adam's state must
 * always see the same variable list).
 */
export interface ParamGroup {
  key: string;
  group: number;
  batchNorm: boolean;
  names: string[];
}

/** Every potentially trainable variable of `model`, by (layer group, batch norm or not), in model order. */
export function paramGroups(model: LayersModel, groups: LayerGroups): ParamGroup[] {
  const out = new Map<string, ParamGroup>();
  for (const layer of model.layers) {
    if (layer.name === INPUT_NORMALIZATION_LAYER) continue;
    const group = groups.groupOf.get(layer.name) ?? HEAD_GROUP;
    const batchNorm = isBatchNorm(layer);
    const key = `${group}${batchNorm ? "bn" : ""}`;
    // _trainableWeights: the layer's trainable variables whatever its current `trainable` flag.
    const weights = (layer as unknown as { _trainableWeights: { read(): Variable }[] })._trainableWeights ?? [];
    if (weights.length === 0) continue;
    const entry = out.get(key) ?? { key, group, batchNorm, names: [] };
    entry.names.push(...weights.map((w) => w.read().name));
    out.set(key, entry);
  }
  return [...out.values()];
}

/**
 * Freezes layer groups below `firstTrainable` (fastai's freeze_to) and unfreezes the rest. With
 * `trainBatchNorm` (fastai's train_bn=True, its default) batch-norm layers of frozen groups stay
 * trainable; their moving statistics update in training mode either way, as in PyTorch's train().
 * The input normalisation layer always stays frozen.
 */
export function freezeTo(model: LayersModel, groups: LayerGroups, firstTrainable: number, trainBatchNorm: boolean): void {
  for (const layer of model.layers) {
    if (layer.name === INPUT_NORMALIZATION_LAYER) continue;
    const group = groups.groupOf.get(layer.name) ?? HEAD_GROUP;
    layer.trainable = group >= firstTrainable || (trainBatchNorm && isBatchNorm(layer));
  }
}
