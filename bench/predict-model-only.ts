// Model-only ResNet18 forward passes (batch of random NHWC inputs → sigmoid probabilities) on one
// engine, in its own process so that no other engine's heap is around. Prints one JSON line with
// the median seconds of a batch after two warm-up batches.
// Usage: predict-model-only.ts RUN_DIR onnx|tfjs BATCH REPEATS
import { join } from "node:path";
import { openEngine } from "../src/core/inference/open-engine";
import { readModelInput } from "../src/core/train/model-input";

async function main(): Promise<void> {
  const [runDir, engineName, batchText, repeatsText] = process.argv.slice(2);
  const batch = Number(batchText);
  const modelDir = join(runDir, "model");
  const spec = await readModelInput(modelDir);
  const engine = await openEngine(modelDir, spec, { engine: engineName as "onnx" | "tfjs", backend: "auto" });
  const x = new Float32Array(batch * spec.preprocess.size ** 2 * spec.channels);
  for (let i = 0; i < x.length; i++) x[i] = (i * 2654435761) % 1000 / 1000;
  for (let i = 0; i < 2; i++) await engine.predict(x, batch, false);
  const times: number[] = [];
  for (let i = 0; i < Number(repeatsText); i++) {
    const t = performance.now();
    await engine.predict(x, batch, false);
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ images: batch, seconds: times[Math.floor(times.length / 2)], device: engine.info.device })}\n`);
  await engine.dispose();
}

void main();
