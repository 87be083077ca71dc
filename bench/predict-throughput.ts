// `npm run bench:predict`: ResNet18 prediction speed against PyTorch + pydicom, in one run, on the
// same real slices (../shared/data/rsna-samples, its list repeated to a few hundred files).
//   end to end: `ich predict RUN FOLDER --json` (the bundled CLI, ONNX Runtime) vs
//               bench/predict_pytorch.py e2e (pydicom, HU + RSNA fix, 3 windows, area resize,
//               ResNet18 batches of 8, torch.set_num_threads(2)), each a fresh process, timed from
//               spawn to exit (startup included on both sides);
//   model only: batch-of-8 forward passes on ONNX Runtime, TF.js and PyTorch, each in its own process.
// One warm-up run of each side is excluded; medians of --repeats runs, ours and the peer interleaved
// so that both see the same machine load. Targets: end to end ≥ 1.5×, model only ≥ 1.0× PyTorch.
//   npm run bench:predict -- [--sizes 128,256] [--repeats 3] [--copies 8] [--threads 2] [--tfjs-e2e]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { bundleCli } from "../test/helpers/bundle-cli";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "128,256" },
    repeats: { type: "string", default: "3" },
    copies: { type: "string", default: "8" },
    threads: { type: "string", default: "2" },
    "model-repeats": { type: "string", default: "5" },
    "tfjs-e2e": { type: "boolean", default: false },
  },
});
const root = resolve(__dirname, "..");
const samples = resolve(root, "../shared/data/rsna-samples");
const python = "/usr/bin/python3";
const peerScript = join(__dirname, "predict_pytorch.py");
const tsx = join(root, "node_modules", ".bin", "tsx");
const repeats = Number(values.repeats);
const BATCH = 8;

function dicomFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".dcm"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** PyTorch peer available? Installs Debian's packages with apt-get when running as root. */
function torchReady(): boolean {
  const probe = () => existsSync(python) && spawnSync(python, ["-c", "import torch, torchvision, pydicom"], { stdio: "ignore" }).status === 0;
  if (probe()) return true;
  const how = "apt-get install python3-torch python3-torchvision python3-pydicom (the peer runs on /usr/bin/python3)";
  if (process.getuid?.() !== 0) {
    console.log(`PyTorch peer unavailable; install it with: sudo ${how}`);
    return false;
  }
  console.log(`PyTorch peer missing: ${how}`);
  spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "python3-torch", "python3-torchvision", "python3-pydicom"], { stdio: "inherit" });
  if (probe()) return true;
  console.log(`PyTorch peer still unavailable (offline?); install it with: ${how}`);
  return false;
}

function run(command: string, args: string[], input?: string): { seconds: number; stdout: string } {
  const t = performance.now();
  const result = spawnSync(command, args, { encoding: "utf8", input, maxBuffer: 1 << 28, env: { ...process.env, ICH_ENGINE: "" } });
  const seconds = (performance.now() - t) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  return { seconds, stdout: result.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as { images: number; seconds: number; device?: string; startupSeconds?: number };

interface Row {
  what: string;
  ours: number;
  peer?: number;
  note?: string;
}

async function main(): Promise<void> {
  if (!existsSync(samples)) {
    console.log(`bench:predict skipped: ${samples} is absent (the real RSNA slices this benchmark runs on)`);
    return;
  }
  const torch = torchReady();
  const work = mkdtempSync(join(tmpdir(), "ich-bench-predict-"));
  const { cli, remove } = await bundleCli("bench-predict");
  try {
    const originals = dicomFiles(samples);
    const folder = join(work, "slices");
    mkdirSync(folder);
    const files: string[] = [];
    for (let copy = 0; copy < Number(values.copies); copy++) {
      for (const [i, file] of originals.entries()) {
        const link = join(folder, `c${copy}_${i}_${file.split("/").pop()}`);
        symlinkSync(file, link);
        files.push(link);
      }
    }
    console.log(`${files.length} slices (${originals.length} real RSNA files × ${values.copies}); ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}`);
    const rows: Row[] = [];
    for (const size of values.sizes.split(",").map(Number)) {
      const runDir = join(work, `resnet18-${size}`);
      run(tsx, [join(__dirname, "predict-make-run.ts"), runDir, String(size)]);
      // end to end
      const ours = () => {
        const r = run(process.execPath, [cli, "predict", runDir, folder, "--json", "--engine", "onnx"]);
        const out = JSON.parse(r.stdout) as { slices: unknown[]; engine: { device: string } };
        if (out.slices.length !== files.length) throw new Error(`ich predict predicted ${out.slices.length} of ${files.length} slices`);
        return { seconds: r.seconds, device: out.engine.device };
      };
      const peer = () => {
        const r = run(python, [peerScript, "e2e", String(size), String(BATCH), values.threads], files.join("\n"));
        return { seconds: r.seconds, work: lastJson(r.stdout).seconds };
      };
      ours();
      if (torch) peer();
      const oursTimes: number[] = [];
      const peerTimes: number[] = [];
      const peerWork: number[] = [];
      let device = "";
      for (let i = 0; i < repeats; i++) {
        const o = ours();
        oursTimes.push(o.seconds);
        device = o.device;
        if (torch) {
          const p = peer();
          peerTimes.push(p.seconds);
          peerWork.push(p.work);
        }
      }
      rows.push({ what: `end to end, ${size} px (ich predict, ${device})`, ours: files.length / median(oursTimes), peer: torch ? files.length / median(peerTimes) : undefined, note: torch ? `PyTorch without its ~${(median(peerTimes) - median(peerWork)).toFixed(1)} s import/startup: ${(files.length / median(peerWork)).toFixed(1)} slices/s` : undefined });
      if (values["tfjs-e2e"]) {
        const t = median(Array.from({ length: repeats }, () => run(process.execPath, [cli, "predict", runDir, folder, "--json", "--engine", "tfjs"]).seconds));
        rows.push({ what: `end to end, ${size} px (ich predict --engine tfjs)`, ours: files.length / t });
      }
      // model only, each engine in its own process
      const modelOnly = (engine: string) => {
        const r = lastJson(run(tsx, [join(__dirname, "predict-model-only.ts"), runDir, engine, String(BATCH), values["model-repeats"]]).stdout);
        return r.images / r.seconds;
      };
      const peerModel = torch ? (() => {
        const r = lastJson(run(python, [peerScript, "model", String(size), String(BATCH), values.threads, values["model-repeats"]]).stdout);
        return r.images / r.seconds;
      })() : undefined;
      rows.push({ what: `model only, ResNet18 batch ${BATCH}, ${size} px, ONNX Runtime`, ours: modelOnly("onnx"), peer: peerModel });
      rows.push({ what: `model only, ResNet18 batch ${BATCH}, ${size} px, TF.js`, ours: modelOnly("tfjs"), peer: peerModel });
      rmSync(runDir, { recursive: true, force: true });
    }
    console.log("");
    console.log(`| | ICH Lab | PyTorch ${values.threads} threads | ratio |`);
    console.log("|---|---|---|---|");
    for (const r of rows) {
      const unit = r.what.startsWith("end") ? "slices/s" : "img/s";
      console.log(`| ${r.what} | ${r.ours.toFixed(1)} ${unit} | ${r.peer === undefined ? "—" : `${r.peer.toFixed(1)} ${unit}`} | ${r.peer === undefined ? "—" : `${(r.ours / r.peer).toFixed(2)}×`} |`);
    }
    for (const r of rows.filter((r) => r.note)) console.log(`${r.what}: ${r.note}`);
    console.log("Targets: end to end ≥ 1.5×, model only (ONNX Runtime) ≥ 1.0×.");
  } finally {
    remove();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
