import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateExperiment } from "../../src/core/experiment";
import type { FineTuneConfig } from "../../src/core/experiment/types";
import { buildModel } from "../../src/core/models";
import { RunStore } from "../../src/core/runs";
import type { MetricsLine } from "../../src/core/runs/types";
import { AdamW } from "../../src/core/train/adamw";
import { enterStage, evenMults, fineTuneLr, groupMultipliers } from "../../src/core/train/fine-tune";
import { layerGroups } from "../../src/core/train/layer-groups";
import { lrFind } from "../../src/core/train/lr-find";
import { trainStep } from "../../src/core/train/step";
import { train } from "../../src/core/train/train";
import { tinyConfig } from "./tiny-config";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const FT: FineTuneConfig = { freezeEpochs: 1, epochs: 2, baseLr: 2e-3, lrMult: 100, pctStart: 0.3, div: 5, trainBn: true };

describe("fine_tune schedule (fastai semantics)", () => {
  it("frozen: one-cycle to baseLr with 99 % warm-up; unfrozen: baseLr/2, starting at /div, ending at /1e5", () => {
    const spe = 10;
    const first = fineTuneLr(FT, spe, 0);
    expect(first.stage).toBe("frozen");
    expect(first.lr).toBeCloseTo(2e-3 / 25, 12);
    const frozen = Array.from({ length: spe }, (_, s) => fineTuneLr(FT, spe, s).lr);
    expect(Math.max(...frozen)).toBeCloseTo(2e-3, 12);
    expect(frozen.indexOf(Math.max(...frozen))).toBe(spe - 1);
    const firstUnfrozen = fineTuneLr(FT, spe, spe);
    expect(firstUnfrozen.stage).toBe("unfrozen");
    expect(firstUnfrozen.lr).toBeCloseTo(1e-3 / 5, 12);
    const unfrozen = Array.from({ length: 2 * spe }, (_, s) => fineTuneLr(FT, spe, spe + s).lr);
    expect(Math.max(...unfrozen)).toBeCloseTo(1e-3, 12);
    expect(unfrozen[unfrozen.length - 1]).toBeCloseTo(1e-3 / 1e5, 14);
  });

  it("slice(lr) → lr/10 for body groups; slice(lr/lrMult, lr) → even_mults", () => {
    expect(groupMultipliers(FT, "frozen", 3)).toEqual([0.1, 0.1, 1]);
    expect(groupMultipliers(FT, "unfrozen", 3).map((m) => m.toPrecision(6))).toEqual([0.01, 0.1, 1].map((m) => m.toPrecision(6)));
    expect(evenMults(1e-6, 1e-4, 3).map((v) => v.toPrecision(6))).toEqual([1e-6, 1e-5, 1e-4].map((v) => v.toPrecision(6)));
  });

  it("the schema fills fastai's defaults and train.epochs", () => {
    const config = validateExperiment({ data: { kind: "synthetic" }, train: { fineTune: { epochs: 4 } } }, "/virtual/ft.ich.json");
    expect(config.train.fineTune).toEqual({ freezeEpochs: 1, epochs: 4, baseLr: 0.002, lrMult: 100, pctStart: 0.3, div: 5, trainBn: true });
    expect(config.train.epochs).toBe(5);
    expect(() => validateExperiment({ data: { kind: "synthetic" }, train: { epochs: 3, fineTune: { epochs: 4 } } }, "/virtual/ft.ich.json")).toThrow(/train\/epochs is 3/);
  });
});

describe("layer groups", () => {
  it("split a ResNet like fastai: stem…layer2 | layer3, layer4 | head", () => {
    const model = buildModel(tf, { architecture: "resnet18", inputSize: 32, channels: 3, outputs: 6, head: "fastai" });
    const { groupOf, method } = layerGroups(model, "resnet18");
    expect(method).toBe("names");
    expect([groupOf.get("conv1"), groupOf.get("layer1_0_conv1"), groupOf.get("layer2_1_bn2")]).toEqual([0, 0, 0]);
    expect([groupOf.get("layer3_0_conv1"), groupOf.get("layer4_1_out")]).toEqual([1, 1]);
    expect([groupOf.get("head_bn1"), groupOf.get("head_fc1")]).toEqual([2, 2]);
    model.dispose();
  });
});

describe("stages", () => {
  const snapshot = (model: tf.LayersModel) => new Map(model.weights.map((w) => [w.name, Float32Array.from(w.read().dataSync())]));
  const maxChange = (before: Map<string, Float32Array>, model: tf.LayersModel, test: (name: string) => boolean) => {
    let max = 0;
    for (const w of model.weights.filter((v) => test(v.name))) {
      const now = w.read().dataSync();
      const was = before.get(w.name)!;
      for (let i = 0; i < now.length; i++) max = Math.max(max, Math.abs(now[i] - was[i]));
    }
    return max;
  };

  it("frozen: body kernels stay, body batch norm and head train; unfrozen: each group moves at its own learning rate", () => {
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: 32, channels: 3, outputs: 6, seed: 1 });
    const optimizer = new AdamW(tf, 1e-3, 0);
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, "float32", 1);
    const y = tf.tensor2d([[1, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 1, 0, 1, 0, 1]]);
    const w = [2, 1, 1, 1, 1, 1];
    const isConv = (name: string) => /block\d_conv\/kernel/.test(name);
    const isBnParam = (name: string) => /block\d_bn\/(gamma|beta)/.test(name);
    const isMoving = (name: string) => /block\d_bn\/moving_mean/.test(name);
    const isHead = (name: string) => /^(?!block)\w*\/kernel/.test(name) && !isConv(name);

    let variables = enterStage(model, "small-cnn", FT, optimizer, "frozen");
    let before = snapshot(model);
    const lr = 1e-3;
    optimizer.setLearningRate(lr);
    trainStep(tf, model, optimizer, variables, x, y, w, false);
    expect(maxChange(before, model, isConv)).toBe(0);
    expect(maxChange(before, model, isBnParam)).toBeGreaterThan(0);
    expect(maxChange(before, model, isMoving)).toBeGreaterThan(0);
    expect(maxChange(before, model, isHead)).toBeGreaterThan(0);
    // Adam's first step moves each weight by about its learning rate: body BN at lr/10, head at lr.
    expect(maxChange(before, model, isBnParam)).toBeCloseTo(lr / 10, 5);
    expect(maxChange(before, model, isHead)).toBeCloseTo(lr, 5);

    variables = enterStage(model, "small-cnn", FT, optimizer, "unfrozen");
    expect(variables.length).toBeGreaterThan(model.layers.filter((l) => l.getClassName() === "BatchNormalization").length * 2);
    before = snapshot(model);
    trainStep(tf, model, optimizer, variables, x, y, w, false);
    // Fresh Adam state for the just-unfrozen kernels: their first step is ≈ their group's rate.
    const first = (name: string) => /block[123]_conv\/kernel/.test(name);
    const second = (name: string) => /block[45]_conv\/kernel/.test(name);
    expect(maxChange(before, model, first)).toBeCloseTo(lr / 100, 6);
    expect(maxChange(before, model, second)).toBeCloseTo(lr / 10, 5);
    expect(optimizer.learningRateOf(model.getLayer("block1_conv").weights[0].name)).toBeCloseTo(lr / 100, 12);
    model.dispose();
    optimizer.dispose();
  });
});

describe("fine_tune run", () => {
  const root = mkdtempSync(join(tmpdir(), "ich-ft-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ["TF.js with 2 data-parallel replicas", "tfjs", 2, "training steps: TF.js wasm, 2 data-parallel replicas"],
    ["the ONNX Runtime engine", "onnx", 1, expect.stringMatching(/^training steps: ONNX Runtime [\d.]+ on the CPU, \d+ threads?$/)],
  ] as const)("on %s, the frozen stage leaves the body kernels alone and trains the batch norms", async (_, engine, trainWorkers, log) => {
    const config = tinyConfig({ epochs: 1, engine });
    config.train.fineTune = { ...FT, freezeEpochs: 1, epochs: 1 };
    config.train.epochs = 1; // only the frozen stage
    const store = new RunStore(join(root, `frozen-${engine}`));
    const logs: string[] = [];
    const result = await train({ config, runStore: store, loaderWorkers: 0, trainWorkers, onEvent: (e) => e.type === "log" && logs.push(e.message) });
    expect(result.status).toBe("completed");
    expect(logs.filter((m) => m.startsWith("training steps:"))).toEqual([log]);
    // The saved model after the frozen epoch has the initial body kernels: same seed, fresh build.
    const { loadModel } = await import("../../src/core/models");
    const trained = await loadModel(tf, store.paths(result.runId).modelDir);
    const fresh = buildModel(tf, { architecture: "small-cnn", inputSize: null, channels: 3, outputs: 6, dropout: 0, seed: config.train.seed });
    for (const name of ["block1_conv", "block5_conv"]) expect(Array.from(trained.getLayer(name).getWeights()[0].dataSync())).toEqual(Array.from(fresh.getLayer(name).getWeights()[0].dataSync()));
    expect(Array.from(trained.getLayer("block1_bn").getWeights()[0].dataSync())).not.toEqual(Array.from(fresh.getLayer("block1_bn").getWeights()[0].dataSync()));
    expect(Array.from(trained.getLayer("predictions").getWeights()[0].dataSync())).not.toEqual(Array.from(fresh.getLayer("predictions").getWeights()[0].dataSync()));
    expect(trained.layers.filter((l) => !l.trainable && l.weights.length > 0).map((l) => l.name)).toEqual([]); // saved without stage flags
    trained.dispose();
    fresh.dispose();
  }, 180_000);

  it("records the frozen and unfrozen stages in metrics.jsonl with fastai's learning rates", async () => {
    const config = tinyConfig({ epochs: 2 });
    config.train.fineTune = { ...FT, epochs: 1 };
    const store = new RunStore(root);
    const result = await train({ config, runStore: store, loaderWorkers: 0, trainWorkers: 1 });
    expect(result.status).toBe("completed");
    const lines = readFileSync(join(result.runDir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as MetricsLine);
    const epochs = lines.filter((l) => l.kind === "epoch");
    expect(epochs.map((l) => [l.epoch, l.stage])).toEqual([[1, "frozen"], [2, "unfrozen"]]);
    const steps = lines.filter((l) => l.kind === "step");
    const spe = steps.filter((l) => l.epoch === 1).length;
    for (const s of steps) {
      expect(s.stage).toBe(s.epoch === 1 ? "frozen" : "unfrozen");
      expect(s.lr).toBeCloseTo(fineTuneLr(config.train.fineTune, spe, s.globalStep - 1).lr, 12);
    }

    // lr-find between the stages: from this run's model, unfrozen, at the size training uses then.
    const between = tinyConfig({ epochs: 2, progressiveResizing: [{ fromEpoch: 2, size: 40 }] });
    between.train.fineTune = { ...FT, epochs: 1 };
    between.model.pretrained = `run:${result.runId}`;
    const unfrozen = await lrFind({ config: between, runStore: store, steps: 6, stage: "unfrozen", loaderWorkers: 0 });
    expect([unfrozen.stage, unfrozen.size, unfrozen.points.length]).toEqual(["unfrozen", 40, 6]);
    const frozen = await lrFind({ config: between, runStore: store, steps: 6, stage: "frozen", loaderWorkers: 0 });
    expect([frozen.stage, frozen.size]).toEqual(["frozen", 32]);
    between.train.fineTune = undefined;
    await expect(lrFind({ config: between, runStore: store, steps: 6, stage: "frozen", loaderWorkers: 0 })).rejects.toThrow(/no train.fineTune/);
  }, 180_000);
});
