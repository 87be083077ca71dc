// Training throughput (img/s) of `ich train`'s step (ResNet18 unless --arch), one row per engine: ONNX Runtime
// (train.engine "onnx", the default on a CPU) and TF.js on the WASM backend with 1, 2… data-parallel
// replicas (train.engine "tfjs", train.workers), against Debian's PyTorch (/usr/bin/python3,
// python3-torch + python3-torchvision) doing the same step (AdamW, BCE with logits, random inputs).
//   npm run bench:train -- [--arch resnet18] [--size 128] [--batch 16] [--steps 6] [--engines onnx,onnx:1,tfjs:1,tfjs:2]
//                          [--rounds 2] [--threads 2] [--no-torch] [--profile]
// Every measurement runs in its own process, one at a time: PyTorch slows down while another
// process holds our multi-GiB WASM heaps. Rounds alternate the sides and keep each one's best, so a
// burst of load from other processes does not decide the ratio; the load average is printed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Batch } from "../src/core/data/batch-loader";
import type { Sample } from "../src/core/data/sample";
import { LABELS } from "../src/shared/labels";
import { buildModel } from "../src/core/models";
import { outputsLogits } from "../src/core/predict/infer";
import { initBackend } from "../src/core/tf/backend";
import { AdamW } from "../src/core/train/adamw";
import { trainOnBatch, type BatchTrainer } from "../src/core/train/batch-training";
import { openReplicaRunner } from "../src/core/train/parallel";
import type { OnnxStepRunner } from "../src/core/train/onnx/onnx-step-runner";
import { openStepRunner, type StepRunner } from "../src/core/train/step-runner";
import { trainableVariables } from "../src/core/train/step";

const root = resolve(__dirname, "..");
const { values } = parseArgs({
  options: {
    arch: { type: "string", default: "resnet18" },
    size: { type: "string", default: "128" },
    batch: { type: "string", default: "16" },
    steps: { type: "string", default: "6" },
    engines: { type: "string", default: "onnx,onnx:1,tfjs:1,tfjs:2" },
    rounds: { type: "string", default: "2" },
    threads: { type: "string", default: "2" },
    "no-torch": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    child: { type: "string" },
  },
});
const PEERS = ["resnet18", "resnet34", "resnet50", "resnet101", "densenet121", "alexnet"] as const;
const arch = values.arch as (typeof PEERS)[number];
if (!PEERS.includes(arch)) throw new Error(`--arch must be one of ${PEERS.join(", ")} (architectures torchvision also has), got ${values.arch}`);
const size = Number(values.size);
const batchSize = Number(values.batch);
const steps = Number(values.steps);

interface Measurement {
  imgPerSec: number;
  imgPerCpuSec: number;
  peakRssBytes: number;
  workerHeapBytes?: number[];
  device?: string;
  torch?: string;
  threads?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** Child process: training `--arch` on random data with `engine` ("onnx", "onnx:THREADS" or "tfjs:REPLICAS"); prints one JSON line. */
async function child(engine: string): Promise<void> {
  const info = await initBackend({ prefer: "wasm" });
  const tf = info.tf;
  // torchvision's classifier for AlexNet (the peer's), a linear head on global pooling for the others (torchvision's fc).
  const model = buildModel(tf, { architecture: arch, head: arch === "alexnet" ? "torchvision" : "linear", dropout: 0, inputSize: size, channels: 3, outputs: LABELS.length, seed: 1 });
  const trainer: BatchTrainer = {
    tf, model, optimizer: new AdamW(tf, 1e-4, 0.01), variables: trainableVariables(model), logits: outputsLogits(model),
    labels: [...LABELS], weights: [2, 1, 1, 1, 1, 1], channels: 3,
  };
  const warn = (m: string) => console.error(`warning: ${m}`);
  const [kind, count] = engine.split(":");
  const replicas = kind === "onnx" ? 1 : Number(count);
  let runner: StepRunner;
  let device = info.device;
  const profileDir = values.profile && kind === "onnx" ? mkdtempSync(join(tmpdir(), "ich-bench-ort-")) : undefined;
  if (kind === "onnx") {
    const threads = count === undefined ? undefined : Number(count);
    const profilePrefix = profileDir ? join(profileDir, "step") : undefined;
    const options = { engine: "onnx", backend: info.backend, workers: 1, batchSize, size, seed: 1, firstStep: 0, threads, profilePrefix } as const;
    const opened = await openStepRunner(trainer, options, warn);
    runner = opened.runner;
    device = opened.description;
  } else {
    runner = await openReplicaRunner(trainer, replicas, warn);
    if (runner.replicas !== replicas) throw new Error(`asked for ${replicas} replicas, got ${runner.replicas}`);
  }
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const samples = Array.from({ length: batchSize }, (_, i) => ({ id: `bench${i}` }) as Sample);
  const batch: Batch = {
    index: 0,
    samples,
    x: Float32Array.from({ length: batchSize * size * size * 3 }, random),
    y: Float32Array.from({ length: batchSize * LABELS.length }, () => (random() > 0.5 ? 1 : 0)),
    errors: samples.map(() => null),
  };
  await runner.step(batch, size, 1e-4); // warm-up: kernels set up, optimizer slots created
  if (values.profile && engine === "tfjs:1") {
    const profile = await tf.profile(() => void trainOnBatch(trainer, batch, size, 1e-4));
    const byKernel = new Map<string, number>();
    for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(await k.kernelTimeMs));
    const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
    console.error(`kernel time of one step: ${(total / 1000).toFixed(2)} s`);
    for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.error(`  ${name.padEnd(28)} ${(ms / 1000).toFixed(3)} s  ${((100 * ms) / total).toFixed(1)}%`);
  }
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    await runner.step(batch, size, 1e-4);
    times.push((performance.now() - start) / 1000);
  }
  const cpu = process.cpuUsage(cpuStart);
  if (profileDir) {
    (runner as OnnxStepRunner).endProfiling();
    printOrtProfile(profileDir, steps);
    rmSync(profileDir, { recursive: true, force: true });
  }
  const result: Measurement = {
    imgPerSec: batchSize / median(times),
    imgPerCpuSec: (batchSize * steps) / ((cpu.user + cpu.system) / 1e6),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    workerHeapBytes: runner.workerHeapBytes(),
    device,
  };
  await runner.close();
  console.log(JSON.stringify(result));
}

/** Operator times of ONNX Runtime's profile, summed over the timed steps and shown per step, by operator type. */
function printOrtProfile(dir: string, stepCount: number): void {
  const file = readdirSync(dir).find((f) => f.endsWith(".json"));
  if (!file) return;
  const events = JSON.parse(readFileSync(join(dir, file), "utf8")) as { cat?: string; name: string; dur: number; args?: { op_name?: string } }[];
  const byOp = new Map<string, number>();
  // The warm-up step is in the file too: count only the last `stepCount` runs.
  const runs = events.filter((e) => e.cat === "Session" && e.name === "model_run").slice(-stepCount) as unknown as { ts: number; dur: number }[];
  const inRun = (e: { ts?: number }) => runs.some((r) => e.ts !== undefined && e.ts >= r.ts && e.ts <= r.ts + r.dur);
  for (const e of events) {
    if (e.cat !== "Node" || !e.name.endsWith("_kernel_time") || !inRun(e as { ts?: number })) continue;
    const op = e.args?.op_name ?? "?";
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur / 1000 / stepCount);
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  console.error(`ONNX Runtime operator time per step: ${total.toFixed(0)} ms`);
  for (const [op, ms] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.error(`  ${op.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  ${((100 * ms) / total).toFixed(1)}%`);
}

function measure(command: string, args: string[]): Measurement {
  const run = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "pipe"] });
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${run.stderr}`);
  if (run.stderr.trim()) process.stderr.write(run.stderr);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as Measurement;
}

function ours(engine: string, profile: boolean): Measurement {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  return measure(tsx, [__filename, "--child", engine, "--arch", arch, "--size", String(size), "--batch", String(batchSize), "--steps", String(steps), ...(profile ? ["--profile"] : [])]);
}

function torch(): Measurement | undefined {
  const python = "/usr/bin/python3";
  if (values["no-torch"]) return undefined;
  if (!existsSync(python) || spawnSync(python, ["-c", "import torch, torchvision"]).status !== 0) {
    console.log("PyTorch peer unavailable: apt-get install python3-torch python3-torchvision (run with /usr/bin/python3)");
    return undefined;
  }
  return measure(python, [join(__dirname, "train-throughput.py"), values.threads, String(batchSize), String(size), String(steps), arch]);
}

const better = (a: Measurement | undefined, b: Measurement | undefined) => (a === undefined ? b : b === undefined || a.imgPerSec >= b.imgPerSec ? a : b);

function main(): void {
  const engines = values.engines.split(",");
  for (const e of engines) if (!/^(onnx(:[1-9]\d*)?|tfjs:[1-9]\d*)$/.test(e)) throw new Error(`--engines: "${e}" is none of onnx, onnx:THREADS, tfjs:REPLICAS`);
  const rounds = Number(values.rounds);
  const loadBefore = loadavg();
  console.log(`${arch} @${size} px, batch ${batchSize}: median of ${steps} steps, best of ${rounds} alternating rounds, each in its own process; ${availableParallelism()} CPUs`);
  let peer: Measurement | undefined;
  const best = new Map<string, Measurement>();
  for (let r = 0; r < rounds; r++) {
    // PyTorch first in a round, on an otherwise idle process table (ours have exited).
    peer = better(peer, torch());
    for (const e of engines) best.set(e, better(best.get(e), ours(e, values.profile && r === 0))!);
  }
  const loadAfter = loadavg();
  console.log(`peer: ${peer ? `PyTorch ${peer.torch}, ${peer.threads} threads, peak RSS ${gib(peer.peakRssBytes)}, ${peer.imgPerSec.toFixed(2)} img/s` : "none"}`);
  console.log(
    "\n| engine | computed by | ours img/s | PyTorch img/s | ratio | target 0.3× | scaling vs 1 thread/replica | ours img/CPU-s | PyTorch img/CPU-s | CPU ratio | peak RSS (process) | WASM heap per worker thread |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const e of engines) {
    const m = best.get(e)!;
    const ratio = peer ? m.imgPerSec / peer.imgPerSec : undefined;
    const heaps = m.workerHeapBytes?.length ? m.workerHeapBytes.map(gib).join(", ") : "-";
    const one = best.get(`${e.split(":")[0]}:1`);
    console.log(
      `| ${e} | ${m.device} | ${m.imgPerSec.toFixed(2)} | ${peer ? peer.imgPerSec.toFixed(2) : "-"} | ${ratio ? ratio.toFixed(2) + "×" : "-"} | ${ratio === undefined ? "-" : ratio >= 0.3 ? "met" : "not met"} | ${one ? (m.imgPerSec / one.imgPerSec).toFixed(2) + "×" : "-"} | ` +
        `${m.imgPerCpuSec.toFixed(2)} | ${peer ? peer.imgPerCpuSec.toFixed(2) : "-"} | ${peer ? (m.imgPerCpuSec / peer.imgPerCpuSec).toFixed(2) + "×" : "-"} | ${gib(m.peakRssBytes)} | ${heaps} |`,
    );
  }
  const fmt = (l: number[]) => l.map((v) => v.toFixed(1)).join(" ");
  console.log(`load average (1/5/15 min): ${fmt(loadBefore)} before, ${fmt(loadAfter)} after, on ${availableParallelism()} CPUs`);
  // Wall-clock ratios only mean something on a quiet machine: oversubscribed, PyTorch's OpenMP threads spin-wait for each other.
  if (Math.max(...loadBefore.slice(0, 1), ...loadAfter.slice(0, 1)) > availableParallelism()) {
    console.log("the machine was oversubscribed: the ratios are not what a user sees; ours img/CPU-s is close to its quiet figure, PyTorch's is not (its OpenMP threads spin-wait)");
  }
}

if (values.child !== undefined) {
  child(values.child).catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
} else {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
