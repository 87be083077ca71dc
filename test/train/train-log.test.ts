import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunStore } from "../../src/core/runs";
import type { ProgressEvent } from "../../src/core/runs/types";
import { describeEvent } from "../../src/core/train/progress-format";
import { train } from "../../src/core/train/train";
import { tinyConfig } from "./tiny-config";

const root = mkdtempSync(join(tmpdir(), "ich-train-log-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const logLines = (file: string) =>
  readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /, ""));

describe("train.log", () => {
  it("holds every non-step event of a cancelled run, and the resumed run appends its own", async () => {
    const store = new RunStore(join(root, "runs"));
    const events: ProgressEvent[] = [];
    const controller = new AbortController();
    const first = await train({
      config: tinyConfig({ epochs: 2 }),
      runStore: store,
      loaderWorkers: 0,
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === "step") controller.abort();
      },
    });
    expect(first.status).toBe("cancelled");
    const file = store.paths(first.runId).logFile;
    const described = (list: ProgressEvent[]) => list.map(describeEvent).filter((l): l is string => l !== null);
    const cancelled = described(events);
    expect(cancelled.at(-1)).toBe(`run ${first.runId} cancelled`);
    expect(logLines(file)).toEqual(cancelled);

    const resumedEvents: ProgressEvent[] = [];
    await train({ config: tinyConfig({ epochs: 2 }), runStore: store, resumeRunId: first.runId, loaderWorkers: 0, onEvent: (e) => resumedEvents.push(e) });
    const resumed = described(resumedEvents);
    expect(resumed[1]).toBe(`resuming from ${store.paths(first.runId).checkpointDir}: epoch 1, batch 2`);
    expect(resumed.at(-1)).toBe(`run ${first.runId} completed`);
    expect(logLines(file)).toEqual([...cancelled, ...resumed]);
  });
});
