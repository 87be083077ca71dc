import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { CRASHED_MESSAGE, processStartedAt, RunStore, RunStoreError, formatSubmissionCsv, type MetricsLine, type RunRecord } from "../../src/core/runs";

function freshStore(): RunStore {
  return new RunStore(join(mkdtempSync(join(tmpdir(), "ich-runs-")), "runs"));
}

const runOptions = {
  name: "Demo Run #1",
  config: { model: { architecture: "small-cnn" } },
  architecture: "small-cnn",
  backend: "wasm",
  device: "CPU (WASM SIMD, 1 thread)",
  epochsPlanned: 3,
  parameterCount: 12345,
  datasetFingerprint: "sha1:abc",
};

function stepLine(globalStep: number): MetricsLine {
  return { kind: "step", epoch: 1, step: globalStep, globalStep, loss: 0.5 / globalStep, lr: 0.001, imagesPerSec: 20, time: new Date().toISOString() };
}

function epochLine(epoch: number, weightedLogLoss: number, meanAuc: number): MetricsLine {
  return {
    kind: "epoch",
    epoch,
    globalStep: epoch * 10,
    trainLoss: 0.3,
    lr: 0.001,
    imagesPerSec: 20,
    seconds: 12,
    val: {
      loss: weightedLogLoss, weightedLogLoss, meanAuc,
      perLabel: { any: { logLoss: 0.2, auc: meanAuc, accuracy: 0.9, sensitivity: 0.8, specificity: 0.95, f1: 0.85 } },
    },
    time: new Date().toISOString(),
  };
}

function tempFilesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".tmp"));
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid;
}

function writeRecord(store: RunStore, record: RunRecord): void {
  const paths = store.paths(record.id);
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.runJson, JSON.stringify(record));
}

function fakeRecord(id: string, patch: Partial<RunRecord>): RunRecord {
  const now = new Date().toISOString();
  return { id, name: id, config: {}, status: "running", startedAt: now, heartbeatAt: now, host: hostname(), backend: "wasm", device: "cpu", architecture: "small-cnn", epochsPlanned: 2, epochsDone: 0, ...patch };
}

describe("RunStore round trip", () => {
  it("creates, updates, logs metrics and finishes a run", async () => {
    const store = freshStore();
    const run = await store.createRun(runOptions);
    expect(run.id).toMatch(/^\d{8}-\d{6}-demo-run-1$/);
    expect(run.paths.dir).toBe(join(store.root, run.id));
    const created = JSON.parse(readFileSync(run.paths.runJson, "utf8")) as RunRecord;
    expect(created).toMatchObject({ id: run.id, name: "Demo Run #1", status: "running", pid: process.pid, host: hostname(), epochsDone: 0, parameterCount: 12345, backend: "wasm" });
    expect(created.config).toEqual(runOptions.config);

    await run.update({ device: "CPU (changed)" });
    const lines = [stepLine(1), stepLine(2), epochLine(1, 0.4, 0.8), stepLine(3), epochLine(2, 0.5, 0.7), epochLine(3, 0.3, 0.9)];
    for (const line of lines) await run.appendMetrics(line);
    expect(await store.readMetrics(run.id)).toEqual(lines);

    const running = await store.get(run.id);
    expect(running).toMatchObject({ device: "CPU (changed)", epochsDone: 3, bestEpoch: 3, best: { weightedLogLoss: 0.3, meanAuc: 0.9 } });

    await run.writeEval({ weightedLogLoss: 0.3 });
    expect(JSON.parse(readFileSync(run.paths.evalJson, "utf8"))).toEqual({ weightedLogLoss: 0.3 });
    const finished = await run.finish("completed");
    expect(finished.status).toBe("completed");
    expect(Date.parse(finished.endedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(finished.startedAt));
    expect(await store.get(run.id)).toEqual(finished);
    expect((await store.list()).map((r) => r.id)).toEqual([run.id]);
    expect(tempFilesIn(store.root)).toEqual([]);
    expect(readdirSync(run.paths.dir).some((f) => f.startsWith(`events.out.tfevents.`) && f.endsWith(`.${hostname()}`))).toBe(true);
  });

  it("keeps the best epoch when a later one is worse", async () => {
    const run = await freshStore().createRun(runOptions);
    await run.appendMetrics(epochLine(1, 0.2, 0.95));
    await run.appendMetrics(epochLine(2, 0.6, 0.6));
    expect(run.record).toMatchObject({ epochsDone: 2, bestEpoch: 1, best: { weightedLogLoss: 0.2, meanAuc: 0.95 } });
  });

  it("gives runs of the same name distinct ids, listed oldest first", async () => {
    const store = freshStore();
    const runs = await Promise.all([store.createRun(runOptions), store.createRun(runOptions), store.createRun({ ...runOptions, name: "!!!" })]);
    const ids = runs.map((r) => r.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids.some((id) => id.endsWith("-run"))).toBe(true);
    const listed = (await store.list()).map((r) => r.id);
    expect([...listed].sort()).toEqual([...ids].sort());
    const started = (await store.list()).map((r) => r.startedAt);
    expect(started).toEqual([...started].sort());
  });

  it("records the git commit of the experiment's repository, and none outside one", async () => {
    const repo = mkdtempSync(join(tmpdir(), "ich-git-"));
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.org", "-c", "user.name=t", ...args], { cwd: repo, encoding: "utf8" });
    git("init", "-q");
    writeFileSync(join(repo, "a.ich.json"), "{}");
    git("add", "a.ich.json");
    git("commit", "-q", "-m", "x");
    const head = git("rev-parse", "HEAD").trim();
    const store = freshStore();
    const inRepo = await store.createRun({ ...runOptions, experimentPath: join(repo, "a.ich.json") });
    expect(inRepo.record.gitCommit).toBe(head);
    expect(inRepo.record.experimentPath).toBe(join(repo, "a.ich.json"));
    const outside = mkdtempSync(join(tmpdir(), "ich-nogit-"));
    const noRepo = await store.createRun({ ...runOptions, experimentPath: join(outside, "b.ich.json") });
    expect(noRepo.record.gitCommit).toBeUndefined();
  });

  it("rejects ids that would leave the store", async () => {
    const store = freshStore();
    expect(() => store.paths("../etc")).toThrow(RunStoreError);
    await expect(store.get("a/b")).rejects.toThrow(/not a valid run id/);
    await expect(store.get("20260101-000000-missing")).rejects.toThrow(/no run '20260101-000000-missing'/);
  });
});

describe("atomicity", () => {
  it("concurrent appends from two writers keep every line whole", async () => {
    const store = freshStore();
    const a = await store.createRun(runOptions);
    const b = await store.open(a.id);
    const padding = "x".repeat(50_000);
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 40; i++) {
      writes.push(a.appendMetrics({ ...stepLine(i), note: padding } as unknown as MetricsLine));
      writes.push(b.appendMetrics({ ...stepLine(1000 + i), note: padding } as unknown as MetricsLine));
    }
    await Promise.all(writes);
    const lines = await store.readMetrics(a.id);
    expect(lines).toHaveLength(80);
    const steps = lines.map((l) => (l as { globalStep: number }).globalStep);
    expect(new Set(steps).size).toBe(80);
    // Each writer's own lines stay in call order.
    expect(steps.filter((s) => s < 1000)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const raw = readFileSync(a.paths.metricsJsonl, "utf8").split("\n");
    expect(raw.pop()).toBe("");
    for (const line of raw) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it("concurrent record updates leave a valid run.json and no temp files", async () => {
    const store = freshStore();
    const run = await store.createRun(runOptions);
    await Promise.all(Array.from({ length: 30 }, (_, i) => run.update({ epochsDone: i })));
    const onDisk = JSON.parse(readFileSync(run.paths.runJson, "utf8")) as RunRecord;
    expect(onDisk.epochsDone).toBe(29);
    expect(tempFilesIn(store.root)).toEqual([]);
  });

  it("readMetrics leaves out a half-written last line", async () => {
    const store = freshStore();
    const run = await store.createRun(runOptions);
    await run.appendMetrics(stepLine(1));
    await run.appendMetrics(stepLine(2));
    appendFileSync(run.paths.metricsJsonl, '{"kind":"step","epoch":1,"st');
    expect((await store.readMetrics(run.id)).map((l) => (l as { step: number }).step)).toEqual([1, 2]);
  });
});

describe("crash detection", () => {
  it("marks a running run whose process is gone as failed, on disk", async () => {
    const store = freshStore();
    const pid = deadPid();
    const heartbeatAt = new Date(Date.now() - 5_000).toISOString();
    writeRecord(store, fakeRecord("20260101-000000-dead", { pid, heartbeatAt }));
    writeRecord(store, fakeRecord("20260101-000001-alive", { pid: process.pid }));
    writeRecord(store, fakeRecord("20260101-000002-done", { pid, status: "completed", endedAt: heartbeatAt }));
    const byId = Object.fromEntries((await store.list()).map((r) => [r.id, r]));
    expect(byId["20260101-000000-dead"]).toMatchObject({ status: "failed", error: CRASHED_MESSAGE, endedAt: heartbeatAt });
    expect(byId["20260101-000001-alive"].status).toBe("running");
    expect(byId["20260101-000002-done"].status).toBe("completed");
    const onDisk = JSON.parse(readFileSync(store.paths("20260101-000000-dead").runJson, "utf8")) as RunRecord;
    expect(onDisk.status).toBe("failed");
    expect(tempFilesIn(store.root)).toEqual([]);
  });

  it("never rewrites a run as failed that completed between reading run.json and finding its process gone", async () => {
    const store = freshStore();
    const pid = deadPid();
    const endedAt = new Date().toISOString();
    const id = "20260101-000000-raced";
    writeRecord(store, fakeRecord(id, { pid, status: "completed", endedAt }));
    // The first read sees the record as it was while the run was still going.
    const stale = { record: fakeRecord(id, { pid, heartbeatAt: endedAt }) };
    const reads = vi.spyOn(store as unknown as { readRecord(id: string): Promise<{ record: RunRecord }> }, "readRecord").mockResolvedValueOnce(stale);
    expect((await store.get(id)).status).toBe("completed");
    expect(reads).toHaveBeenCalledTimes(2);
    expect((JSON.parse(readFileSync(store.paths(id).runJson, "utf8")) as RunRecord).status).toBe("completed");
  });

  it("treats a live pid that started after the run's last heartbeat as reused", async () => {
    const store = freshStore();
    const longAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
    writeRecord(store, fakeRecord("20260101-000000-reused", { pid: process.pid, startedAt: longAgo, heartbeatAt: longAgo }));
    const expected = processStartedAt(process.pid) === undefined ? "running" : "failed";
    expect((await store.get("20260101-000000-reused")).status).toBe(expected);
  });

  it("knows this process's start time on Linux", () => {
    const started = processStartedAt(process.pid);
    if (process.platform !== "linux") return expect(started).toBeUndefined();
    expect(started).toBeLessThanOrEqual(Date.now());
    expect(Math.abs((started as number) - (Date.now() - process.uptime() * 1000))).toBeLessThan(2_000);
  });

  it("marks a run from another host failed only when its heartbeat is stale", async () => {
    const store = new RunStore(freshStore().root, { staleAfterMinutes: 10 });
    const old = new Date(Date.now() - 11 * 60_000).toISOString();
    const recent = new Date(Date.now() - 60_000).toISOString();
    writeRecord(store, fakeRecord("20260101-000000-stale", { host: "elsewhere", pid: 1, heartbeatAt: old }));
    writeRecord(store, fakeRecord("20260101-000001-fresh", { host: "elsewhere", pid: 1, heartbeatAt: recent }));
    expect((await store.get("20260101-000000-stale")).status).toBe("failed");
    expect((await store.get("20260101-000001-fresh")).status).toBe("running");
  });

  it("open() resumes a failed run in this process", async () => {
    const store = freshStore();
    writeRecord(store, fakeRecord("20260101-000000-resume", { pid: deadPid(), status: "failed", error: CRASHED_MESSAGE, endedAt: new Date().toISOString(), epochsDone: 1 }));
    const handle = await store.open("20260101-000000-resume");
    const record = await store.get(handle.id);
    expect(record).toMatchObject({ status: "running", pid: process.pid, host: hostname(), epochsDone: 1 });
    expect(record.error).toBeUndefined();
    expect(record.endedAt).toBeUndefined();
    await handle.finish("cancelled");
    expect((await store.get(handle.id)).status).toBe("cancelled");
  });
});

describe("delete", () => {
  it("removes a finished run and refuses a live one unless forced", async () => {
    const store = freshStore();
    const done = await store.createRun(runOptions);
    await done.finish("completed");
    const live = await store.createRun(runOptions);
    await store.delete(done.id);
    expect((await store.list()).map((r) => r.id)).toEqual([live.id]);
    await expect(store.delete(live.id)).rejects.toThrow(/still running/);
    await store.delete(live.id, { force: true });
    expect(await store.list()).toEqual([]);
  });
});

describe("predictions CSV", () => {
  it("writes RSNA submission rows in label order", async () => {
    const rows = [
      { id: "ID_12cadc6af", probabilities: { any: 0.9, epidural: 0.01, intraparenchymal: 0.2, intraventricular: 0, subarachnoid: 0.5, subdural: 1 } },
      { id: "38fd7baa0", probabilities: { any: 0.123456789 } },
    ];
    const expected = [
      "ID,Label",
      "ID_12cadc6af_any,0.900000",
      "ID_12cadc6af_epidural,0.010000",
      "ID_12cadc6af_intraparenchymal,0.200000",
      "ID_12cadc6af_intraventricular,0.000000",
      "ID_12cadc6af_subarachnoid,0.500000",
      "ID_12cadc6af_subdural,1.000000",
      "ID_38fd7baa0_any,0.123457",
      "",
    ].join("\n");
    expect(formatSubmissionCsv(rows)).toBe(expected);
    const run = await freshStore().createRun(runOptions);
    await run.writePredictionsCsv(rows);
    expect(readFileSync(run.paths.predictionsCsv, "utf8")).toBe(expected);
    expect(() => formatSubmissionCsv([{ id: "ID_x", probabilities: { any: Number.NaN } }])).toThrow(/ID_x_any: probability NaN/);
  });
});
