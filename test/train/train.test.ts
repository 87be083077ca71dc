import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { evaluateRun } from "../../src/core/predict/evaluate-run";
import type { RunEvaluation } from "../../src/core/predict/run-evaluation";
import { RunStore } from "../../src/core/runs";
import { writeSyntheticDataset } from "../../src/core/synth";
import type { MetricsLine, ProgressEvent } from "../../src/core/runs/types";
import { findCheckpoint } from "../../src/core/train/checkpoint";
import type { ModelInputSpec } from "../../src/core/train/model-input";
import { train } from "../../src/core/train/train";
import type { LayersModel, Tensor } from "../../src/core/train/tf-types";
import { tinyConfig } from "./tiny-config";

// Every image batch the model is really called with: "train HxW" for training steps (model.apply),
// "val HxW" for validation (model.predict); the test adds "epoch N" when an epoch ends.
const modelCalls = vi.hoisted(() => [] as string[]);
vi.mock("../../src/core/train/initial-model", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/core/train/initial-model")>();
  const side = (x: unknown) => (x as Tensor).shape.slice(1, 3).join("x");
  return {
    initialModel: async (...args: Parameters<typeof original.initialModel>): Promise<LayersModel> => {
      const model = await original.initialModel(...args);
      const apply = model.apply.bind(model);
      const predict = model.predict.bind(model);
      model.apply = (x, kwargs) => (modelCalls.push(`train ${side(x)}`), apply(x, kwargs));
      model.predict = (x, config) => (modelCalls.push(`val ${side(x)}`), predict(x, config));
      return model;
    },
  };
});

const root = mkdtempSync(join(tmpdir(), "ich-train-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function metricsOf(dir: string): MetricsLine[] {
  return readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as MetricsLine);
}

describe("train", () => {
  it("writes run.json, metrics.jsonl, model, checkpoint and eval.json, and the loss goes down", async () => {
    const store = new RunStore(join(root, "runs"));
    const events: ProgressEvent[] = [];
    const result = await train({ config: tinyConfig({ epochs: 3 }), runStore: store, onEvent: (e) => events.push(e), loaderWorkers: 1 });
    expect(result.status).toBe("completed");
    const record = await store.get(result.runId);
    expect(record).toMatchObject({ status: "completed", backend: "wasm", architecture: "small-cnn", epochsDone: 3, epochsPlanned: 3 });
    expect(record.parameterCount).toBeGreaterThan(1000);
    expect(record.datasetFingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    const paths = store.paths(result.runId);
    for (const file of [join(paths.modelDir, "model.json"), join(paths.modelDir, "ich-input.json"), paths.evalJson, paths.predictionsCsv]) expect(existsSync(file), file).toBe(true);
    expect(findCheckpoint(paths.checkpointDir)).toBe(paths.checkpointDir);
    const metrics = metricsOf(paths.dir);
    const epochs = metrics.filter((m) => m.kind === "epoch");
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(metrics.filter((m) => m.kind === "step")).toHaveLength(6);
    expect(epochs[2].trainLoss).toBeLessThan(epochs[0].trainLoss);
    expect(epochs[0].val?.perLabel.any?.auc).toBeDefined();
    const evaluation = JSON.parse(readFileSync(paths.evalJson, "utf8")) as RunEvaluation;
    expect(evaluation.samples).toBe(8);
    expect(Object.keys(evaluation.roc)).toHaveLength(6);
    const csv = readFileSync(paths.predictionsCsv, "utf8").trim().split("\n");
    expect(csv[0]).toBe("ID,Label");
    expect(csv).toHaveLength(1 + 8 * 6);
    expect(events[0].type).toBe("run-started");
    expect(events.at(-1)).toEqual({ type: "run-ended", runId: result.runId, status: "completed" });

    // ich eval --data DIR: every labelled DICOM of another folder, written with another seed
    const other = await writeSyntheticDataset({ out: join(root, "other-dicom"), patients: 2, slices: 3, seed: 77, size: 32 });
    const external = await evaluateRun(store, result.runId, { data: join(root, "other-dicom"), backend: "wasm", loaderWorkers: 0 });
    expect(external.samples).toBe(other.files.length);
    expect(external.data).toMatch(/all 6 labelled DICOM files/);
    expect((JSON.parse(readFileSync(paths.evalJson, "utf8")) as RunEvaluation).samples).toBe(6);
    expect(readFileSync(paths.predictionsCsv, "utf8").trim().split("\n")).toHaveLength(1 + 6 * 6);
  });

  it("cancels after the current step with a checkpoint, and --resume continues from it", async () => {
    const store = new RunStore(join(root, "runs-cancel"));
    const controller = new AbortController();
    const first = await train({
      config: tinyConfig({ epochs: 2 }),
      runStore: store,
      signal: controller.signal,
      loaderWorkers: 0,
      onEvent: (e) => {
        if (e.type === "step") controller.abort();
      },
    });
    expect(first.status).toBe("cancelled");
    expect((await store.get(first.runId)).status).toBe("cancelled");
    const paths = store.paths(first.runId);
    const state = JSON.parse(readFileSync(join(paths.checkpointDir, "state.json"), "utf8")) as unknown;
    expect(state).toMatchObject({ epoch: 1, batch: 1, globalStep: 1 });

    const resumed = await train({ config: tinyConfig({ epochs: 2 }), runStore: store, resumeRunId: first.runId, loaderWorkers: 0 });
    expect(resumed).toMatchObject({ runId: first.runId, status: "completed", epochsDone: 2 });
    const steps = metricsOf(paths.dir).filter((m) => m.kind === "step");
    // one step before the cancel, then the rest of epoch 1 and all of epoch 2: no step repeated
    expect(steps.map((s) => `${s.epoch}.${s.step}`)).toEqual(["1.1", "1.2", "2.1", "2.2"]);
    expect(steps.map((s) => s.globalStep)).toEqual([1, 2, 3, 4]);
    expect((await store.get(first.runId)).status).toBe("completed");
  });

  it("stops early when validation does not improve for `patience` epochs, growing the input by epoch", async () => {
    const store = new RunStore(join(root, "runs-early"));
    const events: ProgressEvent[] = [];
    modelCalls.length = 0;
    // minDelta 10: no epoch can count as an improvement after the first
    const progressiveResizing = [{ fromEpoch: 2, size: 40 }, { fromEpoch: 3, size: 48 }];
    // TF.js steps: the model.apply spy sees them (the ONNX engine's own test is in onnx-training.test.ts).
    const config = tinyConfig({ epochs: 6, maxStepsPerEpoch: 1, earlyStopping: { patience: 2, minDelta: 10 }, progressiveResizing, engine: "tfjs" });
    const result = await train({
      config,
      runStore: store,
      loaderWorkers: 0,
      onEvent: (e) => {
        events.push(e);
        if (e.type === "epoch") modelCalls.push(`epoch ${e.epoch}`);
      },
    });
    expect(result).toMatchObject({ status: "completed", epochsDone: 3 });
    expect(events.some((e) => e.type === "log" && /early stopping/.test(e.message))).toBe(true);
    const record = await store.get(result.runId);
    expect(record.epochsDone).toBe(3);
    // one training step and one validation batch (8 + 8 slices, batch 8) per epoch, each at its epoch's size
    expect(modelCalls).toEqual(["train 32x32", "val 32x32", "epoch 1", "train 40x40", "val 40x40", "epoch 2", "train 48x48", "val 48x48", "epoch 3"]);
    const input = JSON.parse(readFileSync(join(store.paths(result.runId).modelDir, "ich-input.json"), "utf8")) as ModelInputSpec;
    expect(input.preprocess.size).toBe([32, 40, 48][result.best!.epoch - 1]);
  });
});
