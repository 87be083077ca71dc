import { alexnetClassifier, ALEXNET_POOL_SIZE } from "./alexnet";
import { HEAD_LAYER_NAME, type GraphBuilder } from "./graph-builder";
import type { Architecture, HeadKind, LayersModel, SymbolicTensor, Tf } from "./types";

/** Hidden units of fastai's head (create_head's lin_ftrs default). */
export const FASTAI_HEAD_UNITS = 512;

/**
 * The classifier on top of an architecture's feature map, ending in `outputs` sigmoid units named
 * HEAD_LAYER_NAME.
 * - "linear": global average pool, dropout, one Dense (AlexNet: its two 4096-unit layers first).
 * - "fastai": fastai's create_head — concat of global max and average pool (max first), then
 *   BN, dropout(p/2), Linear(512, no bias), ReLU, BN, dropout(p), Linear(outputs, no bias);
 *   `dropout` is fastai's `ps`.
 * - "torchvision" (AlexNet only): torchvision's classifier — adaptive average pool to 6×6,
 *   flatten, dropout, 4096, ReLU, dropout, 4096, ReLU, Linear (61.1 M parameters with 1000 outputs).
 */
export function buildHead(
  g: GraphBuilder,
  features: SymbolicTensor,
  architecture: Architecture,
  head: HeadKind,
  outputs: number,
  dropout: number,
): SymbolicTensor {
  switch (head) {
    case "linear": {
      let x = g.globalAvgPool(features, "avgpool");
      x = architecture === "alexnet" ? alexnetClassifier(g, x, dropout) : g.dropout(x, "head_dropout", dropout);
      return g.dense(x, HEAD_LAYER_NAME, outputs, "sigmoid");
    }
    case "fastai": {
      let x = g.concat([g.globalMaxPool(features, "head_maxpool"), g.globalAvgPool(features, "head_avgpool")], "head_concat_pool");
      x = g.dropout(g.batchNorm(x, "head_bn1"), "head_dropout1", dropout / 2);
      x = g.dense(x, "head_fc1", FASTAI_HEAD_UNITS, "relu", false);
      x = g.dropout(g.batchNorm(x, "head_bn2"), "head_dropout2", dropout);
      return g.dense(x, HEAD_LAYER_NAME, outputs, "sigmoid", false);
    }
    case "torchvision": {
      if (architecture !== "alexnet") throw new RangeError(`model.head "torchvision" is AlexNet's classifier; ${architecture} takes "linear" or "fastai"`);
      const pooled = g.flatten(g.adaptiveAvgPool(features, "avgpool", ALEXNET_POOL_SIZE), "flatten");
      return g.dense(alexnetClassifier(g, pooled, dropout), HEAD_LAYER_NAME, outputs, "sigmoid");
    }
  }
}
type AnyLayer = LayersModel["layers"][number];

function activationOf(layer: AnyLayer): string | undefined {
  const activation = layer.getConfig().activation;
  return typeof activation === "string" ? activation : undefined;
}

/** Number of units of the model's single output. */
export function outputCount(model: LayersModel): number {
  if (model.outputs.length !== 1) throw new Error(`Model "${model.name}" has ${model.outputs.length} outputs; expected 1`);
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] ?? 0;
}

/**
 * Fits a (pretrained) model to `outputs` sigmoid labels: returns the model itself when its head
 * already is a Dense layer with `outputs` sigmoid units, otherwise a new model sharing every layer up
 * to the classifier (weights included) with a freshly initialised Dense + sigmoid head. A trailing
 * Activation/Softmax layer after the classifier is dropped with it.
 */
export function adaptHead(tf: Tf, model: LayersModel, outputs: number, seed = 0): LayersModel {
  if (!Number.isInteger(outputs) || outputs < 1) throw new RangeError(`adaptHead: outputs must be a positive integer, got ${outputs}`);
  const last = model.layers[model.layers.length - 1];
  let head = last;
  const removed = new Set<AnyLayer>([head]);
  const className = last.getClassName();
  if (className === "Activation" || className === "Softmax") {
    const inbound = head.input as SymbolicTensor;
    head = inbound.sourceLayer;
    removed.add(head);
  }
  if (head.getClassName() !== "Dense") {
    throw new Error(`adaptHead: model "${model.name}" ends in a ${head.getClassName()} layer ("${head.name}"); expected a Dense classifier`);
  }
  const sigmoidOutput =
    (className === "Dense" && activationOf(last) === "sigmoid") ||
    (className === "Activation" && activationOf(last) === "sigmoid" && activationOf(head) === "linear");
  if (outputCount(model) === outputs && sigmoidOutput) return model;

  const features = head.input as SymbolicTensor;
  const taken = new Set(model.layers.filter((layer) => !removed.has(layer)).map((layer) => layer.name));
  const name = taken.has(HEAD_LAYER_NAME) ? `${HEAD_LAYER_NAME}_${outputs}` : HEAD_LAYER_NAME;
  const output = tf.layers
    .dense({ name, units: outputs, activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    .apply(features) as SymbolicTensor;
  return tf.model({ name: model.name, inputs: model.inputs, outputs: output });
}
