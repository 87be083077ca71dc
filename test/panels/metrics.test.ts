import { describe, expect, it } from "vitest";
import { bestIndices, curveById, curveSeries, epochPoints, finalMetrics, formatDurationMs, perLabelAuc } from "../../src/shared/metrics";
import { toMetricsPoint } from "../../src/extension/panels/logic/runData";
import type { MetricsPoint, RunSummary } from "../../src/protocol/dashboard";
import { epochLines } from "./helpers";

const points = (epochs: number, base = 0.3): MetricsPoint[] => epochLines(epochs, 4, base).map((l) => toMetricsPoint(JSON.parse(JSON.stringify(l)))!);

const summary = (overrides: Partial<RunSummary> = {}): RunSummary => ({
  id: "r1",
  name: "r1",
  status: "completed",
  architecture: "small-cnn",
  backend: "wasm",
  device: "",
  parameterCount: 1000,
  epochsDone: 3,
  epochsPlanned: 3,
  startedAt: "2026-01-01T00:00:00.000Z",
  endedAt: null,
  durationMs: 1000,
  bestEpoch: null,
  error: null,
  config: {},
  ...overrides,
});

describe("chart series", () => {
  it("has one point per epoch for epoch curves and one per step for step curves", () => {
    const p = points(5);
    expect(curveSeries(p, curveById("trainLoss")).map((xy) => xy.x)).toEqual([1, 2, 3, 4, 5]);
    expect(curveSeries(p, curveById("valLoss"))).toHaveLength(5);
    expect(curveSeries(p, curveById("lr")).map((xy) => xy.x)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(curveSeries(p, curveById("stepLoss"))[0]).toEqual({ x: 1, y: 0.3 + 1 });
  });

  it("keeps the latest line when a resumed run repeats an epoch or step", () => {
    const p = points(2);
    const again = { ...(p.find((x) => x.kind === "epoch" && x.epoch === 2) as MetricsPoint & { kind: "epoch" }), trainLoss: 9 };
    const steps = curveSeries([...p, again, { kind: "step", epoch: 2, globalStep: 5, loss: 7, lr: 1 }], curveById("stepLoss"));
    expect(epochPoints([...p, again]).map((e) => e.epoch)).toEqual([1, 2]);
    expect(curveSeries([...p, again], curveById("trainLoss")).at(-1)).toEqual({ x: 2, y: 9 });
    expect(steps.filter((s) => s.x === 5)).toEqual([{ x: 5, y: 7 }]);
  });

  it("leaves out epochs without validation and null AUCs", () => {
    const p = points(2).map((x) => (x.kind === "epoch" && x.epoch === 1 ? { ...x, val: null } : x));
    expect(curveSeries(p, curveById("meanAuc")).map((xy) => xy.x)).toEqual([2]);
  });
});

describe("best value per row", () => {
  it("picks the minimum for lower-is-better and the maximum for higher-is-better, all ties", () => {
    expect(bestIndices([0.5, 0.3, undefined, 0.3], "lower")).toEqual([1, 3]);
    expect(bestIndices([0.5, 0.9, 0.7], "higher")).toEqual([1]);
    expect(bestIndices([1, 2], "none")).toEqual([]);
    expect(bestIndices([undefined, 0.2, Number.NaN], "lower")).toEqual([]);
  });
});

describe("finalMetrics", () => {
  it("uses eval.json when present, else the epoch with the lowest weighted log loss", () => {
    const p = points(3, 0.3);
    const fromEpochs = finalMetrics({ run: summary(), points: p, evaluation: null });
    const best = Math.min(...curveSeries(p, curveById("weightedLogLoss")).map((xy) => xy.y));
    expect(fromEpochs.weightedLogLoss).toBe(best);
    expect(fromEpochs.secondsPerEpoch).toBeCloseTo((2 + 4 + 6) / 3);
    expect(fromEpochs.parameters).toBe(1000);
    const evaluation = { samples: 8, data: "x", loss: 0.1, weightedLogLoss: 0.11, meanAuc: null, perLabel: { any: { auc: 0.9, logLoss: 0.2 } }, roc: {} };
    const fromEval = finalMetrics({ run: summary(), points: p, evaluation });
    expect(fromEval.weightedLogLoss).toBe(0.11);
    expect(fromEval.meanAuc).toBeUndefined();
    expect(fromEval["auc.any"]).toBe(0.9);
    expect(perLabelAuc(p, null).subdural).toBeCloseTo(0.5 + (3 * 6) / 100);
  });

  it("formats durations", () => {
    expect(formatDurationMs(12_400)).toBe("12s");
    expect(formatDurationMs(185_000)).toBe("3m 05s");
    expect(formatDurationMs(3_720_000)).toBe("1h 02m");
  });
});
