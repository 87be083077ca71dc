// Markdown comparison table of runs (used until/unless the compare panel is available).
import type { RunRecord } from "../../core/runs/types";
import { formatDuration } from "./progress";
import { experimentLabel, formatMetric, runDurationMs } from "./runTree";

/** A side-by-side table of runs as Markdown (shown when the compare panel is not available). */
export function comparisonMarkdown(runs: { record: RunRecord }[]): string {
  const now = new Date();
  const header = ["", ...runs.map((r) => `**${r.record.name || r.record.id}**`)];
  const rows: [string, (r: { record: RunRecord }) => string][] = [
    ["Run id", (r) => `\`${r.record.id}\``],
    ["Experiment", (r) => experimentLabel(r.record)],
    ["Status", (r) => r.record.status],
    ["Architecture", (r) => r.record.architecture],
    ["Parameters", (r) => (r.record.parameterCount ? r.record.parameterCount.toLocaleString("en-US") : "—")],
    ["Best weighted log loss", (r) => formatMetric(r.record.best?.weightedLogLoss)],
    ["Mean AUC", (r) => formatMetric(r.record.best?.meanAuc, 3)],
    ["Epochs", (r) => `${r.record.epochsDone}/${r.record.epochsPlanned}`],
    ["Duration", (r) => formatDuration(runDurationMs(r.record, now))],
    ["Backend", (r) => r.record.backend],
  ];
  const lines = ["# ICH Lab — run comparison", "", `| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const [label, cell] of rows) lines.push(`| ${label} | ${runs.map(cell).join(" | ")} |`);
  lines.push("", "_Research tool, not for diagnosis._");
  return lines.join("\n");
}
