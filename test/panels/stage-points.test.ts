import { describe, expect, it } from "vitest";
import { isMetricsPoint } from "../../src/protocol/dashboard";
import { toMetricsPoint } from "../../src/extension/panels/logic/runData";

describe("fine_tune stages on the dashboard", () => {
  it("step and epoch points keep the stage of their metrics.jsonl line; the protocol refuses an unknown stage", () => {
    const step = toMetricsPoint({ kind: "step", epoch: 1, step: 1, globalStep: 1, loss: 0.7, lr: 1e-4, imagesPerSec: 3, time: "t", stage: "frozen" });
    expect(step).toEqual({ kind: "step", epoch: 1, globalStep: 1, loss: 0.7, lr: 1e-4, stage: "frozen" });
    const epoch = toMetricsPoint({ kind: "epoch", epoch: 2, globalStep: 8, trainLoss: 0.5, lr: 1e-5, imagesPerSec: 3, seconds: 1, time: "t", stage: "unfrozen" });
    expect(epoch?.stage).toBe("unfrozen");
    expect(isMetricsPoint(epoch)).toBe(true);
    expect(toMetricsPoint({ kind: "step", epoch: 1, globalStep: 1, loss: 0.7, lr: 1e-4, stage: "thawed" })).not.toHaveProperty("stage");
    expect(isMetricsPoint({ ...step, stage: "thawed" })).toBe(false);
    expect(isMetricsPoint(toMetricsPoint({ kind: "step", epoch: 1, globalStep: 1, loss: 0.7, lr: 1e-4 }))).toBe(true);
  });
});
