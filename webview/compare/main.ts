// Compare webview: one column per run (sticky first column, horizontal scroll for many runs),
// final metrics with the best value per row marked, the config keys that differ, overlaid curves
// with one shared legend (a run keeps its colour in every chart), per-label AUC grouped bars and
// an architecture comparison (metric vs parameters and vs time per epoch).
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import { LABELS } from "../../src/shared/labels";
import { compareTable } from "../../src/shared/compareTable";
import { CURVES, finalMetrics, perLabelAuc, curveSeries, FINAL_METRICS } from "../../src/shared/metrics";
import { parseCompareToWebview, type CompareFromWebview, type CompareRunData, type CompareToWebview } from "../../src/protocol/compare";
import { aucBarChart, baseChartOptions, Chart, chartCard, createChart, followTheme, lineChart, seriesColor, seriesDash, showDatasets } from "../shared/charts";
import { el } from "../shared/dom";
import { connectHost } from "../shared/host";

const host = connectHost<CompareToWebview, CompareFromWebview>(parseCompareToWebview, received);
const post = (message: CompareFromWebview) => host.post(message);

const app = document.getElementById("app") as HTMLElement;
const charts = new Map<string, Chart>();
let runs: CompareRunData[] = [];
let scatterMetric = "weightedLogLoss";

function lineCard(id: string, title: string, xTitle: string): HTMLElement {
  const { section, canvas } = chartCard(id, title);
  charts.set(id, lineChart(canvas, { xTitle, legend: false }));
  return section;
}

function scatterCard(id: string, title: string, xTitle: string, logX: boolean): HTMLElement {
  const { section, canvas } = chartCard(id, title);
  charts.set(
    id,
    createChart(canvas, {
      type: "scatter",
      data: { datasets: [] },
      options: {
        ...baseChartOptions(false),
        scales: { x: { type: logX ? "logarithmic" : "linear", title: { display: true, text: xTitle }, grid: {}, ticks: {} }, y: { type: "linear", title: { display: true, text: "" }, grid: {}, ticks: {} } },
      },
    }),
  );
  return section;
}

function barCard(id: string, title: string): HTMLElement {
  const { section, canvas } = chartCard(id, title);
  charts.set(id, aucBarChart(canvas));
  return section;
}

function build(): void {
  const exportButton = el("vscode-button", { id: "export-csv" }, "Export CSV");
  exportButton.addEventListener("click", () => post({ type: "exportCsv" }));
  const select = el("vscode-single-select", { id: "scatter-metric", "aria-label": "Metric of the architecture comparison" });
  for (const def of FINAL_METRICS.filter((d) => ["weightedLogLoss", "valLoss", "meanAuc", "auc.any"].includes(d.id))) {
    const option = el("vscode-option", { value: def.id }, def.title);
    if (def.id === scatterMetric) option.setAttribute("selected", "");
    select.append(option);
  }
  select.addEventListener("change", () => {
    scatterMetric = (select as unknown as { value: string }).value || "weightedLogLoss";
    renderCharts();
  });
  app.replaceChildren(
    el("div", { class: "toolbar" }, el("h2", { id: "compare-title" }, "Compare runs"), el("span", { class: "research" }, "Research output — not for diagnosis"), el("span", { class: "spacer" }), exportButton),
    el("div", { class: "legend", id: "legend", role: "list", "aria-label": "Runs (colour used in every chart)" }),
    el("div", { class: "table-scroll" }, el("table", { class: "compare", id: "compare-table" })),
    el("p", { class: "muted note", id: "export-note" }),
    el("h3", {}, "Curves"),
    el("div", { class: "grid" }, ...CURVES.map((c) => lineCard(`curve-${c.id}`, c.title, c.x === "epoch" ? "epoch" : "step")), barCard("perLabelAuc", "AUC per label")),
    el("div", { class: "toolbar" }, el("h3", {}, "Architecture comparison"), el("label", {}, "Metric "), select),
    el("div", { class: "grid" }, scatterCard("scatter-params", "Metric vs parameters", "parameters (log scale)", true), scatterCard("scatter-time", "Metric vs time per epoch", "seconds per epoch", false)),
  );
}

function renderLegend(): void {
  const legend = document.getElementById("legend");
  legend?.replaceChildren(
    ...runs.map((r, i) => el("span", { class: "legend-item", role: "listitem", "data-run": r.run.id }, swatch(i), `${r.run.name} (${r.run.architecture})`)),
  );
}

function swatch(index: number): HTMLElement {
  const s = el("span", { class: "swatch", "aria-hidden": "true" });
  s.style.background = seriesColor(index);
  return s;
}

function renderTable(): void {
  const table = document.getElementById("compare-table");
  if (!table) return;
  const head = el(
    "tr",
    {},
    el("th", { class: "sticky", scope: "col" }, ""),
    ...runs.map((r, i) => {
      const name = el("span", { class: "run-head", tabindex: "0", title: `Open the dashboard of ${r.run.id}` }, r.run.name);
      const open = () => post({ type: "openDashboard", runId: r.run.id });
      name.addEventListener("click", open);
      name.addEventListener("keydown", (e) => (e.key === "Enter" ? open() : undefined));
      return el("th", { scope: "col", "data-run": r.run.id }, swatch(i), name);
    }),
  );
  const body = el("tbody");
  for (const section of compareTable(runs)) {
    body.append(el("tr", { class: "section", "data-section": section.id }, el("th", { class: "sticky", scope: "rowgroup", colspan: "1" }, section.title), ...runs.map(() => el("th", {}, ""))));
    for (const row of section.rows) {
      const numeric = row.numbers !== undefined;
      body.append(
        el(
          "tr",
          { "data-section": section.id, "data-row": row.label },
          el("th", { class: "sticky", scope: "row", title: row.direction === "none" ? row.label : `${row.label} (${row.direction} is better)` }, row.label),
          ...row.cells.map((text, i) => el("td", { class: `${numeric ? "num" : ""}${row.best.includes(i) ? " best" : ""}`, title: text }, text)),
        ),
      );
    }
  }
  table.replaceChildren(el("thead", {}, head), body);
}

function setDatasets(id: string, datasets: unknown[]): void {
  const chart = charts.get(id);
  if (chart) showDatasets(chart, datasets);
}

function runStyle(i: number, n: number) {
  return { borderColor: seriesColor(i), backgroundColor: seriesColor(i), borderDash: seriesDash(i), borderWidth: 2, pointRadius: n > 60 ? 0 : 3, tension: 0 };
}

function renderCharts(): void {
  for (const curve of CURVES) {
    setDatasets(
      `curve-${curve.id}`,
      runs.map((r, i) => {
        const data = curveSeries(r.points, curve);
        return { label: r.run.name, data, ...runStyle(i, data.length) };
      }),
    );
  }
  setDatasets(
    "perLabelAuc",
    runs.map((r, i) => {
      const auc = perLabelAuc(r.points, r.evaluation);
      return { label: r.run.name, data: LABELS.map((l) => auc[l] ?? null), backgroundColor: seriesColor(i), borderColor: seriesColor(i) };
    }),
  );
  const metric = FINAL_METRICS.find((d) => d.id === scatterMetric) ?? FINAL_METRICS[0];
  const finals = runs.map((r) => finalMetrics(r));
  const scatter = (id: string, xKey: string) => {
    setDatasets(
      id,
      runs.flatMap((r, i) => {
        const x = finals[i][xKey];
        const y = finals[i][metric.id];
        return x !== undefined && y !== undefined ? [{ label: `${r.run.name} (${r.run.architecture})`, data: [{ x, y }], ...runStyle(i, 1), pointRadius: 6 }] : [];
      }),
    );
    const chart = charts.get(id);
    const y = chart?.options.scales?.y as { title?: { text?: string } } | undefined;
    if (chart && y?.title) {
      y.title.text = `${metric.title} (${metric.direction})`;
      chart.update("none");
    }
  };
  scatter("scatter-params", "parameters");
  scatter("scatter-time", "secondsPerEpoch");
}

function received(message: CompareToWebview): void {
  if (message.type === "runs") {
    if (charts.size === 0) build();
    runs = message.runs;
    const title = document.getElementById("compare-title");
    if (title) title.textContent = `Compare ${runs.length} runs`;
    document.body.dataset.runs = String(runs.length);
    renderLegend();
    renderTable();
    renderCharts();
  } else if (message.type === "exported") {
    const note = document.getElementById("export-note");
    if (note) note.textContent = `Table exported to ${message.path}`;
  } else if (message.type === "error") {
    app.prepend(el("p", { class: "error", role: "alert" }, message.message));
  }
}


followTheme(() => [...charts.values()]);
post({ type: "ready" });
