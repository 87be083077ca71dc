// Is a CUDA GPU usable by tfjs-node-gpu 4.x? It loads libtensorflow 2.9, which needs CUDA 11
// (libcudart.so.11.0) and cuDNN 8 (libcudnn.so.8); with anything else TensorFlow silently runs on
// the CPU, so check before loading and again afterwards.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

export const REQUIRED_CUDA_LIBRARIES = ["libcudart.so.11.0", "libcudnn.so.8"] as const;

export interface CudaProbe {
  /** GPU model names found (empty when the NVIDIA driver reports none). */
  gpus: string[];
  /** Library name → where the dynamic loader would find it, or undefined. */
  libraries: Record<string, string | undefined>;
}

export interface CudaProbeSources {
  nvidiaProcDir?: string;
  devDir?: string;
  ldLibraryPath?: string;
  ldconfigOutput?: string;
}

export function probeCuda(sources: CudaProbeSources = {}): CudaProbe {
  const gpus = listNvidiaGpus(sources.nvidiaProcDir ?? "/proc/driver/nvidia/gpus", sources.devDir ?? "/dev");
  const ldLibraryPath = sources.ldLibraryPath ?? process.env.LD_LIBRARY_PATH ?? "";
  const ldconfigOutput = sources.ldconfigOutput ?? readLdconfigCache();
  const libraries: Record<string, string | undefined> = {};
  for (const name of REQUIRED_CUDA_LIBRARIES) libraries[name] = findSharedLibrary(name, ldLibraryPath, ldconfigOutput);
  return { gpus, libraries };
}

export function missingCudaLibraries(probe: CudaProbe): string[] {
  return Object.entries(probe.libraries)
    .filter(([, path]) => path === undefined)
    .map(([name]) => name);
}

function listNvidiaGpus(procDir: string, devDir: string): string[] {
  if (existsSync(procDir)) {
    const names: string[] = [];
    for (const bus of safeReaddir(procDir)) {
      const info = safeRead(join(procDir, bus, "information"));
      const model = /^Model:\s*(.+)$/m.exec(info ?? "")?.[1]?.trim();
      names.push(model ?? `NVIDIA GPU ${bus}`);
    }
    if (names.length > 0) return names;
  }
  return safeReaddir(devDir)
    .filter((name) => /^nvidia\d+$/.test(name))
    .map((name) => `NVIDIA GPU (/dev/${name})`);
}

/** Finds `name` the way the dynamic loader would: LD_LIBRARY_PATH first, then the ld.so cache. */
export function findSharedLibrary(name: string, ldLibraryPath: string, ldconfigOutput: string): string | undefined {
  for (const dir of ldLibraryPath.split(delimiter).filter(Boolean)) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  for (const line of ldconfigOutput.split("\n")) {
    const match = /^\s*(\S+)\s+\(.*\)\s+=>\s+(\S+)\s*$/.exec(line);
    if (match && match[1] === name) return match[2];
  }
  return undefined;
}

function readLdconfigCache(): string {
  for (const command of ["/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"]) {
    try {
      return execFileSync(command, ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 });
    } catch {
      // try the next location
    }
  }
  return "";
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
