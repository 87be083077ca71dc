// Per-slice probabilities for the preview, computed by the engine CLI in a child process (never
// on the extension host thread), one process per series, cached per file + mtime + run in memory
// and on disk.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../core/fs/atomic";
import { readGradcamOutput, readPredictOutput, type PredictOutput } from "../../protocol/engine-output";
import { isProbability } from "../../protocol/guards";
import { LABELS } from "../../shared/labels";
import { engineFailure, startEngine } from "../engine/engineProcess";
import type { EngineInvocation } from "../logic/commandLine";
import { LruCache } from "./lru";

/** In LABELS order; null for a label the model does not predict (an `any`-only model). */
export type Probabilities = (number | null)[];

export interface PredictorOptions {
  /** The engine command lines (src/extension/logic/commandLine.ts). */
  predictInvocation(runDir: string, files: readonly string[]): EngineInvocation;
  gradcamInvocation(runDir: string, file: string, label: string): EngineInvocation;
  cwd(): string | undefined;
  /** Folder for the on-disk cache (context.globalStorageUri). */
  storageDir: string;
  log(line: string): void;
}

/** A cached entry: six probabilities in LABELS order, `any` always present. */
function isProbabilityList(value: unknown): value is Probabilities {
  return Array.isArray(value) && value.length === LABELS.length && isProbability(value[0]) && value.every((v) => v === null || isProbability(v));
}

/** Per-file probabilities of `ich predict --json` output, in LABELS order (slices without `any` are left out). */
export function probabilitiesByFile(output: PredictOutput): Map<string, Probabilities> {
  const result = new Map<string, Probabilities>();
  for (const slice of output.slices) {
    if (slice.probabilities.any === undefined) continue;
    result.set(slice.file, LABELS.map((label) => slice.probabilities[label] ?? null));
  }
  return result;
}

export interface HeatGrid {
  width: number;
  height: number;
  values: number[];
}

function hash(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 16);
}

/** Runs one engine command; resolves with its stdout (exit 1 = some inputs failed counts when it printed), rejects naming the command. */
async function runEngine(options: PredictorOptions, invocation: EngineInvocation, signal?: AbortSignal): Promise<string> {
  const cwd = options.cwd() ?? process.cwd();
  // Throws (rejecting this promise) in Restricted Mode.
  const engine = startEngine(invocation, cwd);
  const abort = () => engine.kill();
  signal?.addEventListener("abort", abort, { once: true });
  try {
    const result = await engine.done;
    if (result.code === 0 || (result.code === 1 && result.stdout.trim())) return result.stdout;
    throw engineFailure(invocation, result);
  } finally {
    signal?.removeEventListener("abort", abort);
  }
}

export class Predictor {
  private readonly memory = new Map<string, Probabilities>();
  private readonly loadedRuns = new Map<string, Promise<Record<string, Probabilities>>>();
  private readonly heat = new LruCache<string, HeatGrid>(64);

  constructor(private readonly options: PredictorOptions) {}

  private diskPath(runId: string): string {
    return join(this.options.storageDir, "predictions", `${hash(runId)}.json`);
  }

  private async disk(runId: string): Promise<Record<string, Probabilities>> {
    let loaded = this.loadedRuns.get(runId);
    if (!loaded) {
      loaded = readFile(this.diskPath(runId), "utf8")
        .then((text) => JSON.parse(text) as Record<string, Probabilities>)
        .catch(() => ({}));
      this.loadedRuns.set(runId, loaded);
    }
    return loaded;
  }

  private static async fileKey(file: string, runId: string): Promise<string> {
    const info = await stat(file);
    return `${file}|${info.mtimeMs}|${runId}`;
  }

  /** Cached probabilities for `files` (memory, then disk); files never predicted are absent. */
  async cached(runId: string, files: readonly string[]): Promise<Map<string, Probabilities>> {
    const disk = await this.disk(runId);
    const found = new Map<string, Probabilities>();
    for (const file of files) {
      const key = await Predictor.fileKey(file, runId).catch(() => undefined);
      if (!key) continue;
      const hit = this.memory.get(key) ?? disk[key];
      if (isProbabilityList(hit)) {
        this.memory.set(key, hit);
        found.set(file, hit);
      }
    }
    return found;
  }

  /** Predicts every file not cached yet in ONE child process; returns all probabilities known after it. `runId` is the run folder. */
  async predict(runId: string, files: readonly string[], signal?: AbortSignal): Promise<Map<string, Probabilities>> {
    const known = await this.cached(runId, files);
    const missing = files.filter((f) => !known.has(f));
    if (missing.length === 0) return known;
    const started = Date.now();
    const stdout = await runEngine(this.options, this.options.predictInvocation(runId, missing), signal);
    const results = probabilitiesByFile(readPredictOutput(stdout));
    this.options.log(`[predict] run ${runId}: ${results.size}/${missing.length} slices in ${Date.now() - started} ms`);
    const disk = await this.disk(runId);
    for (const file of missing) {
      const probabilities = results.get(file);
      if (!probabilities) continue;
      const key = await Predictor.fileKey(file, runId).catch(() => undefined);
      if (!key) continue;
      this.memory.set(key, probabilities);
      disk[key] = probabilities;
      known.set(file, probabilities);
    }
    await writeFileAtomic(this.diskPath(runId), JSON.stringify(disk)).catch((error: Error) => this.options.log(`[predict] cache not written: ${error.message}`));
    if (results.size === 0) throw new Error(`ich predict returned no probabilities for ${missing.length} file(s)`);
    return known;
  }

  /** Grad-CAM heat grid for one file and label (`ich predict RUN FILE --gradcam LABEL --json`). */
  async gradcam(runId: string, file: string, label: string, signal?: AbortSignal): Promise<HeatGrid> {
    const key = await Predictor.fileKey(file, `${runId}|${label}`);
    const hit = this.heat.get(key);
    if (hit) return hit;
    const stdout = await runEngine(this.options, this.options.gradcamInvocation(runId, file, label), signal);
    const { width, height, values } = readGradcamOutput(stdout).gradcam;
    const grid: HeatGrid = { width, height, values };
    this.heat.set(key, grid);
    return grid;
  }
}
