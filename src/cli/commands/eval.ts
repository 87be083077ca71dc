// `ich eval RUN` — scores a run's best model; writes eval.json and predictions.csv into the run.
import { basename, dirname, resolve } from "node:path";
import { LABELS } from "../../shared/labels";
import { evaluateRun } from "../../core/predict/evaluate-run";
import { nonFiniteAsNull } from "../../core/predict/run-evaluation";
import { describeTta, ttaActive } from "../../core/predict/tta";
import { resolveRunFolder, RunStore } from "../../core/runs";
import { openRunStore, RUNS_OPTION_HELP } from "../run-store";
import type { BackendChoice } from "../../core/experiment/types";
import { ENGINE_OPTION_HELP, engineOption } from "../engine-option";
import { parseCommandLine, UsageError, type Command, SHARED_OPTIONS } from "../usage";
import type { EvalOutput } from "../../protocol/engine-output";

const USAGE = `Usage: ich eval RUN [--data CONFIG_OR_DIR] [--tta] [--allow-overlap] [--runs DIR] [--engine E] [--backend B] [--json]

Scores the run's best model and writes RUN/eval.json (weighted log loss, per-label log loss, AUC,
accuracy/sensitivity/specificity/F1 at the thresholds, ROC points) and RUN/predictions.csv.
  RUN         a run id in the run store, or a run folder
  --data X    an experiment file (its validation split is scored: for synthetic data, slices from
              a different seed) or an RSNA folder (every labelled .dcm, labels from its CSV);
              default: the run's own validation split
  --tta       test-time augmentation: the run's eval.tta views, or the horizontal flip when it has none
              (default: the run's eval.tta)
  --allow-overlap  score images of patients the run trained on instead of refusing (recorded in
              eval.json as "overlap"); without it such images stop the evaluation with a count
${RUNS_OPTION_HELP}
${ENGINE_OPTION_HELP}
  --backend B TF.js backend when TF.js runs the model
  --json      print eval.json (with "engine": what ran the model) instead of the table`;

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : "-");

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      data: { type: "string" },
      tta: { type: "boolean" },
      "allow-overlap": { type: "boolean" },
      runs: SHARED_OPTIONS.runs,
      backend: SHARED_OPTIONS.backend,
      engine: SHARED_OPTIONS.engine,
      json: SHARED_OPTIONS.json,
    });
    const engine = engineOption(values.engine);
    if (positionals.length !== 1) throw new UsageError("expected exactly one RUN (a run id or folder)");
    // a run folder is evaluated in the store that holds it, so eval.json lands next to its run.json
    const runDir = resolve(resolveRunFolder(positionals[0], openRunStore(values.runs).root));
    const store = new RunStore(dirname(runDir));
    const result = await evaluateRun(store, basename(runDir), {
      data: values.data,
      tta: values.tta ? true : undefined,
      allowOverlap: values["allow-overlap"] === true,
      backend: values.backend as BackendChoice | undefined,
      engine,
      onLog: (m) => process.stderr.write(`${m}\n`),
    });
    if (values.json) {
      const output: EvalOutput = result;
      process.stdout.write(`${JSON.stringify(output, nonFiniteAsNull)}\n`);
      return 0;
    }
    const lines = [`${result.data}${ttaActive(result.tta) ? ` (TTA: ${describeTta(result.tta)})` : ""}`, ...(result.engine ? [`engine ${result.engine.name}: ${result.engine.device}`] : []), `weighted log loss ${fmt(result.weightedLogLoss, 4)}   mean AUC ${fmt(result.meanAuc, 4)}   images ${result.samples}`, ""];
    lines.push(["label", "log loss", "AUC", "acc", "sens", "spec", "F1"].map((h, i) => (i === 0 ? h.padEnd(18) : h.padStart(9))).join(""));
    for (const label of LABELS) {
      const m = result.perLabel[label];
      if (!m) continue;
      lines.push([label.padEnd(18), ...[m.logLoss, m.auc, m.accuracy, m.sensitivity, m.specificity, m.f1].map((v, i) => fmt(v, i === 0 ? 4 : 3).padStart(9))].join(""));
    }
    for (const f of result.failures) lines.push(`skipped ${f.id}: ${f.error}`);
    lines.push("", `wrote ${store.paths(result.runId).evalJson} and predictions.csv`);
    process.stdout.write(`${lines.join("\n")}\n`);
    return result.failures.length > 0 ? 1 : 0;
  },
};
