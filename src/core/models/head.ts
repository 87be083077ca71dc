import { HEAD_LAYER_NAME } from "./graph-builder";
import type { LayersModel, SymbolicTensor, Tf } from "./types";

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
    head = inbound.sourceLayer as AnyLayer;
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
