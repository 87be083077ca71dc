// ResNet18 training and inference throughput (img/s) on our default backend against Debian's
// PyTorch (/usr/bin/python3, python3-torch + python3-torchvision) in the same run, as ratios.
//   npm run bench:train -- [--sizes 128,256] [--batch 8] [--steps 3] [--infer-batches 4]
//                          [--threads 2] [--backend auto|wasm|...] [--compare-skip] [--no-torch]
// Steps are few because the machine is shared: read the numbers as rough ratios.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Scalar, Tensor, Variable } from "@tensorflow/tfjs";
import { buildModel } from "../src/core/models";
import { initBackend, type BackendPreference } from "../src/core/tf/backend";
import { trainStep } from "../src/core/tf/train-step";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "128,256" },
    batch: { type: "string", default: "8" },
    steps: { type: "string", default: "3" },
    "infer-batches": { type: "string", default: "4" },
    threads: { type: "string", default: "2" },
    backend: { type: "string", default: "auto" },
    "compare-skip": { type: "boolean", default: false },
    "no-torch": { type: "boolean", default: false },
  },
});
const sizes = values.sizes.split(",").map(Number);
const batch = Number(values.batch);
const steps = Number(values.steps);
const inferBatches = Number(values["infer-batches"]);

/** img/s by the wall clock, and per CPU-second (load-independent; PyTorch uses 2 threads, we use 1). */
type Rate = { wall: number; cpu: number };
type Row = { size: number; mode: string; ours: Rate; torch?: Rate };
const rows: Row[] = [];

let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

function rate(images: number, run: () => void, repeats: number): Rate {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < repeats; i++) run();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (images * repeats) / ((performance.now() - start) / 1000), cpu: (images * repeats) / ((cpu.user + cpu.system) / 1e6) };
}

async function main(): Promise<void> {
  const info = await initBackend({ prefer: values.backend as BackendPreference });
  const tf = info.tf;
  console.log(`ours: ${info.backend} on ${info.device}, tfjs ${info.packages["tfjs-core"]}`);
  for (const warning of info.warnings) console.log(`  (${warning})`);

  for (const size of sizes) {
    const model = buildModel(tf, { architecture: "resnet18", inputSize: size, channels: 3, outputs: 6, seed: 1 });
    const optimizer = tf.train.adam(1e-4);
    const xs = tf.randomUniform([batch, size, size, 3], 0, 1, "float32", 1);
    const ys = tf.tidy(() => tf.randomUniform([batch, 6], 0, 1, "float32", 2).greater(0.5).cast("float32"));
    const lossFn = (t: Tensor, p: Tensor) => tf.metrics.binaryCrossentropy(t, p);
    const step = () => {
      trainStep(tf, model, optimizer, xs, ys, lossFn);
      sampleRss();
    };
    step(); // warm-up: kernels set up, optimizer slots created
    rows.push({ size, mode: "train", ours: rate(batch, step, steps) });
    if (values["compare-skip"]) {
      const variables = model.trainableWeights.map((w) => w.read() as Variable);
      const plainStep = () => {
        const cost = optimizer.minimize(() => tf.mean(lossFn(ys, model.apply(xs, { training: true }) as Tensor)) as Scalar, true, variables);
        cost?.dataSync();
        cost?.dispose();
        sampleRss();
      };
      rows.push({ size, mode: "train, input gradient computed", ours: rate(batch, plainStep, steps) });
    }
    const predict = () => {
      const out = model.predict(xs) as Tensor;
      out.dataSync();
      out.dispose();
      sampleRss();
    };
    predict();
    rows.push({ size, mode: "inference", ours: rate(batch, predict, inferBatches) });
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  }
  console.log(`ours: peak RSS ${(peakRss / 2 ** 30).toFixed(2)} GiB`);

  if (!values["no-torch"]) {
    const python = "/usr/bin/python3";
    const script = join(__dirname, "train-throughput.py");
    const probe = spawnSync(python, ["-c", "import torch, torchvision"], { encoding: "utf8" });
    if (!existsSync(python) || probe.status !== 0) {
      console.log("PyTorch peer unavailable: apt-get install python3-torch python3-torchvision (run with /usr/bin/python3)");
    } else {
      const peer = spawnSync(python, [script, values.threads, String(batch), values.sizes, String(steps), String(inferBatches)], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      if (peer.status !== 0) throw new Error(`${script} failed: ${peer.stderr}`);
      for (const line of peer.stdout.trim().split("\n")) {
        const result = JSON.parse(line) as { size?: number; mode?: string; imgPerSec?: number; imgPerCpuSec?: number; torch?: string; torchvision?: string; threads?: number };
        if (result.torch) console.log(`peer: PyTorch ${result.torch}, torchvision ${result.torchvision}, ${result.threads} threads`);
        for (const row of rows) if (row.size === result.size && row.mode.startsWith(result.mode ?? "-") && result.imgPerSec && result.imgPerCpuSec) {
          row.torch = { wall: result.imgPerSec, cpu: result.imgPerCpuSec };
        }
      }
    }
  }

  const targets: Record<string, number> = { train: 0.5, inference: 1.0 };
  console.log("\nResNet18, batch " + batch + ", img/s");
  console.log("| size | mode | ours | PyTorch | ratio | target | ours per CPU-s | PyTorch per CPU-s | CPU ratio |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  const f = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(2));
  for (const row of rows) {
    const ratio = row.torch ? row.ours.wall / row.torch.wall : undefined;
    const cpuRatio = row.torch ? row.ours.cpu / row.torch.cpu : undefined;
    const target = targets[row.mode];
    const verdict = ratio === undefined || target === undefined ? "" : `${target.toFixed(1)}× ${ratio >= target ? "met" : "not met"}`;
    console.log(
      `| ${row.size} | ${row.mode} | ${f(row.ours.wall)} | ${f(row.torch?.wall)} | ${ratio ? ratio.toFixed(2) + "×" : "-"} | ${verdict} | ` +
        `${f(row.ours.cpu)} | ${f(row.torch?.cpu)} | ${cpuRatio ? cpuRatio.toFixed(2) + "×" : "-"} |`,
    );
  }
  console.log(`load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(" ")} (${cpus().length} CPUs)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
