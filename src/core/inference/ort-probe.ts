// What `ich backend` reports about ONNX Runtime: whether it loads, its providers, the CUDA 12
// requirements, and — by running a tiny probe graph with ORT's profiler on — which provider
// really ran it (not which one was asked for).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveWindows } from "../data/windows";
import { LABELS } from "../../shared/labels";
import { modelToOnnx } from "../onnx/export";
import type { Tf } from "../train/tf-types";
import { OnnxEngine } from "./onnx-engine";
import { intraOpThreads, loadOrt } from "./ort";
import { checkOrtGpu, type OrtGpuCheck } from "./ort-gpu";
import { errorMessage } from "../../shared/errors";

export interface OrtReport {
  available: boolean;
  /** Why it is not available. */
  reason?: string;
  version?: string;
  /** Where onnxruntime-node was loaded from. */
  path?: string;
  /** Providers this onnxruntime-node build knows (bundled: shipped in the npm package). */
  providers?: { name: string; bundled: boolean }[];
  cudaProviderInstalled?: boolean;
  threads?: number;
  gpu?: OrtGpuCheck;
  /** The probe graph's run: providers requested, providers its nodes ran on (ORT profile), notes. */
  probe?: { requested: string[]; used: string[] | null; device: string; notes: string[] } | { error: string };
}

function commandOutput(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 });
  } catch {
    return undefined;
  }
}

/** The machine's side of the CUDA 12 check (driver, libraries); injectable sources live in ort-gpu.ts. */
export function machineOrtGpuCheck(providerInstalled: boolean): OrtGpuCheck {
  return checkOrtGpu({
    nvidiaSmi: commandOutput("nvidia-smi", ["--query-gpu=name,driver_version", "--format=csv,noheader"]),
    ldLibraryPath: process.env.LD_LIBRARY_PATH ?? "",
    ldconfig: commandOutput("/sbin/ldconfig", ["-p"]) ?? commandOutput("ldconfig", ["-p"]) ?? "",
    providerInstalled,
  });
}

export async function probeOrt(tf: Tf): Promise<OrtReport> {
  const load = loadOrt();
  if (!load.ok) return { available: false, reason: load.reason };
  const report: OrtReport = {
    available: true, version: load.version, path: load.path, providers: load.providers,
    cudaProviderInstalled: load.cudaInstalled, threads: intraOpThreads(), gpu: machineOrtGpuCheck(load.cudaInstalled),
  };
  const dir = mkdtempSync(join(tmpdir(), "ich-ort-probe-"));
  const size = 8;
  const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [size, size, 3], filters: 4, kernelSize: 3, activation: "relu" }), tf.layers.flatten(), tf.layers.dense({ units: LABELS.length, activation: "sigmoid" })] });
  const requested = load.cudaInstalled ? ["cuda", "cpu"] : ["cpu"];
  try {
    const file = join(dir, "probe.onnx");
    const preprocess = { size, windows: resolveWindows(["brain", "subdural", "bone"]), context: 0, rsnaFix: true };
    writeFileSync(file, modelToOnnx(tf, model, { runId: "probe", architecture: "probe", labels: [...LABELS], preprocess, channels: 3, sourceKind: "dicom" }));
    let engine: OnnxEngine;
    const notes: string[] = [];
    try {
      const input = { size, channels: 3, outputs: LABELS.length };
      engine = await OnnxEngine.open(load.ort, file, input, { providers: requested, verifyProviders: true, version: load.version });
    } catch (error) {
      if (requested.length === 1) throw error;
      notes.push(`CUDA provider failed to start: ${errorMessage(error)}`);
      engine = await OnnxEngine.open(load.ort, file, { size, channels: 3, outputs: LABELS.length }, { providers: ["cpu"], verifyProviders: true, version: load.version });
    }
    await engine.predict(new Float32Array(size * size * 3).fill(0.5), 1, false);
    report.probe = { requested, used: engine.info.usedProviders ?? null, device: engine.info.device, notes: [...notes, ...engine.info.notes] };
    await engine.dispose();
  } catch (error) {
    report.probe = { error: errorMessage(error) };
  } finally {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}
