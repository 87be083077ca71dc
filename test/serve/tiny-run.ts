// A tiny random-weight run (small-cnn, 32 px, six labels) with model.json and model.onnx, plus a
// few generated DICOM slices: enough to serve and load-test on any machine.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveWindows } from "../../src/core/data/windows";
import { LABELS } from "../../src/shared/labels";
import { buildModel, saveModel } from "../../src/core/models";
import { exportRunToOnnx } from "../../src/core/onnx/export";
import { writeSyntheticDataset } from "../../src/core/synth";
import { initBackend } from "../../src/core/tf/backend";
import { writeModelInput } from "../../src/core/train/model-input";

export async function writeTinyRun(root: string): Promise<{ runDir: string; slices: Buffer[]; files: string[] }> {
  const runDir = join(root, "tiny-run");
  const { tf } = await initBackend({ prefer: "wasm" });
  const model = buildModel(tf, { architecture: "small-cnn", inputSize: null, channels: 3, outputs: 6, seed: 4 });
  await saveModel(model, join(runDir, "model"));
  model.dispose();
  await writeModelInput(join(runDir, "model"), { preprocess: { size: 32, windows: resolveWindows(["brain", "subdural", "bone"]), context: 0, rsnaFix: true }, channels: 3, labels: [...LABELS], sourceKind: "dicom" });
  await exportRunToOnnx(runDir, { tf });
  const data = await writeSyntheticDataset({ out: join(root, "dicom"), patients: 2, slices: 4, seed: 9, size: 64 });
  const files = [...data.files].sort();
  return { runDir, slices: files.map((f) => readFileSync(f)), files };
}
