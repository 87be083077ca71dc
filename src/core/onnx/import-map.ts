// Maps the weights of a torchvision model exported to ONNX onto the catalog's TF.js model of the
// same architecture, by graph structure: the ONNX Conv/BatchNormalization/Gemm nodes in graph
// order are paired with the model's Conv2D/BatchNormalization/Dense layers in creation order
// (which follows torchvision's forward()), and every pair's shapes are checked. NCHW → NHWC:
// conv weights [out, in, kh, kw] → [kh, kw, in, out], Gemm [out, in] → [in, out] (rows reordered
// when the Dense reads a flattened feature map, which PyTorch flattens as C·H·W and TF.js as H·W·C).
// torch.onnx.export in eval mode folds each batch norm that follows a convolution into that
// convolution's weights and bias; such a pair is imported as the folded convolution plus a batch
// norm that adds the bias (γ 1, β bias, mean 0, variance 1 − ε): exact at inference.
import { buildModel, INPUT_NORMALIZATION_LAYER } from "../models/build";
import { HEAD_LAYER_NAME } from "../models/graph-builder";
import { imagenetNormalization } from "../models/pretrained";
import type { Architecture, HeadKind, LayersModel, Tf } from "../models/types";
import type { OnnxTensor, OnnxWeightNode, OnnxWeights } from "./import-read";
import { classifierOutputs } from "./import-read";

type Layer = LayersModel["layers"][number];

export interface OnnxImportOptions {
  architecture: Architecture;
  /** Square input size, or null for any size (progressive resizing). */
  inputSize: number | null;
  channels: number;
  outputs: number;
  head?: HeadKind;
  dropout?: number;
  seed?: number;
  /** Keep the ONNX classifier when it has exactly `outputs` outputs (heads "linear" and "torchvision"). */
  keepClassifier?: boolean;
}

export interface OnnxImportReport {
  /** ONNX weight tensors copied into the model. */
  tensors: number;
  /** Convolutions whose batch norm the export had folded into them. */
  foldedBatchNorms: number;
  classifier: "kept" | "replaced";
  /** How the first convolution was adapted from 3 to `channels` input channels, if it was. */
  inputAdaptation?: string;
}

/** Values for one weight: `data` laid out as `source`, moved into `shape` by transposing with `perm` (done by TF.js, fast on big kernels). */
interface WeightValues {
  data: Float32Array;
  shape: number[];
  source?: number[];
  perm?: number[];
  scale?: number;
}

interface Assignment {
  layer: Layer;
  values: WeightValues[];
}

const WEIGHT_LAYERS = new Set(["Conv2D", "BatchNormalization", "Dense"]);
const isHeadLayer = (layer: Layer): boolean => layer.name === HEAD_LAYER_NAME || layer.name.startsWith("head_") || layer.name === "fc6" || layer.name === "fc7";
const layerId = (layer: Layer): number => (layer as unknown as { id: number }).id;
const fmt = (dims: readonly (number | null)[]): string => `[${dims.join(", ")}]`;

function describeNode(n: OnnxWeightNode): string {
  return `${n.op} "${n.name}" (${n.params.map((p) => `${p.name} ${fmt(p.dims)}`).join(", ")})`;
}

function describeLayer(layer: Layer): string {
  return `${layer.getClassName()} "${layer.name}" (${layer.weights.map((w) => fmt(w.shape)).join(", ")})`;
}

/** ONNX [out, in, kh, kw] → TF.js [kh, kw, in, out]. */
function convKernel(w: OnnxTensor): WeightValues {
  const [o, i, kh, kw] = w.dims;
  return { data: w.data, source: w.dims, perm: [2, 3, 1, 0], shape: [kh, kw, i, o] };
}

/**
 * 3 ImageNet input channels → `channels`: 1 channel gets the sum of the three filters (a grey image
 * seen as R = G = B); more channels repeat R, G, B cyclically scaled by 3/channels, so an input
 * whose channels are all equal gives the same activations as the RGB network.
 */
function adaptInputChannels(w: OnnxTensor, channels: number): OnnxTensor {
  const [o, , kh, kw] = w.dims;
  const k = kh * kw;
  const data = new Float32Array(o * channels * k);
  for (let a = 0; a < o; a++) {
    for (let c = 0; c < channels; c++) {
      for (let j = 0; j < k; j++) {
        const at = (src: number) => w.data[(a * 3 + src) * k + j];
        data[(a * channels + c) * k + j] = channels === 1 ? at(0) + at(1) + at(2) : (at(c % 3) * 3) / channels;
      }
    }
  }
  return { name: w.name, dims: [o, channels, kh, kw], data };
}

/** The layer feeding `layer`, looking through dropout (identity at inference). */
function sourceLayer(layer: Layer): Layer | undefined {
  let current: Layer | undefined = layer.inboundNodes[0]?.inboundLayers[0];
  while (current && current.getClassName() === "Dropout") current = current.inboundNodes[0]?.inboundLayers[0];
  return current;
}

/** Gemm B (with alpha) as a TF.js Dense kernel [in, out]; rows reordered from C·H·W to H·W·C when the Dense reads a flattened map. */
function denseKernel(node: OnnxWeightNode, layer: Layer): WeightValues {
  const b = node.params[0];
  const transB = node.attributes.transB === 1;
  const [rows, cols] = b.dims;
  const inputs = transB ? cols : rows;
  const outputs = transB ? rows : cols;
  const scale = typeof node.attributes.alpha === "number" ? node.attributes.alpha : 1;
  const source = sourceLayer(layer);
  if (source?.getClassName() === "Flatten") {
    const [, h, w, c] = source.inboundNodes[0].inputTensors[0].shape as number[];
    if (h * w > 1 && c * h * w === inputs) {
      return transB
        ? { data: b.data, source: [outputs, c, h, w], perm: [2, 3, 1, 0], shape: [inputs, outputs], scale }
        : { data: b.data, source: [c, h, w, outputs], perm: [1, 2, 0, 3], shape: [inputs, outputs], scale };
    }
  }
  const shape = [inputs, outputs];
  return transB ? { data: b.data, source: [outputs, inputs], perm: [1, 0], shape, scale } : { data: b.data, shape, scale };
}

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

class Mapper {
  readonly assignments: Assignment[] = [];
  readonly problems: string[] = [];
  tensors = 0;
  folded = 0;
  inputAdaptation: string | undefined;

  constructor(private readonly channels: number) {}

  /** Pairs one ONNX node with layer(s) starting at `layers[i]`; returns how many layers it used, or 0 on a mismatch. */
  pair(node: OnnxWeightNode, layers: Layer[], i: number, next: OnnxWeightNode | undefined, first: boolean): number {
    const layer = layers[i];
    const kind = layer.getClassName();
    if (node.op === "Conv" && kind === "Conv2D") return this.conv(node, layer, layers[i + 1], next, first);
    if (node.op === "BatchNormalization" && kind === "BatchNormalization") return this.batchNorm(node, layer);
    if (node.op === "Gemm" && kind === "Dense") return this.dense(node, layer);
    this.problems.push(`${describeNode(node)} meets ${describeLayer(layer)}: different layer types`);
    return 0;
  }

  private conv(node: OnnxWeightNode, layer: Layer, after: Layer | undefined, next: OnnxWeightNode | undefined, first: boolean): number {
    const group = node.attributes.group ?? 1;
    if (group !== 1) return this.fail(`${describeNode(node)}: grouped convolutions (group ${String(group)}) are not supported`);
    let w = node.params[0];
    const kernelShape = layer.weights[0].shape;
    if (first && w.dims[1] === 3 && kernelShape[2] !== 3) {
      w = adaptInputChannels(w, kernelShape[2] as number);
      this.inputAdaptation = kernelShape[2] === 1 ? "first convolution: RGB filters summed for 1 channel" : `first convolution: RGB filters repeated over ${kernelShape[2]} channels × 3/${kernelShape[2]}`;
    }
    const tfShape = [w.dims[2], w.dims[3], w.dims[1], w.dims[0]];
    if (!sameShape(kernelShape, tfShape)) return this.fail(`${describeNode(node)} → ${describeLayer(layer)}: kernel ${fmt(kernelShape)} needs ONNX weight [${kernelShape[3]}, ${kernelShape[2]}, ${kernelShape[0]}, ${kernelShape[1]}]`);
    const strides = (node.attributes.strides as number[] | undefined) ?? [1, 1];
    const tfStrides = (layer.getConfig() as { strides: number[] }).strides;
    if (strides[0] !== tfStrides[0] || strides[1] !== tfStrides[1]) return this.fail(`${describeNode(node)} → ${describeLayer(layer)}: stride ${fmt(strides)} vs ${fmt(tfStrides)}`);
    const kernel = convKernel(w);
    const bias = node.params[1];
    const hasBias = layer.weights.length > 1;
    this.tensors += node.params.length;
    if (hasBias) {
      this.assignments.push({ layer, values: [kernel, { data: bias?.data ?? new Float32Array(tfShape[3]), shape: [tfShape[3]] }] });
      return 1;
    }
    this.assignments.push({ layer, values: [kernel] });
    if (!bias) return 1;
    // A bias on a bias-free convolution: the export folded the batch norm that follows it.
    const feedsBatchNorm = after?.getClassName() === "BatchNormalization" && after.inboundNodes[0]?.inboundLayers[0] === layer;
    const onnxBatchNormFollows = next?.op === "BatchNormalization" && next.input === node.output;
    if (!feedsBatchNorm || onnxBatchNormFollows) return this.fail(`${describeNode(node)} has a bias, ${describeLayer(layer)} has none and no folded batch norm can take it`);
    const c = tfShape[3];
    const epsilon = (after.getConfig() as { epsilon: number }).epsilon;
    this.assignments.push({
      layer: after,
      values: [new Float32Array(c).fill(1), bias.data, new Float32Array(c), new Float32Array(c).fill(1 - epsilon)].map((data) => ({ data, shape: [c] })),
    });
    this.folded++;
    return 2;
  }

  private batchNorm(node: OnnxWeightNode, layer: Layer): number {
    const c = layer.weights[0].shape[0];
    if (node.params.length !== 4 || node.params.some((p) => !sameShape([c], p.dims))) return this.fail(`${describeNode(node)} → ${describeLayer(layer)}: expected four [${c}] tensors`);
    const [scale, shift, mean, variance] = node.params;
    // Same normalisation whatever the two epsilons: var + ε_onnx = var' + ε_tfjs.
    const shiftEps = (typeof node.attributes.epsilon === "number" ? node.attributes.epsilon : 1e-5) - (layer.getConfig() as { epsilon: number }).epsilon;
    const adjusted = shiftEps === 0 ? variance.data : variance.data.map((v) => v + shiftEps);
    this.assignments.push({ layer, values: [scale.data, shift.data, mean.data, adjusted].map((data) => ({ data, shape: [c as number] })) });
    this.tensors += 4;
    return 1;
  }

  private dense(node: OnnxWeightNode, layer: Layer): number {
    const [inputs, outputs] = layer.weights[0].shape as number[];
    const b = node.params[0];
    const transB = node.attributes.transB === 1;
    const expected = transB ? [outputs, inputs] : [inputs, outputs];
    if (node.attributes.transA === 1 || !sameShape(b.dims, expected)) return this.fail(`${describeNode(node)} → ${describeLayer(layer)}: needs ONNX weight ${fmt(expected)}${transB ? " (transB)" : ""}`);
    const values: WeightValues[] = [denseKernel(node, layer)];
    if (layer.weights.length > 1) {
      const beta = typeof node.attributes.beta === "number" ? node.attributes.beta : 1;
      const c = node.params[1];
      if (c && c.data.length !== outputs) return this.fail(`${describeNode(node)} → ${describeLayer(layer)}: bias of ${c.data.length} values for ${outputs} units`);
      values.push({ data: c ? c.data.map((v) => v * beta) : new Float32Array(outputs), shape: [outputs] });
    } else if (node.params[1]?.data.some((v) => v !== 0)) return this.fail(`${describeNode(node)} has a bias, ${describeLayer(layer)} has none`);
    this.assignments.push({ layer, values });
    this.tensors += node.params.length;
    return 1;
  }

  private fail(problem: string): 0 {
    this.problems.push(problem);
    return 0;
  }
}

function listed(title: string, items: string[]): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, 8).map((s) => `    ${s}`);
  if (items.length > 8) shown.push(`    … and ${items.length - 8} more`);
  return [`  ${title}:`, ...shown];
}

/**
 * Builds `options.architecture` with `options.head` and ImageNet input normalisation, and copies
 * the ONNX weights into it. The ONNX classifier is kept when `keepClassifier` is set and its output
 * count equals `outputs` (not with the fastai head); otherwise the head starts from fresh weights.
 * @throws an Error naming the file and listing every mis-shaped or unmatched tensor and layer
 */
export function modelFromOnnxWeights(tf: Tf, weights: OnnxWeights, options: OnnxImportOptions): { model: LayersModel; report: OnnxImportReport } {
  const head = options.head ?? "linear";
  const model = buildModel(tf, {
    architecture: options.architecture,
    inputSize: options.inputSize,
    channels: options.channels,
    outputs: options.outputs,
    head,
    dropout: options.dropout,
    seed: options.seed,
    inputNormalization: imagenetNormalization(options.channels),
  });
  try {
    const report = assign(tf, model, weights, options, head);
    return { model, report };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function assign(tf: Tf, model: LayersModel, weights: OnnxWeights, options: OnnxImportOptions, head: HeadKind): OnnxImportReport {
  const { file } = weights;
  const layers = [...model.layers]
    .filter((l) => WEIGHT_LAYERS.has(l.getClassName()) && l.name !== INPUT_NORMALIZATION_LAYER)
    .sort((a, b) => layerId(a) - layerId(b));
  const bodyLayers = layers.filter((l) => !isHeadLayer(l));
  const headLayers = layers.filter(isHeadLayer);
  let split = weights.nodes.length;
  while (split > 0 && weights.nodes[split - 1].op === "Gemm") split--;
  const bodyNodes = weights.nodes.slice(0, split);
  const classifierNodes = weights.nodes.slice(split);
  const mapper = new Mapper(options.channels);
  const problems = mapper.problems;
  if (weights.unsupported.length > 0) problems.push(`weights in nodes that cannot be imported: ${weights.unsupported.slice(0, 5).join(", ")}`);

  let i = 0;
  let j = 0;
  while (i < bodyLayers.length && j < bodyNodes.length) {
    const used = mapper.pair(bodyNodes[j], bodyLayers, i, bodyNodes[j + 1], j === 0);
    if (used === 0) break;
    i += used;
    j++;
  }
  const unmatchedNodes = bodyNodes.slice(j).map(describeNode);
  const unmatchedLayers = bodyLayers.slice(i).map(describeLayer);

  const classifierCount = classifierOutputs(weights);
  let classifier: "kept" | "replaced" = "replaced";
  const headGemms = head === "torchvision" ? 3 : 1;
  // fastai cuts AlexNet after its convolutions (model_meta cut -2): with any head but torchvision's,
  // the ImageNet classifier (fc6, fc7, fc8 on the 6×6-pooled features) is dropped and the head is new.
  const alexnetBodyOnly = options.architecture === "alexnet" && head !== "torchvision" && classifierNodes.length === 3;
  if (alexnetBodyOnly) {
    // classifier stays "replaced"
  } else if (classifierNodes.length !== headGemms) {
    problems.push(`expected ${headGemms} Gemm classifier layer(s) at the end of the ONNX graph for ${options.architecture}, found ${classifierNodes.length}${classifierNodes.length ? `: ${classifierNodes.map(describeNode).join("; ")}` : ""}`);
  } else if (problems.length === 0) {
    const keep = head !== "fastai" && options.keepClassifier === true && classifierCount === options.outputs;
    const hidden = headLayers.filter((l) => l.name !== HEAD_LAYER_NAME);
    const targets = head === "torchvision" ? [...hidden, ...(keep ? [model.getLayer(HEAD_LAYER_NAME)] : [])] : keep ? [model.getLayer(HEAD_LAYER_NAME)] : [];
    targets.forEach((layer, k) => {
      if (mapper.pair(classifierNodes[k], [layer], 0, undefined, false) === 0) unmatchedNodes.push(describeNode(classifierNodes[k]));
    });
    if (keep) classifier = "kept";
  }

  if (problems.length > 0 || unmatchedNodes.length > 0 || unmatchedLayers.length > 0) {
    throw new Error(
      [
        `${file}: cannot import the ONNX weights into ${options.architecture} (head "${head}", ${options.channels} channels); ${mapper.tensors} tensors matched before:`,
        ...problems.map((p) => `  ${p}`),
        ...listed("ONNX weights left without a layer", unmatchedNodes),
        ...listed(`${options.architecture} layers left without weights`, unmatchedLayers),
        `  (Export the torchvision model of the same architecture: torch.onnx.export(torchvision.models.${options.architecture}(weights="IMAGENET1K_V1"), torch.randn(1, 3, 224, 224), "${options.architecture}.onnx"))`,
      ].join("\n"),
    );
  }

  for (const { layer, values } of mapper.assignments) {
    const tensors = values.map((v) =>
      tf.tidy(() => {
        let t = tf.tensor(v.data, v.source ?? v.shape);
        if (v.perm) t = tf.transpose(t, v.perm);
        if (v.scale !== undefined && v.scale !== 1) t = tf.mul(t, v.scale);
        return tf.reshape(t, v.shape);
      }),
    );
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  return { tensors: mapper.tensors, foldedBatchNorms: mapper.folded, classifier, inputAdaptation: mapper.inputAdaptation };
}
