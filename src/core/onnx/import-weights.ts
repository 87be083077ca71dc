// `model.pretrained: "x.onnx"` and `ich import-weights`: torchvision weights exported to ONNX,
// imported into the catalog's TF.js model (import-map.ts), optionally saved as a model folder
// that `ich predict` / `ich eval` / `ich export` take.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { PreprocessOptions, SampleSource } from "../data/sample";
import { resolveWindows } from "../data/windows";
import type { WindowSpec } from "../experiment/types";
import { LABELS, type Label } from "../../shared/labels";
import { countParameters } from "../models/build";
import { describeArchitecture } from "../models/catalog";
import { saveModel } from "../models/io";
import type { LayersModel, Tf } from "../models/types";
import { writeModelInput, type ModelInputSpec } from "../train/model-input";
import { modelFromOnnxWeights, type OnnxImportOptions, type OnnxImportReport } from "./import-map";
import { classifierOutputs, readOnnxWeights, type OnnxWeights } from "./import-read";
import { errorMessage } from "../../shared/errors";

/** True for a `model.pretrained` value that names an ONNX file (path or file:// URL). */
export function isOnnxPretrained(source: string): boolean {
  return /\.onnx$/i.test(source) && !/^https?:\/\//i.test(source);
}

export async function readOnnxWeightsFile(path: string): Promise<OnnxWeights> {
  const file = path.startsWith("file://") ? new URL(path).pathname : path;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`${file}: cannot read the ONNX model (${errorMessage(error)})`, { cause: error });
  }
  return readOnnxWeights(bytes, file);
}

/** Loads an ONNX file's weights into a fresh catalog model (see modelFromOnnxWeights). */
export async function loadOnnxPretrained(tf: Tf, path: string, options: OnnxImportOptions): Promise<{ model: LayersModel; report: OnnxImportReport }> {
  return modelFromOnnxWeights(tf, await readOnnxWeightsFile(path), options);
}

export interface ImportWeightsOptions extends Omit<OnnxImportOptions, "inputSize" | "outputs" | "channels" | "keepClassifier"> {
  onnx: string;
  out: string;
  /** Input size `ich predict` prepares (the model itself takes any size ≥ the architecture's minimum). */
  size: number;
  /** Labels of a fresh head, when the ONNX classifier does not have 6 (all) or 1 (any) outputs. Default "all". */
  labels?: "all" | "any";
  /** CT windows, one channel each (default brain, subdural, bone — the seed's RGB). */
  windows?: WindowSpec[];
  /** Neighbour slices each side as extra channels (default 0). */
  context?: number;
}

export interface ImportWeightsResult {
  dir: string;
  labels: Label[];
  spec: ModelInputSpec;
  report: OnnxImportReport;
  parameters: number;
}

/**
 * Writes OUT/model.json + weights.bin + ich-input.json from a torchvision ONNX export. The ONNX
 * classifier is kept when it has 6 outputs (all labels, in LABELS order) or 1 (`any`); otherwise a
 * fresh head is built for `labels` (useful only as `model.pretrained` for training).
 */
export async function importWeightsToFolder(tf: Tf, options: ImportWeightsOptions): Promise<ImportWeightsResult> {
  const { minInputSize } = describeArchitecture(options.architecture);
  if (!Number.isInteger(options.size) || options.size < minInputSize) throw new RangeError(`size must be an integer ≥ ${minInputSize} for ${options.architecture}, got ${options.size}`);
  const weights = await readOnnxWeightsFile(options.onnx);
  const found = classifierOutputs(weights);
  const labels: Label[] = found === LABELS.length ? [...LABELS] : found === 1 ? ["any"] : options.labels === "any" ? ["any"] : [...LABELS];
  const windows = options.windows ?? ["brain", "subdural", "bone"];
  const context = options.context ?? 0;
  const preprocess: PreprocessOptions = { size: options.size, windows: resolveWindows(windows), context, rsnaFix: true };
  const sourceKind: SampleSource["kind"] = "dicom";
  const channels = windows.length * (1 + 2 * context);
  const { model, report } = modelFromOnnxWeights(tf, weights, { ...options, inputSize: null, channels, outputs: labels.length, keepClassifier: true });
  try {
    const dir = resolve(options.out);
    await saveModel(model, dir);
    const spec: ModelInputSpec = { preprocess, channels, labels, sourceKind };
    await writeModelInput(dir, spec);
    return { dir, labels, spec, report, parameters: countParameters(model) };
  } finally {
    model.dispose();
  }
}
