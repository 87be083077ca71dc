// ONNX Runtime's CUDA 12 execution provider for ICH: Set Up GPU Backend: how it is installed
// (onnxruntime-node's own install flag, which downloads the provider libraries from NuGet) and how
// its result is judged — by the providers a probe graph really ran on, not by what was requested.
import type { BackendProbe } from "./backendReport";

/**
 * npm arguments and environment that make onnxruntime-node's install script fetch the CUDA 12
 * provider. The environment variable wins over npm config (node_modules/onnxruntime-node/script/
 * install-utils.js reads ONNXRUNTIME_NODE_INSTALL first), so a project .npmrc that says "skip"
 * (ours does, for offline `npm ci`) cannot silently turn the download off.
 */
export function ortCudaInstall(version: string): { spec: string; args: string[]; env: Record<string, string> } {
  return { spec: `onnxruntime-node@${version}`, args: ["--onnxruntime-node-install=cuda12"], env: { ONNXRUNTIME_NODE_INSTALL: "cuda12" } };
}

/** Explains a failed install: offline (npm registry or NuGet unreachable) or something else. */
export function explainOrtInstallFailure(log: string): string {
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|getaddrinfo|network/i.test(log)) {
    return "The install needs network access (the npm registry, and api.nuget.org for the CUDA provider libraries); this machine appears to be offline. Predictions keep running on the CPU.";
  }
  if (/nuget|Failed to download|providers_cuda/i.test(log)) {
    return "onnxruntime-node installed but its script could not download the CUDA provider libraries from NuGet. Predictions keep running on the CPU.";
  }
  return "npm install failed; see the log above. Predictions keep running on the CPU.";
}

export interface OrtCudaVerdict {
  /** True only when the probe's nodes ran on the CUDA execution provider. */
  onGpu: boolean;
  message: string;
}

/** Reads `ich backend --json` (run with the new install on ICH_NATIVE_MODULES) and says what really happened. */
export function ortCudaVerdict(probe: BackendProbe | undefined): OrtCudaVerdict {
  const onnx = probe?.engine?.onnx;
  if (!onnx) return { onGpu: false, message: "the engine did not report ONNX Runtime (is it older than this extension?)" };
  if (!onnx.available) return { onGpu: false, message: `ONNX Runtime does not load: ${onnx.reason ?? "unknown reason"}` };
  if (!onnx.cudaProviderInstalled) return { onGpu: false, message: "the CUDA provider library (libonnxruntime_providers_cuda.so) is not there: its download did not happen" };
  const missing = (onnx.gpu?.missing ?? []).filter((m) => !m.includes("providers_cuda"));
  if (!onnx.probe || "error" in onnx.probe) return { onGpu: false, message: `the probe failed: ${onnx.probe && "error" in onnx.probe ? onnx.probe.error : "no probe ran"}` };
  const used = onnx.probe.used ?? [];
  if (used.includes("CUDAExecutionProvider")) return { onGpu: true, message: `ONNX Runtime ran the probe on ${onnx.probe.device}` };
  const why = missing.length > 0 ? `missing: ${missing.join("; ")}` : onnx.probe.notes.join("; ") || "ORT gave no reason";
  return { onGpu: false, message: `CUDA was requested but the probe ran on ${used.join(", ") || "no provider"} (${why}); predictions run on the CPU` };
}
