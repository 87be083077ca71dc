// `ich baseline-metadata DATA` — how well DICOM header fields alone predict each label.
import { runMetadataBaseline, type MetadataBaselineReport } from "../../core/baseline/run-baseline";
import { LABELS } from "../../shared/labels";
import { nonFiniteAsNull } from "../../core/predict/run-evaluation";
import { openRunStore, RUNS_OPTION_HELP } from "../run-store";
import { parseCommandLine, UsageError, type Command, SHARED_OPTIONS } from "../usage";
import { onInterrupt } from "../interrupt";

const USAGE = `Usage: ich baseline-metadata DIR|CONFIG [--labels FILE] [--run RUN] [--validation-fraction F] [--seed N] [--trees N] [--json] [--runs DIR]

Trains one random forest per label (mljs ml-random-forest) on DICOM header fields only — size, bit
depth, rescale, window, spacing, thickness, position, instance number, slices in the series and the
slice's relative place in it — with a patient-level split (no patient on both sides), and prints each
label's validation ROC AUC. Headers come from the ich index of the folder (cached, incremental).
A baseline near 0.5 means the header carries no signal; an image model should beat it clearly.
  --labels FILE  labels table (default: the experiment's, else DIR/labels.csv or DIR/stage_2_train.csv)
  --run RUN      print RUN's image-model AUCs (its eval.json) beside the baseline and use its split
                 settings (validation fraction, seed)
  --validation-fraction F  share of images (whole patients) held out (default 0.2, or the experiment's)
  --seed N       split and forest seed (default 42, or the experiment's split seed)
  --trees N      trees per forest (default 50)
  --json         print the report as JSON
${RUNS_OPTION_HELP}`;

const fmt = (v: number | undefined) => (v === undefined ? "" : Number.isFinite(v) ? v.toFixed(3) : "n/a");

function describe(r: MetadataBaselineReport): string {
  const lines = [
    `${r.root} (labels ${r.labelsFile}): ${r.trainImages} training images (${r.trainPatients} patients), ${r.validationImages} validation images (${r.validationPatients} patients), ${r.skipped} skipped`,
    `random forest, ${r.options.trees} trees, ${r.features.length} header features, split seed ${r.options.seed}`,
    "",
    ["label".padEnd(18), "header AUC".padStart(11), ...(r.imageModel ? ["image AUC".padStart(11)] : []), "positives (train/val)".padStart(23)].join(""),
  ];
  for (const label of LABELS) {
    const m = r.perLabel[label];
    lines.push([label.padEnd(18), fmt(m.auc).padStart(11), ...(r.imageModel ? [fmt(r.imageModel.perLabel[label]).padStart(11)] : []), `${m.trainPositives}/${m.validationPositives}`.padStart(23)].join(""));
  }
  lines.push(["mean".padEnd(18), fmt(r.meanAuc).padStart(11), ...(r.imageModel ? [fmt(r.imageModel.meanAuc).padStart(11)] : [])].join(""));
  if (r.imageModel) lines.push("", `image model: run ${r.imageModel.runId}, ${r.imageModel.data}`);
  return lines.join("\n");
}

function count(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number ≥ ${min}`);
  return n;
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      labels: { type: "string" },
      run: { type: "string" },
      "validation-fraction": { type: "string" },
      seed: { type: "string" },
      trees: { type: "string" },
      json: SHARED_OPTIONS.json,
      runs: SHARED_OPTIONS.runs,
    });
    if (positionals.length !== 1) throw new UsageError("expected one dataset folder or experiment file");
    const fraction = values["validation-fraction"] === undefined ? undefined : Number(values["validation-fraction"]);
    if (fraction !== undefined && !(fraction > 0 && fraction < 1)) throw new UsageError("--validation-fraction must be between 0 and 1");
    const seed = count(values.seed, "--seed", 0);
    const trees = count(values.trees, "--trees", 1);
    const interrupt = onInterrupt();
    try {
      const report = await runMetadataBaseline({
        target: positionals[0],
        labels: values.labels,
        run: values.run ? { store: openRunStore(values.runs), id: values.run } : undefined,
        options: {
          ...(fraction !== undefined ? { validationFraction: fraction } : {}),
          ...(seed !== undefined ? { seed } : {}),
          ...(trees !== undefined ? { trees } : {}),
        },
        signal: interrupt.signal,
      });
      process.stdout.write(values.json ? `${JSON.stringify(report, nonFiniteAsNull)}\n` : `${describe(report)}\n`);
      return 0;
    } finally {
      interrupt.release();
    }
  },
};
