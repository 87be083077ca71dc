// The compare panel's side-by-side table (one column per run), shared by the webview that shows
// it and the extension side that exports it as CSV. Browser-safe.
import { configDiff } from "./flatten";
import { bestIndices, FINAL_METRICS, finalMetrics, formatDurationMs, formatValue, type Direction, type RunMetricsInput } from "./metrics";

export interface TableRow {
  label: string;
  /** Display text per run. */
  cells: string[];
  /** Raw numbers per run (CSV keeps full precision); undefined for text rows. */
  numbers?: (number | undefined)[];
  direction: Direction;
  /** Columns holding the best value of a numeric row. */
  best: number[];
}

export interface TableSection {
  id: "overview" | "metrics" | "config";
  title: string;
  rows: TableRow[];
}

function textRow(label: string, cells: string[]): TableRow {
  return { label, cells, direction: "none", best: [] };
}

export function compareTable(runs: readonly RunMetricsInput[]): TableSection[] {
  const metrics = runs.map(finalMetrics);
  const overview: TableRow[] = [
    textRow("Run id", runs.map((r) => r.run.id)),
    textRow("Architecture", runs.map((r) => r.run.architecture)),
    textRow("Status", runs.map((r) => (r.run.status === "running" ? `running (epoch ${r.run.epochsDone}/${r.run.epochsPlanned})` : r.run.status))),
    textRow("Duration", runs.map((r) => formatDurationMs(r.run.durationMs))),
    textRow("Backend", runs.map((r) => `${r.run.backend}${r.run.device ? ` — ${r.run.device}` : ""}`)),
    // Only when some run recorded it: runs from before trainingEngine existed would make a row of dashes.
    ...(runs.some((r) => r.run.trainingEngine) ? [textRow("Training steps", runs.map((r) => r.run.trainingEngine ?? "—"))] : []),
  ];
  const parameters = textRow("Parameters", runs.map((r) => formatValue(r.run.parameterCount ?? undefined, 0)));
  const speed = textRow("Images / s", runs.map((_, i) => formatValue(metrics[i].imagesPerSec, 1)));
  overview.push(parameters, speed);
  // Parameters and speed are compared in the overview rows, so the metrics section leaves them out.
  for (const [row, id] of [[parameters, "parameters"], [speed, "imagesPerSec"]] as const) {
    const def = FINAL_METRICS.find((d) => d.id === id)!;
    row.numbers = metrics.map((m) => m[id]);
    row.direction = def.direction;
    row.best = bestIndices(row.numbers, def.direction);
  }
  const metricRows: TableRow[] = FINAL_METRICS.filter((def) => def.id !== "parameters" && def.id !== "imagesPerSec").map((def) => {
    const numbers = metrics.map((m) => m[def.id]);
    const cells = numbers.map((v) => formatValue(v, def.digits));
    return { label: def.title, cells, numbers, direction: def.direction, best: bestIndices(numbers, def.direction) };
  }).filter((row) => row.numbers.some((v) => v !== undefined));
  const configRows = configDiff(runs.map((r) => r.run.config)).map((d) => textRow(d.key, d.values.map((v) => v ?? "—")));
  return [
    { id: "overview", title: "Runs", rows: overview },
    { id: "metrics", title: "Final metrics", rows: metricRows },
    { id: "config", title: configRows.length ? "Config (keys that differ)" : "Config (identical)", rows: configRows },
  ];
}

/** CSV rows: a header with the run names, then every table row prefixed by its section. */
export function compareTableCsvRows(runs: readonly RunMetricsInput[]): (string | number | undefined)[][] {
  const rows: (string | number | undefined)[][] = [["section", "row", ...runs.map((r) => r.run.name)]];
  for (const section of compareTable(runs)) {
    for (const row of section.rows) rows.push([section.id, row.label, ...(row.numbers ?? row.cells).map((v) => v)]);
  }
  return rows;
}
