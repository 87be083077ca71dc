// The ONNX protobuf schema: onnx.proto3 of onnx v1.10.2 (IR version 8), compiled to a static
// protobufjs module by pbjs and shipped in the onnx-proto npm package (MIT; the schema itself is
// the ONNX project's). Bundles with esbuild like any JS module: no .proto file is read at run time.
import onnxProto from "onnx-proto";

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from "onnx-proto";

/** IR version 8 is the first that may import opset 17. */
export const IR_VERSION = 8;
/** Default-domain operator set the exported graphs use (ONNX Runtime ≥ 1.12). */
export const OPSET = 17;
