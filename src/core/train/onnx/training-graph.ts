// A whole training step of a TF.js layers model as one ONNX graph: forward in training mode, the
// label-weighted BCE from logits (src/core/train/loss.ts), and the backward pass, with the weights
// as inputs and their gradients as outputs, so ONNX Runtime's multi-threaded CPU kernels compute
// what tf.variableGrads computes on the WASM backend. The optimizer step stays in TF.js.
//
// Graph contract (read by onnx-step-runner.ts):
//   inputs   "input" [batch, size, size, channels] NHWC as the loader makes it; "targets" [batch,
//            labels]; "weight:<variable>" per weight (convolution kernels OIHW, the rest in TF.js
//            layout: weight-layout.ts); "mask:<layer>" per dropout.
//   outputs  "loss" (scalar); "grad:<variable>" per trainable variable (kernels HWOI, the rest in
//            TF.js layout: weight-layout.ts gradientToTf); "stats:<layer>/mean" and
//            "stats:<layer>/variance" per batch norm (biased batch variance).
import { floatValueInfo, OnnxGraph } from "../../onnx/graph";
import { IR_VERSION, onnx, OPSET } from "../../onnx/schema";
import type { LayersModel, SymbolicTensor } from "../../models/types";
import { TrainingLayers, UnsupportedLayerError, type BatchNormStatistics, type DropoutMask, type LayerStep, type TValue, type WeightInput } from "./layer-backprop";

export const TRAIN_INPUT = "input";
export const TRAIN_TARGETS = "targets";
export const TRAIN_LOSS = "loss";

export interface TrainingGraphOptions {
  /** Input height and width (the graph's shapes are static apart from the batch). */
  size: number;
  channels: number;
  /** Loss weight per output, in output order. */
  labelWeights: readonly number[];
  /** The model itself outputs logits (no final sigmoid). */
  logits: boolean;
  /** Names of the variables to return gradients for (model.trainableWeights). */
  trainable: ReadonlySet<string>;
}

export interface TrainingGraph {
  bytes: Uint8Array;
  weights: WeightInput[];
  gradients: { variable: string; output: string }[];
  batchNorms: BatchNormStatistics[];
  dropouts: DropoutMask[];
}

export class UnsupportedModelError extends Error {
  constructor(model: LayersModel, problem: string) {
    super(`the ONNX Runtime training engine cannot train model "${model.name}": ${problem}`);
    this.name = "UnsupportedModelError";
  }
}

const REGULARIZERS = ["kernelRegularizer", "biasRegularizer", "activityRegularizer", "gammaRegularizer", "betaRegularizer", "depthwiseRegularizer"];

function checkLayer(model: LayersModel, layer: LayersModel["layers"][number]): void {
  if (layer.inboundNodes.length !== 1) throw new UnsupportedModelError(model, `layer "${layer.name}" is applied ${layer.inboundNodes.length} times`);
  const config = layer.getConfig() as Record<string, unknown>;
  const regularized = REGULARIZERS.find((key) => config[key] !== null && config[key] !== undefined);
  if (regularized) throw new UnsupportedModelError(model, `layer "${layer.name}" has a ${regularized}`);
}

/** The layer whose pre-sigmoid output the loss reads, and whether its sigmoid is left out. */
function outputLayer(model: LayersModel, logits: boolean) {
  if (model.outputs.length !== 1) throw new UnsupportedModelError(model, `${model.outputs.length} outputs`);
  const last = model.outputs[0].sourceLayer;
  if (logits) return { last, sigmoid: "none" as const };
  const kind = last.getClassName();
  if ((last.getConfig() as { activation?: string }).activation !== "sigmoid" || (kind !== "Dense" && kind !== "Activation")) {
    throw new UnsupportedModelError(model, `its output layer "${last.name}" is not a sigmoid Dense or Activation`);
  }
  return { last, sigmoid: kind === "Dense" ? ("dense" as const) : ("activation" as const) };
}

export function buildTrainingGraph(model: LayersModel, options: TrainingGraphOptions): TrainingGraph {
  const { size, channels, labelWeights } = options;
  if (model.inputs.length !== 1) throw new UnsupportedModelError(model, `${model.inputs.length} inputs`);
  const g = new OnnxGraph();
  const layers = new TrainingLayers(g, options.trainable);
  g.reserve(TRAIN_INPUT);
  g.reserve(TRAIN_TARGETS);
  const values = new Map<SymbolicTensor, TValue>();
  const nchw = g.node("Transpose", [TRAIN_INPUT], "input_nchw", { perm: [0, 3, 1, 2] });
  values.set(model.inputs[0], { name: nchw, shape: { rank: 4, c: channels, h: size, w: size }, requiresGrad: false });
  const { last, sigmoid } = outputLayer(model, options.logits);

  const steps: { inputs: TValue[]; step: LayerStep }[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    checkLayer(model, layer);
    const node = layer.inboundNodes[0];
    const inputs = node.inputTensors.map((t) => {
      const v = values.get(t);
      if (!v) throw new UnsupportedModelError(model, `layer "${layer.name}" reads a tensor no earlier layer produced (nested models are not supported)`);
      return v;
    });
    let step: LayerStep;
    try {
      if (layer === last && sigmoid === "activation") step = { output: inputs[0], backward: inputs[0].requiresGrad ? (dy) => [dy] : null };
      else if (layer === last && sigmoid === "dense") step = layers.logitsDense(layer, inputs[0]);
      else step = layers.step(layer, inputs);
    } catch (error) {
      if (error instanceof UnsupportedLayerError) throw new UnsupportedModelError(model, error.message);
      throw error;
    }
    steps.push({ inputs, step });
    values.set(node.outputTensors[0], step.output);
  }

  const z = values.get(model.outputs[0]);
  if (!z || z.shape.rank !== 2) throw new UnsupportedModelError(model, "its output is not [batch, labels]");
  if (z.shape.c !== labelWeights.length) throw new UnsupportedModelError(model, `${z.shape.c} outputs for ${labelWeights.length} label weights`);
  if (!z.requiresGrad) throw new UnsupportedModelError(model, "no trainable weight reaches the output");

  // Loss: mean over the batch of Σ_l w_l·BCE_l / Σ_l w_l, from logits (max(z,0) − z·y + log(1 + e^−|z|)).
  const total = labelWeights.reduce((a, b) => a + b, 0);
  const normalized = g.floatTensor("label_weights", [labelWeights.length], Float32Array.from(labelWeights, (w) => w / total));
  const perLabel = g.node("Add", [g.node("Sub", [g.node("Relu", [z.name], "loss/relu"), g.node("Mul", [z.name, TRAIN_TARGETS], "loss/zy")], "loss/linear"), g.node("Softplus", [g.node("Neg", [g.node("Abs", [z.name], "loss/abs")], "loss/neg_abs")], "loss/softplus")], "loss/per_label");
  const perSample = g.node("ReduceSum", [g.node("Mul", [perLabel, normalized], "loss/weighted"), g.int64Tensor("loss/label_axis", [1])], "loss/per_sample", { keepdims: 0 });
  g.rename(g.node("ReduceMean", [perSample], "loss/mean", { axes: [0], keepdims: 0 }), TRAIN_LOSS);
  const batch = g.node("Cast", [g.node("Gather", [g.node("Shape", [z.name], "loss/shape"), g.int64Tensor("loss/batch_axis", [0])], "loss/batch_int")], "loss/batch", { to: onnx.TensorProto.DataType.FLOAT });
  const dz = g.node("Div", [g.node("Mul", [g.node("Sub", [g.node("Sigmoid", [z.name], "loss/sigmoid"), TRAIN_TARGETS], "loss/residual"), normalized], "loss/weighted_residual"), batch], "grad/logits");

  // Backward, layers in reverse; a value used by several layers sums their gradients.
  const pending = new Map<string, string[]>([[z.name, [dz]]]);
  for (let i = steps.length - 1; i >= 0; i--) {
    const { inputs, step } = steps[i];
    const grads = pending.get(step.output.name);
    if (!step.backward || !grads) continue;
    pending.delete(step.output.name);
    const dy = grads.length === 1 ? grads[0] : g.node("Sum", grads, `${step.output.name}/grad_sum`);
    step.backward(dy).forEach((d, k) => {
      if (d === null) return;
      const name = inputs[k].name;
      pending.set(name, [...(pending.get(name) ?? []), d]);
    });
  }

  const gradients = [...layers.gradients].map(([variable, value]) => {
    const output = `grad:${variable}`;
    g.rename(value, output);
    return { variable, output };
  });
  const missing = [...options.trainable].filter((v) => !layers.gradients.has(v) && model.weights.some((w) => w.name === v));
  if (missing.length > 0) throw new UnsupportedModelError(model, `no gradient reaches ${missing.join(", ")}`);

  const floatOutput = (name: string) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } });
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "ich-lab",
    graph: {
      name: `${model.name}_training`,
      node: g.nodes,
      initializer: g.initializers,
      input: [
        floatValueInfo(TRAIN_INPUT, [null, size, size, channels]),
        floatValueInfo(TRAIN_TARGETS, [null, labelWeights.length]),
        ...layers.weights.map((w) => floatValueInfo(w.input, w.shape)),
        ...layers.dropouts.map((d) => floatValueInfo(d.input, [null, ...d.dims])),
      ],
      output: [TRAIN_LOSS, ...gradients.map((x) => x.output), ...layers.batchNorms.flatMap((b) => [b.mean, b.variance])].map(floatOutput),
    },
  });
  return { bytes: onnx.ModelProto.encode(proto).finish(), weights: layers.weights, gradients, batchNorms: layers.batchNorms, dropouts: layers.dropouts };
}
