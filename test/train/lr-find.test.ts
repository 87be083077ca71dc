import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunStore } from "../../src/core/runs";
import { lrFind, suggestFromCurve, type LrFindPoint, type LrFindResult } from "../../src/core/train/lr-find";
import { exponentialLr } from "../../src/core/train/schedule";
import { tinyConfig } from "./tiny-config";

function curve(loss: (log10Lr: number) => number, n = 50): LrFindPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const lr = exponentialLr(i, n, 1e-6, 1);
    const l = loss(Math.log10(lr));
    return { lr, loss: l, smoothed: l };
  });
}

describe("suggestFromCurve", () => {
  it("finds the steepest descent before the minimum and the minimum's LR / 10", () => {
    // flat, a steep fall centred at 1e-3, minimum near 1e-2, then divergence
    const points = curve((x) => (x < -2 ? 1 - 0.8 / (1 + Math.exp(-4 * (x + 3))) : 0.2 + 3 * (x + 2) ** 2));
    const { steepestLr, minimumLr } = suggestFromCurve(points);
    expect(Math.log10(steepestLr)).toBeCloseTo(-3, 0);
    expect(Math.log10(minimumLr)).toBeCloseTo(-3, 0);
    expect(steepestLr).toBeLessThan(minimumLr * 10);
  });

  it("ignores a noisy start", () => {
    const points = curve((x) => 1 - 0.5 / (1 + Math.exp(-3 * (x + 2.5))));
    points[2] = { ...points[2], smoothed: 0.7 };
    points[0] = { ...points[0], smoothed: 3 };
    expect(Math.log10(suggestFromCurve(points).steepestLr)).toBeGreaterThan(-4);
  });
});

describe("lrFind on the training engines", () => {
  const root = mkdtempSync(join(tmpdir(), "ich-lr-find-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const store = new RunStore(root);

  /** Same seed, data and batches; TF.js on one replica, so both engines see the full batch's batch-norm statistics. */
  function sweep(engine: "onnx" | "tfjs", signal?: AbortSignal, onLog?: (message: string) => void): Promise<LrFindResult> {
    const config = tinyConfig({ engine });
    config.train.workers = 1;
    return lrFind({ config, runStore: store, steps: 10, loaderWorkers: 0, signal, onEvent: (e) => e.type === "log" && onLog?.(e.message) });
  }

  it("sweeps the same curve on ONNX Runtime and TF.js and says which engine computed it", async () => {
    const onnx = await sweep("onnx");
    const tfjs = await sweep("tfjs");
    expect(onnx.trainingEngine).toMatch(/^ONNX Runtime [\d.]+ on the CPU, \d+ threads?$/);
    expect(tfjs.trainingEngine).toBe("TF.js wasm");
    expect(onnx.points.map((p) => p.lr)).toEqual(tfjs.points.map((p) => p.lr));
    expect(onnx.points).toHaveLength(10);
    // Same batches and steps: the curves agree until the learning rate nears 1 and float differences grow.
    for (let i = 0; i < 8; i++) expect(Math.abs(onnx.points[i].loss - tfjs.points[i].loss)).toBeLessThan(1e-3 * tfjs.points[i].loss);
    expect(onnx.suggestedLr).toBe(tfjs.suggestedLr);
    for (const result of [onnx, tfjs]) {
      expect(result.points.slice(0, 5).every((p) => Number.isFinite(p.loss) && p.loss > 0)).toBe(true);
      expect(result.points.map((p) => p.lr)).toContain(result.suggestedLr);
    }
  }, 120_000);

  it("stops when cancelled and returns the sweep so far", async () => {
    const controller = new AbortController();
    const result = await sweep("onnx", controller.signal, (message) => {
      if (message.startsWith("lr-find step 4/")) controller.abort();
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.points).toHaveLength(4);
    expect(result.trainingEngine).toMatch(/^ONNX Runtime/);
  }, 120_000);
});
