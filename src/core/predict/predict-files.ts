// `ich predict`: per-slice probabilities for DICOM (or PNG/JPG) files with a run's best model,
// plus per-study/series aggregation (max over slices). Files that cannot be read are reported;
// the others are still predicted.
import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { readDicomHeader } from "../dicom";
import { LoaderPool } from "../data/loader-pool";
import { linkNeighbours } from "../data/rsna-index";
import type { Sample } from "../data/sample";
import type { BackendChoice } from "../experiment/types";
import type { Label } from "../../shared/labels";
import { maxByGroup } from "../metrics";
import type { EngineChoice, EngineInfo } from "../inference/engine";
import { openEngine } from "../inference/open-engine";
import { readModelInput } from "../train/model-input";
import { assertFiniteProbabilities, inferWithEngine } from "./infer";
import { inputKindRefusal } from "./leak-guard";
import { resolveTta, runTtaSetting, type TtaSetting } from "./tta";
import { errorMessage } from "../../shared/errors";

export interface SlicePrediction {
  file: string;
  /** SOPInstanceUID-based RSNA id (ID_<...>) when the file name is not already one. */
  id: string;
  patientId?: string;
  studyUid?: string;
  seriesUid?: string;
  probabilities: Partial<Record<Label, number>>;
}

export interface StudyPrediction {
  studyUid: string;
  seriesUid: string;
  slices: number;
  /** Max over the series' slices, per label. */
  probabilities: Partial<Record<Label, number>>;
}

export interface PredictResult {
  labels: Label[];
  slices: SlicePrediction[];
  studies: StudyPrediction[];
  failures: { file: string; error: string }[];
  /** The views averaged (the run's eval.tta unless overridden). */
  tta: TtaSetting;
  /** What ran the model; null when no file could be read (no engine was opened). */
  engine: EngineInfo | null;
}

export interface PredictOptions {
  /** Default: the run's eval.tta; true: its views, or the flip when it has none; false: none. */
  tta?: TtaSetting;
  backend?: BackendChoice;
  /** auto (ONNX Runtime when the run has a current model.onnx), onnx or tfjs. */
  engine?: EngineChoice;
  loaderWorkers?: number;
  /** Predict input of another kind than the model was trained on (DICOM for a PNG/JPG model, or the reverse). */
  force?: boolean;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** Files named on the command line plus every .dcm (or extension-less) file under named folders. */
export async function expandInputs(inputs: readonly string[]): Promise<{ files: string[]; failures: { file: string; error: string }[] }> {
  const files: string[] = [];
  const failures: { file: string; error: string }[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    if (!existsSync(path)) {
      failures.push({ file: input, error: "no such file or folder" });
      continue;
    }
    if (!statSync(path).isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = (await readdir(path, { recursive: true, withFileTypes: true })).filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith("."));
    const found = entries
      .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
      // a symbolic link counts when it leads to a file (datasets are often folders of links)
      .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile() === true)
      .filter((f) => /\.dcm$/i.test(f) || IMAGE_FILE.test(f) || extname(f) === "")
      .sort();
    if (found.length === 0) failures.push({ file: input, error: "folder holds no .dcm, .png or .jpg files" });
    files.push(...found);
  }
  return { files: [...new Set(files)], failures };
}

/** The run's model folder: RUN_DIR/model, or the folder itself when it holds model.json. */
export function modelDirOf(runOrModelDir: string): string {
  if (existsSync(join(runOrModelDir, "model.json"))) return runOrModelDir;
  const dir = join(runOrModelDir, "model");
  if (existsSync(join(dir, "model.json"))) return dir;
  throw new Error(`${runOrModelDir}: no model.json here or in model/ (is it a run folder whose training finished an epoch?)`);
}

export async function predictFiles(runOrModelDir: string, inputs: readonly string[], options: PredictOptions = {}): Promise<PredictResult> {
  const modelDir = modelDirOf(runOrModelDir);
  const spec = await readModelInput(modelDir);
  const { files, failures } = await expandInputs(inputs);
  const samples: Sample[] = [];
  for (const file of files) {
    if (IMAGE_FILE.test(file)) {
      const refusal = options.force ? null : inputKindRefusal(spec, "image", file);
      if (refusal) failures.push({ file, error: refusal });
      else samples.push({ id: basename(file).replace(IMAGE_FILE, ""), patientId: file, source: { kind: "image", file } });
      continue;
    }
    const refusal = options.force ? null : inputKindRefusal(spec, "dicom", file);
    if (refusal) {
      failures.push({ file, error: refusal });
      continue;
    }
    try {
      const header = await readDicomHeader(file);
      const fromName = basename(file).replace(/\.dcm$/i, "");
      const uid = header.sopInstanceUid ?? fromName;
      const id = fromName.startsWith("ID_") ? fromName : uid.startsWith("ID_") ? uid : `ID_${uid}`;
      samples.push({
        id,
        patientId: header.patientId ?? "",
        studyUid: header.studyInstanceUid,
        seriesUid: header.seriesInstanceUid,
        position: header.imagePositionPatient?.[2],
        source: { kind: "dicom", file },
      });
    } catch (error) {
      failures.push({ file, error: errorMessage(error) });
    }
  }
  if (spec.preprocess.context > 0) linkNeighbours(samples);
  const k = spec.labels.length;
  const tta = resolveTta(options.tta, runTtaSetting(modelDir));
  let probabilities: Float32Array = new Float32Array(0);
  let errors: (string | null)[] = [];
  let engineInfo: EngineInfo | null = null;
  if (samples.length > 0) {
    const engine = await openEngine(modelDir, spec, { engine: options.engine, backend: options.backend });
    engineInfo = engine.info;
    const pool = new LoaderPool(options.loaderWorkers ?? 1);
    try {
      const inference = await inferWithEngine(engine, pool, samples, {
        preprocess: spec.preprocess, channels: spec.channels, batchSize: options.batchSize ?? 16, outputs: k, tta, onBatch: options.onProgress,
      });
      assertFiniteProbabilities(inference, k, modelDir);
      probabilities = inference.probabilities;
      errors = inference.errors;
    } finally {
      await pool.close();
      await engine.dispose();
    }
  }
  const slices: SlicePrediction[] = [];
  const kept: number[] = [];
  samples.forEach((s, i) => {
    const file = s.source.kind === "synthetic" ? s.id : s.source.file;
    if (errors[i]) {
      failures.push({ file, error: errors[i] });
      return;
    }
    kept.push(i);
    const probs: SlicePrediction["probabilities"] = {};
    spec.labels.forEach((label, l) => (probs[label] = probabilities[i * k + l]));
    slices.push({ file, id: s.id, patientId: s.patientId || undefined, studyUid: s.studyUid, seriesUid: s.seriesUid, probabilities: probs });
  });
  const groupKey = (s: SlicePrediction) => `${s.studyUid ?? "(no study)"}\u0000${s.seriesUid ?? "(no series)"}`;
  const values = new Float32Array(kept.length * k);
  kept.forEach((i, row) => values.set(probabilities.subarray(i * k, (i + 1) * k), row * k));
  const grouped = maxByGroup(slices.map(groupKey), values, k);
  const studies = grouped.keys.map((key, g) => {
    const [studyUid, seriesUid] = key.split("\u0000");
    const probs: StudyPrediction["probabilities"] = {};
    spec.labels.forEach((label, l) => (probs[label] = grouped.values[g * k + l]));
    return { studyUid, seriesUid, slices: grouped.counts[g], probabilities: probs };
  });
  return { labels: spec.labels, slices, studies, failures, tta, engine: engineInfo };
}
