// JSON Schema of run.json, checked on every read: run folders are copied, hand-edited and
// half-restored from backups, and one bad record must not break the listing of the others.
import Ajv, { type ValidateFunction } from "ajv";
import { formatSchemaErrors } from "../experiment/errors";
import type { RunRecord } from "./types";

const text = { type: "string", minLength: 1 };
const timestamp = { type: "string", minLength: 1 };
const count = { type: "integer", minimum: 0 };
/** JSON has no NaN: a metric that was NaN when written reads back as null. */
const metric = { type: ["number", "null"] };

/** Fields other tools may add are allowed; the ones the store, CLI and views use are checked. */
export const runRecordSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "ICH Lab run record (run.json)",
  type: "object",
  required: ["id", "name", "config", "status", "startedAt", "host", "backend", "device", "architecture", "epochsPlanned", "epochsDone"],
  properties: {
    id: text,
    name: { type: "string" },
    experimentPath: text,
    config: {},
    status: { enum: ["running", "completed", "failed", "cancelled"] },
    startedAt: timestamp,
    endedAt: timestamp,
    heartbeatAt: timestamp,
    pid: count,
    host: { type: "string" },
    backend: { type: "string" },
    device: { type: "string" },
    trainingEngine: { type: "string" },
    gitCommit: { type: "string" },
    datasetFingerprint: { type: "string" },
    architecture: { type: "string" },
    parameterCount: count,
    epochsPlanned: count,
    epochsDone: count,
    bestEpoch: count,
    best: { type: "object", required: ["weightedLogLoss", "meanAuc"], properties: { weightedLogLoss: metric, meanAuc: metric } },
    error: { type: "string" },
    badImages: { type: "array", items: { type: "object", required: ["file", "reason"], properties: { file: { type: "string" }, reason: { type: "string" } } } },
    badImageCount: count,
  },
} as const;

let compiled: ValidateFunction<RunRecord> | undefined;

function validator(): ValidateFunction<RunRecord> {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false }).compile<RunRecord>(runRecordSchema);
  return compiled;
}

/** Why parsed run.json content is not a usable record, as one line naming the file and every problem; undefined when it is usable. */
export function runRecordProblem(json: unknown, file: string): string | undefined {
  const validate = validator();
  if (validate(json)) return undefined;
  const problems = formatSchemaErrors(file, validate.errors ?? []).map((line) => line.slice(file.length + 2));
  return `${file}: ${problems.join("; ")}`;
}
