// Decides whether @tensorflow/tfjs-node-gpu 4.x can use a GPU here. It loads libtensorflow 2.9,
// which needs CUDA 11.2 + cuDNN 8.1; with only CUDA 12 it silently falls back to the CPU.
export const REQUIRED_CUDA_LIBRARIES = [
  { soname: "libcudart.so.11.0", what: "CUDA 11.x runtime", how: "install the CUDA 11.2 toolkit/runtime (e.g. NVIDIA's cuda-cudart-11-2 package) and make sure ldconfig sees it" },
  { soname: "libcudnn.so.8", what: "cuDNN 8", how: "install cuDNN 8.1 for CUDA 11.x (NVIDIA's libcudnn8 package) and run ldconfig" },
] as const;

export interface GpuCheckInput {
  /** stdout of `nvidia-smi --query-gpu=name,driver_version --format=csv,noheader`, undefined when it could not run. */
  nvidiaSmi: string | undefined;
  /** stdout of `ldconfig -p`, undefined when it could not run. */
  ldconfig: string | undefined;
  /** Extra directories from LD_LIBRARY_PATH already checked for the sonames (names found there). */
  foundInLibraryPath: string[];
}

export interface GpuCheckResult {
  gpus: string[];
  missing: { soname: string; what: string; how: string }[];
  /** The package to install: -gpu only when a GPU and every library are present. */
  packageName: "@tensorflow/tfjs-node-gpu" | "@tensorflow/tfjs-node";
  summary: string[];
}

export function parseNvidiaSmi(output: string | undefined): string[] {
  if (!output) return [];
  return output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^(No devices|NVIDIA-SMI has failed)/i.test(line));
}

export function librariesInLdconfig(output: string | undefined): Set<string> {
  const found = new Set<string>();
  if (!output) return found;
  for (const line of output.split(/\r?\n/)) {
    const match = /^\s*(\S+)\s+\(/.exec(line);
    if (match) found.add(match[1]);
  }
  return found;
}

export function checkGpuRequirements(input: GpuCheckInput): GpuCheckResult {
  const gpus = parseNvidiaSmi(input.nvidiaSmi);
  const libraries = librariesInLdconfig(input.ldconfig);
  for (const name of input.foundInLibraryPath) libraries.add(name);
  const missing = REQUIRED_CUDA_LIBRARIES.filter((lib) => !libraries.has(lib.soname)).map((lib) => ({ ...lib }));
  const summary: string[] = [];
  if (gpus.length === 0) {
    summary.push(
      input.nvidiaSmi === undefined
        ? "No NVIDIA GPU found: `nvidia-smi` is not available (no NVIDIA driver installed)."
        : "No NVIDIA GPU found: `nvidia-smi` lists no device.",
    );
  } else {
    summary.push(`NVIDIA GPU: ${gpus.join("; ")}`);
  }
  for (const lib of missing) summary.push(`Missing ${lib.soname} (${lib.what}): ${lib.how}.`);
  const gpuUsable = gpus.length > 0 && missing.length === 0;
  summary.push(
    gpuUsable
      ? "Installing @tensorflow/tfjs-node-gpu (libtensorflow 2.9, CUDA 11.2 + cuDNN 8.1)."
      : "Installing the CPU build @tensorflow/tfjs-node instead: tfjs-node-gpu would run on the CPU here.",
  );
  return { gpus, missing, packageName: gpuUsable ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node", summary };
}

/** Explains an npm failure; the registry may be unreachable or libtensorflow's download blocked. */
export function explainInstallFailure(log: string): string {
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(log)) {
    return "The install needs network access (npm registry and libtensorflow's download from storage.googleapis.com); this machine appears to be offline.";
  }
  if (/storage\.googleapis\.com|libtensorflow/i.test(log)) {
    return "The package installed but its install script could not download libtensorflow (storage.googleapis.com unreachable).";
  }
  return "npm install failed; see the log above for the reason.";
}
