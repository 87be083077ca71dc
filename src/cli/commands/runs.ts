// `ich runs` — the runs in the run store, as a table or JSON lines.
import { formatElapsed } from "../../core/duration";
import { DEFAULT_RUNS_DIR, type RunRecord } from "../../core/runs";
import { openRunStore } from "../run-store";
import { parseCommandLine, type Command } from "../usage";

const USAGE = `Usage: ich runs [--dir DIR] [--json]

Lists the runs of the run store, oldest first. Runs whose process died are marked failed.
  --dir   run store folder (default: $ICH_RUNS_DIR or ./${DEFAULT_RUNS_DIR}); --runs is the same
  --json  one run.json record per line instead of the table`;

export function formatDuration(ms: number): string {
  return formatElapsed(Math.max(0, ms / 1000));
}

function durationOf(run: RunRecord, now: Date): string {
  const end = run.endedAt ? Date.parse(run.endedAt) : run.status === "running" ? now.getTime() : Number.NaN;
  const ms = end - Date.parse(run.startedAt);
  return Number.isFinite(ms) ? formatDuration(ms) : "-";
}

/** The `ich runs` table: one header row, one row per run, columns padded to their widest cell. */
export function formatRunsTable(runs: readonly RunRecord[], now: Date = new Date()): string {
  const header = ["ID", "NAME", "STATUS", "ARCHITECTURE", "EPOCHS", "BEST WLL", "MEAN AUC", "DURATION", "BACKEND"];
  const rows = runs.map((run) => [
    run.id,
    run.name,
    run.status,
    run.architecture,
    `${run.epochsDone}/${run.epochsPlanned}`,
    run.best ? run.best.weightedLogLoss.toFixed(4) : "-",
    run.best ? run.best.meanAuc.toFixed(3) : "-",
    durationOf(run, now),
    run.backend,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandLine(argv, { dir: { type: "string" }, runs: { type: "string" }, json: { type: "boolean" } }, false);
    const store = openRunStore(values.dir ?? values.runs);
    const runs = await store.list();
    if (values.json) {
      process.stdout.write(runs.map((run) => `${JSON.stringify(run)}\n`).join(""));
    } else if (runs.length === 0) {
      process.stdout.write(`No runs in ${store.root}\n`);
    } else {
      process.stdout.write(formatRunsTable(runs));
    }
    return 0;
  },
};
