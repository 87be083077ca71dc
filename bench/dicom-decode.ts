// Benchmark: our DICOM decode → HU → 3 windows → 256×256 tensor, and header-only indexing,
// against Debian's pydicom + numpy doing the same on the same real RSNA files in the same run.
// Run: npx tsx bench/dicom-decode.ts [--passes N] [--python /usr/bin/python3] [FILE|FOLDER...]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { expandInputs } from "../src/cli/commands/info";
import { modalityFrame, readDicom, readDicomHeader, requireCtSlice } from "../src/core/dicom";
import { DEFAULT_CHANNEL_WINDOWS, toModelTensor } from "../src/core/imaging";

const SIZE = 256;
const root = resolve(__dirname, "..");
const { values, positionals } = parseArgs({
  options: { passes: { type: "string", default: "3" }, rounds: { type: "string", default: "2" }, python: { type: "string", default: "/usr/bin/python3" } },
  allowPositionals: true,
});
const passes = Number(values.passes);
// Rounds alternate ours/pydicom and keep each side's best, so a burst of load from other processes
// on a shared machine does not decide the ratio.
const rounds = Number(values.rounds);
const defaultInputs = [join(root, "../shared/data/rsna-samples")];

async function ours(files: string[]) {
  const tensor = new Float32Array(SIZE * SIZE * DEFAULT_CHANNEL_WINDOWS.length);
  let checksum = 0;
  // One untimed pass so codec/JIT warm-up is not billed to the first slices (pydicom gets none; it has no JIT).
  for (const file of files.slice(0, 3)) await readDicom(file);
  let start = performance.now();
  for (let p = 0; p < passes; p++) {
    for (const file of files) {
      const decoded = await readDicom(file);
      requireCtSlice(decoded.header);
      const hu = modalityFrame(decoded, 0);
      toModelTensor(hu, decoded.header.rows, decoded.header.columns, DEFAULT_CHANNEL_WINDOWS, SIZE, tensor);
      checksum += tensor[(SIZE / 2) * SIZE * 3 + (SIZE / 2) * 3];
    }
  }
  const decodeSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  for (let p = 0; p < passes; p++) for (const file of files) await readDicomHeader(file);
  const headerSeconds = (performance.now() - start) / 1000;
  return { decodeSeconds, headerSeconds, checksum };
}

function pydicom(files: string[]) {
  const script = join(root, "bench", "dicom_decode_pydicom.py");
  const run = spawnSync(values.python!, [script, String(passes)], { input: files.join("\n"), encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`pydicom peer failed (${values.python}; install python3-pydicom python3-numpy):\n${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split("\n").pop()!);
  return { decodeSeconds: result.decode_seconds as number, headerSeconds: result.header_seconds as number, checksum: result.checksum as number, versions: `pydicom ${result.pydicom}, numpy ${result.numpy}` };
}

async function main() {
  const inputs = positionals.length > 0 ? positionals : defaultInputs;
  if (!inputs.every(existsSync)) throw new Error(`input not found: ${inputs.filter((i) => !existsSync(i)).join(", ")}`);
  const files = await expandInputs(inputs);
  const slices = files.length * passes;
  console.log(`${files.length} files x ${passes} passes = ${slices} slices per round, best of ${rounds} rounds; node ${process.versions.node}`);
  let a = await ours(files);
  let b = pydicom(files);
  for (let r = 1; r < rounds; r++) {
    const a2 = await ours(files);
    const b2 = pydicom(files);
    a = { ...a, decodeSeconds: Math.min(a.decodeSeconds, a2.decodeSeconds), headerSeconds: Math.min(a.headerSeconds, a2.headerSeconds) };
    b = { ...b, decodeSeconds: Math.min(b.decodeSeconds, b2.decodeSeconds), headerSeconds: Math.min(b.headerSeconds, b2.headerSeconds) };
  }
  const rate = (seconds: number) => slices / seconds;
  const row = (name: string, oursRate: number, peerRate: number, target: number) =>
    `${name.padEnd(34)} ours ${oursRate.toFixed(1).padStart(7)} slices/s   pydicom ${peerRate.toFixed(1).padStart(7)} slices/s   ratio ${(oursRate / peerRate).toFixed(2)}x (target >= ${target}x)`;
  console.log(row("decode -> HU -> 3 windows -> 256^2", rate(a.decodeSeconds), rate(b.decodeSeconds), 2));
  console.log(row("header-only index", rate(a.headerSeconds), rate(b.headerSeconds), 3));
  console.log(`peer: ${b.versions}; tensor checksums ours ${a.checksum.toFixed(4)} / pydicom ${b.checksum.toFixed(4)}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
