// `ich explore DIR|CONFIG` — what is in a dataset folder: counts, prevalence, co-occurrence,
// slices per series, header-field histograms, sample slices, the cleaning report, and for an
// experiment its augmentations as training draws them.
import { exploreDataset, rerollAugmentation } from "../../core/dataset/explore";
import { HEADER_FIELD_TITLES, HEADER_FIELDS, type ExploreSummary, type Histogram } from "../../core/dataset/explore-types";
import { LABELS } from "../../shared/labels";
import { parseCommandLine, UsageError, type Command } from "../usage";
import { countProgress } from "./count-progress";
import { onInterrupt } from "../interrupt";

const USAGE = `Usage: ich explore DIR|CONFIG [--labels FILE] [--clean REPORT] [--cache FILE] [--samples N] [--seed S] [--json]
       ich explore CONFIG --augment-only FILE... [--seed S] [--json]

Summarises a dataset folder from its index (built or updated first, as 'ich index' does; only new
or changed files are read): files, patients, studies and series; prevalence of each label and how
often labels occur together; slices per series; histograms of BitsStored, PixelRepresentation,
RescaleIntercept, window center/width, pixel spacing and slice thickness; sample slices per
subtype through the brain window; and the 'ich clean' report when the folder has one.
With an experiment file (CONFIG), its data folder and labels are used, and a few slices are drawn
under the experiment's train.augment settings by the training code.
  --labels FILE    labels table (default: the experiment's, else DIR/labels.csv or DIR/stage_2_train.csv)
  --clean REPORT   'ich clean' JSON report (default: one found in DIR)
  --cache FILE     header cache of the index (default DIR/.ich-index.jsonl; use when DIR is read-only)
  --samples N      sample slices per subtype (default 4, at most 16)
  --seed S         augmentation seed (default the experiment's train.seed)
  --augment-only   draw only the augmentation preview of the FILEs given (the explorer's re-roll)
  --json           print the summary as one JSON object (progress as {"type":"log"} lines before it)
ICH Lab is a research tool, not for diagnosis.`;

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got '${text}')`);
  return value;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.01 && share > 0 ? 2 : 1)}%`;
}

function describeHistogram(h: Histogram): string {
  if (h.count === 0) return "no values";
  const bars = h.kind === "values" ? h.bins.map((b) => `${b.from} ×${b.count}`).join(", ") : `${h.min} to ${h.max} (${h.bins.length} bins)`;
  return `${bars}${h.missing ? `; ${h.missing} without` : ""}`;
}

function describe(s: ExploreSummary): string {
  const c = s.counts;
  const lines = [
    `${s.root}: ${c.files} files (${c.dicom} DICOM, ${c.images} PNG/JPG, ${c.unreadable} unreadable headers), ${c.patients} patients, ${c.studies} studies, ${c.series} series`,
    `index: ${s.source}`,
  ];
  if (s.labelsFile) lines.push(`labels ${s.labelsFile}: ${c.labelled} labelled files, ${c.unlabelled} without labels${c.labelsWithoutFiles ? `, ${c.labelsWithoutFiles} labelled images without a file` : ""}`);
  if (s.prevalence.length) {
    lines.push("prevalence:");
    for (const p of s.prevalence) lines.push(`  ${p.label.padEnd(17)} ${String(p.positives).padStart(8)}  ${percent(p.share)}`);
    lines.push("co-occurrence (files positive for both):");
    lines.push(`  ${"".padEnd(17)} ${LABELS.map((l) => l.slice(0, 6).padStart(7)).join("")}`);
    s.cooccurrence.forEach((row, i) => lines.push(`  ${LABELS[i].padEnd(17)} ${row.map((n) => String(n).padStart(7)).join("")}`));
  }
  lines.push(`slices per series: ${describeHistogram(s.slicesPerSeries)}`);
  for (const field of HEADER_FIELDS) lines.push(`${HEADER_FIELD_TITLES[field]}: ${describeHistogram(s.headers[field])}`);
  for (const g of s.samples) lines.push(`samples ${g.group}: ${g.slices.map((x) => x.id).join(", ")}`);
  if (s.clean) lines.push(`cleaning report ${s.clean.file}: ${s.clean.totalIssues} issues, ${s.clean.excluded} excluded (${s.clean.exclusionCsv})`);
  else lines.push("cleaning report: none (run 'ich clean')");
  if (s.augmentation) lines.push(`augmentation preview (seed ${s.augmentation.seed}): ${s.augmentation.slices.map((x) => x.id).join(", ")}`);
  return lines.join("\n");
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      labels: { type: "string" },
      clean: { type: "string" },
      cache: { type: "string" },
      samples: { type: "string" },
      seed: { type: "string" },
      "augment-only": { type: "boolean" },
      json: { type: "boolean" },
    });
    if (positionals.length === 0) throw new UsageError("missing DIR or CONFIG");
    const seed = integer("seed", values.seed, 0, 4294967295);
    if (values["augment-only"]) {
      if (positionals.length < 2) throw new UsageError("--augment-only needs CONFIG and the FILEs to draw");
      const preview = await rerollAugmentation(positionals[0], positionals.slice(1), seed ?? 1);
      process.stdout.write(values.json ? `${JSON.stringify(preview)}\n` : `${preview.slices.map((s) => `${s.id}: ${s.error ?? `${s.augmented.length} augmented pictures`}`).join("\n")}\n`);
      return preview.slices.some((s) => s.error) ? 1 : 0;
    }
    if (positionals.length !== 1) throw new UsageError(`expected one folder or experiment file, got ${positionals.length}`);
    const samplesPerGroup = integer("samples", values.samples, 0, 16);
    const interrupt = onInterrupt();
    const bar = countProgress("indexing");
    let lastLog = 0;
    const onProgress = values.json
      ? (done: number, total: number) => {
          if (Date.now() - lastLog < 1000 && done < total) return;
          lastLog = Date.now();
          process.stdout.write(`${JSON.stringify({ type: "log", message: `indexing ${done}/${total} files` })}\n`);
        }
      : bar.update;
    try {
      const { labels, clean, cache: cacheFile } = values;
      const summary = await exploreDataset(positionals[0], { labels, clean, cacheFile, samplesPerGroup, seed, signal: interrupt.signal, onProgress });
      bar.done();
      process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${describe(summary)}\n`);
      return summary.cancelled ? 130 : 0;
    } finally {
      bar.done();
      interrupt.release();
    }
  },
};
