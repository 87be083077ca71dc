// Time to the first prediction of one slice (what the preview waits for): a one-shot `ich predict`
// process per request (the extension's way) against a request to a warm `ich serve` on loopback.
// Medians of --repeats; a ResNet18 run at --size px on ONNX Runtime; real RSNA slice when present.
//   tsx bench/predict-first-prediction.ts [--size 256] [--repeats 5]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeSyntheticDataset } from "../src/core/synth";
import { bundleCli } from "../test/helpers/bundle-cli";

const { values } = parseArgs({ options: { size: { type: "string", default: "256" }, repeats: { type: "string", default: "5" } } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "ich-bench-first-"));
  const { cli, remove } = await bundleCli("bench-first");
  try {
    const runDir = join(work, "run");
    spawnSync(join(__dirname, "..", "node_modules", ".bin", "tsx"), [join(__dirname, "predict-make-run.ts"), runDir, values.size], { stdio: "inherit" });
    const real = resolve(__dirname, "../../shared/data/rsna-samples/ID_0000ca2f6.dcm");
    const file = existsSync(real) ? real : (await writeSyntheticDataset({ out: join(work, "dicom"), patients: 1, slices: 1, seed: 1, size: 512 })).files[0];
    const oneShot: number[] = [];
    for (let i = 0; i <= Number(values.repeats); i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [cli, "predict", runDir, file, "--json"], { encoding: "utf8", env: { ...process.env, ICH_ENGINE: "" } });
      if (r.status !== 0) throw new Error(r.stderr);
      if (i > 0) oneShot.push(performance.now() - t); // the first run warms the disk cache
    }
    const started = performance.now();
    const server = spawn(process.execPath, [cli, "serve", runDir, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<number>((done) => {
      let out = "";
      server.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /:(\d+) \(/.exec(out);
        if (m) done(Number(m[1]));
      });
    });
    const body = readFileSync(file);
    const ask = async () => {
      const reply = await fetch(`http://127.0.0.1:${port}/v1/predict`, { method: "POST", body, headers: { "content-type": "application/dicom" } });
      if (reply.status !== 200) throw new Error(await reply.text());
      await reply.json();
    };
    await ask();
    const coldServer = performance.now() - started;
    const warm: number[] = [];
    for (let i = 0; i < Number(values.repeats); i++) {
      const t = performance.now();
      await ask();
      warm.push(performance.now() - t);
    }
    server.kill("SIGTERM");
    await new Promise((done) => server.on("exit", done));
    console.log(`time to first prediction, ResNet18 ${values.size} px, one slice (${existsSync(real) ? "real RSNA" : "synthetic"}):`);
    console.log(`  one-shot ich predict process: ${median(oneShot).toFixed(0)} ms (median of ${oneShot.length})`);
    console.log(`  warm ich serve request:       ${median(warm).toFixed(0)} ms (median of ${warm.length}); ${(median(oneShot) / median(warm)).toFixed(1)}× faster`);
    console.log(`  (ich serve start to its first answer: ${coldServer.toFixed(0)} ms)`);
  } finally {
    remove();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
