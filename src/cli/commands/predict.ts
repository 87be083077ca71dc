// `ich predict RUN FILE_OR_FOLDER...` — per-slice probabilities and per-study maxima.
import { writeFileAtomic } from "../../core/fs/atomic";
import { isLabel, LABELS } from "../../shared/labels";
import type { BackendChoice } from "../../core/experiment/types";
import { predictFiles } from "../../core/predict/predict-files";
import { formatSubmissionCsv, resolveRunFolder } from "../../core/runs";
import { openRunStore, RUNS_OPTION_HELP } from "../run-store";
import { ENGINE_OPTION_HELP, engineOption } from "../engine-option";
import { TTA_OPTIONS, ttaOption } from "../tta-option";
import { parseCommandLine, UsageError, type Command, SHARED_OPTIONS } from "../usage";
import type { GradcamOutput, PredictOutput } from "../../protocol/engine-output";

const USAGE = `Usage: ich predict RUN FILE_OR_FOLDER... [--out CSV] [--json] [--tta | --no-tta] [--force] [--runs DIR] [--engine E] [--backend B]
       ich predict RUN FILE --gradcam LABEL

Predicts every DICOM file (folders are searched for .dcm files) with the run's best model. Prints
per-slice probabilities and, per study/series, the maximum over its slices. Files that cannot be
read are listed and the rest are still predicted (exit code 1 when any failed).
  RUN         a run id in the run store, or a run (or model) folder
  --out CSV   also write the per-slice probabilities in RSNA submission form (ID_<id>_<label>,p)
  --json      print {labels, tta, engine, slices, studies, failures} as JSON
  --tta       test-time augmentation: the run's eval.tta views, or the horizontal flip when it has
              none (default: the run's eval.tta, so the preview and triage predict as ich eval scores)
  --no-tta    the image only
  --force     predict input of another kind than the model was trained on (DICOM for a model
              trained on PNG/JPG images, whose windows were baked in, or the reverse); refused otherwise
${ENGINE_OPTION_HELP}
  --backend B TF.js backend when TF.js runs the model (Grad-CAM always runs on TF.js)
${RUNS_OPTION_HELP}
  --gradcam LABEL  print {file, label, probability, gradcam: {width, height, values, layer}} as JSON:
              the Grad-CAM heat grid (values in [0, 1]) of LABEL on one file`;

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      out: { type: "string" },
      json: SHARED_OPTIONS.json,
      ...TTA_OPTIONS,
      force: { type: "boolean" },
      runs: SHARED_OPTIONS.runs,
      backend: SHARED_OPTIONS.backend,
      engine: SHARED_OPTIONS.engine,
      gradcam: { type: "string" },
    });
    const engine = engineOption(values.engine);
    const tta = ttaOption(values);
    if (positionals.length < 2) throw new UsageError("expected a RUN and at least one file or folder");
    const [run, ...inputs] = positionals;
    const runDir = resolveRunFolder(run, openRunStore(values.runs).root);
    if (values.gradcam !== undefined) {
      if (!isLabel(values.gradcam)) throw new UsageError(`--gradcam: unknown label "${values.gradcam}" (one of ${LABELS.join(", ")})`);
      if (inputs.length !== 1) throw new UsageError("--gradcam takes exactly one file");
      // Grad-CAM runs on TF.js: loaded only here, so plain predictions on ONNX Runtime never load it.
      const { gradcamForFile } = await import("../../core/predict/gradcam-file");
      const heat = await gradcamForFile(runDir, inputs[0], values.gradcam, { backend: values.backend as BackendChoice | undefined });
      const output: GradcamOutput = heat;
      process.stdout.write(`${JSON.stringify(output)}\n`);
      return 0;
    }
    const result = await predictFiles(runDir, inputs, { tta, force: values.force === true, backend: values.backend as BackendChoice | undefined, engine });
    if (values.out) await writeFileAtomic(values.out, formatSubmissionCsv(result.slices.map((s) => ({ id: s.id, probabilities: s.probabilities }))));
    if (values.json) {
      const { labels, tta, engine, slices, studies, failures } = result;
      const output: PredictOutput = { labels, tta, engine, slices, studies, failures };
      process.stdout.write(`${JSON.stringify(output)}\n`);
    } else {
      const labels = LABELS.filter((l) => result.labels.includes(l));
      const head = (first: string) => [first, ...labels.map((l) => l.slice(0, 16).padStart(17))].join("");
      const row = (first: string, p: Partial<Record<string, number>>) => [first, ...labels.map((l) => (p[l] ?? Number.NaN).toFixed(3).padStart(17))].join("");
      const width = Math.max(12, ...result.slices.map((s) => s.id.length)) + 2;
      const out = [head("slice".padEnd(width)), ...result.slices.map((s) => row(s.id.padEnd(width), s.probabilities))];
      out.push("", "per study / series (max over slices):");
      for (const s of result.studies) out.push(`${s.studyUid} / ${s.seriesUid} (${s.slices} slices)`, row("  max".padEnd(width), s.probabilities));
      process.stdout.write(`${out.join("\n")}\n`);
    }
    if (!values.json && result.engine) process.stderr.write(`engine ${result.engine.name}: ${result.engine.device}\n`);
    // with --json the notes are in the output (engine.notes); stderr keeps only the failures
    if (!values.json) for (const note of result.engine?.notes ?? []) process.stderr.write(`note: ${note}\n`);
    // DICOM errors already start with the file name
    for (const f of result.failures) process.stderr.write(`${f.error.startsWith(f.file) ? f.error : `${f.file}: ${f.error}`}\n`);
    if (values.out) process.stderr.write(`wrote ${values.out}\n`);
    return result.failures.length > 0 ? 1 : 0;
  },
};
