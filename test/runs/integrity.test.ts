// Run-store integrity: a bad, copied or torn run never loses or hides data.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { command as runsCommand } from "../../src/cli/commands/runs";
import { resolveWindows } from "../../src/core/data/windows";
import { writeFileAtomic } from "../../src/core/fs/atomic";
import { LABELS } from "../../src/shared/labels";
import { buildModel, saveModel } from "../../src/core/models";
import { RunStore, RunStoreError, type MetricsLine, type RunRecord } from "../../src/core/runs";
import { writeSyntheticDataset } from "../../src/core/synth";
import { initBackend } from "../../src/core/tf/backend";
import { AdamW } from "../../src/core/train/adamw";
import { loadCheckpoint, saveCheckpoint } from "../../src/core/train/checkpoint";
import { writeModelInput } from "../../src/core/train/model-input";
import { bundleCli } from "../helpers/bundle-cli";
import { tinyConfig } from "../train/tiny-config";

function freshStore(): RunStore {
  return new RunStore(join(mkdtempSync(join(tmpdir(), "ich-integrity-")), "runs"));
}

const runOptions = { name: "integrity", config: { a: 1 }, architecture: "small-cnn", backend: "wasm", device: "cpu", epochsPlanned: 3 };

function stepLine(globalStep: number): MetricsLine {
  return { kind: "step", epoch: 1, step: globalStep, globalStep, loss: 1 / globalStep, lr: 0.001, imagesPerSec: 10, time: new Date().toISOString() };
}

async function runsCli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await runsCommand.run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("a bad run.json", () => {
  it("is listed as broken with the file and the problem, next to the good runs, by the store and by ich runs", async () => {
    const store = freshStore();
    const good = await store.createRun(runOptions);
    await good.finish("completed");
    const bad: Record<string, string> = { "bad-null": "null", "bad-empty": "{}", "bad-half": '{ "id": "bad-half", "na', "bad-status": "" };
    const status = JSON.parse(readFileSync(good.paths.runJson, "utf8")) as RunRecord;
    bad["bad-status"] = JSON.stringify({ ...status, id: "bad-status", status: "exploded" });
    for (const [id, text] of Object.entries(bad)) {
      mkdirSync(store.paths(id).dir);
      writeFileSync(store.paths(id).runJson, text);
    }
    // Metrics and a model but no run.json: still a run (its record was lost), not a stray folder.
    mkdirSync(store.paths("no-record").modelDir, { recursive: true });
    writeFileSync(store.paths("no-record").metricsJsonl, `${JSON.stringify(stepLine(1))}\n`);
    mkdirSync(join(store.root, "unrelated-empty-folder"));

    const { runs, broken } = await store.scan();
    expect(runs.map((r) => r.id)).toEqual([good.id]);
    expect(broken.map((b) => b.id)).toEqual(["bad-empty", "bad-half", "bad-null", "bad-status", "no-record"]);
    const reason = Object.fromEntries(broken.map((b) => [b.id, b.error]));
    for (const b of broken) {
      expect(b.status).toBe("broken");
      expect(b.dir).toBe(join(store.root, b.id));
      expect(b.error.startsWith(join(b.dir, "run.json"))).toBe(true);
    }
    expect(reason["bad-null"]).toMatch(/run\.json: \/ must be an object \(got null\)$/);
    expect(reason["bad-empty"]).toContain("/id is required; /name is required");
    expect(reason["bad-half"]).toContain("not valid JSON");
    expect(reason["bad-status"]).toContain('/status must be one of: "running", "completed", "failed", "cancelled" (got "exploded")');
    expect(reason["no-record"]).toMatch(/run\.json: missing \(the folder holds metrics\.jsonl, model\)$/);
    expect((await store.list()).map((r) => r.id)).toEqual([good.id]);
    await expect(store.get("bad-null")).rejects.toThrow(RunStoreError);

    const table = await runsCli(["--dir", store.root]);
    expect(table.code).toBe(0);
    const rows = table.out.split("\n");
    expect(rows.find((r) => r.startsWith(good.id))?.split(/\s{2,}/)[2]).toBe("completed");
    for (const id of Object.keys(reason)) {
      expect(rows.find((r) => r.startsWith(`${id} `))?.split(/\s{2,}/).slice(0, 3)).toEqual([id, "-", "broken"]);
      expect(rows).toContain(`broken ${id}: ${reason[id]}`);
    }

    const json = await runsCli(["--dir", store.root, "--json"]);
    expect(json.code).toBe(0);
    const lines = json.out.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatchObject({ id: good.id, status: "completed" });
    expect(lines.slice(1)).toEqual(broken.map((b) => ({ id: b.id, dir: b.dir, status: "broken", error: b.error })));
  });

  it("does not stop a broken run from being deleted", async () => {
    const store = freshStore();
    mkdirSync(store.paths("bad").dir, { recursive: true });
    writeFileSync(store.paths("bad").runJson, "null");
    await store.delete("bad");
    expect(existsSync(store.paths("bad").dir)).toBe(false);
  });
});

describe("a copied run folder", () => {
  it("is its own run: listed under its folder name, and deleting it leaves the original intact", async () => {
    const store = freshStore();
    const original = await store.createRun(runOptions);
    for (const n of [1, 2]) await original.appendMetrics(stepLine(n));
    await original.finish("completed");
    mkdirSync(original.paths.modelDir);
    writeFileSync(join(original.paths.modelDir, "weights.bin"), "weights");
    // What file managers name a copy: a space and a suffix.
    const copyId = `${original.id} copy`;
    cpSync(original.dir, store.paths(copyId).dir, { recursive: true });

    const { runs, broken } = await store.scan();
    expect(broken).toEqual([]);
    expect(runs.map((r) => [r.id, r.record.id, r.dir])).toEqual([
      [original.id, original.id, original.dir],
      [copyId, copyId, store.paths(copyId).dir],
    ]);
    expect(runs[0].note).toBeUndefined();
    expect(runs[1].note).toBe(`${store.paths(copyId).runJson}: says id '${original.id}', but the folder is '${copyId}' (a copied run?); the folder name is the run's id`);
    expect((await store.get(copyId)).id).toBe(copyId);

    const json = (await runsCli(["--dir", store.root, "--json"])).out.trimEnd().split("\n").map((l) => JSON.parse(l) as RunRecord & { note?: string });
    expect(json.map((r) => r.id)).toEqual([original.id, copyId]);
    expect(json[1].note).toBe(runs[1].note);
    expect((await runsCli(["--dir", store.root])).out).toContain(`note ${copyId}: ${runs[1].note}`);

    await store.delete(copyId);
    expect(existsSync(store.paths(copyId).dir)).toBe(false);
    expect((await store.list()).map((r) => r.id)).toEqual([original.id]);
    expect(readFileSync(join(original.paths.modelDir, "weights.bin"), "utf8")).toBe("weights");
    expect((await store.readMetrics(original.id)).map((l) => l.globalStep)).toEqual([1, 2]);
  });

  it("takes its folder name as id in run.json once it is resumed", async () => {
    const store = freshStore();
    const original = await store.createRun(runOptions);
    await original.finish("cancelled");
    cpSync(original.dir, store.paths("resumed-copy").dir, { recursive: true });
    const handle = await store.open("resumed-copy");
    expect(handle.id).toBe("resumed-copy");
    await handle.finish("cancelled");
    expect((JSON.parse(readFileSync(store.paths("resumed-copy").runJson, "utf8")) as RunRecord).id).toBe("resumed-copy");
    expect((JSON.parse(readFileSync(original.paths.runJson, "utf8")) as RunRecord).id).toBe(original.id);
    expect((await store.scan()).runs.every((r) => r.note === undefined)).toBe(true);
  });
});

describe("a torn metrics.jsonl", () => {
  it("loses only the torn line when the run is resumed and appended to", async () => {
    const store = freshStore();
    const run = await store.createRun(runOptions);
    for (const n of [1, 2]) await run.appendMetrics(stepLine(n));
    await run.finish("failed", "killed");
    appendFileSync(run.paths.metricsJsonl, JSON.stringify(stepLine(3)).slice(0, 25));
    const resumed = await store.open(run.id);
    await resumed.appendMetrics(stepLine(4));
    await resumed.appendMetrics(stepLine(5));
    expect((await store.readMetrics(run.id)).map((l) => l.globalStep)).toEqual([1, 2, 4, 5]);
    const raw = readFileSync(run.paths.metricsJsonl, "utf8");
    expect(raw.endsWith("\n")).toBe(true);
    for (const line of raw.trimEnd().split("\n")) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it("is left as it is when its last line is whole", async () => {
    const store = freshStore();
    const run = await store.createRun(runOptions);
    await run.appendMetrics(stepLine(1));
    await run.finish("cancelled");
    const before = readFileSync(run.paths.metricsJsonl);
    await (await store.open(run.id)).finish("cancelled");
    expect(readFileSync(run.paths.metricsJsonl)).toEqual(before);
  });
});

describe("durable writes", () => {
  async function syncCalls(work: () => Promise<void>): Promise<number> {
    const probe = await import("node:fs/promises").then((fs) => fs.open(tmpdir(), "r"));
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const spy = vi.spyOn(proto, "sync");
    try {
      await work();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  it("fsyncs the file and its folder for run.json, and nothing for a plain atomic write", async () => {
    const run = await freshStore().createRun(runOptions);
    expect(await syncCalls(() => run.update({ epochsDone: 1 }).then(() => undefined))).toBe(2);
    const plain = join(mkdtempSync(join(tmpdir(), "ich-atomic-")), "x.txt");
    expect(await syncCalls(() => writeFileAtomic(plain, "x"))).toBe(0);
    expect(readFileSync(plain, "utf8")).toBe("x");
    expect(statSync(run.paths.runJson).size).toBeGreaterThan(0);
  });

  it("fsyncs every checkpoint file and folder before and after the swap, and the checkpoint loads back", async () => {
    const { tf } = await initBackend({ prefer: "wasm" });
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: null, channels: 3, outputs: 6, seed: 1 });
    const optimizer = new AdamW(tf, 0.001, 0);
    const dir = join(mkdtempSync(join(tmpdir(), "ich-checkpoint-")), "checkpoint");
    const state = {
      epoch: 2, batch: 0, globalStep: 8, epochLossSum: 0, epochLossCount: 0,
      bestLoss: 0.4, bestEpoch: 1, bestMeanAuc: 0.7, epochsWithoutImprovement: 0, savedAt: new Date().toISOString(),
    };
    try {
      // weights.bin, model.json, optimizer.bin, optimizer.json, state.json: file + folder each; then the new folder and its parent.
      expect(await syncCalls(() => saveCheckpoint(dir, model, optimizer, state))).toBe(12);
      const loaded = await loadCheckpoint(tf, dir);
      expect(loaded.state).toEqual(state);
      loaded.model.dispose();
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });
});

describe("a model with corrupt (NaN) weights", () => {
  let cli = "";
  let removeCli = () => {};
  const root = mkdtempSync(join(tmpdir(), "ich-nan-model-"));
  const store = new RunStore(join(root, "runs"));
  let runId = "";

  beforeAll(async () => {
    ({ cli, remove: removeCli } = await bundleCli("nan-model"));
    await writeSyntheticDataset({ out: join(root, "dicom"), patients: 1, slices: 2, seed: 4, size: 32 });
    const { tf } = await initBackend({ prefer: "wasm" });
    const config = tinyConfig();
    const run = await store.createRun({ name: "nan", config, architecture: "small-cnn", backend: "wasm", device: "cpu", epochsPlanned: 1 });
    runId = run.id;
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: null, channels: 3, outputs: 6, seed: 1 });
    await saveModel(model, run.paths.modelDir);
    model.dispose();
    await writeModelInput(run.paths.modelDir, { preprocess: { size: 32, windows: resolveWindows(["brain", "subdural", "bone"]), context: 0, rsnaFix: true }, channels: 3, labels: [...LABELS], sourceKind: "synthetic" });
    await run.finish("completed");
    // 0xFF bytes are float32 NaN: the file keeps its size, so only the values are corrupt.
    const weights = join(run.paths.modelDir, "weights.bin");
    writeFileSync(weights, Buffer.alloc(statSync(weights).size, 0xff));
  }, 120_000);
  afterAll(() => removeCli());

  function ich(...args: string[]) {
    return spawnSync(process.execPath, [cli, ...args, "--runs", store.root, "--backend", "wasm"], { encoding: "utf8", cwd: root });
  }

  it("makes ich predict fail, naming the model, instead of printing NaN", () => {
    const result = ich("predict", runId, join(root, "dicom"));
    expect(result.stderr).toContain(`ich predict: ${store.paths(runId).modelDir}: the model outputs NaN probabilities for 2 of 2 images; its weights are corrupt or its training diverged`);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain("NaN");
  });

  it("makes ich eval fail, naming the model, without writing eval.json", () => {
    // The made-up run has no record of its training patients: --allow-overlap gets past the leak guard to the model.
    const result = ich("eval", runId, "--allow-overlap");
    expect(result.stderr).toContain(`ich eval: ${store.paths(runId).modelDir}: the model outputs NaN probabilities for`);
    expect(result.status).toBe(1);
    expect(existsSync(store.paths(runId).evalJson)).toBe(false);
  });
});
