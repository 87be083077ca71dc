// `ich train` on the ONNX Runtime engine: deterministic for a seed, the same first step as TF.js,
// exact resume from a checkpoint, progressive resizing, and the choice between the engines.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tfjs from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABELS } from "../../src/shared/labels";
import { RunStore, type MetricsLine } from "../../src/core/runs";
import { initBackend } from "../../src/core/tf/backend";
import { AdamW } from "../../src/core/train/adamw";
import { openStepRunner } from "../../src/core/train/step-runner";
import { train } from "../../src/core/train/train";
import { tinyConfig } from "./tiny-config";

const root = mkdtempSync(join(tmpdir(), "ich-onnx-train-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let tf: typeof tfjs;
beforeAll(async () => {
  tf = (await initBackend({ prefer: "wasm" })).tf;
});

function steps(dir: string): { loss: number; globalStep: number }[] {
  const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as MetricsLine);
  return lines.flatMap((m) => (m.kind === "step" ? [m] : []));
}

describe("training on the ONNX Runtime engine", () => {
  it("is deterministic for a seed (dropout masks included), computes the step TF.js computes, and learns", async () => {
    const store = new RunStore(join(root, "determinism"));
    const run = async (engine: "onnx" | "tfjs", dropout: number) => {
      const config = tinyConfig({ epochs: 3, engine });
      config.model.dropout = dropout;
      const result = await train({ config, runStore: store, loaderWorkers: 0, trainWorkers: 1 });
      expect(result.status).toBe("completed");
      return { losses: steps(result.runDir).map((s) => s.loss), record: await store.get(result.runId) };
    };
    const a = await run("onnx", 0.3);
    const b = await run("onnx", 0.3);
    expect(a.record.trainingEngine).toMatch(/^ONNX Runtime [\d.]+ on the CPU, \d+ threads?$/);
    expect(b.losses).toEqual(a.losses);
    expect(a.losses).toHaveLength(6);
    expect(a.losses[5]).toBeLessThan(a.losses[0]);
    // Without dropout both engines take the same steps from the same weights on the same batches
    // (float32 rounding drifts apart slowly: the first step agrees to 1e-4, the sixth to 1e-2).
    const onnx = await run("onnx", 0);
    const tfjsRun = await run("tfjs", 0);
    expect(tfjsRun.record.trainingEngine).toBe("TF.js wasm");
    onnx.losses.forEach((loss, i) => expect(Math.abs(loss - tfjsRun.losses[i]), `step ${i + 1}`).toBeLessThan((i === 0 ? 1e-4 : 1e-2) * tfjsRun.losses[i]));
  }, 180_000);

  it("resumes a cancelled run exactly where the uninterrupted run would be", async () => {
    const store = new RunStore(join(root, "resume"));
    const whole = await train({ config: tinyConfig({ epochs: 2, engine: "onnx" }), runStore: store, loaderWorkers: 0 });
    const controller = new AbortController();
    const first = await train({
      config: tinyConfig({ epochs: 2, engine: "onnx" }),
      runStore: store,
      loaderWorkers: 0,
      signal: controller.signal,
      onEvent: (e) => e.type === "step" && controller.abort(),
    });
    expect(first.status).toBe("cancelled");
    const resumed = await train({ config: tinyConfig({ epochs: 2, engine: "onnx" }), runStore: store, resumeRunId: first.runId, loaderWorkers: 0 });
    expect(resumed.status).toBe("completed");
    // Weights, batch-norm statistics and Adam moments went through the checkpoint: the same losses.
    const expected = steps(whole.runDir);
    const got = steps(resumed.runDir);
    expect(got.map((s) => s.globalStep)).toEqual(expected.map((s) => s.globalStep));
    got.forEach((s, i) => expect(s.loss, `step ${s.globalStep}`).toBeCloseTo(expected[i].loss, 5));
  }, 180_000);

  it("trains each progressive-resizing size with its own graph", async () => {
    const store = new RunStore(join(root, "resize"));
    const config = tinyConfig({ epochs: 2, engine: "onnx", progressiveResizing: [{ fromEpoch: 2, size: 40 }] });
    const result = await train({ config, runStore: store, loaderWorkers: 0 });
    expect(result.status).toBe("completed");
    expect(steps(result.runDir)).toHaveLength(4);
    const input = JSON.parse(readFileSync(join(store.paths(result.runId).modelDir, "ich-input.json"), "utf8")) as { preprocess: { size: number } };
    expect(input.preprocess.size).toBe([32, 40][result.best!.epoch - 1]);
  }, 180_000);

  describe("engine choice", () => {
    const dilatedModel = () => {
      const input = tf.input({ shape: [16, 16, 3] });
      const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, name: "dilated" }).apply(input) as tfjs.SymbolicTensor;
      const out = tf.layers.dense({ units: LABELS.length, activation: "sigmoid" }).apply(tf.layers.globalAveragePooling2d({}).apply(conv)) as tfjs.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    };
    const trainerOf = (model: tfjs.LayersModel) => ({
      tf, model, optimizer: new AdamW(tf, 1e-3, 0), variables: model.trainableWeights.map((w) => w.read() as tfjs.Variable),
      logits: false, labels: [...LABELS], weights: [2, 1, 1, 1, 1, 1], channels: 3,
    });
    const options = { backend: "wasm", workers: 1, batchSize: 4, size: 16, seed: 1, firstStep: 0 } as const;

    it("auto falls back to TF.js, saying why, for a model the training graph cannot express", async () => {
      const warnings: string[] = [];
      const opened = await openStepRunner(trainerOf(dilatedModel()), { ...options, engine: "auto" }, (m) => warnings.push(m));
      expect(opened.engine).toBe("tfjs");
      expect(warnings).toEqual([expect.stringContaining(`layer "dilated" (Conv2D): dilated convolutions`)]);
      await opened.runner.close();
    });

    it("onnx refuses it instead", async () => {
      await expect(openStepRunner(trainerOf(dilatedModel()), { ...options, engine: "onnx" }, () => undefined)).rejects.toThrow(/cannot train model .*dilated convolutions/);
    });

    it("auto keeps TF.js on a native TensorFlow backend", async () => {
      const input = tf.input({ shape: [16, 16, 3] });
      const out = tf.layers.dense({ units: LABELS.length, activation: "sigmoid" }).apply(tf.layers.flatten().apply(input)) as tfjs.SymbolicTensor;
      const opened = await openStepRunner(trainerOf(tf.model({ inputs: input, outputs: out })), { ...options, backend: "tensorflow", engine: "auto" }, () => undefined);
      expect(opened.engine).toBe("tfjs");
      await opened.runner.close();
    });
  });
});
