// The state a reloaded window's webview hands back to a panel's serializer comes from the page, so
// it is checked like any other webview message; a panel whose state fails is not rebuilt.
import { describe, expect, it } from "vitest";
import { parseCompareState } from "../../src/protocol/compare";
import { parseDashboardState } from "../../src/protocol/dashboard";
import { parseExploreState } from "../../src/protocol/explore";
import { parseTriageState, type TriageResult } from "../../src/protocol/triage";
import { buildTriage } from "../../src/shared/triage";

describe("panel restore state", () => {
  it("reopens a dashboard on its run folder and a comparison on two or more", () => {
    expect(parseDashboardState({ runDir: "/ws/runs/r1" })).toEqual({ runDir: "/ws/runs/r1" });
    expect(parseDashboardState({ runDir: "" })).toBeNull();
    expect(parseDashboardState({ runDir: 3 })).toBeNull();
    expect(parseDashboardState(null)).toBeNull();
    expect(parseCompareState({ runDirs: ["/a", "/b"] })).toEqual({ runDirs: ["/a", "/b"] });
    expect(parseCompareState({ runDirs: ["/a"] })).toBeNull();
    expect(parseCompareState({ runDirs: ["/a", 2] })).toBeNull();
    expect(parseExploreState({ target: "/ws/data" })).toEqual({ target: "/ws/data" });
    expect(parseExploreState({ runDir: "/ws/data" })).toBeNull();
  });

  it("reopens a triage table only with a well-formed prediction", () => {
    const result: TriageResult = buildTriage({ labels: ["any"], slices: [{ file: "/d/a.dcm", id: "a", probabilities: { any: 0.4 } }], failures: [] }, "/d/p.csv", "run-1");
    // What the page stored went through JSON, as VS Code keeps it.
    const stored: unknown = JSON.parse(JSON.stringify({ result }));
    expect(parseTriageState(stored)).toEqual({ result });
    expect(parseTriageState({ result: { ...result, studies: [{ ...result.studies[0], max: { any: 2 } }] } })).toBeNull();
  });
});
