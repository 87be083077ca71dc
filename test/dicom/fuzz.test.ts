import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeDicom } from "../../src/core/dicom";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";
import { generatedSeeds } from "./fuzz-seeds";
import type { FuzzJob, FuzzReport } from "./fuzz-worker";

// Deterministic mutation fuzz of the DICOM reader. Mutant i of a seed is mutate(seed, name, i, ...)
// in fuzz-mutate.ts, so any failure below is replayed from its seed name and index alone.
// Generated seeds always run (a fresh clone has no ../shared); corpus seeds are added when present.

const GENERATED_MUTANTS = 1100;
const CORPUS_MUTANTS = 500;
// Corpus files up to this size: the larger ones cost seconds per decode and add no new structure.
const CORPUS_SEED_MAX_BYTES = 200 * 1024;
const WORKERS = 2;
// No report from a worker for this long means a mutant hangs the reader (a decode takes milliseconds).
const STALL_MS = 30_000;
const RSS_LIMIT = 1536 * 1024 * 1024;

const scratch = mkdtempSync(join(tmpdir(), "ich-dicom-fuzz-"));
const seeds: Array<{ name: string; path: string }> = [];
let generatedCount = 0;

beforeAll(async () => {
  mkdirSync(join(scratch, "seeds"));
  for (const [name, bytes] of await generatedSeeds()) {
    const path = join(scratch, "seeds", name);
    writeFileSync(path, bytes);
    seeds.push({ name, path });
  }
  generatedCount = seeds.length;
  if (HAS_SHARED_DATA) {
    const corpus = join(SHARED_DATA, "dicom-corpus");
    for (const name of readdirSync(corpus).sort()) {
      const path = join(corpus, name);
      if (name.endsWith(".dcm") && statSync(path).size <= CORPUS_SEED_MAX_BYTES) seeds.push({ name, path });
    }
  }
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Finding {
  mutant: string;
  problem: string;
}

/** Runs one worker over its mutants; resolves with what went wrong (hang, crash, bad errors) and the outcomes seen. */
function runWorker(job: FuzzJob): Promise<{ findings: Finding[]; outcomes: Map<string, number>; done: number; maxRss: number }> {
  return new Promise((resolve) => {
    const findings: Finding[] = [];
    const outcomes = new Map<string, number>();
    let done = 0;
    let maxRss = 0;
    let current = "(starting)";
    let finished = false;
    const child: ChildProcess = fork(join(__dirname, "fuzz-worker.ts"), [], { execArgv: ["--import", "tsx", "--max-old-space-size=1024"], stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        findings.push({ mutant: current, problem: `no result for ${STALL_MS / 1000} s: the reader hangs on this mutant` });
        child.kill("SIGKILL");
      }, STALL_MS);
    };
    arm();
    child.on("message", (report: FuzzReport) => {
      arm();
      if (report.type === "start") current = `${report.seed} #${report.index}`;
      else if (report.type === "done") {
        done += 1;
        maxRss = Math.max(maxRss, report.rss);
        outcomes.set(report.outcome, (outcomes.get(report.outcome) ?? 0) + 1);
        for (const problem of report.problems) findings.push({ mutant: current, problem });
        if (report.rss > RSS_LIMIT) findings.push({ mutant: current, problem: `worker memory ${Math.round(report.rss / 2 ** 20)} MiB after this mutant` });
      } else finished = true;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (!finished && !findings.some((f) => f.mutant === current)) {
        findings.push({ mutant: current, problem: `worker died (exit ${code}, signal ${signal}) on this mutant:\n${stderr}` });
      }
      resolve({ findings, outcomes, done, maxRss });
    });
    child.send(job);
  });
}

describe("mutation fuzz of the DICOM reader", () => {
  it("every generated seed is a valid image (so mutants start from real structure)", async () => {
    const generated = seeds.slice(0, generatedCount);
    expect(generated.map((s) => s.name)).toContain("gen_jpeg_baseline_8bit.dcm");
    for (const { name, path } of generated) {
      const { header, frames } = await decodeDicom(new Uint8Array(readFileSync(path)), name);
      expect(frames.length, name).toBe(header.frames);
      expect(frames[0].length, name).toBe(header.rows * header.columns * header.samplesPerPixel);
    }
  });

  it(`${GENERATED_MUTANTS} generated-seed mutants${HAS_SHARED_DATA ? ` and ${CORPUS_MUTANTS} corpus mutants` : ""}: only DicomErrors naming the file, no hang, bounded memory`, async () => {
    const mutants: FuzzJob["mutants"] = [];
    const generated = seeds.slice(0, generatedCount);
    const corpus = seeds.slice(generatedCount);
    for (let i = 0; i < GENERATED_MUTANTS; i++) mutants.push({ seed: generated[i % generated.length].name, index: i });
    if (corpus.length > 0) for (let i = 0; i < CORPUS_MUTANTS; i++) mutants.push({ seed: corpus[i % corpus.length].name, index: i });
    const scratchMutants = join(scratch, "mutants");
    mkdirSync(scratchMutants, { recursive: true });
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => runWorker({ seeds, mutants: mutants.filter((_, i) => i % WORKERS === w), scratch: scratchMutants })),
    );
    const findings = results.flatMap((r) => r.findings);
    const outcomes = new Map<string, number>();
    for (const r of results) for (const [k, n] of r.outcomes) outcomes.set(k, (outcomes.get(k) ?? 0) + n);
    expect(findings.map((f) => `${f.mutant}: ${f.problem}`).join("\n\n")).toBe("");
    expect(results.reduce((n, r) => n + r.done, 0)).toBe(mutants.length);
    // The mutations reach both outcomes and several kinds of failure, not just one early rejection.
    expect(outcomes.get("decoded") ?? 0).toBeGreaterThan(mutants.length * 0.05);
    for (const code of ["corrupt", "truncated", "decode-failed"]) expect(outcomes.get(code) ?? 0, code).toBeGreaterThan(0);
  }, 300_000);
});
