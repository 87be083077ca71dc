// ONNX Runtime and TF.js give the same probabilities (within 1e-4) through `ich predict --json` and
// `ich eval --json`, on a tiny run trained by `ich train` (which writes model/model.onnx at its end),
// on generated synthetic DICOM always and on real RSNA slices when ../shared is present.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticDataset } from "../../src/core/synth";
import { bundleCli } from "../helpers/bundle-cli";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";

const root = mkdtempSync(join(tmpdir(), "ich-engine-parity-"));
const runs = join(root, "runs");
let cli = "";
let removeCli = () => {};
let runId = "";

const env = { ...process.env };
delete env.ICH_RUNS_DIR;
delete env.ICH_ENGINE;

function ich(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface PredictJson {
  engine: { name: string; device: string; notes: string[] } | null;
  slices: { file: string; probabilities: Record<string, number> }[];
  failures: unknown[];
}

function predict(engine: string, ...args: string[]): PredictJson {
  const result = ich("predict", runId, ...args, "--runs", runs, "--json", "--engine", engine);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as PredictJson;
}

/** Largest |difference| between the two engines' probabilities, slice by slice and label by label. */
function maxDifference(a: PredictJson, b: PredictJson): number {
  expect(a.slices.map((s) => s.file)).toEqual(b.slices.map((s) => s.file));
  let max = 0;
  a.slices.forEach((s, i) => {
    for (const [label, p] of Object.entries(s.probabilities)) max = Math.max(max, Math.abs(p - b.slices[i].probabilities[label]));
  });
  return max;
}

beforeAll(async () => {
  ({ cli, remove: removeCli } = await bundleCli("engine-parity"));
  const config = {
    name: "parity",
    data: { kind: "synthetic", patients: 4, slicesPerPatient: 4, seed: 3, size: 48, split: { by: "patient", validationFraction: 0.5, seed: 1 } },
    input: { size: 40, windows: ["brain", "subdural", "bone"] },
    model: { architecture: "small-cnn", labels: "all", dropout: 0 },
    train: { epochs: 1, batchSize: 4, schedule: { kind: "constant", lr: 0.003 }, seed: 5, backend: "wasm" },
  };
  writeFileSync(join(root, "parity.ich.json"), JSON.stringify(config));
  const trained = ich("train", join(root, "parity.ich.json"), "--runs", runs);
  expect(trained.code, trained.stderr).toBe(0);
  runId = readdirSync(runs).find((d) => d.endsWith("-parity")) ?? "";
  expect(readdirSync(join(runs, runId, "model"))).toContain("model.onnx");
  await writeSyntheticDataset({ out: join(root, "dicom"), patients: 2, slices: 5, seed: 21, size: 64 });
}, 300_000);

afterAll(() => {
  removeCli();
  rmSync(root, { recursive: true, force: true });
});

describe("ONNX Runtime and TF.js engines", () => {
  it("give the same probabilities on generated DICOM, with and without flip TTA", () => {
    const onnx = predict("onnx", join(root, "dicom"));
    const tfjs = predict("tfjs", join(root, "dicom"));
    expect(onnx.engine?.name).toBe("onnx");
    expect(onnx.engine?.device).toMatch(/ONNX Runtime \d+\.\d+\.\d+, \d+ intra-op threads?/);
    expect(tfjs.engine?.name).toBe("tfjs");
    expect(onnx.slices).toHaveLength(10);
    expect(maxDifference(onnx, tfjs)).toBeLessThan(1e-4);
    const onnxTta = predict("onnx", join(root, "dicom"), "--tta");
    const tfjsTta = predict("tfjs", join(root, "dicom"), "--tta");
    expect(maxDifference(onnxTta, tfjsTta)).toBeLessThan(1e-4);
    // TTA changed something: the phantoms are not left-right symmetric to the model
    expect(maxDifference(onnxTta, onnx)).toBeGreaterThan(1e-6);
    // auto picks ONNX Runtime for a run that has a current model.onnx
    expect(predict("auto", join(root, "dicom")).engine?.name).toBe("onnx");
  });

  it.skipIf(!HAS_SHARED_DATA)("give the same probabilities on the real RSNA slices", () => {
    const folder = join(SHARED_DATA, "rsna-samples");
    const onnx = predict("onnx", folder);
    const tfjs = predict("tfjs", folder);
    expect(onnx.slices.length).toBeGreaterThanOrEqual(37);
    expect(maxDifference(onnx, tfjs)).toBeLessThan(1e-4);
  });

  it("ich eval scores the same on both engines and reports which one ran", () => {
    const scores = ["onnx", "tfjs"].map((engine) => {
      const result = ich("eval", runId, "--runs", runs, "--json", "--engine", engine);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { weightedLogLoss: number; meanAuc: number | null; engine: { name: string } };
    });
    expect(scores.map((s) => s.engine.name)).toEqual(["onnx", "tfjs"]);
    expect(Math.abs(scores[0].weightedLogLoss - scores[1].weightedLogLoss)).toBeLessThan(1e-4);
  });

  it("--engine with a bad value is a usage error; onnx without a current model.onnx names the fix; auto falls back to TF.js", () => {
    const bad = ich("predict", runId, join(root, "dicom"), "--runs", runs, "--engine", "gpu");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--engine must be one of auto, onnx, tfjs, got 'gpu'");
    // The TF.js model changes after the export (as a resumed run would): model.onnx is stale
    const model = join(runs, runId, "model", "model.json");
    const later = new Date(Date.now() + 60_000);
    utimesSync(model, later, later);
    const stale = ich("predict", runId, join(root, "dicom"), "--runs", runs, "--json", "--engine", "onnx");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/model\.onnx is older than model\.json .*ich export RUN/);
    const auto = predict("auto", join(root, "dicom"));
    expect(auto.engine?.name).toBe("tfjs");
    expect(auto.engine?.notes.join("\n")).toContain("TF.js instead of ONNX Runtime");
    rmSync(join(runs, runId, "model", "model.onnx"));
    const missing = ich("predict", runId, join(root, "dicom"), "--runs", runs, "--engine", "onnx");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("has no model.onnx (write it with `ich export RUN`)");
  });
});
