// Loads onnxruntime-node on first use (a native addon: `ich info` or a TF.js-only run never pays
// for it) and says what it offers. A copy installed by ICH: Set Up GPU Backend (with the CUDA 12
// execution provider) in $ICH_NATIVE_MODULES wins over the CPU build beside the engine.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { localRequire } from "../tf/native-packages";

export type Ort = typeof import("onnxruntime-node");

export type OrtLoad =
  | { ok: true; ort: Ort; version: string; path: string; providers: { name: string; bundled: boolean }[]; cudaInstalled: boolean }
  | { ok: false; reason: string };

let cached: OrtLoad | undefined;

/** Folders beside the engine's own node_modules where onnxruntime-node may be installed. */
export function nativeModuleFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.ICH_NATIVE_MODULES ?? "").split(delimiter).filter(Boolean);
}

function candidates(extraPaths: readonly string[]): string[] {
  const found: string[] = [];
  for (const folder of extraPaths) {
    try {
      found.push(localRequire.resolve("onnxruntime-node", { paths: [folder] }));
    } catch {
      // not installed there
    }
  }
  try {
    found.push(localRequire.resolve("onnxruntime-node"));
  } catch {
    // not installed beside the engine
  }
  return [...new Set(found)];
}

/** The folder holding onnxruntime_binding.node for this platform (where the CUDA EP library goes too). */
export function ortBinaryFolder(entry: string): string {
  let dir = dirname(entry);
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "bin", "napi-v6", process.platform, process.arch);
}

/** Whether onnxruntime-node's CUDA 12 provider library was installed beside its binding. */
export function cudaProviderInstalled(binaryFolder: string): boolean {
  const name = process.platform === "win32" ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";
  return existsSync(join(binaryFolder, name));
}

/** Requires onnxruntime-node once; never throws: a missing or broken install becomes `reason`. */
export function loadOrt(extraPaths: readonly string[] = nativeModuleFolders()): OrtLoad {
  if (cached) return cached;
  const tried: string[] = [];
  for (const entry of candidates(extraPaths)) {
    try {
      const ort = localRequire(entry) as Ort;
      const providers = ort.listSupportedBackends?.() ?? [{ name: "cpu", bundled: true }];
      const version = ort.env.versions.node ?? ort.env.versions.common;
      cached = { ok: true, ort, version, path: entry, providers, cudaInstalled: cudaProviderInstalled(ortBinaryFolder(entry)) };
      return cached;
    } catch (error) {
      tried.push(`${entry}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
  cached = { ok: false, reason: tried.length === 0 ? "onnxruntime-node is not installed" : `onnxruntime-node does not load (${tried.join("; ")})` };
  return cached;
}

/** Intra-op threads: every core this process may use. */
export function intraOpThreads(): number {
  return Math.max(1, availableParallelism());
}
