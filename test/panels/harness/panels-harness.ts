// Renders the real dashboard, compare and triage webview bundles in headless Chromium with a
// stand-in extension host that answers `ready` with messages built from real run folders and
// `ich predict --json` output, then saves screenshots and reports console/CSP errors.
//   npx tsx test/panels/harness/panels-harness.ts RUNS_DIR [PREDICT_JSON] [--explore EXPLORE_JSON] [--out test-results/panels] [--theme dark|light|hc]
import * as esbuild from "esbuild";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { panelHtml, type PanelName } from "../../../src/extension/panels/html";
import { strideDown, toMetricsPoint } from "../../../src/extension/panels/logic/runData";
import { JsonlTail } from "../../../src/extension/panels/logic/tail";
import { readExploreOutput, readPredictOutput } from "../../../src/protocol/engine-output";
import { buildTriage } from "../../../src/shared/triage";
import { readEvaluation, readRunSummary } from "../../../src/extension/panels/runFolder";
import type { MetricsPoint } from "../../../src/protocol/dashboard";

const root = resolve(__dirname, "../../..");
const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const positional = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const runsDir = resolve(positional[0] ?? "runs");
const predictJson = positional[1];
const outDir = resolve(flag("--out") ?? join(root, "test-results", "panels"));
const theme = flag("--theme") ?? "dark";

const THEMES: Record<string, { cls: string; vars: string }> = {
  dark: { cls: "vscode-dark", vars: "--vscode-foreground:#cccccc;--vscode-editor-background:#1e1e1e;--vscode-descriptionForeground:#9d9d9d;--vscode-editorWidget-background:#252526;--vscode-editorWidget-border:#454545;--vscode-textLink-foreground:#3794ff;--vscode-errorForeground:#f48771;--vscode-editorWarning-foreground:#cca700;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-testing-iconPassed:#73c991" },
  light: { cls: "vscode-light", vars: "--vscode-foreground:#616161;--vscode-editor-background:#ffffff;--vscode-descriptionForeground:#717171;--vscode-editorWidget-background:#f3f3f3;--vscode-editorWidget-border:#c8c8c8;--vscode-textLink-foreground:#006ab1;--vscode-errorForeground:#a1260d;--vscode-editorWarning-foreground:#bf8803;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-testing-iconPassed:#388a34" },
  hc: { cls: "vscode-high-contrast", vars: "--vscode-foreground:#ffffff;--vscode-editor-background:#000000;--vscode-descriptionForeground:#ffffff;--vscode-editorWidget-background:#0c141f;--vscode-editorWidget-border:#6fc3df;--vscode-contrastBorder:#6fc3df;--vscode-contrastActiveBorder:#f38518;--vscode-textLink-foreground:#21a6ff;--vscode-errorForeground:#f48771;--vscode-editorWarning-foreground:#ffd700;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace" },
};

async function runData(runDir: string) {
  const tail = new JsonlTail(join(runDir, "metrics.jsonl"));
  const points = (await tail.read()).lines.map(toMetricsPoint).filter((p): p is MetricsPoint => p !== null);
  return { run: await readRunSummary(runDir), points, evaluation: await readEvaluation(runDir) };
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const runDirs = readdirSync(runsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(runsDir, e.name)).sort();
  const runs = await Promise.all(runDirs.map(runData));
  const messages: Record<PanelName, unknown> = {
    dashboard: { type: "init", ...runs[0], points: [...strideDown(runs[0].points.filter((p) => p.kind === "step"), 5000), ...runs[0].points.filter((p) => p.kind === "epoch")] },
    compare: { type: "runs", runs: runs.map((r) => ({ ...r, evaluation: r.evaluation && { ...r.evaluation, roc: {} } })) },
    triage: predictJson ? { type: "result", result: buildTriage(readPredictOutput(readFileSync(predictJson, "utf8")), "/tmp/ich-predictions.csv", "run") } : null,
    explore: flag("--explore") ? { type: "summary", summary: readExploreOutput(readFileSync(flag("--explore")!, "utf8")), canReroll: true } : null,
  };
  const scripts: Record<string, string> = {};
  for (const panel of ["dashboard", "compare", "triage", "explore"]) {
    const out = await esbuild.build({ entryPoints: [join(root, "webview", panel, "main.ts")], bundle: true, format: "iife", platform: "browser", target: "es2022", write: false });
    scripts[panel] = out.outputFiles[0].text;
  }
  const css = readFileSync(join(root, "media/panels.css"), "utf8");
  let origin = "";
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const panel = url.match(/\/(dashboard|compare|triage|explore)\.js$/)?.[1];
    if (panel) res.writeHead(200, { "content-type": "text/javascript" }).end(scripts[panel]);
    else if (url.endsWith("panels.css")) res.writeHead(200, { "content-type": "text/css" }).end(css);
    else {
      const name = (url.match(/\/page\/(\w+)/)?.[1] ?? "dashboard") as PanelName;
      res.writeHead(200, { "content-type": "text/html" }).end(panelHtml(origin, `${origin}/${name}.js`, `${origin}/panels.css`, name, name, { panel: name }));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  let problems = 0;
  try {
    for (const panel of ["dashboard", "compare", "triage", "explore"] as PanelName[]) {
      if (!messages[panel]) continue;
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") {
          problems += 1;
          console.error(`${panel} console ${m.type()}:`, m.text());
        }
      });
      page.on("pageerror", (e) => {
        problems += 1;
        console.error(`${panel} page error:`, e.message);
      });
      const t = THEMES[theme];
      await page.addInitScript(`
        window.__sent = [];
        window.acquireVsCodeApi = () => ({ setState: (s) => { window.__state = s; }, postMessage: (m) => {
          window.__sent.push(m);
          if (m.type === "ready") setTimeout(() => window.postMessage(${JSON.stringify(messages[panel])}, "*"), 0);
        } });
        document.addEventListener("DOMContentLoaded", () => { document.body.classList.add("${t.cls}"); "${t.vars}".split(";").forEach((d) => { const i = d.indexOf(":"); document.documentElement.style.setProperty(d.slice(0, i), d.slice(i + 1)); }); });
      `);
      await page.goto(`${origin}/page/${panel}`);
      await page.waitForTimeout(1500);
      await page.screenshot({ path: join(outDir, `${panel}-${theme}.png`), fullPage: true });
      const series = await page.$$eval("[data-series]", (els) => els.map((e) => `${(e as HTMLElement).dataset.chart}: ${(e as HTMLElement).dataset.series?.slice(0, 160)}`));
      console.log(`${panel}: ${series.length} charts`, series.join("\n  "));
      console.log(`${panel}: posted`, JSON.stringify(await page.evaluate("window.__sent")), "restore state", JSON.stringify(await page.evaluate("window.__state")).slice(0, 120));
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`screenshots in ${outDir}; ${problems} console problems`);
  process.exitCode = problems > 0 ? 1 : 0;
}

void main();
