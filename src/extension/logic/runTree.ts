// Builds the Runs view model (groups, labels, descriptions, tooltips) from RunRecords.
import type { BrokenRun, RunRecord, RunStatus } from "../../core/runs/types";
import { formatDuration } from "./progress";

export interface ExperimentGroup {
  key: string; // experiment path, or "" for runs without one
  label: string;
  runs: RunRecord[];
}

const EXPERIMENT_SUFFIX = /\.ich\.json$/i;

export function experimentLabel(record: Pick<RunRecord, "experimentPath" | "name">): string {
  if (!record.experimentPath) return "(no experiment file)";
  const base = record.experimentPath.split(/[\\/]/).pop() ?? record.experimentPath;
  return base.replace(EXPERIMENT_SUFFIX, "");
}

/** Groups by experiment file (alphabetical), newest run first inside each group. */
export function groupRunsByExperiment(records: RunRecord[]): ExperimentGroup[] {
  const groups = new Map<string, ExperimentGroup>();
  for (const record of records) {
    const key = record.experimentPath ?? "";
    let group = groups.get(key);
    if (!group) {
      group = { key, label: experimentLabel(record), runs: [] };
      groups.set(key, group);
    }
    group.runs.push(record);
  }
  const sorted = [...groups.values()].sort((a, b) => a.label.localeCompare(b.label) || a.key.localeCompare(b.key));
  for (const group of sorted) group.runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
  return sorted;
}

/** ThemeIcon id per status (running spins). */
export function statusIcon(status: RunStatus): string {
  switch (status) {
    case "running":
      return "sync~spin";
    case "completed":
      return "check";
    case "failed":
      return "error";
    case "cancelled":
      return "circle-slash";
  }
}

export function formatMetric(value: number | undefined, digits = 4): string {
  return value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits);
}

/** One-line description: live epoch while running, the key metrics once there are any. */
export function runDescription(record: RunRecord): string {
  const metrics = record.best ? `wLL ${formatMetric(record.best.weightedLogLoss)} · AUC ${formatMetric(record.best.meanAuc, 3)}` : "";
  switch (record.status) {
    case "running":
      return [`epoch ${record.epochsDone}/${record.epochsPlanned}`, metrics].filter(Boolean).join(" · ");
    case "completed":
      return metrics || "completed";
    case "failed":
      return `failed${record.error ? `: ${firstLine(record.error)}` : ""}`;
    case "cancelled":
      return ["cancelled", metrics].filter(Boolean).join(" · ");
  }
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0];
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}

export function runDurationMs(record: RunRecord, now: Date): number {
  const start = Date.parse(record.startedAt);
  const end = record.endedAt ? Date.parse(record.endedAt) : record.status === "running" ? now.getTime() : Date.parse(record.heartbeatAt ?? record.startedAt);
  return Math.max(0, end - start);
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]|<>])/g, "\\$1");
}

/** Markdown for the tree item's tooltip; `note` is a store remark such as a copied folder's id mismatch. */
export function runTooltipMarkdown(record: RunRecord, now: Date, note?: string): string {
  const rows: [string, string][] = [
    ["Status", record.status + (record.status === "running" ? ` (epoch ${record.epochsDone}/${record.epochsPlanned})` : "")],
    ["Architecture", record.architecture + (record.parameterCount ? ` (${record.parameterCount.toLocaleString("en-US")} parameters)` : "")],
    ["Best weighted log loss", formatMetric(record.best?.weightedLogLoss) + (record.bestEpoch !== undefined ? ` (epoch ${record.bestEpoch})` : "")],
    ["Mean AUC", formatMetric(record.best?.meanAuc, 3)],
    ["Epochs", `${record.epochsDone}/${record.epochsPlanned}`],
    ["Duration", formatDuration(runDurationMs(record, now))],
    ["Backend", `${record.backend}${record.device ? ` — ${record.device}` : ""}`],
    ["Started", record.startedAt],
  ];
  const lines = [`**${escapeMarkdown(record.name)}** \`${record.id}\``, "", "| | |", "|---|---|"];
  for (const [key, value] of rows) lines.push(`| ${key} | ${escapeMarkdown(value)} |`);
  if (record.error) lines.push("", `**Error:** ${escapeMarkdown(firstLine(record.error))}`);
  if (note) lines.push("", `**Note:** ${escapeMarkdown(note)}`);
  return lines.join("\n");
}

/** What is wrong with a broken run, without the run.json path its error starts with (the item already names the folder). */
export function brokenRunReason(run: BrokenRun): string {
  return run.error.replace(/^.*?run\.json: /, "");
}

/** One-line description of a broken run folder. */
export function brokenRunDescription(run: BrokenRun): string {
  return `broken: ${firstLine(brokenRunReason(run))}`;
}

/** Tooltip of a broken run folder: the folder and the full reason. */
export function brokenRunTooltipMarkdown(run: BrokenRun): string {
  return [
    `**${escapeMarkdown(run.id)}** — broken run (its run.json cannot be used)`,
    "",
    "| | |",
    "|---|---|",
    `| Folder | ${escapeMarkdown(run.dir)} |`,
    "",
    `**Problem:** ${escapeMarkdown(run.error)}`,
    "",
    "Fix or delete the folder; the other runs are not affected.",
  ].join("\n");
}
