import { describe, expect, it } from "vitest";
import { panelHtml } from "../../src/extension/panels/html";
import { parseCompareFromWebview, parseCompareToWebview } from "../../src/protocol/compare";
import { parseDashboardFromWebview, parseDashboardToWebview } from "../../src/protocol/dashboard";

const run = {
  id: "r",
  name: "r",
  status: "running",
  architecture: "small-cnn",
  backend: "wasm",
  device: "",
  parameterCount: null,
  epochsDone: 0,
  epochsPlanned: 2,
  startedAt: "2026-01-01T00:00:00Z",
  endedAt: null,
  durationMs: 5,
  bestEpoch: null,
  error: null,
  config: { a: 1 },
};

describe("dashboard and compare messages", () => {
  it("accept well-formed messages and reject malformed ones", () => {
    expect(parseDashboardToWebview({ type: "append", runId: "r", points: [{ kind: "step", epoch: 1, globalStep: 1, loss: 0.5, lr: 0.001 }] })).not.toBeNull();
    expect(parseDashboardToWebview({ type: "append", runId: "r", points: [{ kind: "step", epoch: 1, globalStep: 1, loss: "0.5", lr: 0.001 }] })).toBeNull();
    expect(parseDashboardToWebview({ type: "run", run: { ...run, status: "exploded" } })).toBeNull();
    expect(parseDashboardToWebview({ type: "run", run })).not.toBeNull();
    expect(parseDashboardToWebview({ type: "run", run: { ...run, trainingEngine: "TF.js wasm, 2 data-parallel replicas" } })).not.toBeNull();
    expect(parseDashboardToWebview({ type: "run", run: { ...run, trainingEngine: { name: "onnx" } } })).toBeNull();
    expect(parseDashboardToWebview({ type: "evaluation", runId: "r", evaluation: { samples: 1, data: "", loss: 1, weightedLogLoss: 1, meanAuc: null, perLabel: { nope: { auc: 1, logLoss: 1 } }, roc: {} } })).toBeNull();
    expect(parseDashboardFromWebview({ type: "ready" })).toEqual({ type: "ready" });
    expect(parseDashboardFromWebview({ type: "eval", code: "x" })).toBeNull();
    expect(parseCompareToWebview({ type: "runs", runs: [{ run, points: [], evaluation: null }] })).not.toBeNull();
    expect(parseCompareToWebview({ type: "runs", runs: [{ run: { ...run, trainingEngine: 2 }, points: [], evaluation: null }] })).toBeNull();
    expect(parseCompareToWebview({ type: "runs", runs: [{ run: { ...run, epochsDone: -1 }, points: [], evaluation: null }] })).toBeNull();
    expect(parseCompareFromWebview({ type: "openDashboard", runId: "r" })).toEqual({ type: "openDashboard", runId: "r" });
    expect(parseCompareFromWebview({ type: "openDashboard" })).toBeNull();
  });
});

describe("panel HTML", () => {
  it("has a strict CSP: no default sources, the script only by nonce, no unsafe-inline or eval", () => {
    const html = panelHtml("https://webview.test", "https://webview.test/dist/webview/dashboard.js", "https://webview.test/media/panels.css", "dashboard", "Dashboard <x>");
    const csp = html.match(/content="([^"]+)"/)![1];
    const nonce = csp.match(/'nonce-([^']+)'/)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(html).toContain(`<script nonce="${nonce}" src="https://webview.test/dist/webview/dashboard.js">`);
    expect(html).toContain("<title>Dashboard &#60;x&#62;</title>");
    expect(panelHtml("a", "b", "c", "triage", "t")).not.toContain(nonce);
  });
});
