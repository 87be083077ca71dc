// `ich serve RUN` — the run's model behind an HTTP server on a loopback port (src/core/serve).
import { readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { BackendChoice } from "../../core/experiment/types";
import { openEngine } from "../../core/inference/open-engine";
import { modelDirOf } from "../../core/predict/predict-files";
import { describeTta, resolveTta, runTtaSetting, ttaActive } from "../../core/predict/tta";
import { resolveRunFolder } from "../../core/runs";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_QUEUE, PredictServer } from "../../core/serve/server";
import { readModelInput } from "../../core/train/model-input";
import { ENGINE_OPTION_HELP, engineOption } from "../engine-option";
import { openRunStore, RUNS_OPTION_HELP } from "../run-store";
import { TTA_OPTIONS, ttaOption } from "../tta-option";
import { parseCommandLine, UsageError, type Command, SHARED_OPTIONS } from "../usage";

const DEFAULT_PORT = 8765;

const USAGE = `Usage: ich serve RUN [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--engine E] [--max-body-mb N] [--max-queue N] [--tta | --no-tta] [--runs DIR]

Serves the run's best model over HTTP until SIGTERM or Ctrl-C (then it stops accepting, finishes
the requests it holds and exits). API (OpenAPI at GET /openapi.json and docs/openapi.yaml):
  GET  /healthz      status, model, engine, tta
  POST /v1/predict   a DICOM slice (Content-Type: application/dicom), or a study as one
                     multipart/related or multipart/form-data request (one DICOM per part)
  --host H          address to bind (default 127.0.0.1: this machine only)
  --port N          port (default ${DEFAULT_PORT}; 0 picks a free one); the first stdout line says where
${ENGINE_OPTION_HELP}
  --backend B       TF.js backend when TF.js runs the model
  --max-body-mb N   largest request body (default ${DEFAULT_MAX_BODY_BYTES / 2 ** 20}); larger ones get 413
  --max-queue N     requests held at once (default ${DEFAULT_MAX_QUEUE}); the next gets 503 + Retry-After
  --tta             test-time augmentation: the run's eval.tta views, or the horizontal flip when it
                    has none (default: the run's eval.tta, so answers equal ich predict's)
  --no-tta          the image only
${RUNS_OPTION_HELP}`;

function positiveNumber(name: string, value: string | undefined, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a ${integer ? "non-negative integer" : "non-negative number"}, got '${value}'`);
  return n;
}

function architectureOf(runDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")) as { architecture?: string }).architecture;
  } catch {
    return undefined;
  }
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      host: { type: "string" },
      port: { type: "string" },
      engine: SHARED_OPTIONS.engine,
      backend: SHARED_OPTIONS.backend,
      "max-body-mb": { type: "string" },
      "max-queue": { type: "string" },
      ...TTA_OPTIONS,
      runs: SHARED_OPTIONS.runs,
    });
    const engineChoice = engineOption(values.engine);
    const requestedTta = ttaOption(values);
    if (positionals.length !== 1) throw new UsageError("expected exactly one RUN (a run id or folder)");
    const port = positiveNumber("port", values.port, DEFAULT_PORT);
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const maxBodyBytes = Math.round(positiveNumber("max-body-mb", values["max-body-mb"], DEFAULT_MAX_BODY_BYTES / 2 ** 20, false) * 2 ** 20);
    const maxQueue = Math.max(1, positiveNumber("max-queue", values["max-queue"], DEFAULT_MAX_QUEUE));
    const run = positionals[0];
    const runDir = resolveRunFolder(run, openRunStore(values.runs).root);
    const modelDir = resolve(modelDirOf(runDir));
    const ownDir = basename(modelDir) === "model" ? dirname(modelDir) : modelDir;
    const spec = await readModelInput(modelDir);
    if (spec.sourceKind === "image") throw new Error(`${modelDir}: this model was trained on PNG/JPG images; ich serve predicts DICOM slices`);
    const engine = await openEngine(modelDir, spec, { engine: engineChoice, backend: values.backend as BackendChoice | undefined });
    for (const note of engine.info.notes) process.stderr.write(`note: ${note}\n`);
    const tta = resolveTta(requestedTta, runTtaSetting(modelDir));
    const model = { modelId: basename(ownDir), architecture: architectureOf(ownDir) };
    const server = new PredictServer({ engine, spec, ...model, maxBodyBytes, maxQueue, tta });
    const address = await server.listen(port, values.host ?? "127.0.0.1");
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    process.stdout.write(`listening on http://${host}:${address.port} (model ${basename(ownDir)}, engine ${engine.info.name}: ${engine.info.device}${ttaActive(tta) ? `, TTA: ${describeTta(tta)}` : ""})\n`);
    await new Promise<void>((done) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
        process.stderr.write(`${signal}: no new connections; finishing the requests in progress\n`);
        void server.shutdown().then(done);
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    });
    process.stderr.write("stopped\n");
    return 0;
  },
};
