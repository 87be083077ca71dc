// chart.js set-up shared by the dashboard and compare webviews: only the controllers they use,
// colours from the active VS Code theme, and each chart's data mirrored into a data attribute
// (`data-series`) so tests and screen readers can read what is drawn.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
} from "chart.js";
import { LABELS } from "../../src/shared/labels";
import { el } from "./dom";

Chart.register(
  LineController, LineElement, PointElement, BarController, BarElement, ScatterController, LinearScale, LogarithmicScale, CategoryScale, Legend, Tooltip,
);

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export interface ThemeColors {
  foreground: string;
  muted: string;
  grid: string;
  highContrast: boolean;
}

export function themeColors(): ThemeColors {
  const highContrast = document.body.classList.contains("vscode-high-contrast") || document.body.classList.contains("vscode-high-contrast-light");
  return {
    foreground: cssVar("--vscode-foreground", "#cccccc"),
    muted: cssVar("--vscode-descriptionForeground", "#999999"),
    grid: highContrast ? cssVar("--vscode-contrastBorder", "#6fc3df") : cssVar("--vscode-editorWidget-border", "rgba(128,128,128,0.25)"),
    highContrast,
  };
}

/** Distinguishable run colours (Tableau 10 + 10 lighter/darker variants); repeats after 20 with a dash pattern. */
const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
];

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** Dash pattern so colours reused beyond the palette stay distinguishable. */
export function seriesDash(index: number): number[] {
  const round = Math.floor(index / PALETTE.length);
  return round === 0 ? [] : [6 * round, 3];
}

export function applyTheme(chart: Chart): void {
  const colors = themeColors();
  const options = chart.options;
  if (options.plugins?.legend?.labels) options.plugins.legend.labels.color = colors.foreground;
  for (const scale of Object.values(options.scales ?? {})) {
    if (!scale) continue;
    const s = scale as { ticks?: { color?: string }; grid?: { color?: string }; title?: { color?: string } };
    if (s.ticks) s.ticks.color = colors.muted;
    if (s.grid) s.grid.color = colors.grid;
    if (s.title) s.title.color = colors.foreground;
  }
  chart.update("none");
}

export function createChart<T extends ChartType>(canvas: HTMLCanvasElement, config: ChartConfiguration<T>): Chart<T> {
  const colors = themeColors();
  Chart.defaults.color = colors.foreground;
  Chart.defaults.borderColor = colors.grid;
  Chart.defaults.font.family = cssVar("--vscode-font-family", "sans-serif");
  const chart = new Chart(canvas, config);
  applyTheme(chart as unknown as Chart);
  return chart;
}

/** Writes `[{label, points}]` of the chart's datasets (and their x values) to the canvas' `data-series`. */
export function exposeData(chart: Chart, element: HTMLElement): void {
  const series = chart.data.datasets.map((d) => ({
    label: d.label ?? "",
    points: d.data.filter((v) => v !== null && v !== undefined).length,
    x: (d.data as unknown[]).map((v) => (typeof v === "object" && v !== null && "x" in v ? v.x : null)).filter((x) => x !== null),
  }));
  element.dataset.series = JSON.stringify(series);
}

/** Re-themes every chart when VS Code switches theme (it changes the body's class). */
export function followTheme(charts: () => Chart[]): void {
  new MutationObserver(() => charts().forEach(applyTheme)).observe(document.body, { attributes: true, attributeFilter: ["class"] });
}

/** A titled card holding one chart canvas; `data-chart` names it for tests. */
export function chartCard(id: string, title: string): { section: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = el("canvas", { role: "img", "aria-label": title });
  const section = el("section", { class: "card", "data-chart": id }, el("h3", {}, title), el("div", { class: "chart-box" }, canvas));
  return { section, canvas };
}

/** Options every chart shares: no animation (live updates redraw at once), sized by its card. */
export function baseChartOptions(legend: boolean) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { display: legend, labels: {} } },
  };
}

/** A line chart of `{x, y}` points on a linear x axis with whole-number ticks (epochs, steps). */
export function lineChart(canvas: HTMLCanvasElement, axes: { xTitle: string; yTitle?: string; logY?: boolean; legend: boolean }): Chart {
  return createChart(canvas, {
    type: "line",
    data: { datasets: [] },
    options: {
      ...baseChartOptions(axes.legend),
      parsing: false,
      normalized: true,
      interaction: { mode: "nearest", intersect: false },
      scales: {
        x: { type: "linear", title: { display: true, text: axes.xTitle }, ticks: { precision: 0 }, grid: {} },
        y: { type: axes.logY ? "logarithmic" : "linear", title: axes.yTitle === undefined ? { display: false } : { display: true, text: axes.yTitle }, grid: {}, ticks: {} },
      },
    },
  });
}

/** Bars of ROC AUC (0 to 1) per label, one dataset per run or source. */
export function aucBarChart(canvas: HTMLCanvasElement): Chart {
  return createChart(canvas, {
    type: "bar",
    data: { labels: [...LABELS], datasets: [] },
    options: {
      ...baseChartOptions(false),
      scales: { x: { grid: {}, ticks: {} }, y: { min: 0, max: 1, title: { display: true, text: "ROC AUC" }, grid: {}, ticks: {} } },
    },
  });
}

/** Replaces the chart's datasets, redraws without animation and mirrors the data into its card. */
export function showDatasets(chart: Chart, datasets: unknown[]): void {
  chart.data.datasets = datasets as never;
  chart.update("none");
  exposeData(chart, chart.canvas.closest(".card") as HTMLElement);
}

export { Chart };
