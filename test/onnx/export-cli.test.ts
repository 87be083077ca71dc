// `ich export` (bundled CLI) and the model.onnx training writes when a run ends, on a tiny trained run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tfjs from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareSample } from "../../src/core/data/preprocess";
import { loadModel } from "../../src/core/models";
import { ONNX_INPUT, ONNX_OUTPUT } from "../../src/core/onnx/export";
import { RunStore } from "../../src/core/runs";
import { initBackend } from "../../src/core/tf/backend";
import { readModelInput } from "../../src/core/train/model-input";
import { train } from "../../src/core/train/train";
import { bundleCli } from "../helpers/bundle-cli";
import { tinyConfig } from "../train/tiny-config";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require("onnxruntime-node") as typeof import("onnxruntime-node");

const root = mkdtempSync(join(tmpdir(), "ich-onnx-cli-"));
const runsDir = join(root, "runs");
let cli: string;
let removeCli: () => void;
let runId: string;
let modelDir: string;

beforeAll(async () => {
  ({ cli, remove: removeCli } = await bundleCli("onnx-export"));
  const result = await train({ config: tinyConfig({ epochs: 1 }), runStore: new RunStore(runsDir), loaderWorkers: 0 });
  expect(result.status).toBe("completed");
  runId = result.runId;
  modelDir = new RunStore(runsDir).paths(runId).modelDir;
});
afterAll(() => {
  removeCli?.();
  rmSync(root, { recursive: true, force: true });
});

const ich = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, ICH_RUNS_DIR: runsDir } });

/** The trained model's TF.js probabilities and ONNX Runtime's on the same prepared synthetic slices. */
async function bothOutputs(onnxFile: string): Promise<{ tfjs: Float32Array; onnx: Float32Array }> {
  const spec = await readModelInput(modelDir);
  const { size } = spec.preprocess;
  const images = await Promise.all(
    [0, 1, 2].map((index) => prepareSample({ id: `s${index}`, patientId: "p", source: { kind: "synthetic", seed: 99, index, size: 32, slices: 4 } }, spec.preprocess)),
  );
  const x = new Float32Array(images.length * size * size * spec.channels);
  images.forEach((im, i) => x.set(im.image, i * im.image.length));
  const tf = (await initBackend({ prefer: "wasm", trainingKernels: false })).tf;
  const model = await loadModel(tf, modelDir);
  const expected = tf.tidy(() => (model.predict(tf.tensor4d(x, [images.length, size, size, spec.channels])) as tfjs.Tensor).dataSync() as Float32Array);
  model.dispose();
  const session = await ort.InferenceSession.create(readFileSync(onnxFile));
  const out = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", x, [images.length, size, size, spec.channels]) });
  await session.release();
  return { tfjs: expected, onnx: out[ONNX_OUTPUT].data as Float32Array };
}

function expectClose(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4);
}

describe("ONNX export of a trained run", () => {
  it("training wrote model/model.onnx, which predicts what the TF.js model predicts", async () => {
    const file = join(modelDir, "model.onnx");
    expect(existsSync(file)).toBe(true);
    const { tfjs, onnx } = await bothOutputs(file);
    expect(onnx).toHaveLength(3 * 6);
    expectClose(onnx, tfjs);
  });

  it("ich export RUN --out FILE writes the same model; a run folder works as RUN and defaults to RUN/model/model.onnx", async () => {
    const out = join(root, "exported.onnx");
    const byId = ich("export", runId, "--out", out);
    expect(byId.stderr).toBe("");
    expect(byId.status).toBe(0);
    expect(byId.stdout).toContain(`wrote ${out}`);
    expect(byId.stdout).toContain("small-cnn");
    expect(readFileSync(out)).toEqual(readFileSync(join(modelDir, "model.onnx")));

    rmSync(join(modelDir, "model.onnx"));
    const byFolder = ich("export", join(runsDir, runId));
    expect(byFolder.status).toBe(0);
    expect(byFolder.stdout).toContain(`wrote ${join(modelDir, "model.onnx")}`);
    const { tfjs, onnx } = await bothOutputs(join(modelDir, "model.onnx"));
    expectClose(onnx, tfjs);
  });

  it("names a run that does not exist (exit 1) and asks for exactly one RUN (exit 2)", () => {
    const missing = ich("export", "no-such-run");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no-such-run");
    expect(ich("export").status).toBe(2);
  });
});
