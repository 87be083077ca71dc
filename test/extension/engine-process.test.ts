import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProgressEvent } from "../../src/core/runs/types";
import { failureReason, startEngine } from "../../src/extension/engine/engineProcess";
import { setLaunchPolicy } from "../../src/extension/engine/launch";
import { listRunRecords } from "../../src/extension/runsview/runFiles";

// A stand-in engine: prints ProgressEvents, waits for SIGINT, then reports the run cancelled.
const FAKE_ENGINE = `
const emit = (e) => process.stdout.write(JSON.stringify(e) + "\\n");
emit({ type: "run-started", runId: "r1", runDir: "/tmp/r1", epochs: 2, stepsPerEpoch: 3, backend: "wasm", device: "CPU" });
process.stdout.write("plain log line\\n");
process.stderr.write("a warning on stderr\\n");
process.on("SIGINT", () => { emit({ type: "run-ended", runId: "r1", status: "cancelled" }); process.exit(130); });
emit({ type: "step", runId: "r1", epoch: 1, step: 1, stepsPerEpoch: 3, loss: 0.5, lr: 0.001, imagesPerSec: 3, etaSeconds: 9 });
setInterval(() => {}, 1000);
`;

describe("engine process", () => {
  // The launcher refuses everything until the extension reports a trusted workspace (test/extension/launch.test.ts).
  beforeAll(() => setLaunchPolicy({ isTrusted: () => true, workspaceFolders: () => [] }));

  it("streams events and logs, and stops on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ich-engine-"));
    const script = join(dir, "engine.js");
    writeFileSync(script, FAKE_ENGINE);
    const events: ProgressEvent[] = [];
    const logs: string[] = [];
    const engine = startEngine({ command: process.execPath, args: [script], env: { ICH_BACKEND: "wasm" } }, dir, {
      onEvent: (event) => {
        events.push(event);
        if (event.type === "step") engine.interrupt();
      },
      onLog: (line, stream) => logs.push(`${stream}: ${line}`),
    });
    const result = await engine.done;
    expect(events.map((e) => e.type)).toEqual(["run-started", "step", "run-ended"]);
    expect(events[2]).toMatchObject({ status: "cancelled" });
    expect(logs).toContain("stdout: plain log line");
    expect(logs).toContain("stderr: a warning on stderr");
    expect(result.code).toBe(130);
  });

  it("reports why a process failed", async () => {
    const engine = startEngine({ command: process.execPath, args: ["-e", "process.stderr.write('ich train: x.ich.json: bad field\\n'); process.exit(1)"], env: {} }, tmpdir());
    const result = await engine.done;
    expect(result.code).toBe(1);
    expect(failureReason(result)).toBe("ich train: x.ich.json: bad field");
    const missing = await startEngine({ command: "/nonexistent/node", args: [], env: {} }, tmpdir()).done;
    expect(failureReason(missing)).toMatch(/\/nonexistent\/node: Node\.js not found \(spawn .*ENOENT\); .*ichLab\.nodePath/);
  });
});

describe("run store reading", () => {
  it("lists valid run records only (broken folders are listed apart, see test/runs/view.test.ts)", async () => {
    const root = mkdtempSync(join(tmpdir(), "ich-runs-"));
    mkdirSync(join(root, "good"));
    const good = { id: "good", name: "g", config: {}, status: "completed", startedAt: "2026-01-01T00:00:00Z", host: "h", backend: "wasm", device: "cpu", architecture: "small-cnn", epochsPlanned: 1, epochsDone: 1 };
    writeFileSync(join(root, "good", "run.json"), JSON.stringify(good));
    mkdirSync(join(root, "broken"));
    writeFileSync(join(root, "broken", "run.json"), "{ half");
    mkdirSync(join(root, "empty"));
    const runs = await listRunRecords(root);
    expect(runs).toEqual([good]);
    expect(await listRunRecords(join(root, "missing"))).toEqual([]);
  });
});
