// ONNX export of a trained run's best model (`ich export`, and model/model.onnx when training ends).
//
// Graph contract (the ONNX Runtime inference path relies on it):
//   input  "input"          float32 [batch, H, W, C]: exactly the NHWC tensor the TF.js model gets
//                           from the shared preprocessing (ich-input.json); transposed to NCHW inside.
//   output "probabilities"  float32 [batch, labels]: sigmoid probabilities in label order, whether
//                           the TF.js model ends in a sigmoid or in logits.
//   metadata_props          ich.labels, ich.windows, ich.size, ich.channels, ich.runId,
//                           ich.architecture, ich.preprocess (PreprocessOptions JSON), ich.sourceKind.
//   opset 17, IR version 8.
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { PreprocessOptions, SampleSource } from "../data/sample";
import type { BackendChoice } from "../experiment/types";
import { writeFileAtomic } from "../fs/atomic";
import type { Label } from "../../shared/labels";
import { loadModel } from "../models/io";
import type { LayersModel, SymbolicTensor, Tf } from "../models/types";
import { outputsLogits } from "../predict/infer";
import { modelDirOf } from "../predict/predict-files";
import { DEFAULT_RUNS_DIR, resolveRunFolder, RunStore } from "../runs";
import { initBackend } from "../tf/backend";
import { readModelInput } from "../train/model-input";
import { floatValueInfo, OnnxGraph } from "./graph";
import { LayerConverter, type Value } from "./layers";
import { IR_VERSION, onnx, OPSET } from "./schema";
import { errorMessage } from "../../shared/errors";

export const ONNX_FILE = "model.onnx";
export const ONNX_INPUT = "input";
export const ONNX_OUTPUT = "probabilities";

/** What the ONNX file records about its model (metadata_props), and the static input size. */
export interface OnnxExportMetadata {
  /** Run id (the run folder's name). */
  runId: string;
  /** Catalog architecture (src/core/models/catalog.ts), or the model's name for other models. */
  architecture: string;
  /** Output labels in output order. */
  labels: readonly Label[];
  /** How a slice becomes the model input; `preprocess.size` fixes the graph's H and W. */
  preprocess: PreprocessOptions;
  /** Channels of the input (windows × (1 + 2·context), or 3 per slice for image files). */
  channels: number;
  /** The data kind the model was trained on. */
  sourceKind: SampleSource["kind"];
}


function metadataProps(m: OnnxExportMetadata): { key: string; value: string }[] {
  const props: Record<string, string> = {
    "ich.labels": JSON.stringify(m.labels),
    "ich.windows": JSON.stringify(m.preprocess.windows),
    "ich.size": String(m.preprocess.size),
    "ich.channels": String(m.channels),
    "ich.runId": m.runId,
    "ich.architecture": m.architecture,
    "ich.preprocess": JSON.stringify(m.preprocess),
    "ich.sourceKind": m.sourceKind,
    "ich.layout": "NHWC",
  };
  return Object.entries(props).map(([key, value]) => ({ key, value }));
}

function checkInputShape(model: LayersModel, size: number, channels: number): void {
  if (model.inputs.length !== 1) throw new Error(`ONNX export: model "${model.name}" has ${model.inputs.length} inputs; expected 1`);
  if (model.outputs.length !== 1) throw new Error(`ONNX export: model "${model.name}" has ${model.outputs.length} outputs; expected 1`);
  if (model.inputs[0].shape.length !== 4) throw new Error(`ONNX export: model "${model.name}" input has shape [${model.inputs[0].shape.join(", ")}]; expected [batch, H, W, C]`);
  const [, h, w, c] = model.inputs[0].shape;
  if ((h !== null && h !== size) || (w !== null && w !== size)) throw new Error(`ONNX export: model "${model.name}" takes ${h}×${w} inputs but the preprocessing makes ${size}×${size}`);
  if (c !== channels) throw new Error(`ONNX export: model "${model.name}" takes ${c} channels but the preprocessing makes ${channels}`);
}

/**
 * Converts a TF.js layers model (functional, each layer applied once, NHWC) to an ONNX model.
 * @param tf the TF.js namespace the model lives in (weights are read and transposed with it)
 * @param model the model; any input size (null H/W) or exactly `metadata.preprocess.size`
 * @param metadata labels, preprocessing and provenance written to metadata_props
 * @returns the encoded ONNX ModelProto
 */
export function modelToOnnx(tf: Tf, model: LayersModel, metadata: OnnxExportMetadata): Uint8Array {
  const { size } = metadata.preprocess;
  const { channels } = metadata;
  checkInputShape(model, size, channels);
  const g = new OnnxGraph();
  const converter = new LayerConverter(tf, g);
  const values = new Map<SymbolicTensor, Value>();
  g.reserve(ONNX_INPUT);
  const nchw = g.node("Transpose", [ONNX_INPUT], "input_nchw", { perm: [0, 3, 1, 2] });
  values.set(model.inputs[0], { name: nchw, shape: { rank: 4, c: channels, h: size, w: size } });

  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    if (layer.inboundNodes.length !== 1) throw new Error(`ONNX export: layer "${layer.name}" is applied ${layer.inboundNodes.length} times; shared layers are not supported`);
    const node = layer.inboundNodes[0];
    const inputs = node.inputTensors.map((t) => {
      const v = values.get(t);
      if (!v) throw new Error(`ONNX export: layer "${layer.name}" reads a tensor no earlier layer produced (nested models are not supported)`);
      return v;
    });
    if (node.outputTensors.length !== 1) throw new Error(`ONNX export: layer "${layer.name}" has ${node.outputTensors.length} outputs; expected 1`);
    const out = converter.convert(layer, inputs);
    const expected = node.outputTensors[0].shape[node.outputTensors[0].shape.length - 1];
    if (expected !== null && expected !== out.shape.c) throw new Error(`ONNX export: layer "${layer.name}" converted to ${out.shape.c} channels, TF.js has ${expected}`);
    values.set(node.outputTensors[0], out);
  }

  const result = values.get(model.outputs[0]);
  if (!result) throw new Error(`ONNX export: model "${model.name}": its output was not produced by any layer`);
  if (result.shape.rank !== 2) throw new Error(`ONNX export: model "${model.name}" output is not [batch, labels]`);
  if (result.shape.c !== metadata.labels.length) throw new Error(`ONNX export: model "${model.name}" has ${result.shape.c} outputs for ${metadata.labels.length} labels`);
  if (outputsLogits(model)) g.node("Sigmoid", [result.name], ONNX_OUTPUT);
  else if (g.nodes.some((n) => n.output?.includes(result.name))) g.rename(result.name, ONNX_OUTPUT);
  else throw new Error(`ONNX export: model "${model.name}" output is its input`);

  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "ich-lab",
    docString: "ICH Lab intracranial-hemorrhage classifier. Research tool, not for diagnosis.",
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [floatValueInfo(ONNX_INPUT, [null, size, size, channels])],
      output: [floatValueInfo(ONNX_OUTPUT, [null, metadata.labels.length])],
    },
    metadataProps: metadataProps(metadata),
  });
  return onnx.ModelProto.encode(proto).finish();
}

export interface ExportRunOptions {
  /** Run store folder, used when `run` is a run id rather than an existing folder (default ./runs). */
  runsDir?: string;
  /** Where to write the ONNX file (default <run>/model/model.onnx). */
  out?: string;
  /** TF.js namespace to load the model into; default: initBackend with `backend`. */
  tf?: Tf;
  backend?: BackendChoice;
}

export interface ExportRunResult {
  path: string;
  bytes: number;
  metadata: OnnxExportMetadata;
}

async function architectureOf(runDir: string): Promise<string | undefined> {
  if (!existsSync(join(runDir, "run.json"))) return undefined;
  try {
    return (await new RunStore(dirname(resolve(runDir))).get(basename(resolve(runDir)))).architecture;
  } catch {
    return undefined;
  }
}

/**
 * Writes a run's best model (model/model.json + ich-input.json) as ONNX.
 * @param run a run id in `options.runsDir`, or a run folder, or its model folder
 * @param options output path, run store and TF.js backend
 */
export async function exportRunToOnnx(run: string, options: ExportRunOptions = {}): Promise<ExportRunResult> {
  const runOrModelDir = resolveRunFolder(run, options.runsDir ?? DEFAULT_RUNS_DIR);
  const modelDir = resolve(modelDirOf(runOrModelDir));
  const runDir = basename(modelDir) === "model" ? dirname(modelDir) : modelDir;
  const spec = await readModelInput(modelDir);
  const tf = options.tf ?? (await initBackend({ prefer: options.backend ?? "auto" })).tf;
  const model = await loadModel(tf, modelDir);
  try {
    const metadata: OnnxExportMetadata = {
      runId: basename(runDir),
      architecture: (await architectureOf(runDir)) ?? model.name,
      labels: spec.labels,
      preprocess: spec.preprocess,
      channels: spec.channels,
      sourceKind: spec.sourceKind,
    };
    const bytes = modelToOnnx(tf, model, metadata);
    const path = resolve(options.out ?? join(modelDir, ONNX_FILE));
    await writeFileAtomic(path, bytes);
    return { path, bytes: bytes.byteLength, metadata };
  } finally {
    model.dispose();
  }
}

/**
 * The end of a training run: writes RUN/model/model.onnx. A failed export never fails the run; it
 * becomes a warning (event and train.log) that names `ich export` for a retry.
 */
export async function exportAtRunEnd(
  tf: Tf,
  run: { id: string; dir: string; appendLog(text: string): Promise<void> },
  warn: (message: string) => void,
): Promise<void> {
  try {
    await exportRunToOnnx(run.dir, { tf });
  } catch (error) {
    const message = `ONNX export of the best model failed (the run is unaffected; retry with \`ich export ${run.id}\`): ${errorMessage(error)}`;
    warn(message);
    await run.appendLog(`warning: ${message}`).catch(() => undefined);
  }
}
