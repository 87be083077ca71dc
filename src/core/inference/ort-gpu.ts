// ONNX Runtime on an NVIDIA GPU, honestly: what the CUDA 12 execution provider needs on this
// machine (driver, CUDA 12 runtime, cuDNN 9), and which providers a session's nodes really ran on
// (ORT's own profile of a run lists the provider of every node; asking for CUDA proves nothing,
// since ORT falls back to the CPU node by node).
import { findSharedLibrary } from "../tf/cuda-probe";

/** Shared libraries the CUDA 12 execution provider of onnxruntime-node 1.2x loads. */
export const ORT_CUDA_LIBRARIES = [
  { soname: "libcudart.so.12", what: "CUDA 12 runtime" },
  { soname: "libcublasLt.so.12", what: "cuBLAS 12 (CUDA 12 toolkit)" },
  { soname: "libcudnn.so.9", what: "cuDNN 9" },
] as const;

export interface OrtGpuSources {
  /** `nvidia-smi --query-gpu=name,driver_version --format=csv,noheader` output; undefined when it is missing or failed. */
  nvidiaSmi: string | undefined;
  ldLibraryPath: string;
  /** `ldconfig -p` output ("" when unavailable). */
  ldconfig: string;
  /** Whether onnxruntime-node's CUDA provider library is installed beside its binding. */
  providerInstalled: boolean;
}

export interface OrtGpuCheck {
  gpus: string[];
  driver: string | undefined;
  libraries: Record<string, string | undefined>;
  /** Everything that is missing, each naming what it is and how it shows ("" when ready). */
  missing: string[];
  ready: boolean;
}

export function checkOrtGpu(s: OrtGpuSources): OrtGpuCheck {
  const rows = (s.nvidiaSmi ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
  const gpus = rows.map((r) => r.split(",")[0].trim());
  const driver = rows[0]?.split(",")[1]?.trim() || undefined;
  const missing: string[] = [];
  if (s.nvidiaSmi === undefined) missing.push("NVIDIA driver (nvidia-smi is missing or failed)");
  else if (gpus.length === 0) missing.push("an NVIDIA GPU (nvidia-smi lists none)");
  const libraries: Record<string, string | undefined> = {};
  for (const lib of ORT_CUDA_LIBRARIES) {
    libraries[lib.soname] = findSharedLibrary(lib.soname, s.ldLibraryPath, s.ldconfig);
    if (!libraries[lib.soname]) missing.push(`${lib.what} (${lib.soname} not in LD_LIBRARY_PATH or the ldconfig cache)`);
  }
  if (!s.providerInstalled) missing.push("onnxruntime-node's CUDA provider (libonnxruntime_providers_cuda.so; install with ICH: Set Up GPU Backend)");
  return { gpus, driver, libraries, missing, ready: missing.length === 0 };
}

/**
 * Providers that ran the graph's nodes, from an ORT profile (Chrome trace JSON: one "Node" event
 * per kernel run, with args.provider). Returns node counts per provider, e.g. {CPUExecutionProvider: 15}.
 */
export function providersInProfile(profileJson: string): Record<string, number> {
  const events = JSON.parse(profileJson) as { cat?: string; args?: { provider?: string } }[];
  if (!Array.isArray(events)) throw new Error("ONNX Runtime profile: expected a JSON array of trace events");
  const counts: Record<string, number> = {};
  for (const e of events) {
    const provider = e.cat === "Node" ? e.args?.provider : undefined;
    if (provider) counts[provider] = (counts[provider] ?? 0) + 1;
  }
  return counts;
}

/** ORT's provider names ("cuda") → the names its profile uses ("CUDAExecutionProvider"). */
export function profileProviderName(name: string): string {
  const known: Record<string, string> = { cpu: "CPUExecutionProvider", cuda: "CUDAExecutionProvider", tensorrt: "TensorrtExecutionProvider", webgpu: "WebGpuExecutionProvider", dml: "DmlExecutionProvider" };
  return known[name] ?? name;
}
