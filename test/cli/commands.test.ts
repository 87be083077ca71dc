// Every `ich` command run as a user runs it: the bundled CLI (with its loader worker, as in dist/)
// spawned as a process on a tiny synthetic experiment, its output checked. info, render, synth,
// export and serve have their own files (test/dicom/info-cli.test.ts, test/synth/cli.test.ts,
// test/onnx/export-cli.test.ts, test/serve/).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABELS } from "../../src/shared/labels";
import { readBackendOutput, readEvalOutput, readGradcamOutput, readLrFindOutput, readPredictOutput } from "../../src/protocol/engine-output";
import { bundleCli } from "../helpers/bundle-cli";

const root = mkdtempSync(join(tmpdir(), "ich-commands-"));
const runs = join(root, "runs");
let cli = "";
let removeCli = () => {};

/** 16 training slices of 32 px (batch 2: 8 steps an epoch); validation: 8 slices of another seed. */
function experiment(name: string, extra: { pretrained?: string } = {}): string {
  const path = join(root, `${name}.ich.json`);
  const config = {
    name,
    data: { kind: "synthetic", patients: 4, slicesPerPatient: 4, seed: 3, size: 32, split: { by: "patient", validationFraction: 0.5, seed: 1 } },
    input: { size: 32 },
    model: { architecture: "small-cnn", labels: "all", dropout: 0, ...extra },
    train: { epochs: 1, batchSize: 2, schedule: { kind: "constant", lr: 0.003 }, seed: 5, backend: "wasm" },
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const env = { ...process.env };
delete env.ICH_RUNS_DIR;

function ich(...args: string[]) {
  return ichWith({}, ...args);
}

function ichWith(extraEnv: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root, env: { ...env, ...extraEnv } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let trained: ReturnType<typeof ich>;
let runId = "";

beforeAll(async () => {
  ({ cli, remove: removeCli } = await bundleCli("commands"));
  trained = ich("train", experiment("tiny"), "--runs", runs);
  runId = readdirSync(runs).find((d) => d.endsWith("-tiny")) ?? "";
}, 300_000);

afterAll(() => {
  removeCli();
  rmSync(root, { recursive: true, force: true });
});

describe("ich train", () => {
  it("trains into a run folder and prints the run, each epoch and the best epoch", () => {
    expect(trained.code).toBe(0);
    const lines = trained.stdout.trimEnd().split("\n");
    expect(lines[0].startsWith(`run ${runId} (${join(runs, runId)}) on wasm: `)).toBe(true);
    expect(lines[0]).toMatch(/; 1 epochs of 8 steps$/);
    expect(lines).toContainEqual(expect.stringMatching(/^epoch 1\/1: train loss \d+\.\d{4}; validation weighted log loss \d+\.\d{4}, mean AUC/));
    expect(lines.at(-2)).toMatch(/^best epoch 1: validation weighted log loss \d+\.\d{4}, mean AUC/);
    expect(lines.at(-1)).toBe(join(runs, runId));
  });

  it("writes train.log: every line it printed for the run, in order, each with its UTC time", () => {
    const log = readFileSync(join(runs, runId, "train.log"), "utf8");
    expect(log.endsWith("\n")).toBe(true);
    const entries = log.trimEnd().split("\n");
    for (const entry of entries) expect(entry).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S/);
    const text = entries.map((e) => e.slice(25));
    // Warnings went to stderr, the rest to stdout, which ends with two lines the command adds after
    // the run (best epoch, run folder).
    const warnings = text.filter((l) => l.startsWith("warning: "));
    expect(warnings).toEqual(trained.stderr.split("\n").filter((l) => l.startsWith("warning: ")));
    expect(text.filter((l) => !l.startsWith("warning: "))).toEqual(trained.stdout.trimEnd().split("\n").slice(0, -2));
    expect(text.at(-1)).toBe(`run ${runId} completed`);
    expect(text).toContainEqual(expect.stringMatching(/^checkpoint after epoch 1: /));
  });
});

describe("ich runs", () => {
  it("lists the run as a table and as JSON lines, from --runs", () => {
    const table = ich("runs", "--runs", runs);
    expect(table.code).toBe(0);
    const row = table.stdout.split("\n").find((l) => l.startsWith(runId));
    expect(row).toMatch(new RegExp(`^${runId}\\s+tiny\\s+completed\\s+small-cnn\\s+1/1\\s+\\d+\\.\\d{4}\\s+\\d\\.\\d{3}\\s+\\S+\\s+wasm$`));
    const json = ich("runs", "--runs", runs, "--json");
    const records = json.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { id: string; status: string; epochsDone: number });
    expect(records.map((r) => [r.id, r.status, r.epochsDone])).toEqual([[runId, "completed", 1]]);
  });

  it("opens $ICH_RUNS_DIR without --runs, and ./runs when it is unset or empty", () => {
    const ids = (extraEnv: Record<string, string>) => ichWith(extraEnv, "runs", "--json").stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids({})).toEqual([runId]);
    expect(ids({ ICH_RUNS_DIR: "" })).toEqual([runId]);
    const other = join(root, "other-store");
    mkdirSync(other, { recursive: true });
    expect(ichWith({ ICH_RUNS_DIR: other }, "runs", "--json").stdout).toBe("");
  });
});

describe("ich eval", () => {
  it("scores the run's best model on its validation split and writes eval.json", () => {
    const result = ich("eval", runId, "--runs", runs);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/weighted log loss \d+\.\d{4}\s+mean AUC \S+\s+images 8\n/);
    for (const label of LABELS) expect(result.stdout).toMatch(new RegExp(`\\n${label}\\s+\\d+\\.\\d{4}\\s`));
    expect(result.stdout).toContain(`wrote ${join(runs, runId, "eval.json")} and predictions.csv`);
    // The extension's reader of the engine contract takes what ich eval --json prints.
    const json = readEvalOutput(ich("eval", runId, "--runs", runs, "--json").stdout);
    expect([json.runId, json.samples]).toEqual([runId, 8]);
    const stored = JSON.parse(readFileSync(join(runs, runId, "eval.json"), "utf8")) as { weightedLogLoss: number };
    expect(stored.weightedLogLoss).toBe(json.weightedLogLoss);
  });

  it("takes a run folder as RUN and writes into that folder, whatever --runs says", () => {
    const elsewhere = join(root, "other-runs");
    mkdirSync(elsewhere, { recursive: true });
    const result = ich("eval", join(runs, runId), "--runs", elsewhere, "--json");
    expect(result.code).toBe(0);
    expect(readEvalOutput(result.stdout).runId).toBe(runId);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe("ich predict", () => {
  it("predicts DICOM slices written by ich synth, prints per slice and per series, writes the CSV", () => {
    const dicom = join(root, "dicom");
    expect(ich("synth", "--out", dicom, "--patients", "1", "--slices", "3", "--size", "32", "--seed", "9").code).toBe(0);
    const ids = readdirSync(dicom).filter((f) => f.endsWith(".dcm")).map((f) => f.slice(0, -4)).sort();
    const csv = join(root, "predictions.csv");
    const result = ich("predict", runId, dicom, "--runs", runs, "--out", csv);
    expect(result.code).toBe(0);
    expect(result.stderr.endsWith(`\nwrote ${csv}\n`) || result.stderr === `wrote ${csv}\n`).toBe(true);
    const rows = result.stdout.split("\n");
    expect(rows[0].split(/\s+/)).toEqual(["slice", ...LABELS]);
    expect(rows.slice(1, 4).map((r) => r.split(/\s+/)[0]).sort()).toEqual(ids);
    for (const r of rows.slice(1, 4)) expect(r.split(/\s+/).slice(1).map(Number).every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(result.stdout).toMatch(/per study \/ series \(max over slices\):\n\S+ \/ \S+ \(3 slices\)\n {2}max/);
    const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
    expect(lines[0]).toBe("ID,Label");
    expect(lines.length).toBe(1 + 3 * LABELS.length);
    // The extension reads --json and --gradcam output only through the engine contract's readers.
    const printed = readPredictOutput(ich("predict", runId, dicom, "--runs", runs, "--json").stdout);
    expect(printed.slices.map((s) => s.id).sort()).toEqual(ids);
    expect(printed.studies).toHaveLength(1);
    const file = printed.slices[0].file;
    const heat = readGradcamOutput(ich("predict", runId, file, "--runs", runs, "--gradcam", "subdural").stdout);
    expect(heat).toMatchObject({ file, label: "subdural" });
    expect(heat.gradcam.values).toHaveLength(heat.gradcam.width * heat.gradcam.height);
  });
});

describe("ich lr-find", () => {
  interface Sweep {
    points: { lr: number; loss: number; smoothed: number }[];
    suggestedLr: number;
    steepestLr: number;
    minimumLr: number;
    trainingEngine: string;
  }

  // 6 steps of 8 per epoch: the sweep ends in the middle of an epoch with batches still being
  // prepared by the loader worker (default 1), which once let the process exit mid-promise.
  it("prints the sweep and the suggestion, with the default loader worker", () => {
    const result = ich("lr-find", experiment("sweep"), "--steps", "6");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("lr          loss      smoothed");
    const rows = lines.slice(1, 7).map((l) => l.split(/\s+/).map(Number));
    expect(rows.map((r) => r[0])).toEqual([1e-7, 2.51e-6, 6.31e-5, 1.58e-3, 3.98e-2, 1]);
    for (const r of rows) expect(r.every(Number.isFinite)).toBe(true);
    expect(lines[7]).toBe("");
    expect(lines[8]).toMatch(/^suggested maxLr \d\.\d\de[-+]\d+ \(steepest descent, 32 px\); minimum\/10: \d\.\d\de[-+]\d+/);
    expect(lines[9]).toMatch(/^steps: ONNX Runtime [\d.]+ on the CPU, \d+ threads?$/); // train.engine auto on wasm, as ich train
    expect(lines).toHaveLength(10);
  });

  it("--json gives the same sweep as one JSON object", () => {
    const text = ich("lr-find", experiment("sweep"), "--steps", "6");
    const result = ich("lr-find", experiment("sweep"), "--steps", "6", "--json");
    expect(result.code).toBe(0);
    const sweep = JSON.parse(result.stdout) as Sweep;
    expect(readLrFindOutput(result.stdout)).toEqual(sweep); // the extension's reader takes it whole
    expect(sweep.points).toHaveLength(6);
    expect(sweep.suggestedLr).toBe(sweep.steepestLr);
    expect(sweep.points.map((p) => p.lr)).toContain(sweep.steepestLr);
    // Seeded: the text run saw the same losses.
    const losses = text.stdout.split("\n").slice(1, 7).map((l) => Number(l.split(/\s+/)[1]));
    expect(losses).toEqual(sweep.points.map((p) => Number(p.loss.toFixed(4))));
    expect(sweep.trainingEngine).toBe(text.stdout.trimEnd().split("\n").at(-1)!.slice("steps: ".length));
  });

  // The losses differ from ONNX Runtime's here: train.workers auto splits each batch of 2 over TF.js
  // replicas, as ich train does, so batch norm sees one image (test/train/lr-find.test.ts compares one replica).
  it("--engine tfjs computes the steps on TF.js as ich train would; a bad --engine is a usage error", () => {
    const onnx = JSON.parse(ich("lr-find", experiment("sweep"), "--steps", "5", "--json").stdout) as Sweep;
    const result = ich("lr-find", experiment("sweep"), "--steps", "5", "--json", "--engine", "tfjs");
    expect(result.code).toBe(0);
    const tfjs = readLrFindOutput(result.stdout);
    expect(tfjs.trainingEngine).toMatch(/^TF\.js wasm/);
    expect(tfjs.points.map((p) => p.lr)).toEqual(onnx.points.map((p) => p.lr));
    expect(tfjs.points.every((p) => p.loss !== null && p.loss > 0)).toBe(true);
    const bad = ich("lr-find", experiment("sweep"), "--engine", "gpu");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--engine must be one of auto, onnx, tfjs, got 'gpu'");
  });

  it("starts from a run:<id> model.pretrained found in --runs, and names the store it looked in", () => {
    const config = experiment("finetune", { pretrained: `run:${runId}` });
    const fresh = JSON.parse(ich("lr-find", experiment("sweep"), "--steps", "5", "--json").stdout) as Sweep;
    const tuned = ich("lr-find", config, "--steps", "5", "--json", "--runs", runs);
    expect(tuned.code).toBe(0);
    // Same seed, data and first learning rate: only the starting weights differ.
    expect((JSON.parse(tuned.stdout) as Sweep).points[0].loss).not.toBe(fresh.points[0].loss);
    const elsewhere = join(root, "empty-store");
    mkdirSync(elsewhere);
    const missing = ich("lr-find", config, "--steps", "5", "--runs", elsewhere);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(join(elsewhere, runId));
  });
});

describe("ich index and ich explore", () => {
  const data = join(root, "dataset");
  /** labels.csv of ich synth: `ID_<hex>_<label>,0|1` rows. */
  const positives = () => {
    const rows = readFileSync(join(data, "labels.csv"), "utf8").trimEnd().split("\n").slice(1);
    return Object.fromEntries(LABELS.map((l) => [l, rows.filter((r) => r.endsWith(`_${l},1`)).length]));
  };

  beforeAll(() => {
    expect(ich("synth", "--out", data, "--patients", "2", "--slices", "4", "--size", "32", "--seed", "4").code).toBe(0);
  });

  it("ich index reads every header, joins the labels, and reads nothing again the second time", () => {
    const first = ich("index", data, "--labels", join(data, "labels.csv"), "--json");
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout.trimEnd().split("\n").at(-1)!) as { files: number; dicom: number; read: number; cached: number; unreadable: number; labels: { labelledImages: number } };
    expect([summary.files, summary.dicom, summary.read, summary.cached, summary.unreadable, summary.labels.labelledImages]).toEqual([8, 8, 8, 0, 0, 8]);
    const again = JSON.parse(ich("index", data, "--json").stdout.trimEnd().split("\n").at(-1)!) as { read: number; cached: number };
    expect([again.read, again.cached]).toEqual([0, 8]);
    const text = ich("index", data);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`8 files in ${data} (8 DICOM, 0 PNG/JPG): 0 headers read, 8 from the cache, 0 unreadable headers`);
  });

  it("ich explore counts patients and series and the prevalence of each label", () => {
    const result = ich("explore", data, "--json", "--samples", "1");
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trimEnd().split("\n").at(-1)!) as { counts: { files: number; patients: number; series: number; labelled: number }; prevalence: { label: string; positives: number }[] };
    expect(summary.counts).toMatchObject({ files: 8, patients: 2, series: 2, labelled: 8 });
    expect(Object.fromEntries(summary.prevalence.map((p) => [p.label, p.positives]))).toEqual(positives());
  });
});

describe("ich backend", () => {
  it("reports the WASM backend as text and as JSON", () => {
    const text = ich("backend", "--backend", "wasm");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^backend {2}wasm\ndevice {3}\S/);
    expect(text.stdout).toMatch(new RegExp(`\\nnode {5}${process.versions.node.replace(/\./g, "\\.")}\\n`));
    const json = readBackendOutput(ich("backend", "--backend", "wasm", "--json").stdout);
    expect([json.backend, json.gpu, json.versions.node]).toEqual(["wasm", false, process.versions.node]);
    // On WASM, train.engine "auto" trains on ONNX Runtime whenever onnxruntime-node loads, and says so in both forms.
    expect(json.autoTrainingEngine).toBe(json.engine!.onnx.available ? "onnx" : "tfjs");
    expect(text.stdout).toMatch(json.engine!.onnx.available ? /\ntraining onnx \(ONNX Runtime, every core\) under train\.engine "auto"\n/ : /\ntraining tfjs \(TF\.js wasm\)/);
  });
});
