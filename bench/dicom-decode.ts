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
  options: { passes: { type: "string", default: "5" }, rounds: { type: "string", default: "2" }, python: { type: "string", default: "/usr/bin/python3" } },
  allowPositionals: true,
});
const passes = Number(values.passes);
// Headers are ~100x cheaper than decodes: more passes so the phase lasts long enough to time.
const headerPasses = passes * 10;
// Rounds alternate ours/pydicom and keep each side's best, so a burst of load from other processes
// on a shared machine does not decide the ratio.
const rounds = Number(values.rounds);
const defaultInputs = [join(root, "../shared/data/rsna-samples")];

/** Wall-clock and process CPU seconds; CPU time is the steadier measure on a shared machine. */
interface Timing {
  wall: number;
  cpu: number;
}

function stopwatch(): () => Timing {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
}

function best(a: Timing, b: Timing): Timing {
  return { wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) };
}

async function ours(files: string[]): Promise<{ decode: Timing; header: Timing; checksum: number }> {
  const tensor = new Float32Array(SIZE * SIZE * DEFAULT_CHANNEL_WINDOWS.length);
  let checksum = 0;
  // Each phase gets one untimed pass (pydicom too) so JIT compilation is not billed to the slices.
  // Headers first: the decode phase leaves garbage whose concurrent collection would be billed to them.
  for (const file of files) await readDicomHeader(file);
  let stop = stopwatch();
  for (let p = 0; p < headerPasses; p++) for (const file of files) await readDicomHeader(file);
  const header = stop();
  for (const file of files) await readDicom(file);
  stop = stopwatch();
  for (let p = 0; p < passes; p++) {
    for (const file of files) {
      const decoded = await readDicom(file);
      requireCtSlice(decoded.header);
      const hu = modalityFrame(decoded, 0);
      toModelTensor(hu, decoded.header.rows, decoded.header.columns, DEFAULT_CHANNEL_WINDOWS, SIZE, tensor);
      checksum += tensor[(SIZE / 2) * SIZE * 3 + (SIZE / 2) * 3];
    }
  }
  const decode = stop();
  return { decode, header, checksum };
}

function pydicom(files: string[]): { decode: Timing; header: Timing; checksum: number; versions: string } {
  const script = join(root, "bench", "dicom_decode_pydicom.py");
  const run = spawnSync(values.python, [script, String(passes), String(headerPasses)], { input: files.join("\n"), encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`pydicom peer failed (${values.python}; install python3-pydicom python3-numpy):\n${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split("\n").pop()!) as {
    decode_seconds: number; decode_cpu_seconds: number; header_seconds: number; header_cpu_seconds: number; checksum: number; pydicom: string; numpy: string;
  };
  return {
    decode: { wall: result.decode_seconds, cpu: result.decode_cpu_seconds },
    header: { wall: result.header_seconds, cpu: result.header_cpu_seconds },
    checksum: result.checksum,
    versions: `pydicom ${result.pydicom}, numpy ${result.numpy}`,
  };
}

async function main() {
  const inputs = positionals.length > 0 ? positionals : defaultInputs;
  if (!inputs.every(existsSync)) throw new Error(`input not found: ${inputs.filter((i) => !existsSync(i)).join(", ")}`);
  const files = await expandInputs(inputs);
  const slices = files.length * passes;
  console.log(`${files.length} files: ${passes} decode passes, ${headerPasses} header passes per round, best of ${rounds} rounds; node ${process.versions.node}`);
  let a = await ours(files);
  let b = pydicom(files);
  for (let r = 1; r < rounds; r++) {
    const a2 = await ours(files);
    const b2 = pydicom(files);
    a = { ...a, decode: best(a.decode, a2.decode), header: best(a.header, a2.header) };
    b = { ...b, decode: best(b.decode, b2.decode), header: best(b.header, b2.header) };
  }
  const row = (name: string, count: number, ours: number, peer: number, target: number) =>
    `${name.padEnd(44)} ours ${(count / ours).toFixed(1).padStart(7)} slices/s   pydicom ${(count / peer).toFixed(1).padStart(7)} slices/s   ratio ${(peer / ours).toFixed(2)}x (target >= ${target}x)`;
  const headers = files.length * headerPasses;
  console.log(row("decode -> HU -> 3 windows -> 256^2 (wall)", slices, a.decode.wall, b.decode.wall, 2));
  console.log(row("decode -> HU -> 3 windows -> 256^2 (CPU)", slices, a.decode.cpu, b.decode.cpu, 2));
  console.log(row("header-only index (wall)", headers, a.header.wall, b.header.wall, 3));
  console.log(row("header-only index (CPU)", headers, a.header.cpu, b.header.cpu, 3));
  console.log(`peer: ${b.versions}; tensor checksums ours ${a.checksum.toFixed(4)} / pydicom ${b.checksum.toFixed(4)}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
