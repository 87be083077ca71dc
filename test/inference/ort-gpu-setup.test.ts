// ICH: Set Up GPU Backend's ONNX Runtime part, judged on `ich backend --json` outputs (fakes: no GPU here).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BackendProbe } from "../../src/extension/logic/backendReport";
import { backendReportMarkdown } from "../../src/extension/logic/backendReport";
import { explainOrtInstallFailure, ortCudaInstall, ortCudaVerdict } from "../../src/extension/logic/ortGpuSetup";

const missingAll = ["NVIDIA driver (nvidia-smi is missing or failed)", "CUDA 12 runtime (libcudart.so.12 not in LD_LIBRARY_PATH or the ldconfig cache)", "cuDNN 9 (libcudnn.so.9 not in LD_LIBRARY_PATH or the ldconfig cache)"];

function probe(onnx: NonNullable<BackendProbe["engine"]>["onnx"]): BackendProbe {
  return { backend: "wasm", device: "CPU (WASM SIMD, 1 thread)", gpu: false, versions: {}, warnings: [], engine: { default: "onnx", onnx } };
}

describe("ONNX Runtime CUDA setup", () => {
  it("installs with onnxruntime-node's own flag, which the install script reads before npm config", () => {
    const install = ortCudaInstall("1.30.0");
    expect(install.spec).toBe("onnxruntime-node@1.30.0");
    expect(install.env.ONNXRUNTIME_NODE_INSTALL).toBe("cuda12");
    // the flag name and value are the ones onnxruntime-node's script understands
    const utils = readFileSync(join(__dirname, "../../node_modules/onnxruntime-node/script/install-utils.js"), "utf8");
    expect(utils).toMatch(/let flag = process\.env\.ONNXRUNTIME_NODE_INSTALL \|\| process\.env\.npm_config_onnxruntime_node_install;/);
    expect(utils).toContain("--onnxruntime-node-install=");
    const metadata = readFileSync(join(__dirname, "../../node_modules/onnxruntime-node/script/install-metadata.js"), "utf8");
    expect(metadata).toContain("cuda12");
  });

  it("says GPU only when the probe's nodes ran on the CUDA provider", () => {
    const base = { available: true, version: "1.30.0", cudaProviderInstalled: true, threads: 2 };
    const ran = ortCudaVerdict(probe({ ...base, gpu: { missing: [], ready: true }, probe: { requested: ["cuda", "cpu"], used: ["CUDAExecutionProvider", "CPUExecutionProvider"], device: "CUDAExecutionProvider (40 nodes) + CPUExecutionProvider (3 nodes)", notes: [] } }));
    expect(ran.onGpu).toBe(true);
    const fellBack = ortCudaVerdict(probe({ ...base, gpu: { missing: missingAll.slice(2), ready: false }, probe: { requested: ["cuda", "cpu"], used: ["CPUExecutionProvider"], device: "CPUExecutionProvider (5 nodes)", notes: ["providers [cuda, cpu] failed, running on the CPU: libcudnn.so.9: cannot open shared object file"] } }));
    expect(fellBack.onGpu).toBe(false);
    expect(fellBack.message).toContain("CUDA was requested but the probe ran on CPUExecutionProvider (missing: cuDNN 9 (libcudnn.so.9");
    const notDownloaded = ortCudaVerdict(probe({ ...base, cudaProviderInstalled: false, gpu: { missing: missingAll, ready: false } }));
    expect(notDownloaded.onGpu).toBe(false);
    expect(notDownloaded.message).toContain("its download did not happen");
    expect(ortCudaVerdict(probe({ available: false, reason: "onnxruntime-node is not installed" })).message).toContain("does not load: onnxruntime-node is not installed");
    expect(ortCudaVerdict(undefined).onGpu).toBe(false);
  });

  it("tells an offline install from other failures, and that the CPU engine keeps working", () => {
    expect(explainOrtInstallFailure("npm ERR! code ENOTFOUND\nnpm ERR! getaddrinfo ENOTFOUND registry.npmjs.org")).toMatch(/offline\. Predictions keep running on the CPU/);
    expect(explainOrtInstallFailure("Failed to download https://api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/1.30.0")).toContain("NuGet");
    expect(explainOrtInstallFailure("something else")).toContain("see the log above");
  });

  it("Show Backend Info lists the prediction engine, what ONNX Runtime ran on and what CUDA 12 lacks", () => {
    const markdown = backendReportMarkdown(probe({ available: true, version: "1.30.0", threads: 2, providers: [{ name: "cpu", bundled: true }, { name: "cuda", bundled: false }], cudaProviderInstalled: false, gpu: { missing: missingAll, ready: false }, probe: { requested: ["cpu"], used: ["CPUExecutionProvider"], device: "CPUExecutionProvider (5 nodes)", notes: [] } }), "auto", "/usr/bin/node", undefined);
    expect(markdown).toContain("| Prediction engine (`ich predict`, preview, triage, `ich eval`) | **ONNX Runtime**");
    expect(markdown).toContain("| ONNX Runtime ran on | CPUExecutionProvider (requested cpu) |");
    expect(markdown).toContain("| ONNX Runtime CUDA 12 | missing: NVIDIA driver (nvidia-smi is missing or failed); CUDA 12 runtime");
  });
});
