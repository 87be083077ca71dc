// Engine building blocks: the TTA mirror, batch prefetching while the engine runs, ORT's profile
// as the proof of which provider ran, and the CUDA 12 requirement check (fakes: no GPU here).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BatchResult, BatchTask } from "../../src/core/data/batch-task";
import type { LoaderPool } from "../../src/core/data/loader-pool";
import type { Sample } from "../../src/core/data/sample";
import { flipHorizontal } from "../../src/core/inference/engine";
import { GRAPH_INPUT, GRAPH_OUTPUT, OnnxEngine } from "../../src/core/inference/onnx-engine";
import { loadOrt } from "../../src/core/inference/ort";
import { checkOrtGpu, providersInProfile } from "../../src/core/inference/ort-gpu";
import { ONNX_INPUT, ONNX_OUTPUT, modelToOnnx } from "../../src/core/onnx/export";
import { inferWithEngine } from "../../src/core/predict/infer";
import { LABELS } from "../../src/shared/labels";
import { initBackend } from "../../src/core/tf/backend";
import { resolveWindows } from "../../src/core/data/windows";

const root = mkdtempSync(join(tmpdir(), "ich-engine-units-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("flipHorizontal", () => {
  it("reverses the width axis of every row of every image, keeping channels together", () => {
    // 2 images, 2×3 pixels, 2 channels: value = image*100 + row*10 + column, channel c adds 0.5*c
    const n = 2, size = 3, channels = 2;
    const x = new Float32Array(n * size * size * channels);
    const at = (i: number, h: number, w: number, c: number) => ((i * size + h) * size + w) * channels + c;
    const each = (visit: (i: number, h: number, w: number, c: number) => void) => {
      for (let i = 0; i < n; i++) for (let h = 0; h < size; h++) for (let w = 0; w < size; w++) for (let c = 0; c < channels; c++) visit(i, h, w, c);
    };
    each((i, h, w, c) => (x[at(i, h, w, c)] = i * 100 + h * 10 + w + 0.5 * c));
    const y = flipHorizontal(x, n, size, channels);
    each((i, h, w, c) => expect(y[at(i, h, w, c)]).toBe(i * 100 + h * 10 + (size - 1 - w) + 0.5 * c));
  });
});

describe("inferWithEngine", () => {
  it("has the next batch being prepared while the engine runs the current one", async () => {
    const events: string[] = [];
    const pool = {
      run: async (task: BatchTask): Promise<BatchResult> => {
        const index = Number(task.samples[0].id);
        events.push(`prepare ${index}`);
        await new Promise((r) => setTimeout(r, 5));
        return { x: new Float32Array(task.samples.length * 4), y: new Float32Array(task.samples.length * LABELS.length), errors: task.samples.map(() => null) };
      },
    } as unknown as LoaderPool;
    const samples: Sample[] = Array.from({ length: 4 }, (_, i) => ({ id: String(i), patientId: "p", source: { kind: "dicom", file: `${i}.dcm` } }));
    let batch = 0;
    const engine = {
      predict: async (_x: Float32Array, n: number) => {
        events.push(`run ${batch} start`);
        await new Promise((r) => setTimeout(r, 20));
        events.push(`run ${batch++} end`);
        return new Float32Array(n * 6).fill(0.5);
      },
    };
    await inferWithEngine(engine, pool, samples, { preprocess: { size: 1, windows: resolveWindows(["brain"]), context: 0, rsnaFix: true }, channels: 4, batchSize: 1, outputs: 6, tta: false });
    // batch k+1 was requested before batch k's run ended
    for (let k = 0; k < 3; k++) expect(events.indexOf(`prepare ${k + 1}`)).toBeLessThan(events.indexOf(`run ${k} end`));
  });
});

describe("ONNX Runtime providers", () => {
  it("the graph names agree with the export contract", () => {
    expect([GRAPH_INPUT, GRAPH_OUTPUT]).toEqual([ONNX_INPUT, ONNX_OUTPUT]);
  });

  it("reads which provider ran each node from ORT's own profile of the first batch", async () => {
    const load = loadOrt();
    if (!load.ok) throw new Error(load.reason);
    const { tf } = await initBackend({ prefer: "wasm" });
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, activation: "relu" }), tf.layers.flatten(), tf.layers.dense({ units: 6, activation: "sigmoid" })] });
    const file = join(root, "probe.onnx");
    const bytes = modelToOnnx(tf, model, { runId: "probe", architecture: "probe", labels: [...LABELS], preprocess: { size: 8, windows: resolveWindows(["brain", "subdural", "bone"]), context: 0, rsnaFix: true }, channels: 3, sourceKind: "dicom" });
    writeFileSync(file, bytes);
    const engine = await OnnxEngine.open(load.ort, file, { size: 8, channels: 3, outputs: 6 }, { providers: ["cpu"], verifyProviders: true });
    expect(engine.info.usedProviders).toBeNull();
    const p = await engine.predict(new Float32Array(2 * 8 * 8 * 3).fill(0.25), 2, false);
    expect(p).toHaveLength(12);
    expect(engine.info.usedProviders).toEqual(["CPUExecutionProvider"]);
    expect(engine.info.device).toMatch(/^CPUExecutionProvider \(\d+ nodes\)/);
    await engine.dispose();
  });

  it("counts nodes per provider in a profile and notices a run that never reached the GPU", () => {
    const profile = JSON.stringify([
      { cat: "Session", name: "model_run", args: {} },
      { cat: "Node", name: "conv_kernel_time", args: { provider: "CUDAExecutionProvider" } },
      { cat: "Node", name: "relu_kernel_time", args: { provider: "CUDAExecutionProvider" } },
      { cat: "Node", name: "shape_kernel_time", args: { provider: "CPUExecutionProvider" } },
    ]);
    expect(providersInProfile(profile)).toEqual({ CUDAExecutionProvider: 2, CPUExecutionProvider: 1 });
    expect(() => providersInProfile('{"not": "a trace"}')).toThrow(/expected a JSON array/);
  });

  it("names each missing CUDA 12 requirement: driver, CUDA runtime, cuDNN 9, ORT's provider", () => {
    const none = checkOrtGpu({ nvidiaSmi: undefined, ldLibraryPath: "", ldconfig: "", providerInstalled: false });
    expect(none.ready).toBe(false);
    expect(none.missing.join("\n")).toMatch(/NVIDIA driver \(nvidia-smi is missing or failed\)/);
    expect(none.missing.join("\n")).toContain("CUDA 12 runtime (libcudart.so.12 not in LD_LIBRARY_PATH or the ldconfig cache)");
    expect(none.missing.join("\n")).toContain("cuDNN 9 (libcudnn.so.9");
    expect(none.missing.join("\n")).toContain("libonnxruntime_providers_cuda.so");
    const ldconfig = [
      "\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12",
      "\tlibcublasLt.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcublasLt.so.12",
      "\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8",
    ].join("\n");
    const oldCudnn = checkOrtGpu({ nvidiaSmi: "NVIDIA A10, 550.54.15\n", ldLibraryPath: "", ldconfig, providerInstalled: true });
    expect(oldCudnn.gpus).toEqual(["NVIDIA A10"]);
    expect(oldCudnn.driver).toBe("550.54.15");
    expect(oldCudnn.libraries["libcudart.so.12"]).toBe("/usr/local/cuda/lib64/libcudart.so.12");
    expect(oldCudnn.missing).toEqual([expect.stringContaining("cuDNN 9 (libcudnn.so.9")]);
    const ready = checkOrtGpu({ nvidiaSmi: "NVIDIA A10, 550.54.15\n", ldLibraryPath: "", ldconfig: `${ldconfig}\n\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9`, providerInstalled: true });
    expect(ready).toMatchObject({ ready: true, missing: [] });
    expect(checkOrtGpu({ nvidiaSmi: "", ldLibraryPath: "", ldconfig: "", providerInstalled: true }).missing[0]).toBe("an NVIDIA GPU (nvidia-smi lists none)");
  });
});
