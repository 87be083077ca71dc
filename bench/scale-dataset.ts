// Scale benchmark (issue 9): an RSNA-shaped labels CSV for 752,803 images and a folder of
// synthetic slices (default 20,000: a few ich synth series copied with new UIDs and names). Measures
// wall time and peak RSS of ich index (cold, cached, single-thread), ich clean, ich explore and
// the start of ich train (time to the first step) as separate processes of the bundled CLI, and
// header-only indexing against pydicom (stop_before_pixels) on the same files. The data lives
// in a temp folder that is deleted at the end.
// Run: npm run build && npm run bench:scale [-- --files N --size PX --keep]
import { spawn, spawnSync } from "node:child_process";
import { cpSync, createWriteStream, existsSync, symlinkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import dicomParser from "dicom-parser";
import { writeSyntheticDataset } from "../src/core/synth";

const RSNA_IMAGES = 752_803;
const RSNA_ORDER = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural", "any"];
const { values } = parseArgs({ options: { files: { type: "string", default: "20000" }, size: { type: "string", default: "256" }, python: { type: "string", default: "/usr/bin/python3" }, keep: { type: "boolean" } } });
const fileCount = Number(values.files);
const size = Number(values.size);
const root = resolve(__dirname, "..");
if (!existsSync(join(root, "dist", "cli.js"))) throw new Error(`${join(root, "dist", "cli.js")} missing: run npm run build first`);

const work = mkdtempSync(join(tmpdir(), "ich-scale-"));
// A private copy of the bundle: a rebuild of dist/ during the run must not pull it away.
cpSync(join(root, "dist"), join(work, "dist"), { recursive: true });
symlinkSync(join(root, "node_modules"), join(work, "node_modules"));
const cli = join(work, "dist", "cli.js");
const data = join(work, "stage_2_train");
const labelsCsv = join(work, "stage_2_train.csv");
const rssHook = join(work, "rss.cjs");
writeFileSync(rssHook, `process.on("exit", () => require("node:fs").writeSync(2, "\\nICH_MAX_RSS_KB " + process.resourceUsage().maxRSS + "\\n"));\n`);

/** Copies of a base series with new names and UIDs patched in place (same lengths). */
async function generateSlices(): Promise<string[][]> {
  const base = await writeSyntheticDataset({ out: join(work, "base"), patients: 20, slices: 10, seed: 1, size });
  const baseLabels = new Map<string, string[]>();
  for (const line of readFileSync(base.labelsCsv, "utf8").trim().split("\n").slice(1)) {
    const [id, value] = line.split(",");
    const image = id.slice(0, id.lastIndexOf("_"));
    baseLabels.set(image, [...(baseLabels.get(image) ?? []), `${id.slice(id.lastIndexOf("_") + 1)}=${value}`]);
  }
  mkdirSync(data);
  const tags = ["x00020003", "x00080018", "x0020000d", "x0020000e", "x00100020"];
  const templates = base.files.map((f) => {
    const path = f.startsWith("/") ? f : join(work, "base", f);
    const bytes = new Uint8Array(readFileSync(path));
    const set = dicomParser.parseDicom(bytes, { untilTag: "x7fe00010" });
    const id = path.split("/").pop()!.replace(".dcm", "");
    return { bytes, id, fields: tags.map((t) => ({ tag: t, offset: set.elements[t].dataOffset, text: set.string(t)! })) };
  });
  const labels: string[][] = [];
  for (let n = 0; n < fileCount; n++) {
    const copy = Math.floor(n / templates.length);
    const t = templates[n % templates.length];
    const bytes = new Uint8Array(t.bytes);
    for (const f of t.fields) {
      const suffix = f.tag === "x00100020" ? copy.toString(16).padStart(6, "0") : copy.toString().padStart(7, "0");
      const text = f.text.slice(0, f.text.length - suffix.length) + suffix;
      for (let i = 0; i < text.length; i++) bytes[f.offset + i] = text.charCodeAt(i);
    }
    const id = `ID_${(0x100000000 + n).toString(16)}`;
    writeFileSync(join(data, `${id}.dcm`), bytes);
    labels.push([id, ...baseLabels.get(t.id)!]);
  }
  rmSync(join(work, "base"), { recursive: true, force: true });
  return labels;
}

/** stage_2_train.csv shape: ID,Label with six rows per image; our files first, then made-up ids. */
async function writeLabels(real: string[][]): Promise<void> {
  const out = createWriteStream(labelsCsv);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  await write("ID,Label\n");
  for (const [id, ...pairs] of real) {
    const value = new Map(pairs.map((p) => p.split("=") as [string, string]));
    for (const label of RSNA_ORDER) await write(`${id}_${label},${value.get(label) ?? 0}\n`);
  }
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let n = real.length; n < RSNA_IMAGES; n++) {
    const id = `ID_f${n.toString(16).padStart(8, "0")}`;
    const bleed = random() < 0.14;
    const subtypes = RSNA_ORDER.slice(0, 5).map(() => (bleed && random() < 0.35 ? 1 : 0));
    const any = bleed || subtypes.some(Boolean) ? 1 : 0;
    await write(subtypes.map((v, k) => `${id}_${RSNA_ORDER[k]},${v}\n`).join("") + `${id}_any,${any}\n`);
  }
  out.end();
  await once(out, "close");
}

interface Measure {
  seconds: number;
  rssMb: number;
  stdout: string;
}

/** Runs the CLI as its own process; `until` ends it early (SIGTERM) once a stdout line matches. */
async function runCli(args: string[], until?: RegExp): Promise<Measure> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--require", rssHook, cli, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ICH_RUNS_DIR: join(work, "runs") } });
  let stdout = "";
  let stderr = "";
  let seconds = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (until && !seconds && until.test(stdout)) {
      seconds = (performance.now() - started) / 1000;
      child.kill("SIGTERM");
    }
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  if (!seconds) seconds = (performance.now() - started) / 1000;
  const rss = /ICH_MAX_RSS_KB (\d+)/.exec(stderr);
  if (!until && code !== 0) throw new Error(`ich ${args.join(" ")} exited with ${code}:\n${stderr.slice(-2000)}`);
  return { seconds, rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN, stdout };
}

function pydicomIndex(): { seconds: number; cpu: number } | null {
  const probe = spawnSync(values.python, ["-c", "import pydicom"], { encoding: "utf8" });
  if (probe.status !== 0) return null;
  const result = spawnSync(values.python, [join(root, "bench", "scale_index_pydicom.py"), data], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`pydicom peer failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as { seconds: number; cpu: number };
}

async function main(): Promise<void> {
  const load = [loadavg()[0]];
  console.log(`scale benchmark in ${work}: ${fileCount} slices of ${size}×${size} px, labels for ${RSNA_IMAGES} images; load average ${load[0].toFixed(1)} on ${availableParallelism()} cores`);
  const t = performance.now();
  const real = await generateSlices();
  await writeLabels(real);
  console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s (${readdirSync(data).length} files, labels CSV ${(readFileSync(labelsCsv).length / 1e6).toFixed(0)} MB)`);

  const rows: [string, Measure][] = [];
  const measured = rows.push.bind(rows);
  rows.push = (...items) => {
    for (const [name, m] of items) console.log(`  ${name}: ${m.seconds.toFixed(1)} s, peak RSS ${m.rssMb.toFixed(0)} MB (load ${loadavg()[0].toFixed(1)})`);
    return measured(...items);
  };
  rows.push(["ich index, single thread (--workers 0)", await runCli(["index", data, "--workers", "0", "--cache", join(work, "single.jsonl"), "--json"])]);
  rows.push(["ich index, cold (workers), + labels join", await runCli(["index", data, "--labels", labelsCsv, "--json"])]);
  rows.push(["ich index, cached, + labels join", await runCli(["index", data, "--labels", labelsCsv, "--json"])]);
  rows.push(["ich clean (decodes every slice)", await runCli(["clean", data, "--labels", labelsCsv, "--out", join(work, "clean"), "--json"])]);
  if (readdirSync(join(root, "src", "cli", "commands")).includes("explore.ts")) rows.push(["ich explore --json", await runCli(["explore", data, "--labels", labelsCsv, "--json"])]);
  const experiment = join(work, "scale.ich.json");
  writeFileSync(experiment, JSON.stringify({ data: { kind: "rsna", dicomDir: data, labelsCsv, split: { by: "patient", validationFraction: 0.2, seed: 1 } }, input: { size: 64 }, model: { architecture: "small-cnn" }, train: { epochs: 1, batchSize: 16, backend: "wasm", workers: 1 } }));
  rows.push(["ich train: start to the first step", await runCli(["train", experiment, "--json-progress"], /"type":"step"/)]);
  const single = rows[0][1];
  const py = pydicomIndex();
  load.push(loadavg()[0]);

  console.log("\n| stage | wall s | peak RSS MB |\n|---|---:|---:|");
  for (const [name, m] of rows) console.log(`| ${name} | ${m.seconds.toFixed(1)} | ${m.rssMb.toFixed(0)} |`);
  const ours = fileCount / single.seconds;
  if (py) {
    const theirs = fileCount / py.seconds;
    console.log(`\nheader-only index, one thread: ich ${ours.toFixed(0)} files/s (process incl. start-up) vs pydicom ${theirs.toFixed(0)} files/s (dcmread stop_before_pixels, ${py.cpu.toFixed(1)} s CPU): ratio ${(ours / theirs).toFixed(2)}`);
  } else console.log(`\npydicom not available (${values.python}); header-only index, one thread: ${ours.toFixed(0)} files/s`);
  console.log(`load average ${load.map((l) => l.toFixed(1)).join(" → ")}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  });
