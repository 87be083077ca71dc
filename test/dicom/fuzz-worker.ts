// Child process of fuzz.test.ts: reads every mutant it is given through the public DICOM API and
// reports, per mutant, anything other than success or a DicomError naming the file. Runs apart
// from the test runner so a hang or a memory blow-up kills this process, not the suite.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeDicom, dicomTags, DicomError, modalityStatistics, parseDicomHeader, readDicom, readDicomHeaderSync } from "../../src/core/dicom";
import { mutate, seedLayout, type SeedLayout } from "./fuzz-mutate";

export interface FuzzJob {
  seeds: Array<{ name: string; path: string }>;
  mutants: Array<{ seed: string; index: number }>;
  scratch: string;
}

export type FuzzReport =
  | { type: "start"; seed: string; index: number }
  | { type: "done"; seed: string; index: number; outcome: string; problems: string[]; rss: number }
  | { type: "finished" };

/** Mutant file name: the seed's name and the index that regenerates it. */
export function mutantName(seed: string, index: number): string {
  return `${seed.replace(/\.dcm$/i, "")}~mutant${index}.dcm`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}\n${error.stack?.split("\n").slice(1, 4).join("\n")}`;
  return `${typeof error} thrown: ${JSON.stringify(error) ?? String(error)}`;
}

/** Runs `read`; returns a problem unless it succeeds or fails with a DicomError naming `file`. */
async function check(what: string, file: string, read: () => unknown): Promise<{ problem?: string; code?: string }> {
  try {
    await read();
    return {};
  } catch (error) {
    if (!(error instanceof DicomError)) return { problem: `${what}: not a DicomError: ${describe(error)}` };
    if (error.file !== file || !error.message.includes(file)) return { problem: `${what}: DicomError does not name ${file}: ${error.message}` };
    return { code: error.code };
  }
}

async function fuzzOne(bytes: Uint8Array, name: string, path: string): Promise<{ outcome: string; problems: string[] }> {
  writeFileSync(path, bytes);
  const problems: string[] = [];
  const header = await check("parseDicomHeader", name, () => parseDicomHeader(bytes, name));
  const tags = await check("dicomTags", name, () => dicomTags(bytes, name));
  const fileHeader = await check("readDicomHeaderSync", path, () => readDicomHeaderSync(path));
  const decoded = await check("readDicom", path, async () => {
    const image = await readDicom(path);
    const { header: h, frames } = image;
    if (frames.length !== h.frames || frames.some((f) => f.length !== h.rows * h.columns * h.samplesPerPixel)) {
      problems.push(`readDicom: ${frames.length} frames of ${frames.map((f) => f.length).join(",")} samples for a ${h.rows}x${h.columns}x${h.samplesPerPixel} image of ${h.frames} frames`);
    }
    modalityStatistics(image);
  });
  const inMemory = await check("decodeDicom", name, () => decodeDicom(bytes, name));
  for (const result of [header, tags, fileHeader, decoded, inMemory]) if (result.problem) problems.push(result.problem);
  rmSync(path, { force: true });
  return { outcome: decoded.code ?? "decoded", problems };
}

function send(report: FuzzReport): Promise<void> {
  return new Promise((resolve) => process.send!(report, () => resolve()));
}

async function runJob(job: FuzzJob): Promise<void> {
  const seeds = new Map<string, { bytes: Uint8Array; layout: SeedLayout }>();
  for (const { name, path } of job.seeds) {
    const bytes = new Uint8Array(readFileSync(path));
    seeds.set(name, { bytes, layout: seedLayout(bytes) });
  }
  for (const { seed, index } of job.mutants) {
    const { bytes: seedBytes, layout } = seeds.get(seed)!;
    await send({ type: "start", seed, index });
    const { bytes } = mutate(seedBytes, seed, index, layout);
    const name = mutantName(seed, index);
    const { outcome, problems } = await fuzzOne(bytes, name, join(job.scratch, name));
    await send({ type: "done", seed, index, outcome, problems, rss: process.memoryUsage().rss });
  }
  await send({ type: "finished" });
  process.disconnect();
}

// A failure outside the per-call checks ends the worker; the parent reports the exit with stderr.
process.once("message", (job: FuzzJob) => {
  runJob(job).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
});
