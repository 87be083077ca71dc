// Run dashboard webview: loss / weighted log loss / mean AUC by epoch, learning rate and loss by
// step, per-label AUC bars, ROC curves per label, config summary. Live: the extension posts only
// the metrics lines added since its last message.
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-collapsible/index.js";
import { LABELS } from "../../src/shared/labels";
import { flattenConfig } from "../../src/shared/flatten";
import { curveById, curveSeries, formatDurationMs, formatValue, perLabelAuc } from "../../src/shared/metrics";
import { parseDashboardToWebview, type DashboardFromWebview, type EvalSummary, type MetricsPoint, type RunSummary, type DashboardToWebview } from "../../src/protocol/dashboard";
import { aucBarChart, Chart, chartCard, followTheme, lineChart, seriesColor, showDatasets } from "../shared/charts";
import { el } from "../shared/dom";
import { connectHost } from "../shared/host";

const host = connectHost<DashboardToWebview, DashboardFromWebview>(parseDashboardToWebview, received);
const post = (message: DashboardFromWebview) => host.post(message);

let run: RunSummary | undefined;
let points: MetricsPoint[] = [];
let evaluation: EvalSummary | null = null;
const charts = new Map<string, Chart>();
const app = document.getElementById("app") as HTMLElement;

function line(id: string, title: string, xTitle: string, yTitle: string, log = false): HTMLElement {
  const { section, canvas } = chartCard(id, title);
  charts.set(id, lineChart(canvas, { xTitle, yTitle, logY: log, legend: true }));
  return section;
}

function bars(id: string, title: string): HTMLElement {
  const { section, canvas } = chartCard(id, title);
  charts.set(id, aucBarChart(canvas));
  return section;
}

function dataset(label: string, data: { x: number; y: number }[], index: number, extra: Record<string, unknown> = {}) {
  const color = seriesColor(index);
  return { label, data, borderColor: color, backgroundColor: color, pointRadius: data.length > 60 ? 0 : 3, borderWidth: 2, tension: 0, ...extra };
}

function setDatasets(id: string, datasets: ReturnType<typeof dataset>[]): void {
  const chart = charts.get(id);
  if (chart) showDatasets(chart, datasets);
}

function renderCharts(): void {
  setDatasets("loss", [dataset("train loss", curveSeries(points, curveById("trainLoss")), 0), dataset("validation loss", curveSeries(points, curveById("valLoss")), 1)]);
  setDatasets("weightedLogLoss", [dataset("weighted log loss", curveSeries(points, curveById("weightedLogLoss")), 2)]);
  setDatasets("meanAuc", [dataset("mean AUC", curveSeries(points, curveById("meanAuc")), 4)]);
  // fineTune runs: one series per stage, so the frozen and unfrozen stages read apart.
  const stages = STAGES.filter((s) => points.some((p) => p.stage === s));
  const byStage = (id: string, label: string, color: number) =>
    stages.length === 0 ? [dataset(label, curveSeries(points, curveById(id)), color)] : stages.map((s, i) => dataset(`${label} (${s} stage)`, curveSeries(points.filter((p) => p.stage === s), curveById(id)), color + i));
  setDatasets("lr", byStage("lr", "learning rate", 5));
  setDatasets("stepLoss", byStage("stepLoss", "training loss", 0));
  const auc = perLabelAuc(points, evaluation);
  const aucChart = charts.get("perLabelAuc");
  if (aucChart) {
    showDatasets(aucChart, [{ label: evaluation ? "AUC (eval.json)" : "AUC (last epoch)", data: LABELS.map((l) => auc[l] ?? null), backgroundColor: LABELS.map((_, i) => seriesColor(i)) }]);
  }
  const roc = evaluation?.roc ?? {};
  setDatasets(
    "roc",
    LABELS.filter((l) => roc[l]?.length).map((label) =>
      dataset(`${label}${evaluation?.perLabel[label]?.auc != null ? ` (AUC ${evaluation.perLabel[label].auc.toFixed(3)})` : ""}`, roc[label]!.map((p) => ({ x: p.fpr, y: p.tpr })), LABELS.indexOf(label), { pointRadius: 0 }),
    ),
  );
  const rocNote = document.getElementById("roc-note");
  if (rocNote) rocNote.textContent = evaluation ? `${evaluation.samples} validation images — ${evaluation.data}` : "No eval.json yet: ROC curves appear when the run finished (or after ICH: Evaluate Run).";
}

const STAGES = ["frozen", "unfrozen"] as const;

/** fineTune runs: the epochs of each stage, e.g. ["Frozen stage", "epochs 1–1"]. */
function stageFacts(): [string, string][] {
  return STAGES.flatMap((s): [string, string][] => {
    const epochs = points.filter((p) => p.kind === "epoch" && p.stage === s).map((p) => p.epoch);
    return epochs.length ? [[`${s === "frozen" ? "Frozen" : "Unfrozen"} stage`, `epochs ${Math.min(...epochs)}–${Math.max(...epochs)}`]] : [];
  });
}

function renderHeader(): void {
  const header = document.getElementById("run-header");
  if (!header || !run) return;
  const best = points.filter((p) => p.kind === "epoch" && p.val).length > 0 ? curveSeries(points, curveById("weightedLogLoss")) : [];
  const bestWll = best.length ? Math.min(...best.map((p) => p.y)) : undefined;
  const facts = [
    ["Architecture", run.architecture],
    ["Parameters", formatValue(run.parameterCount ?? undefined, 0)],
    ["Epochs", `${run.epochsDone} / ${run.epochsPlanned}`],
    ...stageFacts(),
    ["Duration", formatDurationMs(run.durationMs)],
    ["Backend", `${run.backend}${run.device ? ` — ${run.device}` : ""}`],
    ...(run.trainingEngine ? [["Training steps", run.trainingEngine]] : []),
    ["Best weighted log loss", formatValue(evaluation?.weightedLogLoss ?? bestWll, 4)],
    ["Mean AUC", formatValue(evaluation?.meanAuc ?? curveSeries(points, curveById("meanAuc")).at(-1)?.y, 3)],
  ];
  const status = el("vscode-badge", { class: `status status-${run.status}`, "data-status": run.status }, run.status);
  header.replaceChildren(
    el("div", { class: "title-row" }, el("h2", {}, run.name), status, el("span", { class: "muted run-id" }, run.id)),
    el("dl", { class: "facts" }, ...facts.map(([k, v]) => el("div", { class: "fact" }, el("dt", {}, k), el("dd", {}, v)))),
    ...(run.error ? [el("p", { class: "error", role: "alert" }, run.error)] : []),
    ...(run.badImageCount ? [badImagesNote(run.badImageCount, run.badImages ?? [])] : []),
  );
}

/** Unreadable training images the run skipped (run.json badImages): a count, the files in a collapsible list. */
function badImagesNote(count: number, list: { file: string; reason: string }[]): HTMLElement {
  return el(
    "details",
    { class: "bad-images" },
    el("summary", {}, `${count} unreadable training image${count === 1 ? "" : "s"} skipped`),
    el("ul", {}, ...list.map((b) => el("li", {}, el("code", {}, b.file), `: ${b.reason}`))),
  );
}

function renderConfig(): void {
  const body = document.getElementById("config-body");
  if (!body || !run) return;
  const flat = flattenConfig(run.config);
  body.replaceChildren(...Object.entries(flat).map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v))));
}

function build(): void {
  const openJson = el("vscode-button", { secondary: "" }, "Open run.json");
  openJson.addEventListener("click", () => post({ type: "openRunJson" }));
  const config = el("vscode-collapsible", { title: "Config summary", class: "config" }, el("table", { class: "kv" }, el("tbody", { id: "config-body" })));
  const rocCard = line("roc", "ROC curves per label", "false positive rate", "true positive rate");
  rocCard.append(el("p", { class: "muted note", id: "roc-note" }));
  app.replaceChildren(
    el("header", { id: "run-header", class: "run-header" }),
    el("div", { class: "toolbar" }, el("span", { class: "research" }, "Research output — not for diagnosis"), openJson),
    el(
      "div",
      { class: "grid" },
      line("loss", "Loss by epoch", "epoch", "binary cross-entropy"),
      line("weightedLogLoss", "Weighted log loss by epoch", "epoch", "weighted log loss"),
      line("meanAuc", "Mean AUC by epoch", "epoch", "mean ROC AUC"),
      line("stepLoss", "Training loss by step", "step", "loss"),
      line("lr", "Learning rate by step", "step", "learning rate"),
      bars("perLabelAuc", "AUC per label"),
      rocCard,
    ),
    config,
  );
  const rocChart = charts.get("roc");
  if (rocChart?.options.scales?.x && rocChart.options.scales.y) {
    rocChart.options.scales.x.min = 0;
    rocChart.options.scales.x.max = 1;
    rocChart.options.scales.y.min = 0;
    rocChart.options.scales.y.max = 1;
  }
}

function renderAll(): void {
  renderHeader();
  renderCharts();
  renderConfig();
  document.body.dataset.epochs = String(points.filter((p) => p.kind === "epoch").length);
}

function received(message: DashboardToWebview): void {
  switch (message.type) {
    case "init":
      if (charts.size === 0) build();
      run = message.run;
      points = message.points;
      evaluation = message.evaluation;
      renderAll();
      break;
    case "append":
      if (!run || message.runId !== run.id) return;
      points.push(...message.points);
      renderCharts();
      renderHeader();
      document.body.dataset.epochs = String(points.filter((p) => p.kind === "epoch").length);
      break;
    case "run":
      run = message.run;
      renderHeader();
      renderConfig();
      break;
    case "evaluation":
      if (!run || message.runId !== run.id) return;
      evaluation = message.evaluation;
      renderCharts();
      renderHeader();
      break;
    case "error":
      app.prepend(el("p", { class: "error", role: "alert" }, message.message));
      break;
  }
}


followTheme(() => [...charts.values()]);
post({ type: "ready" });
