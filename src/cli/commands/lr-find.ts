// `ich lr-find CONFIG` — exponential learning-rate sweep and a suggested maxLr.
import { loadExperiment } from "../../core/experiment";
import type { BackendChoice } from "../../core/experiment/types";
import { BACKEND_PREFERENCES } from "../../core/tf/backend";
import { lrFind } from "../../core/train/lr-find";
import { openRunStore, RUNS_OPTION_HELP } from "../run-store";
import { parseCommandLine, UsageError, type Command, SHARED_OPTIONS } from "../usage";
import type { LrFindOutput } from "../../protocol/engine-output";
import { onInterrupt } from "../interrupt";
import { engineOption } from "../engine-option";

const USAGE = `Usage: ich lr-find CONFIG.ich.json [--steps N] [--stage frozen|unfrozen] [--from RUN] [--json] [--backend B] [--engine E] [--runs DIR]

Trains the model \`ich train\` would start from (fresh weights, or model.pretrained) for up to N
steps (default 100, fewer on small data) while the learning rate grows from 1e-7 to 1, and
suggests the rate where the smoothed loss falls fastest (also shown: the minimum's rate / 10).
Put the suggestion into train.schedule.maxLr. Nothing is written to the run store. Images have the
size training starts the stage with (input.progressiveResizing); the steps run on the engine
\`ich train\` uses (train.engine, train.workers).
  --stage S    with train.fineTune: sweep the head's rate as in that stage (frozen: head and batch
               norm train; unfrozen: every group at its discriminative rate). Put a frozen suggestion
               into fineTune.baseLr; the unfrozen stage peaks at baseLr/2
  --from RUN   start from RUN's best model (model.pretrained "run:RUN"): lr-find between stages,
               after a run that trained the frozen stage
  --json       print {points, suggestedLr, steepestLr, minimumLr, ...} as JSON
  --backend B  ${BACKEND_PREFERENCES.join(" | ")} (default: the experiment's train.backend)
  --engine E   what computes the steps: auto | onnx | tfjs (default: the experiment's train.engine;
               auto = ONNX Runtime on every core on the WASM/CPU backends, else TF.js)
${RUNS_OPTION_HELP}; read for a "run:<id>" model.pretrained`;

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      steps: { type: "string" },
      json: SHARED_OPTIONS.json,
      backend: SHARED_OPTIONS.backend,
      engine: { type: "string" },
      runs: SHARED_OPTIONS.runs,
      stage: { type: "string" },
      from: { type: "string" },
    });
    if (values.stage !== undefined && values.stage !== "frozen" && values.stage !== "unfrozen") throw new UsageError("--stage must be frozen or unfrozen");
    if (positionals.length !== 1) throw new UsageError("expected exactly one experiment file");
    const steps = values.steps === undefined ? undefined : Number(values.steps);
    if (steps !== undefined && !(Number.isInteger(steps) && steps >= 5)) throw new UsageError("--steps must be a whole number ≥ 5");
    const engine = values.engine === undefined ? undefined : engineOption(values.engine);
    const config = await loadExperiment(positionals[0]);
    if (values.from) config.model.pretrained = `run:${values.from}`;
    const interrupt = onInterrupt();
    try {
      const tty = process.stderr.isTTY === true && !values.json;
      const result = await lrFind({
        config,
        runStore: openRunStore(values.runs),
        steps,
        stage: values.stage,
        backend: values.backend as BackendChoice | undefined,
        engine,
        signal: interrupt.signal,
        onEvent: (e) => {
          if (e.type === "warning") process.stderr.write(`warning: ${e.message}\n`);
          else if (e.type === "log" && tty) process.stderr.write(`\r${e.message}\x1b[K`);
        },
      });
      if (tty) process.stderr.write("\r\x1b[K");
      if (values.json) {
        const output: LrFindOutput = result;
        process.stdout.write(`${JSON.stringify(output)}\n`);
        return 0;
      }
      const lines = ["lr          loss      smoothed"];
      const every = Math.max(1, Math.floor(result.points.length / 25));
      result.points.forEach((p, i) => {
        if (i % every === 0 || i === result.points.length - 1) lines.push(`${p.lr.toExponential(2).padEnd(12)}${p.loss.toFixed(4).padEnd(10)}${p.smoothed.toFixed(4)}`);
      });
      lines.push("", `suggested ${result.stage ? `head rate for the ${result.stage} stage` : "maxLr"} ${result.suggestedLr.toExponential(2)} (steepest descent, ${result.size} px); minimum/10: ${result.minimumLr.toExponential(2)}${result.stoppedEarly ? "; sweep stopped early (loss diverged)" : ""}`, `steps: ${result.trainingEngine}`);
      process.stdout.write(`${lines.join("\n")}\n`);
      return 0;
    } finally {
      interrupt.release();
    }
  },
};
