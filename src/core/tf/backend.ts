// Picks the TF.js compute backend at run time: tfjs-node-gpu (CUDA) → tfjs-node → WASM (SIMD).
// The native packages are optional and usually absent; every failure becomes a warning.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as tfWasm from "@tensorflow/tfjs-backend-wasm";
import type { BackendChoice } from "../experiment/types";
import { BACKEND_CHOICES } from "./backend-choices";
import { missingCudaLibraries, probeCuda, type CudaProbe } from "./cuda-probe.js";
import { registerWasmTrainingKernels } from "./wasm-kernels.js";
import { loadNativePackage, localRequire, type NativePackageName } from "./native-packages.js";

/** The experiment's `train.backend` values (same union as the schema). */
export type BackendPreference = BackendChoice;
export const BACKEND_PREFERENCES: readonly BackendPreference[] = BACKEND_CHOICES;

export interface BackendOptions {
  prefer?: BackendPreference;
  log?: (msg: string) => void;
  /**
   * Extra folders to look for @tensorflow/tfjs-node[-gpu] in (e.g. the extension's storage).
   * Default: $ICH_NATIVE_MODULES (path-delimiter separated), which the extension sets.
   */
  nativeModulePaths?: string[];
  /** Register the WASM gradient kernels needed for training (default true). */
  trainingKernels?: boolean;
  /** Overrides the CUDA probe (tests). */
  cudaProbe?: CudaProbe;
}

export interface BackendInfo {
  tf: typeof import("@tensorflow/tfjs");
  /** TF.js backend name: "tensorflow", "wasm" or "cpu". */
  backend: string;
  /** Human-readable device, e.g. "CPU (WASM SIMD, 1 thread)". */
  device: string;
  /** Package → version, including every entry of tf.version. */
  packages: Record<string, string>;
  warnings: string[];
  /** Kernels this engine registered over the backend's own (WASM training kernels). */
  replacedKernels: string[];
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendPreference,
    reason: string,
  ) {
    super(`Backend "${backend}" is unavailable: ${reason}`);
    this.name = "BackendUnavailableError";
  }
}

type Attempt = { ok: true; info: Omit<BackendInfo, "warnings" | "tf"> } | { ok: false; reason: string };

export async function initBackend(opts: BackendOptions = {}): Promise<BackendInfo> {
  const prefer = opts.prefer ?? "auto";
  if (!BACKEND_PREFERENCES.includes(prefer)) {
    throw new Error(`Unknown backend "${String(prefer)}": expected one of ${BACKEND_PREFERENCES.join(", ")}`);
  }
  const warnings: string[] = [];
  const warn = (msg: string) => {
    warnings.push(msg);
    opts.log?.(`warning: ${msg}`);
  };
  const steps: Exclude<BackendPreference, "auto">[] = prefer === "auto" ? ["tensorflow-gpu", "tensorflow", "wasm"] : [prefer];
  for (const step of steps) {
    const attempt = await tryBackend(step, opts, warn);
    if (attempt.ok) {
      opts.log?.(`backend: ${attempt.info.backend} on ${attempt.info.device}`);
      return { tf, ...attempt.info, warnings };
    }
    if (prefer !== "auto") throw new BackendUnavailableError(prefer, attempt.reason);
    warn(attempt.reason);
  }
  throw new Error(`No TF.js backend could be initialised: ${warnings.join("; ")}`);
}

async function tryBackend(
  step: Exclude<BackendPreference, "auto">,
  opts: BackendOptions,
  warn: (msg: string) => void,
): Promise<Attempt> {
  switch (step) {
    case "tensorflow-gpu":
      return tryTensorflowGpu(opts, warn);
    case "tensorflow":
      return tryNative("@tensorflow/tfjs-node", opts);
    case "wasm":
      return tryWasm(opts);
    case "cpu":
      await tf.setBackend("cpu");
      await tf.ready();
      return { ok: true, info: { backend: "cpu", device: "CPU (pure JavaScript)", packages: tfPackages(), replacedKernels: [] } };
  }
}

async function tryTensorflowGpu(opts: BackendOptions, warn: (msg: string) => void): Promise<Attempt> {
  const probe = opts.cudaProbe ?? probeCuda();
  if (probe.gpus.length === 0) {
    return { ok: false, reason: "@tensorflow/tfjs-node-gpu skipped: no NVIDIA GPU found (no /proc/driver/nvidia/gpus entry or /dev/nvidia*)" };
  }
  const missing = missingCudaLibraries(probe);
  if (missing.length > 0) {
    return {
      ok: false,
      reason:
        `@tensorflow/tfjs-node-gpu skipped: ${missing.join(" and ")} not found in LD_LIBRARY_PATH or the ldconfig cache ` +
        `(TF.js 4.x needs CUDA 11.x and cuDNN 8; with other versions TensorFlow runs on the CPU)`,
    };
  }
  const attempt = await tryNative("@tensorflow/tfjs-node-gpu", opts);
  if (!attempt.ok) return attempt;
  const usingGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  if (usingGpu) {
    return { ok: true, info: { ...attempt.info, device: `GPU (${probe.gpus[0]}, ${attempt.info.device.replace(/^CPU \(|\)$/g, "")})` } };
  }
  // The GPU build is loaded and works, but TensorFlow registered no GPU device: say so, and do not
  // load tfjs-node next to it (two libtensorflow builds in one process).
  warn("@tensorflow/tfjs-node-gpu loaded but TensorFlow registered no GPU device (CUDA/cuDNN version mismatch?): running on the CPU");
  if (opts.prefer === "tensorflow-gpu") {
    return { ok: false, reason: "@tensorflow/tfjs-node-gpu loaded but TensorFlow registered no GPU device" };
  }
  return attempt;
}

async function tryNative(name: NativePackageName, opts: BackendOptions): Promise<Attempt> {
  const extraPaths = opts.nativeModulePaths ?? (process.env.ICH_NATIVE_MODULES ?? "").split(delimiter).filter(Boolean);
  const loaded = loadNativePackage(name, extraPaths);
  if (!loaded.ok) {
    const hint = loaded.installed ? "" : ` — install it with \`npm install ${name}\` (downloads libtensorflow; needs network)`;
    return { ok: false, reason: loaded.reason + hint };
  }
  try {
    if (!(await tf.setBackend("tensorflow"))) return { ok: false, reason: `${name} loaded but the "tensorflow" backend failed to initialise` };
    await tf.ready();
  } catch (error) {
    return { ok: false, reason: `${name} loaded but the "tensorflow" backend failed: ${(error as Error).message}` };
  }
  const binding = (tf.backend() as { binding?: { TF_Version?: string } }).binding;
  const tensorflowVersion = binding?.TF_Version;
  const packages = { ...tfPackages(), [name.replace("@tensorflow/", "")]: loaded.version };
  if (tensorflowVersion) packages.libtensorflow = tensorflowVersion;
  const device = `CPU (TensorFlow ${tensorflowVersion ?? "native"} via ${name})`;
  return { ok: true, info: { backend: "tensorflow", device, packages, replacedKernels: [] } };
}

let wasmBinaryRead: string | undefined;
let wasmPathsSet = false;

async function tryWasm(opts: BackendOptions): Promise<Attempt> {
  if (!wasmPathsSet) {
    const folder = findWasmFolder();
    if (folder === undefined) return { ok: false, reason: "the TF.js WASM binaries (tfjs-backend-wasm*.wasm) were not found" };
    tfWasm.setWasmPaths(`${folder}/`);
    wasmPathsSet = true;
  }
  try {
    const ok = await observeWasmBinary(() => tf.setBackend("wasm"));
    if (!ok) return { ok: false, reason: "the WASM backend failed to initialise" };
    await tf.ready();
  } catch (error) {
    return { ok: false, reason: `the WASM backend failed: ${(error as { message?: string }).message ?? String(error)}` };
  }
  const simd = wasmBinaryRead !== undefined ? basename(wasmBinaryRead).includes("simd") : Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  const threads = tfWasm.getThreadsCount();
  const replacedKernels = opts.trainingKernels === false ? [] : registerWasmTrainingKernels(tf);
  return {
    ok: true,
    info: {
      backend: "wasm",
      device: `CPU (WASM${simd ? " SIMD" : ""}, ${threads} thread${threads === 1 ? "" : "s"})`,
      packages: { ...tfPackages(), "tfjs-backend-wasm": tfWasm.version_wasm },
      replacedKernels,
    },
  };
}

/** The .wasm files sit beside the bundle (dist/wasm, copied by scripts/build.mjs) or in the package. */
function findWasmFolder(): string | undefined {
  const candidates = [join(dirname(__filename), "wasm")];
  try {
    candidates.push(dirname(localRequire.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")));
  } catch {
    // package layout without the dist folder: only the bundle copy can work
  }
  return candidates.find((dir) => existsSync(join(dir, "tfjs-backend-wasm-simd.wasm")) && existsSync(join(dir, "tfjs-backend-wasm.wasm")));
}

/** Emscripten reads the binary with fs.readFileSync in Node: watch it to report which build really loaded. */
async function observeWasmBinary<T>(run: () => Promise<T>): Promise<T> {
  const fs = createRequire(__filename)("fs") as typeof import("fs");
  const original = fs.readFileSync;
  const spy = function (this: unknown, ...args: Parameters<typeof original>) {
    const path = String(args[0]);
    if (path.endsWith(".wasm")) wasmBinaryRead = path;
    return original.apply(this, args);
  } as typeof original;
  fs.readFileSync = spy;
  try {
    return await run();
  } finally {
    if (fs.readFileSync === spy) fs.readFileSync = original;
  }
}

function tfPackages(): Record<string, string> {
  const packages: Record<string, string> = {};
  for (const [name, version] of Object.entries(tf.version)) if (typeof version === "string") packages[name] = version;
  return packages;
}
