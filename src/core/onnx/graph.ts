// An ONNX graph under construction: nodes in topological order, float32/int64 initializers, and
// names made unique. Encoded by protobufjs through the compiled schema (schema.ts).
import { onnx, type OnnxTypes } from "./schema";

type AttributeValue = number | number[] | string | { ints: number[] } | { float: number };

export type Attributes = Record<string, AttributeValue>;

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === "string") return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer; use { float }`);
    return { name, type: T.INT, i: value };
  }
  if ("ints" in value) return { name, type: T.INTS, ints: value.ints };
  return { name, type: T.FLOAT, f: value.float };
}

/** ONNX raw_data is little-endian, as are the platforms Node runs on. `values` must not change later. */
function rawBytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export class OnnxGraph {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly names = new Set<string>();

  /** `base`, or `base_2`, `base_3`… when taken: every value and node name is distinct. */
  unique(base: string): string {
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  reserve(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX export: value name "${name}" is already in use`);
    this.names.add(name);
    return name;
  }

  /** Adds a node with one output (named after `outputBase`) and returns that output's name. */
  node(opType: string, inputs: string[], outputBase: string, attributes: Attributes = {}): string {
    return this.nodeOutputs(opType, inputs, [outputBase], attributes)[0];
  }

  /** Adds a node with several outputs (e.g. MaxPool's values and indices, Split's parts); returns their names. */
  nodeOutputs(opType: string, inputs: string[], outputBases: string[], attributes: Attributes = {}): string[] {
    const outputs = outputBases.map((base) => this.unique(base));
    this.nodes.push({
      opType,
      name: outputs[0],
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  floatTensor(base: string, dims: number[], values: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new Error(`ONNX export: initializer ${base} has ${values.length} values for dims [${dims.join(", ")}]`);
    const name = this.unique(base);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: rawBytes(values) });
    return name;
  }

  int64Tensor(base: string, values: number[]): string {
    const name = this.unique(base);
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
    return name;
  }

  /** Renames a value everywhere (e.g. the last node's output to the graph's output name). */
  rename(from: string, to: string): void {
    this.reserve(to);
    for (const node of this.nodes) {
      node.input = node.input?.map((n) => (n === from ? to : n));
      node.output = node.output?.map((n) => (n === from ? to : n));
    }
  }
}

/** A float32 graph input or output; `null` dims are the dynamic batch dimension. */
export function floatValueInfo(name: string, dims: (number | null)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (d === null ? { dimParam: "batch" } : { dimValue: d })) },
      },
    },
  };
}
