// `ich runs` — the runs in the run store, as a table or JSON lines.
import { formatElapsed } from "../../shared/duration";
import { DEFAULT_RUNS_DIR, type BrokenRun, type RunRecord } from "../../core/runs";
import { openRunStore } from "../run-store";
import { parseCommandLine, type Command, SHARED_OPTIONS } from "../usage";

const USAGE = `Usage: ich runs [--dir DIR] [--json]

Lists the runs of the run store, oldest first. Runs whose process died are marked failed.
A run's id is its folder name. Folders whose run.json is missing or invalid are listed as
broken, with the problem; a run.json whose id differs from its folder (a copy) gets a note.
  --dir   run store folder (default: $ICH_RUNS_DIR or ./${DEFAULT_RUNS_DIR}); --runs is the same
  --json  one run.json record per line (plus "note" when there is one) instead of the table;
          broken folders as {"id", "dir", "status": "broken", "error"}`;

export function formatDuration(ms: number): string {
  return formatElapsed(Math.max(0, ms / 1000));
}

function durationOf(run: RunRecord, now: Date): string {
  const end = run.endedAt ? Date.parse(run.endedAt) : run.status === "running" ? now.getTime() : Number.NaN;
  const ms = end - Date.parse(run.startedAt);
  return Number.isFinite(ms) ? formatDuration(ms) : "-";
}

/** JSON stores a NaN metric as null. */
const metric = (value: number | null | undefined, digits: number) => (typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "-");

/** The `ich runs` table: one header row, one row per run (broken folders last), columns padded to their widest cell. */
export function formatRunsTable(runs: readonly RunRecord[], now: Date = new Date(), broken: readonly BrokenRun[] = []): string {
  const header = ["ID", "NAME", "STATUS", "ARCHITECTURE", "EPOCHS", "BEST WLL", "MEAN AUC", "DURATION", "BACKEND"];
  const rows = runs.map((run) => [
    run.id,
    run.name,
    run.status,
    run.architecture,
    `${run.epochsDone}/${run.epochsPlanned}`,
    metric(run.best?.weightedLogLoss, 4),
    metric(run.best?.meanAuc, 3),
    durationOf(run, now),
    run.backend,
  ]);
  for (const run of broken) rows.push([run.id, "-", run.status, "-", "-", "-", "-", "-", "-"]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandLine(argv, { dir: { type: "string" }, runs: SHARED_OPTIONS.runs, json: SHARED_OPTIONS.json }, false);
    const store = openRunStore(values.dir ?? values.runs);
    const { runs, broken } = await store.scan();
    if (values.json) {
      const lines = [...runs.map((run) => (run.note ? { ...run.record, note: run.note } : run.record)), ...broken];
      process.stdout.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    } else if (runs.length === 0 && broken.length === 0) {
      process.stdout.write(`No runs in ${store.root}\n`);
    } else {
      // A broken folder is reported, not an error: the listing itself is complete.
      const remarks = [...broken.map((run) => `broken ${run.id}: ${run.error}`), ...runs.flatMap((run) => (run.note ? [`note ${run.id}: ${run.note}`] : []))];
      process.stdout.write(formatRunsTable(runs.map((run) => run.record), new Date(), broken) + (remarks.length ? `\n${remarks.join("\n")}\n` : ""));
    }
    return 0;
  },
};
