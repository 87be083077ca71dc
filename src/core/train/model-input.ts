// model/ich-input.json: how inputs for a saved model are prepared. Evaluation and prediction
// read it, so they feed the model exactly what training fed it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic";
import type { Label } from "../../shared/labels";
import type { PreprocessOptions, SampleSource } from "../data/sample";
import { errorMessage } from "../../shared/errors";

export interface ModelInputSpec {
  preprocess: PreprocessOptions;
  channels: number;
  labels: Label[];
  /** The data kind the model was trained on ("images" models take 3-channel PNG/JPG). */
  sourceKind: SampleSource["kind"];
}

export const MODEL_INPUT_FILE = "ich-input.json";

export async function writeModelInput(modelDir: string, spec: ModelInputSpec): Promise<void> {
  await writeFileAtomic(join(modelDir, MODEL_INPUT_FILE), JSON.stringify(spec, null, 2));
}

export async function readModelInput(modelDir: string): Promise<ModelInputSpec> {
  const path = join(modelDir, MODEL_INPUT_FILE);
  try {
    return JSON.parse(await readFile(path, "utf8")) as ModelInputSpec;
  } catch (error) {
    throw new Error(`${path}: cannot read the model's input description (${errorMessage(error)}); was the model saved by ich train?`, { cause: error });
  }
}
