// A failed ONNX export at the end of training is a warning in the run, never a failed run.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { RunStore } from "../../src/core/runs";
import type { ProgressEvent } from "../../src/core/runs/types";
import { train } from "../../src/core/train/train";
import { tinyConfig } from "../train/tiny-config";

// Every layer conversion fails, as it would for a layer type the exporter does not know.
vi.mock("../../src/core/onnx/layers", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/core/onnx/layers")>();
  class FailingConverter {
    convert(): never {
      throw new Error("layer conversion refused for this test");
    }
  }
  return { ...original, LayerConverter: FailingConverter };
});

const root = mkdtempSync(join(tmpdir(), "ich-onnx-fail-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("training's end-of-run ONNX export", () => {
  it("turns an export failure into a warning event and a train.log line; the run still completes with its TF.js model", async () => {
    const store = new RunStore(join(root, "runs"));
    const events: ProgressEvent[] = [];
    const result = await train({ config: tinyConfig({ epochs: 1 }), runStore: store, onEvent: (e) => events.push(e), loaderWorkers: 0 });
    expect(result.status).toBe("completed");
    expect((await store.get(result.runId)).status).toBe("completed");
    const paths = store.paths(result.runId);
    expect(existsSync(join(paths.modelDir, "model.json"))).toBe(true);
    expect(existsSync(join(paths.modelDir, "model.onnx"))).toBe(false);
    const warnings = events.filter((e) => e.type === "warning").map((e) => (e as { message: string }).message);
    expect(warnings.some((m) => m.includes("ONNX export") && m.includes("layer conversion refused for this test") && m.includes(`ich export ${result.runId}`))).toBe(true);
    expect(readFileSync(paths.logFile, "utf8")).toContain("layer conversion refused for this test");
  });
});
