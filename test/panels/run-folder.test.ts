import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunStore } from "../../src/core/runs";
import { toMetricsPoint } from "../../src/extension/panels/logic/runData";
import { JsonlTail } from "../../src/extension/panels/logic/tail";
import { readEvaluation, readRunSummary } from "../../src/extension/panels/runFolder";
import { isMetricsPoints, isRunSummary, parseDashboardToWebview } from "../../src/protocol/dashboard";
import { makeRun, tempDir } from "./helpers";

describe("JsonlTail", () => {
  it("returns only lines appended since the last read and holds back a half-written line", async () => {
    const file = join(tempDir(), "metrics.jsonl");
    writeFileSync(file, '{"a":1}\n{"a":2}\n');
    const tail = new JsonlTail(file);
    expect(await tail.read()).toEqual({ reset: false, lines: [{ a: 1 }, { a: 2 }] });
    expect(await tail.read()).toEqual({ reset: false, lines: [] });
    appendFileSync(file, '{"a":3}\n{"a":');
    expect(await tail.read()).toEqual({ reset: false, lines: [{ a: 3 }] });
    appendFileSync(file, '4}\nnot json\n{"a":5}\n');
    expect(await tail.read()).toEqual({ reset: false, lines: [{ a: 4 }, { a: 5 }] });
  });

  it("decodes a multi-byte character split between two reads", async () => {
    const file = join(tempDir(), "metrics.jsonl");
    const line = Buffer.from('{"name":"µ-run"}\n', "utf8");
    const split = line.indexOf(0xb5); // second byte of "µ"
    writeFileSync(file, line.subarray(0, split));
    const tail = new JsonlTail(file);
    expect(await tail.read()).toEqual({ reset: false, lines: [] });
    appendFileSync(file, line.subarray(split));
    expect(await tail.read()).toEqual({ reset: false, lines: [{ name: "µ-run" }] });
  });

  it("starts over (reset) when the file is rewritten shorter, and is empty when it does not exist", async () => {
    const dir = tempDir();
    const file = join(dir, "metrics.jsonl");
    const tail = new JsonlTail(file);
    expect(await tail.read()).toEqual({ reset: false, lines: [] });
    writeFileSync(file, '{"a":1}\n{"a":2}\n');
    await tail.read();
    writeFileSync(file, '{"b":1}\n');
    expect(await tail.read()).toEqual({ reset: true, lines: [{ b: 1 }] });
  });
});

describe("run folders written by the run store", () => {
  it("read as a valid RunSummary and metrics points with one epoch point per epoch", async () => {
    const root = tempDir();
    const { dir } = await makeRun(root, { name: "Small CNN", architecture: "small-cnn", epochs: 4, lr: 0.003, base: 0.3, parameters: 1234 });
    const summary = await readRunSummary(dir);
    expect(isRunSummary(summary)).toBe(true);
    expect(summary).toMatchObject({ name: "Small CNN", status: "completed", architecture: "small-cnn", parameterCount: 1234, epochsDone: 4, epochsPlanned: 4 });
    const points = (await new JsonlTail(join(dir, "metrics.jsonl")).read()).lines.map(toMetricsPoint);
    expect(points.every((p) => p !== null)).toBe(true);
    expect(isMetricsPoints(points)).toBe(true);
    expect(points.filter((p) => p!.kind === "epoch").map((p) => p!.epoch)).toEqual([1, 2, 3, 4]);
    expect(await readEvaluation(dir)).toBeNull();
    // The init message the dashboard posts passes the webview's own validation.
    expect(parseDashboardToWebview({ type: "init", run: summary, points, evaluation: null })).not.toBeNull();
  });

  it("reads eval.json with NaN AUCs stored as null and thins ROC curves", async () => {
    const root = tempDir();
    const { dir } = await makeRun(root, { name: "e", architecture: "alexnet", epochs: 1, lr: 0.001, base: 0.4, parameters: 10 });
    const roc = Array.from({ length: 500 }, (_, i) => ({ fpr: i / 499, tpr: Math.sqrt(i / 499), threshold: 1 - i / 499 }));
    writeFileSync(join(dir, "eval.json"), JSON.stringify({ samples: 8, data: "synthetic", loss: 0.3, weightedLogLoss: 0.31, meanAuc: null, perLabel: { any: { auc: 0.8, logLoss: 0.5 }, epidural: { auc: null, logLoss: 0.1 } }, roc: { any: roc, epidural: [] } }));
    const evaluation = await readEvaluation(dir, 100);
    expect(evaluation).toMatchObject({
      samples: 8, weightedLogLoss: 0.31, meanAuc: null, perLabel: { any: { auc: 0.8, logLoss: 0.5 }, epidural: { auc: null, logLoss: 0.1 } },
    });
    expect(evaluation!.roc.any!.length).toBeLessThanOrEqual(101);
    expect(evaluation!.roc.any!.at(-1)).toEqual({ fpr: 1, tpr: 1 });
    expect(evaluation!.roc.epidural).toBeUndefined();
  });

  it("names the file when run.json is missing or corrupt", async () => {
    const root = tempDir();
    await expect(readRunSummary(join(root, "nope"))).rejects.toThrow(/nope\/run\.json: no such file/);
    const { dir } = await makeRun(root, { name: "c", architecture: "small-cnn", epochs: 1, lr: 0.001, base: 0.4, parameters: 10 });
    writeFileSync(join(dir, "run.json"), readFileSync(join(dir, "run.json"), "utf8").slice(0, 20));
    await expect(readRunSummary(dir)).rejects.toThrow(/run\.json: not valid JSON/);
    expect(new RunStore(root).paths("x").runJson).toContain("run.json");
  });
});

describe("run.json and metrics lines from disk", () => {
  it("measures a running run up to now and an ended run up to its end; rejects records that are not runs", async () => {
    const { durationMs, toRunSummary, toMetricsPoint, strideDown } = await import("../../src/extension/panels/logic/runData");
    const now = new Date("2026-01-01T00:10:00.000Z");
    const base = { id: "r", name: "", status: "running", startedAt: "2026-01-01T00:00:00.000Z", host: "h", backend: "wasm", device: "", architecture: "small-cnn", epochsPlanned: 2, epochsDone: 1, config: {} };
    expect(durationMs(base as never, now)).toBe(600_000);
    expect(durationMs({ ...base, status: "completed", endedAt: "2026-01-01T00:01:00.000Z" } as never, now)).toBe(60_000);
    expect(toRunSummary(base, now)).toMatchObject({ name: "r", durationMs: 600_000, parameterCount: null, endedAt: null });
    expect(toRunSummary({ ...base, status: "exploded" }, now)).toBeNull();
    // Display fields that are malformed are shown as unknown rather than hiding the run.
    expect(toRunSummary({ ...base, epochsDone: "1", architecture: 5 }, now)).toMatchObject({ epochsDone: 0, architecture: "?" });
    expect(toRunSummary({ ...base, id: 7 }, now)).toBeNull();
    expect(toRunSummary([], now)).toBeNull();
    expect(toMetricsPoint({ kind: "epoch", epoch: 1, globalStep: 2, trainLoss: 0.5, lr: 0.1, imagesPerSec: 3, seconds: 1, val: { loss: "x" } })).toMatchObject({ val: null });
    expect(toMetricsPoint({ kind: "step", epoch: -1, globalStep: 2, loss: 0.5, lr: 0.1 })).toBeNull();
    expect(toMetricsPoint({ kind: "note", epoch: 1, globalStep: 2, lr: 0.1 })).toBeNull();
    const thinned = strideDown(Array.from({ length: 1001 }, (_, i) => i), 100);
    expect(thinned.length).toBeLessThanOrEqual(101);
    expect(thinned[0]).toBe(0);
    expect(thinned.at(-1)).toBe(1000);
  });

  it("carries the unreadable training images a run skipped to the dashboard; malformed entries are dropped", async () => {
    const { toRunSummary } = await import("../../src/extension/panels/logic/runData");
    const { isRunSummary } = await import("../../src/protocol/dashboard");
    const now = new Date("2026-01-01T00:10:00.000Z");
    const base = { id: "r", name: "", status: "completed", startedAt: "2026-01-01T00:00:00.000Z", host: "h", backend: "wasm", device: "", architecture: "small-cnn", epochsPlanned: 2, epochsDone: 2, config: {} };
    const bad = { file: "/data/ID_1.dcm", reason: "/data/ID_1.dcm: pixel data is truncated" };
    const summary = toRunSummary({ ...base, badImageCount: 3, badImages: [bad, { file: 5 }] }, now);
    expect(summary).toMatchObject({ badImageCount: 3, badImages: [bad] });
    expect(toRunSummary(base, now)!.badImageCount).toBeUndefined();
    expect(isRunSummary({ ...summary, badImages: [{ file: "x" }] })).toBe(false);
    expect(isRunSummary({ ...summary, badImageCount: -1 })).toBe(false);
  });

  it("carries what computed the training steps to the dashboard when run.json has it; older runs have none", async () => {
    const { toRunSummary } = await import("../../src/extension/panels/logic/runData");
    const { isRunSummary } = await import("../../src/protocol/dashboard");
    const now = new Date("2026-01-01T00:10:00.000Z");
    const base = { id: "r", name: "", status: "completed", startedAt: "2026-01-01T00:00:00.000Z", host: "h", backend: "wasm", device: "", architecture: "small-cnn", epochsPlanned: 2, epochsDone: 2, config: {} };
    const engine = "ONNX Runtime 1.30.0 on the CPU, 2 threads";
    const summary = toRunSummary({ ...base, trainingEngine: engine }, now)!;
    expect(summary.trainingEngine).toBe(engine);
    expect(isRunSummary(summary)).toBe(true);
    // JSON has no undefined: an old run's summary has no key at all, and a malformed value is dropped, not shown.
    expect("trainingEngine" in toRunSummary(base, now)!).toBe(false);
    expect("trainingEngine" in toRunSummary({ ...base, trainingEngine: 3 }, now)!).toBe(false);
    expect(isRunSummary({ ...summary, trainingEngine: 3 })).toBe(false);
    expect(isRunSummary({ ...summary, trainingEngine: null })).toBe(false);
  });
});
