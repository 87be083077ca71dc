// `ich index DIR` — header-only, parallel, incremental index of a dataset folder (JSON lines).
import { buildIndex } from "../../core/dataset/build-index";
import type { IndexSummary } from "../../core/dataset/types";
import { parseCommandLine, UsageError, type Command } from "../usage";
import { countProgress } from "./count-progress";
import { onInterrupt } from "../interrupt";

const USAGE = `Usage: ich index DIR [--labels FILE] [--metadata FILE] [--out FILE] [--cache FILE] [--workers N] [--json]

Indexes every .dcm/.png/.jpg file under DIR from its header only (DICOM elements before the pixel
data; PNG/JPG size markers), in parallel, as JSON lines: one entry per file with patient, study,
series, position, size, bit depth, rescale, window, spacing and thickness. The index is cached in
DIR/.ich-index.jsonl and only new or changed files (path, size, mtime) are read again. Ctrl-C stops
early and keeps what was read. A progress bar is drawn on stderr.
  --labels FILE    labels table (stage_2_train.csv long form, one column per label, or feather)
  --metadata FILE  patient table for image folders (ID or SOPInstanceUID, PatientID, …)
  --out FILE       labelled index (default DIR/.ich-index-labelled.jsonl with --labels/--metadata)
  --cache FILE     header cache (default DIR/.ich-index.jsonl; use when DIR is read-only)
  --workers N      worker threads reading headers (default: cores - 1)
  --json           print the summary as one JSON object`;

function describe(s: IndexSummary): string {
  const lines = [
    `${s.files} files in ${s.root} (${s.dicom} DICOM, ${s.images} PNG/JPG): ${s.read} headers read, ${s.cached} from the cache, ${s.unreadable} unreadable headers, ${s.seconds.toFixed(1)} s`,
  ];
  if (s.labels) lines.push(`labels ${s.labels.file}: ${s.labels.labelledImages} labelled files, ${s.labels.filesWithoutLabels} files without labels, ${s.labels.labelsWithoutFiles} labelled images without a file`);
  if (s.cancelled) lines.push("stopped early (Ctrl-C): the cache keeps every header read so far; run again to finish");
  lines.push(`index: ${s.indexFile}`);
  return lines.join("\n");
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      labels: { type: "string" },
      metadata: { type: "string" },
      out: { type: "string" },
      cache: { type: "string" },
      workers: { type: "string" },
      json: { type: "boolean" },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one folder, got ${positionals.length}`);
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError("--workers must be a whole number ≥ 0");
    const interrupt = onInterrupt();
    const progress = countProgress("indexing");
    try {
      const { labels, metadata, out } = values;
      const summary = await buildIndex(positionals[0], {
        labels, metadata, out, cacheFile: values.cache, workers, signal: interrupt.signal, onProgress: progress.update,
      });
      progress.done();
      process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${describe(summary)}\n`);
      return summary.cancelled ? 130 : 0;
    } finally {
      progress.done();
      interrupt.release();
    }
  },
};
