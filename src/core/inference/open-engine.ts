// Picks and opens the engine for a model folder. `auto`: ONNX Runtime when model.onnx is there,
// is at least as new as the TF.js model it was exported from, and onnxruntime-node loads; TF.js
// otherwise (the reason goes into EngineInfo.notes). A run without model.onnx is not exported on
// the fly: that would load TF.js anyway, and `ich export RUN` does it once for good.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { BackendChoice } from "../experiment/types";
import type { ModelInputSpec } from "../train/model-input";
import { isEngineChoice, type EngineChoice, type InferenceEngine } from "./engine";
import { OnnxEngine } from "./onnx-engine";
import { loadOrt } from "./ort";
import { errorMessage } from "../../shared/errors";

export const ONNX_MODEL_FILE = "model.onnx";

export interface OpenEngineOptions {
  /** Default: $ICH_ENGINE when valid, else "auto". */
  engine?: EngineChoice;
  /** TF.js backend preference when TF.js runs the model. */
  backend?: BackendChoice;
  /** ONNX Runtime execution providers; default $ICH_ORT_PROVIDERS (comma-separated), else CUDA first when its provider is installed, else CPU. */
  providers?: string[];
  /** Intra-op threads for ONNX Runtime (default: every core). */
  threads?: number;
}

/** The engine choice from the environment the extension sets (ICH_ENGINE), "auto" otherwise. */
export function engineFromEnvironment(env: NodeJS.ProcessEnv = process.env): EngineChoice {
  const raw = env.ICH_ENGINE?.trim();
  return isEngineChoice(raw) ? raw : "auto";
}

/** Why model.onnx cannot stand for the TF.js model in `modelDir`, or null when it can. */
export function onnxFileProblem(modelDir: string): string | null {
  const onnx = join(modelDir, ONNX_MODEL_FILE);
  if (!existsSync(onnx)) return `${modelDir} has no ${ONNX_MODEL_FILE} (write it with \`ich export RUN\`)`;
  const onnxTime = statSync(onnx).mtimeMs;
  const newer = readdirSync(modelDir).filter((f) => (f === "model.json" || f.endsWith(".bin")) && statSync(join(modelDir, f)).mtimeMs > onnxTime);
  if (newer.length > 0) return `${onnx} is older than ${newer.join(", ")} (the model changed after the export; refresh it with \`ich export RUN\`)`;
  return null;
}

function defaultProviders(cudaInstalled: boolean, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.ICH_ORT_PROVIDERS ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  if (fromEnv.length > 0) return fromEnv.includes("cpu") ? fromEnv : [...fromEnv, "cpu"];
  return cudaInstalled ? ["cuda", "cpu"] : ["cpu"];
}

async function openOnnx(modelDir: string, spec: ModelInputSpec, options: OpenEngineOptions): Promise<OnnxEngine> {
  const load = loadOrt();
  if (!load.ok) throw new Error(load.reason);
  const shape = { size: spec.preprocess.size, channels: spec.channels, outputs: spec.labels.length };
  const file = join(modelDir, ONNX_MODEL_FILE);
  const providers = options.providers ?? defaultProviders(load.cudaInstalled);
  try {
    return await OnnxEngine.open(load.ort, file, shape, { providers, threads: options.threads, version: load.version });
  } catch (error) {
    if (providers.every((p) => p === "cpu")) throw error;
    // A GPU provider that cannot start (missing CUDA 12 / cuDNN 9 libraries) must not stop predictions.
    const engine = await OnnxEngine.open(load.ort, file, shape, { providers: ["cpu"], threads: options.threads, version: load.version });
    engine.info.notes.push(`providers [${providers.join(", ")}] failed, running on the CPU: ${errorMessage(error)}`);
    return engine;
  }
}

async function openTfjs(modelDir: string, spec: ModelInputSpec, options: OpenEngineOptions, notes: string[]): Promise<InferenceEngine> {
  // Loaded here so that the ONNX path never loads TF.js.
  const [{ initBackend }, { loadModel }, { TfjsEngine }] = await Promise.all([import("../tf/backend"), import("../models/io"), import("./tfjs-engine")]);
  const backend = await initBackend({ prefer: options.backend ?? "auto" });
  const tf = backend.tf;
  const model = await loadModel(tf, modelDir);
  return new TfjsEngine(tf, model, { size: spec.preprocess.size, channels: spec.channels }, { name: "tfjs", device: `${backend.backend}: ${backend.device}`, notes, warnings: backend.warnings });
}

/**
 * Opens the engine that will run the model in `modelDir` (which holds model.json, ich-input.json
 * and usually model.onnx). `engine: "onnx"` fails, naming the reason, when ONNX Runtime cannot run it.
 */
export async function openEngine(modelDir: string, spec: ModelInputSpec, options: OpenEngineOptions = {}): Promise<InferenceEngine> {
  const choice = options.engine ?? engineFromEnvironment();
  if (!isEngineChoice(choice)) throw new Error(`unknown engine "${String(choice)}": expected auto, onnx or tfjs`);
  if (choice === "tfjs") return openTfjs(modelDir, spec, options, []);
  const problem = onnxFileProblem(modelDir);
  if (choice === "onnx") {
    if (problem) throw new Error(`--engine onnx: ${problem}`);
    return openOnnx(modelDir, spec, options);
  }
  if (problem) return openTfjs(modelDir, spec, options, [`TF.js instead of ONNX Runtime: ${problem}`]);
  try {
    return await openOnnx(modelDir, spec, options);
  } catch (error) {
    return openTfjs(modelDir, spec, options, [`TF.js instead of ONNX Runtime: ${errorMessage(error)}`]);
  }
}
