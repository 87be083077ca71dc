// `npm run demo` (after `npm run build`): the whole engine on synthetic head-CT phantoms in a few
// minutes on a CPU. Generates a DICOM set, trains examples/demo.ich.json, evaluates the best model
// on DICOM files generated with a different seed than the training data, predicts a few files and
// prints a summary. Everything goes to demo-output/ (runs in demo-output/runs).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli.js");
const out = join(root, "demo-output");
const runs = join(out, "runs");
const evalData = join(out, "eval-dicom");
const experiment = join(root, "examples", "demo.ich.json");
const started = Date.now();

if (!existsSync(cli)) {
  console.error("demo: dist/cli.js is missing; run `npm run build` first (npm run demo does)");
  process.exit(1);
}

/** Runs `ich ARGS`; returns stdout. `onLine` sees stdout lines as they arrive; stderr is shown only on failure. */
function ich(args, onLine) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    let stdout = "";
    let pending = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const line of lines) onLine?.(line);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) process.stderr.write(stderr);
      if (code === 0 || code === 1) resolve({ code, stdout });
      else reject(new Error(`ich ${args.join(" ")} exited with code ${code}`));
    });
    process.once("SIGINT", () => child.kill("SIGINT"));
  });
}

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const fmt = (v, d = 3) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(d) : "-");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

console.log("ICH Lab demo — synthetic phantoms, research use only, not for diagnosis.\n");
console.log("1/4 generating an evaluation set of DICOM files (seed 2; training uses seed 1)…");
await ich(["synth", "--out", evalData, "--patients", "12", "--slices", "8", "--seed", "2", "--size", "96", "--json"]);

console.log(`2/4 training ${experiment} (small CNN, 64 px; progress per epoch)…`);
let runId;
let lastEpoch;
const train = await ich(["train", experiment, "--runs", runs, "--json-progress"], (line) => {
  let event;
  try {
    event = JSON.parse(line);
  } catch {
    return;
  }
  if (event.type === "run-started") {
    runId = event.runId;
    console.log(`    run ${event.runId} on ${event.device}: ${event.epochs} epochs × ${event.stepsPerEpoch} steps`);
  } else if (event.type === "epoch") {
    lastEpoch = event;
    console.log(`    epoch ${event.epoch}/${event.epochs}  train loss ${fmt(event.trainLoss, 4)}  val weighted log loss ${fmt(event.val?.weightedLogLoss, 4)}  val mean AUC ${fmt(event.val?.meanAuc)}  [${elapsed()}]`);
  } else if (event.type === "warning" && !/tfjs-node/.test(event.message)) {
    console.log(`    warning: ${event.message}`);
  } else if (event.type === "run-ended" && event.status !== "completed") {
    console.error(`    run ${event.status}${event.error ? `: ${event.error}` : ""}`);
  }
});
if (train.code !== 0 || !runId) {
  console.error("demo: training did not complete");
  process.exit(1);
}

console.log(`3/4 evaluating the best model on the seed-2 DICOM files (${evalData})…`);
const evaluation = JSON.parse((await ich(["eval", runId, "--runs", runs, "--data", evalData, "--json"])).stdout);

console.log("4/4 predicting three files…");
const files = readdirSync(evalData).filter((f) => f.endsWith(".dcm")).sort().slice(0, 3).map((f) => join(evalData, f));
const prediction = JSON.parse((await ich(["predict", runId, ...files, "--runs", runs, "--json"])).stdout);

const labels = evaluation.labels;
const rows = labels.map((label) => {
  const m = evaluation.perLabel[label];
  return `  ${label.padEnd(18)}${fmt(m.auc).padStart(8)}${fmt(m.logLoss, 4).padStart(10)}${fmt(m.sensitivity).padStart(8)}${fmt(m.specificity).padStart(8)}${String(m.positives).padStart(6)}`;
});
console.log(`
Summary (${elapsed()} in all)
  run              ${join(runs, runId)}
  training         ${lastEpoch ? `${lastEpoch.epoch} epochs, last train loss ${fmt(lastEpoch.trainLoss, 4)}` : "-"}
  evaluation       ${evaluation.samples} DICOM slices, seed 2 (training: seed 1)
  weighted log loss ${fmt(evaluation.weightedLogLoss, 4)}
  mean ROC AUC     ${fmt(evaluation.meanAuc)} over ${labels.length} labels

  label                  AUC  log loss    sens    spec   pos
${rows.join("\n")}

  prediction (probability of any hemorrhage):
${prediction.slices.map((s) => `    ${s.id}  any ${fmt(s.probabilities.any)}`).join("\n")}
${prediction.studies.map((s) => `    study max over ${s.slices} slices: any ${fmt(s.probabilities.any)}`).join("\n")}
`);
if (!(evaluation.meanAuc >= 0.9)) console.log("note: mean AUC below 0.90 on this machine/run.");
