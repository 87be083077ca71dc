// Grad-CAM for one file with a run's saved model: the input is prepared exactly as `ich predict`
// prepares it (model/ich-input.json), so the heat map explains the probability the preview shows.
import { basename } from "node:path";
import { prepareSample } from "../data/preprocess";
import type { BackendChoice } from "../experiment/types";
import { isLabel, type Label } from "../../shared/labels";
import { loadModel } from "../models";
import { initBackend } from "../tf/backend";
import { readModelInput } from "../train/model-input";
import type { Tf } from "../train/tf-types";
import { gradCam } from "./gradcam";
import { modelDirOf } from "./predict-files";

export interface FileGradcam {
  file: string;
  label: Label;
  /** The model's probability for `label` on this input. */
  probability: number;
  gradcam: { width: number; height: number; values: number[]; layer: string };
}

export async function gradcamForFile(runOrModelDir: string, file: string, label: string, options: { backend?: BackendChoice } = {}): Promise<FileGradcam> {
  if (!isLabel(label)) throw new Error(`--gradcam: unknown label "${label}"`);
  const modelDir = modelDirOf(runOrModelDir);
  const spec = await readModelInput(modelDir);
  const outputIndex = spec.labels.indexOf(label);
  if (outputIndex < 0) throw new Error(`${modelDir}: the model predicts ${spec.labels.join(", ")} only, not ${label}`);
  const prepared = await prepareSample({ id: basename(file), patientId: "", source: { kind: "dicom", file } }, spec.preprocess);
  const backend = await initBackend({ prefer: options.backend ?? "auto" });
  const tf = backend.tf;
  const model = await loadModel(tf, modelDir);
  try {
    const { size } = spec.preprocess;
    const input = tf.tensor4d(prepared.image, [1, size, size, spec.channels]);
    try {
      const output = model.predict(input) as ReturnType<Tf["tensor"]>;
      const raw = (await output.data())[outputIndex];
      output.dispose();
      const last = model.layers[model.layers.length - 1];
      const logits = (last.getConfig() as { activation?: string }).activation !== "sigmoid";
      const probability = logits ? 1 / (1 + Math.exp(-raw)) : raw;
      const grid = gradCam(tf, model, input, outputIndex);
      return { file, label, probability, gradcam: { width: grid.width, height: grid.height, values: Array.from(grid.values), layer: grid.layer } };
    } finally {
      input.dispose();
    }
  } finally {
    model.dispose();
  }
}
