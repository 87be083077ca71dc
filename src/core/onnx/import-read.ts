// Reads the weights of an ONNX model (e.g. torchvision's, from torch.onnx.export) in graph order:
// the Conv, BatchNormalization and Gemm nodes with their parameter tensors resolved through
// Identity and Constant nodes (PyTorch deduplicates equal initializers into Identity nodes).
import { onnx, type OnnxTypes } from "./schema";
import { errorMessage } from "../../shared/errors";

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

export type OnnxWeightOp = "Conv" | "BatchNormalization" | "Gemm";

/** One node that carries weights, with its parameter inputs (input 0, the data, is left out). */
export interface OnnxWeightNode {
  op: OnnxWeightOp;
  /** Node name, or its output's name when the node has none. */
  name: string;
  /** The data input's value name and the node's first output's. */
  input: string;
  output: string;
  /** Parameter tensors in ONNX input order (Conv: W, B?; BN: scale, B, mean, var; Gemm: B, C?). */
  params: OnnxTensor[];
  attributes: Record<string, number | number[]>;
}

export interface OnnxWeights {
  file: string;
  producer: string;
  nodes: OnnxWeightNode[];
  /** Weight-carrying nodes of other types (MatMul with a constant, grouped convolutions…): not importable. */
  unsupported: string[];
}

const WEIGHT_OPS = new Set<string>(["Conv", "BatchNormalization", "Gemm"]);

function toNumber(value: number | { toNumber(): number }): number {
  return typeof value === "number" ? value : value.toNumber();
}

function tensorValues(t: OnnxTypes.ITensorProto, file: string): OnnxTensor {
  const name = t.name ?? "(unnamed)";
  const dims = (t.dims ?? []).map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  const T = onnx.TensorProto.DataType;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new Error(`${file}: tensor ${name} is stored in an external file; export without external data (models under 2 GB)`);
  let data: Float32Array;
  if (t.dataType === T.FLOAT) {
    if (t.rawData && t.rawData.length > 0) {
      // Copy: raw_data is a view into the file buffer (a Node Buffer slice), maybe unaligned.
      data = new Float32Array(Uint8Array.from(t.rawData).buffer);
    } else data = Float32Array.from(t.floatData ?? []);
  } else if (t.dataType === T.DOUBLE) {
    data = t.rawData && t.rawData.length > 0 ? Float32Array.from(new Float64Array(Uint8Array.from(t.rawData).buffer)) : Float32Array.from(t.doubleData ?? []);
  } else {
    throw new Error(`${file}: tensor ${name} has data type ${T[t.dataType ?? 0] ?? t.dataType}; only float weights can be imported`);
  }
  if (data.length !== count) throw new Error(`${file}: tensor ${name} holds ${data.length} values for dims [${dims.join(", ")}]`);
  return { name, dims, data };
}

function attributeValue(a: OnnxTypes.IAttributeProto): number | number[] | undefined {
  const T = onnx.AttributeProto.AttributeType;
  // onnx-proto types int64 fields as Long from the "long" package, whose types are not installed.
  if (a.type === T.INT) return toNumber((a.i as number | { toNumber(): number } | null | undefined) ?? 0);
  if (a.type === T.FLOAT) return a.f ?? 0;
  if (a.type === T.INTS) return (a.ints ?? []).map(toNumber);
  return undefined;
}

/** Decodes an ONNX ModelProto and lists its weight-carrying nodes in graph (topological) order. */
export function readOnnxWeights(bytes: Uint8Array, file: string): OnnxWeights {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new Error(`${file}: not an ONNX model (${errorMessage(error)})`, { cause: error });
  }
  const graph = model.graph;
  if (!graph || !graph.node || graph.node.length === 0) throw new Error(`${file}: the ONNX model has no graph nodes`);
  const constants = new Map<string, OnnxTypes.ITensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) constants.set(t.name, t);
  const aliases = new Map<string, string>();
  for (const node of graph.node) {
    if (node.opType === "Identity" && node.input?.[0] && node.output?.[0]) aliases.set(node.output[0], node.input[0]);
    if (node.opType === "Constant" && node.output?.[0]) {
      const value = node.attribute?.find((a) => a.name === "value")?.t;
      if (value) constants.set(node.output[0], { ...value, name: node.output[0] });
    }
  }
  const resolve = (name: string): string => {
    for (let i = 0; aliases.has(name) && i < 1000; i++) name = aliases.get(name) as string;
    return name;
  };
  const constant = (name: string): OnnxTypes.ITensorProto | undefined => constants.get(resolve(name));

  const nodes: OnnxWeightNode[] = [];
  const unsupported: string[] = [];
  for (const node of graph.node) {
    const op = node.opType ?? "";
    const inputs = node.input ?? [];
    const label = node.name || node.output?.[0] || op;
    if (!WEIGHT_OPS.has(op)) {
      if ((op === "MatMul" || op === "ConvTranspose") && inputs.some((i) => constant(i)?.dims?.length)) unsupported.push(`${op} "${label}"`);
      continue;
    }
    const params: OnnxTensor[] = [];
    for (const name of inputs.slice(1)) {
      if (!name) continue;
      const t = constant(name);
      if (!t) throw new Error(`${file}: ${op} "${label}" reads ${name}, which is not a constant (only constant weights can be imported)`);
      params.push(tensorValues({ ...t, name: resolve(name) }, file));
    }
    const attributes: Record<string, number | number[]> = {};
    for (const a of node.attribute ?? []) {
      const v = attributeValue(a);
      if (a.name && v !== undefined) attributes[a.name] = v;
    }
    nodes.push({ op: op as OnnxWeightOp, name: label, input: resolve(inputs[0] ?? ""), output: node.output?.[0] ?? "", params, attributes });
  }
  return { file, producer: `${model.producerName ?? "unknown"} ${model.producerVersion ?? ""}`.trim(), nodes, unsupported };
}

/** Output count of the model's last Gemm (its classifier), or undefined when it ends otherwise. */
export function classifierOutputs(weights: OnnxWeights): number | undefined {
  const last = weights.nodes[weights.nodes.length - 1];
  if (!last || last.op !== "Gemm") return undefined;
  const b = last.params[0];
  return (last.attributes.transB ?? 0) === 1 ? b.dims[0] : b.dims[1];
}
