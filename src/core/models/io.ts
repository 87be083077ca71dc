import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type * as tfjs from "@tensorflow/tfjs";
import { writeFileAtomic } from "../fs/atomic";
// Registers the custom layer, so models that use it (torchvision AlexNet head) load.
import "./adaptive-pool";
import type { LayersModel, Tf } from "./types";

type ModelArtifacts = tfjs.io.ModelArtifacts;
type WeightsManifestEntry = tfjs.io.WeightsManifestEntry;

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: { paths: string[]; weights: WeightsManifestEntry[] }[];
  trainingConfig?: unknown;
  userDefinedMetadata?: unknown;
  signature?: unknown;
  modelInitializer?: unknown;
  initializerSignature?: unknown;
}

function joinBuffers(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const joined = new Uint8Array(data.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const buffer of data) {
    joined.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return joined;
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the manifest entries need, or undefined when a dtype has no fixed size (strings). */
function expectedBytes(specs: WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const size = BYTES_PER_VALUE[spec.quantization?.dtype ?? spec.dtype];
    if (size === undefined) return undefined;
    total += size * spec.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/** Resolves a model directory or a model.json path to the model.json path. */
async function modelJsonPath(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new Error(`${path}: no such model directory or model.json`);
  return info.isDirectory() ? join(path, MODEL_JSON) : path;
}

/**
 * A TF.js IOHandler that saves and loads the layers format (model.json + weights.bin) in a
 * directory with node:fs — pure @tensorflow/tfjs has no file:// handler. Loading also accepts a
 * path to model.json and sharded weights (several paths per manifest group). The weights are
 * written before model.json, each atomically, so model.json never names missing weights.
 */
export function directoryHandler(path: string): tfjs.io.IOHandler {
  const dir = resolve(path);
  return {
    async save(artifacts: ModelArtifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error(`${dir}: binary model topologies (graph models) are not supported`);
      const weights = joinBuffers(artifacts.weightData ?? new ArrayBuffer(0));
      const modelJson: ModelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        ...(artifacts.signature ? { signature: artifacts.signature } : {}),
      };
      const json = JSON.stringify(modelJson);
      // Durable: a checkpoint or best model whose files were lost to a power cut cannot be rebuilt.
      await writeFileAtomic(join(dir, WEIGHTS_BIN), weights, { durable: true });
      await writeFileAtomic(join(dir, MODEL_JSON), json, { durable: true });
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },

    async load(): Promise<ModelArtifacts> {
      const jsonPath = await modelJsonPath(dir);
      let modelJson: ModelJson;
      try {
        modelJson = JSON.parse(await readFile(jsonPath, "utf8")) as ModelJson;
      } catch (error) {
        throw new Error(`${jsonPath}: cannot read the model: ${(error as Error).message}`, { cause: error });
      }
      if (modelJson.modelTopology == null) throw new Error(`${jsonPath}: no modelTopology (is this a TF.js layers model?)`);
      const weightSpecs: WeightsManifestEntry[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        weightSpecs.push(...group.weights);
        for (const shard of group.paths) {
          const shardPath = join(dirname(jsonPath), shard);
          buffers.push(await readFile(shardPath).catch((error: Error) => Promise.reject(new Error(`${shardPath}: cannot read weights: ${error.message}`))));
        }
      }
      const weightData = joinBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
      const expected = expectedBytes(weightSpecs);
      if (expected !== undefined && expected !== weightData.byteLength) {
        throw new Error(`${jsonPath}: the weight files hold ${weightData.byteLength} bytes but model.json describes ${expected}`);
      }
      return {
        modelTopology: modelJson.modelTopology as ModelArtifacts["modelTopology"],
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        weightSpecs,
        weightData: weightData.buffer as ArrayBuffer,
        trainingConfig: modelJson.trainingConfig as ModelArtifacts["trainingConfig"],
        userDefinedMetadata: modelJson.userDefinedMetadata as ModelArtifacts["userDefinedMetadata"],
        signature: modelJson.signature as ModelArtifacts["signature"],
      };
    },
  };
}

export interface SaveModelOptions {
  /** Also store the optimizer state (for checkpoints that resume training). */
  includeOptimizer?: boolean;
}

/** Saves `model` into `dir` as model.json + weights.bin (TF.js layers format). */
export async function saveModel(model: LayersModel, dir: string, options: SaveModelOptions = {}): Promise<void> {
  await model.save(directoryHandler(dir), { includeOptimizer: options.includeOptimizer ?? false });
}

/** Loads a TF.js layers model from a directory (or its model.json) written by saveModel or the TF.js converter. */
export async function loadModel(tf: Tf, dir: string): Promise<LayersModel> {
  return tf.loadLayersModel(directoryHandler(dir));
}
