// `ich clean DIR|CONFIG` — the cleaning report of a dataset folder, plus an exclusion list.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { cleanDataset, DEFAULT_LOW_BRAIN_SHARE } from "../../core/dataset/clean";
import type { CleanReport } from "../../core/dataset/types";
import { loadExperiment } from "../../core/experiment";
import { parseCommandLine, UsageError, type Command } from "../usage";
import { countProgress } from "./count-progress";
import { onInterrupt } from "../interrupt";

const USAGE = `Usage: ich clean DIR [--labels FILE] | CONFIG.ich.json  [--out DIR] [--low-brain SHARE] [--exclude-low-brain] [--workers N] [--json]

Checks every image of a dataset folder (indexing it first, see ich index) and decodes each file
in parallel. Reports unreadable or truncated pixel data, RSNA-fix slices, non-CT and colour
images, unusual sizes, files without labels and labels without files, duplicate and conflicting
label rows, duplicate SOPInstanceUIDs, any ≠ OR(subtypes), and slices with little brain-window
content. Writes OUT/clean-report.json and OUT/exclude.csv (ID,file,reason) for data.exclude.
With an experiment file, its folder, labels and data.where subset are used.
  --labels FILE        labels table (CSV long/wide form or feather) when DIR is a folder
  --out DIR            where the report goes (default DIR/ich-clean)
  --low-brain SHARE    flag slices with less than this share of pixels in the brain window (default ${DEFAULT_LOW_BRAIN_SHARE})
  --exclude-low-brain  also exclude flagged slices without bleed (the seed's notebook 01 step)
  --workers N          decoding worker threads (default: cores - 1)
  --json               print the report summary (counts, files) as one JSON object`;

function describe(r: CleanReport): string {
  const counts = Object.entries(r.counts).map(([kind, n]) => `  ${kind}: ${n}`);
  return [
    `${r.files} files checked in ${r.root}${r.where ? ` (subset ${JSON.stringify(r.where)})` : ""}, ${r.decoded} decoded, ${r.unreadable ?? 0} unreadable, ${r.seconds.toFixed(1)} s`,
    ...(counts.length ? counts : ["  no problems found"]),
    `${r.excluded} images on the exclusion list ${r.exclusionCsv}`,
  ].join("\n");
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      labels: { type: "string" },
      out: { type: "string" },
      "low-brain": { type: "string" },
      "exclude-low-brain": { type: "boolean" },
      workers: { type: "string" },
      json: { type: "boolean" },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one folder or experiment file, got ${positionals.length}`);
    const lowBrain = values["low-brain"] === undefined ? undefined : Number(values["low-brain"]);
    if (lowBrain !== undefined && !(lowBrain >= 0 && lowBrain <= 1)) throw new UsageError("--low-brain must be a share from 0 to 1");
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError("--workers must be a whole number ≥ 0");
    const target = positionals[0];
    let root = target;
    let labels = values.labels;
    let where: CleanReport["where"];
    let experiment: string | undefined;
    const stat = statSync(target, { throwIfNoEntry: false });
    if (!stat) throw new Error(`${resolve(target)}: no such folder or experiment file`);
    if (!stat.isDirectory()) {
      const config = await loadExperiment(target);
      const data = config.data;
      if (data.kind === "synthetic") throw new UsageError(`${target}: synthetic data has nothing to clean`);
      if (values.labels) throw new UsageError("--labels is taken from the experiment file");
      root = data.kind === "rsna" ? data.dicomDir : data.imageDir;
      labels = data.kind === "rsna" ? data.labelsCsv : data.labels;
      where = data.where;
      experiment = target;
    }
    const interrupt = onInterrupt();
    const progress = { index: countProgress("indexing"), decode: countProgress("decoding") };
    try {
      const report = await cleanDataset(root, {
        labels,
        where,
        experiment,
        outDir: values.out,
        lowBrainShare: lowBrain,
        excludeLowBrain: values["exclude-low-brain"],
        workers,
        signal: interrupt.signal,
        onProgress: (stage, done, total) => progress[stage].update(done, total),
      });
      progress.index.done();
      progress.decode.done();
      if (values.json) {
        const { issues, ...summary } = report;
        process.stdout.write(`${JSON.stringify({ ...summary, issues: issues.length })}\n`);
      } else process.stdout.write(`${describe(report)}\n`);
      return 0;
    } finally {
      progress.index.done();
      progress.decode.done();
      interrupt.release();
    }
  },
};
