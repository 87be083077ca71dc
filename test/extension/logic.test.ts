import { describe, expect, it } from "vitest";
import type { ProgressEvent, RunRecord } from "../../src/core/runs/types";
import { LineSplitter } from "../../src/extension/logic/jsonLines";
import { applyProgressEvent, formatEta, formatProgressMessage, initialProgressState, progressFraction } from "../../src/extension/logic/progress";
import { join } from "node:path";
import { fileStamp, gradcamInvocation, lrFindInvocation, predictInvocation, predictionCsvPath, resolveNodePath, resolveRunsDirectory, trainInvocation } from "../../src/extension/logic/commandLine";
import { groupRunsByExperiment, runDescription, runTooltipMarkdown, statusIcon } from "../../src/extension/logic/runTree";
import { lastImagesPerSec } from "../../src/extension/logic/backendReport";

describe("JSON lines", () => {
  it("reassembles lines split across chunks and CRLF", () => {
    const splitter = new LineSplitter();
    expect(splitter.push('{"type":"lo')).toEqual([]);
    expect(splitter.push('g","message":"a"}\r\nplain text\n{"ty')).toEqual(['{"type":"log","message":"a"}', "plain text"]);
    expect(splitter.push('pe":"warning","message":"w"}')).toEqual([]);
    expect(splitter.flush()).toEqual(['{"type":"warning","message":"w"}']);
    expect(splitter.flush()).toEqual([]);
  });
});

describe("training progress", () => {
  const events: ProgressEvent[] = [
    { type: "run-started", runId: "r1", runDir: "/runs/r1", epochs: 4, stepsPerEpoch: 10, backend: "wasm", device: "CPU" },
    { type: "step", runId: "r1", epoch: 2, step: 5, stepsPerEpoch: 10, loss: 0.25, lr: 0.001, imagesPerSec: 17.26, etaSeconds: 185 },
  ];

  it("folds events into a notification message and fraction", () => {
    let state = initialProgressState();
    expect(formatProgressMessage(state)).toBe("starting…");
    state = applyProgressEvent(state, events[0]);
    expect(formatProgressMessage(state)).toBe("starting r1 on wasm…");
    expect(progressFraction(state)).toBe(0);
    state = applyProgressEvent(state, events[1]);
    expect(formatProgressMessage(state)).toBe("epoch 2/4 · step 5/10 · loss 0.2500 · 17.3 img/s · ETA 3m 05s");
    expect(progressFraction(state)).toBeCloseTo(1.5 / 4);
    state = applyProgressEvent(state, { type: "epoch", runId: "r1", epoch: 2, epochs: 4, trainLoss: 0.2, val: { loss: 0.3, weightedLogLoss: 0.31, meanAuc: 0.8, perLabel: {} } });
    expect(state.lastValidation).toEqual({ weightedLogLoss: 0.31, meanAuc: 0.8 });
    state = applyProgressEvent(state, { type: "run-ended", runId: "r1", status: "failed", error: "out of memory" });
    expect(state.ended).toEqual({ status: "failed", error: "out of memory" });
  });

  it("formats ETAs", () => {
    expect(formatEta(undefined)).toBe("—");
    expect(formatEta(-1)).toBe("—");
    expect(formatEta(42.4)).toBe("42s");
    expect(formatEta(3600 * 2 + 60 * 5)).toBe("2h 05m");
  });
});

describe("command lines", () => {
  it("uses the host's Node unless it is Electron or a setting overrides it", () => {
    expect(resolveNodePath("", "/usr/bin/node20", { node: "20" })).toBe("/usr/bin/node20");
    expect(resolveNodePath(undefined, "/opt/Code/code", { node: "20", electron: "34" })).toBe("node");
    expect(resolveNodePath(" /opt/node/bin/node ", "/x", { node: "20" })).toBe("/opt/node/bin/node");
  });

  it("resolves the runs directory against the workspace", () => {
    expect(resolveRunsDirectory(undefined, "/ws")).toBe("/ws/runs");
    expect(resolveRunsDirectory("out/runs", "/ws")).toBe("/ws/out/runs");
    expect(resolveRunsDirectory("/data/runs", "/ws")).toBe("/data/runs");
  });

  it("builds the train invocation with JSON progress and the backend in the environment", () => {
    const inv = trainInvocation({ nodePath: "node", cliPath: "/ext/dist/cli.js", backend: "wasm", nativeModulesDir: "/store/native" }, "/ws/a.ich.json", "/ws/runs");
    expect(inv.command).toBe("node");
    expect(inv.args).toEqual(["/ext/dist/cli.js", "train", "/ws/a.ich.json", "--json-progress", "--runs", "/ws/runs", "--backend", "wasm"]);
    const auto = trainInvocation({ nodePath: "node", cliPath: "/c.js", backend: "auto" }, "/ws/a.ich.json", "/ws/runs");
    expect(auto.args).not.toContain("--backend");
    expect(inv.env).toEqual({ ICH_BACKEND: "wasm", ICH_NATIVE_MODULES: "/store/native", NODE_PATH: join("/store/native", "node_modules") });
  });

  it("gives the preview's predictions and Grad-CAM the same command line and environment as ICH: Predict", () => {
    const context = { nodePath: "/usr/bin/node", cliPath: "/ext/dist/cli.js", backend: "wasm" as const, nativeModulesDir: "/store/native" };
    const preview = predictInvocation(context, "/runs/r1", ["/d/a.dcm", "/d/b.dcm"]);
    const command = predictInvocation(context, "/runs/r1", ["/d"], "/d/out.csv");
    expect(preview.args).toEqual(["/ext/dist/cli.js", "predict", "/runs/r1", "/d/a.dcm", "/d/b.dcm", "--json", "--backend", "wasm"]);
    expect(command.args).toEqual(["/ext/dist/cli.js", "predict", "/runs/r1", "/d", "--json", "--out", "/d/out.csv", "--backend", "wasm"]);
    expect(preview.env).toEqual(command.env);
    const gradcam = gradcamInvocation(context, "/runs/r1", "/d/a.dcm", "subdural");
    expect(gradcam.args).toEqual(["/ext/dist/cli.js", "predict", "/runs/r1", "/d/a.dcm", "--gradcam", "subdural", "--backend", "wasm"]);
    expect(gradcam.env).toEqual(command.env);
  });

  it("gives lr-find the workspace's run store, so a run:<id> pretrained model resolves there", () => {
    const context = { nodePath: "node", cliPath: "/c.js", backend: "auto" as const };
    expect(lrFindInvocation(context, "/ws/a.ich.json", "/ws/runs").args).toEqual(["/c.js", "lr-find", "/ws/a.ich.json", "--json", "--runs", "/ws/runs"]);
    expect(lrFindInvocation(context, "/ws/a.ich.json", undefined).args).not.toContain("--runs");
  });

  it("puts the prediction CSV inside a folder input and beside file inputs", () => {
    const stamp = fileStamp(new Date(2026, 10, 27, 9, 5, 3));
    expect(stamp).toBe("20261127-090503");
    expect(predictionCsvPath([{ path: "/d/study", isDirectory: true }], stamp)).toBe("/d/study/ich-predictions-20261127-090503.csv");
    expect(predictionCsvPath([{ path: "/d/study/a.dcm", isDirectory: false }, { path: "/d/study/b.dcm", isDirectory: false }], stamp)).toBe(
      "/d/study/ich-predictions-20261127-090503.csv",
    );
    expect(() => predictionCsvPath([], stamp)).toThrow(/no input/);
  });
});

function record(overrides: Partial<RunRecord>): RunRecord {
  return {
    id: "r",
    name: "r",
    config: {},
    status: "completed",
    startedAt: "2026-11-27T10:00:00.000Z",
    endedAt: "2026-11-27T10:02:05.000Z",
    host: "h",
    backend: "wasm",
    device: "CPU (WASM SIMD, 1 thread)",
    architecture: "small-cnn",
    epochsPlanned: 4,
    epochsDone: 4,
    ...overrides,
  };
}

describe("runs tree", () => {
  const runs = [
    record({ id: "b1", experimentPath: "/ws/b.ich.json", startedAt: "2026-11-27T09:00:00.000Z" }),
    record({ id: "a1", experimentPath: "/ws/a.ich.json", startedAt: "2026-11-27T08:00:00.000Z" }),
    record({ id: "b2", experimentPath: "/ws/b.ich.json", startedAt: "2026-11-27T11:00:00.000Z" }),
    record({ id: "x", experimentPath: undefined }),
  ];

  it("groups by experiment file, newest run first", () => {
    const groups = groupRunsByExperiment(runs);
    expect(groups.map((g) => g.label)).toEqual(["(no experiment file)", "a", "b"]);
    expect(groups[2].runs.map((r) => r.id)).toEqual(["b2", "b1"]);
  });

  it("describes each status", () => {
    expect(statusIcon("running")).toBe("sync~spin");
    expect(statusIcon("cancelled")).toBe("circle-slash");
    expect(runDescription(record({ status: "running", epochsDone: 1, epochsPlanned: 5 }))).toBe("epoch 1/5");
    expect(runDescription(record({ best: { weightedLogLoss: 0.123456, meanAuc: 0.87654 } }))).toBe("wLL 0.1235 · AUC 0.877");
    expect(runDescription(record({ status: "failed", error: "Cannot read file x.dcm\nstack" }))).toBe("failed: Cannot read file x.dcm");
  });

  it("puts architecture, metrics, duration and backend in the tooltip", () => {
    const md = runTooltipMarkdown(record({ best: { weightedLogLoss: 0.2, meanAuc: 0.9 }, parameterCount: 12345 }), new Date());
    expect(md).toContain("| Architecture | small-cnn (12,345 parameters) |");
    expect(md).toContain("| Best weighted log loss | 0.2000 |");
    expect(md).toContain("| Duration | 2m 05s |");
    expect(md).toContain("| Backend | wasm — CPU (WASM SIMD, 1 thread) |");
  });
});

describe("backend report", () => {
  it("prefers the last epoch line's throughput", () => {
    const jsonl = [
      '{"kind":"step","imagesPerSec":10,"time":"t1"}',
      '{"kind":"epoch","imagesPerSec":12.5,"time":"t2"}',
      '{"kind":"step","imagesPerSec":11,"time":"t3"}',
      "",
    ].join("\n");
    expect(lastImagesPerSec(jsonl)).toEqual({ imagesPerSec: 12.5, time: "t2" });
    expect(lastImagesPerSec('{"kind":"step","imagesPerSec":9,"time":"t"}\n')).toEqual({ imagesPerSec: 9, time: "t" });
    expect(lastImagesPerSec("")).toBeUndefined();
  });
});
