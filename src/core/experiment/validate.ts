import { readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { LABELS, type Label } from "../../shared/labels";
import { ExperimentError, formatSchemaErrors } from "./errors";
import { describeArchitecture } from "../models/catalog";
import { experimentValidator } from "./schema";
import type { DataConfig, ExperimentConfig } from "./types";
import { errorMessage } from "../../shared/errors";

const URL_PATTERN = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The experiment name a file gets when it has no `name`: its file name without `.ich.json`. */
export function defaultExperimentName(file: string): string {
  return basename(file).replace(/\.ich\.json$/i, "").replace(/\.json$/i, "") || "experiment";
}

function resolveFrom(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function resolveDataPaths(data: DataConfig, baseDir: string): void {
  if (data.kind === "rsna") {
    data.dicomDir = resolveFrom(baseDir, data.dicomDir);
    data.labelsCsv = resolveFrom(baseDir, data.labelsCsv);
    if (data.metadataCsv) data.metadataCsv = resolveFrom(baseDir, data.metadataCsv);
  } else if (data.kind === "images") {
    data.imageDir = resolveFrom(baseDir, data.imageDir);
    data.labels = resolveFrom(baseDir, data.labels);
    if (data.metadata) data.metadata = resolveFrom(baseDir, data.metadata);
  }
  if (data.kind !== "synthetic" && data.exclude) data.exclude = resolveFrom(baseDir, data.exclude);
}

/** Checks that JSON Schema cannot express; returns `<field path> <problem>` strings. */
function crossFieldProblems(config: ExperimentConfig, raw: unknown): string[] {
  const problems: string[] = [];
  const data = config.data;
  if (data.kind === "images" && !data.metadata && data.split.by !== "image") {
    problems.push(`/data/split/by is "${data.split.by}" but the image folder has no patient information (/data/metadata); add a metadata table with PatientID, or set /data/split/by to "image" to accept that slices of one patient may land in both train and validation`);
  }
  if (data.kind === "synthetic" && data.split.by === "image") problems.push(`/data/split/by "image" does not apply to synthetic data (validation patients are generated separately)`);
  const fineTune = config.train.fineTune;
  if (fineTune) {
    const given = (raw as { train?: { epochs?: unknown } }).train?.epochs;
    const total = fineTune.freezeEpochs + fineTune.epochs;
    if (given !== undefined && given !== total) {
      problems.push(`/train/epochs is ${JSON.stringify(given)} but /train/fineTune trains ${fineTune.freezeEpochs} + ${fineTune.epochs} = ${total} epochs; leave /train/epochs out`);
    }
    config.train.epochs = total;
  }
  const model = config.model;
  if (model.head === "torchvision" && model.architecture !== "alexnet") problems.push(`/model/head "torchvision" is AlexNet's classifier; ${model.architecture} takes "linear" or "fastai"`);
  const { minInputSize } = describeArchitecture(model.architecture);
  const sizes = [{ at: "/input/size", size: config.input.size }, ...config.input.progressiveResizing.map((stage, i) => ({ at: `/input/progressiveResizing/${i}/size`, size: stage.size }))];
  for (const { at, size } of sizes) if (size < minInputSize) problems.push(`${at} ${size} is below ${model.architecture}'s minimum input of ${minInputSize} px`);
  const seen = new Set<number>();
  config.input.progressiveResizing.forEach((stage, i) => {
    if (seen.has(stage.fromEpoch)) problems.push(`/input/progressiveResizing/${i}/fromEpoch repeats epoch ${stage.fromEpoch}`);
    seen.add(stage.fromEpoch);
    if (stage.fromEpoch > config.train.epochs) {
      problems.push(`/input/progressiveResizing/${i}/fromEpoch ${stage.fromEpoch} is after the last epoch (/train/epochs is ${config.train.epochs})`);
    }
  });
  return problems;
}

/**
 * Validates parsed experiment JSON against the schema, fills every default, resolves relative
 * paths against the folder of `file`, and returns the typed config. `json` is not modified.
 * Throws ExperimentError listing every problem as `<file>: <field path> <what is wrong>`.
 */
export function validateExperiment(json: unknown, file: string): ExperimentConfig {
  const data = structuredClone(json);
  const validate = experimentValidator();
  if (!validate(data)) throw new ExperimentError(file, formatSchemaErrors(file, validate.errors ?? []));
  const config = data as ExperimentConfig;
  const problems = crossFieldProblems(config, json);
  if (problems.length > 0) throw new ExperimentError(file, problems.map((p) => `${file}: ${p}`));

  const baseDir = dirname(resolve(file));
  config.name ??= defaultExperimentName(file);
  resolveDataPaths(config.data, baseDir);
  const pretrained = config.model.pretrained;
  if (pretrained && !pretrained.startsWith("run:") && !URL_PATTERN.test(pretrained)) {
    config.model.pretrained = resolveFrom(baseDir, pretrained);
  }
  config.input.progressiveResizing.sort((a, b) => a.fromEpoch - b.fromEpoch);
  const given = (config.eval.thresholds ?? {}) as Partial<Record<Label, number>>;
  config.eval.thresholds = Object.fromEntries(LABELS.map((label) => [label, given[label] ?? config.eval.threshold])) as Record<Label, number>;
  return config;
}

function jsonSyntaxProblem(text: string, error: unknown): string {
  const message = errorMessage(error);
  const position = /position (\d+)/.exec(message);
  if (!position) return `invalid JSON: ${message}`;
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `line ${line}, column ${column}: invalid JSON: ${message}`;
}

/** Reads, parses and validates an experiment file (see validateExperiment). */
export async function loadExperiment(path: string): Promise<ExperimentConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ExperimentError(path, [`${path}: cannot read the experiment file (${code === "ENOENT" ? "no such file" : code ?? String(error)})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new ExperimentError(path, [`${path}: ${jsonSyntaxProblem(text, error)}`]);
  }
  return validateExperiment(json, path);
}
