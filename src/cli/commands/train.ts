// `ich train CONFIG` — trains a model from an experiment file into the run store.
import { loadExperiment } from "../../core/experiment";
import type { BackendChoice } from "../../core/experiment/types";
import { DEFAULT_RUNS_DIR } from "../../core/runs";
import { openRunStore } from "../run-store";
import { BACKEND_PREFERENCES } from "../../core/tf/backend";
import { train } from "../../core/train/train";
import { parseCommandLine, UsageError, type Command, SHARED_OPTIONS } from "../usage";
import { engineOption } from "../engine-option";
import { progressPrinter } from "./progress-output";
import { onInterrupt } from "../interrupt";

const USAGE = `Usage: ich train CONFIG.ich.json [--name NAME] [--backend B] [--engine E] [--runs DIR] [--workers N]
                 [--train-workers N] [--allow-overlap] [--json-progress]
       ich train --resume RUN [--backend B] [--engine E] [--runs DIR] [--workers N] [--train-workers N]
                 [--json-progress]

Trains the experiment's model into a new run folder (run.json, metrics.jsonl, model/, checkpoint/,
eval.json, predictions.csv, TensorBoard events). Ctrl-C stops after the current step, saves a
checkpoint and marks the run cancelled; --resume continues it (also after a crash).
  --name           run name (default: the experiment's name)
  --resume RUN     continue RUN from its last checkpoint with its saved config
  --backend B      ${BACKEND_PREFERENCES.join(" | ")} (default: the experiment's train.backend)
  --engine E       what computes the training steps: auto | onnx | tfjs (default: the experiment's
                   train.engine; auto = ONNX Runtime on every core on the WASM/CPU backends when it
                   can train the model, else TF.js; onnx fails instead of falling back)
  --runs DIR       run store folder (default: $ICH_RUNS_DIR or ./${DEFAULT_RUNS_DIR})
  --workers N      loader worker threads (default 1; 0 = prepare batches on the training thread)
  --train-workers N  data-parallel TF.js replicas on WASM (engine tfjs): auto | N (default: train.workers)
  --allow-overlap  fine-tune from a run: (model.pretrained) although this split validates on patients
                   that run trained on (a warning instead of an error)
  --json-progress  progress events as JSON lines on stdout`;

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      name: { type: "string" },
      resume: { type: "string" },
      backend: SHARED_OPTIONS.backend,
      engine: { type: "string" },
      runs: SHARED_OPTIONS.runs,
      workers: { type: "string" },
      "train-workers": { type: "string" },
      "allow-overlap": { type: "boolean" },
      "json-progress": { type: "boolean" },
    });
    if (positionals.length > 1) throw new UsageError(`expected one experiment file, got ${positionals.length}`);
    if (!values.resume && positionals.length === 0) throw new UsageError("missing the experiment file (or --resume RUN)");
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError("--workers must be a whole number ≥ 0");
    const trainWorkersText = values["train-workers"];
    const trainWorkers = trainWorkersText === undefined || trainWorkersText === "auto" ? trainWorkersText : Number(trainWorkersText);
    if (typeof trainWorkers === "number" && !(Number.isInteger(trainWorkers) && trainWorkers >= 1)) throw new UsageError("--train-workers must be auto or a whole number ≥ 1");
    const experimentPath = positionals[0];
    const config = experimentPath ? await loadExperiment(experimentPath) : undefined;
    const runStore = openRunStore(values.runs);
    const interrupt = onInterrupt({ message: "stopping after the current step (Ctrl-C again to quit at once)…", signals: ["SIGINT", "SIGTERM"] });
    try {
      const result = await train({
        config: config!,
        experimentPath,
        runStore,
        name: values.name,
        resumeRunId: values.resume,
        allowOverlap: values["allow-overlap"] === true,
        backend: values.backend as BackendChoice | undefined,
        signal: interrupt.signal,
        onEvent: progressPrinter(values["json-progress"] === true),
        loaderWorkers: workers,
        trainWorkers,
        engine: values.engine === undefined ? undefined : engineOption(values.engine),
      });
      if (!values["json-progress"] && result.best) {
        process.stdout.write(`best epoch ${result.best.epoch}: validation weighted log loss ${result.best.weightedLogLoss.toFixed(4)}, mean AUC ${result.best.meanAuc.toFixed(3)}\n${result.runDir}\n`);
      }
      return result.status === "completed" ? 0 : 1;
    } finally {
      interrupt.release();
    }
  },
};
