// Writes a ResNet18 run folder (random weights, 6 labels, brain/subdural/bone windows) with
// model.json and model.onnx for bench/predict-throughput.ts. Usage: predict-make-run.ts DIR SIZE
import { join } from "node:path";
import { resolveWindows } from "../src/core/data/windows";
import { LABELS } from "../src/shared/labels";
import { buildModel, saveModel } from "../src/core/models";
import { exportRunToOnnx } from "../src/core/onnx/export";
import { initBackend } from "../src/core/tf/backend";
import { writeModelInput } from "../src/core/train/model-input";

async function main(): Promise<void> {
  const [dir, sizeText] = process.argv.slice(2);
  const size = Number(sizeText);
  const { tf } = await initBackend({ prefer: "wasm", trainingKernels: false });
  const model = buildModel(tf, { architecture: "resnet18", inputSize: null, channels: 3, outputs: 6, seed: 1 });
  await saveModel(model, join(dir, "model"));
  model.dispose();
  await writeModelInput(join(dir, "model"), { preprocess: { size, windows: resolveWindows(["brain", "subdural", "bone"]), context: 0, rsnaFix: true }, channels: 3, labels: [...LABELS], sourceKind: "dicom" });
  await exportRunToOnnx(dir, { tf });
}

void main();
