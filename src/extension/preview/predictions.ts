// Per-slice probabilities for the preview, computed by the engine CLI in a child process (never
// on the extension host thread), one process per series, cached per file + mtime + run in memory
// and on disk.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { LABELS } from "../../core/labels";
import { writeFileAtomic } from "../../core/fs/atomic";
import { launchProcess } from "../engine/launch";
import { LruCache } from "./lru";

/** In LABELS order; null for a label the model does not predict (an `any`-only model). */
export type Probabilities = (number | null)[];

export interface PredictorOptions {
  /** The engine command line for CLI arguments (Node executable, dist/cli.js, backend env). */
  invocation(args: string[]): { command: string; args: string[]; env: Record<string, string> };
  cwd(): string | undefined;
  /** Folder for the on-disk cache (context.globalStorageUri). */
  storageDir: string;
  log(line: string): void;
}

const isProbability = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;

/** Six probabilities from an array in LABELS order or a {label: p} record; `any` must be there. */
export function probabilitiesOf(value: unknown): Probabilities | undefined {
  if (Array.isArray(value)) {
    return value.length === LABELS.length && value.every((v) => v === null || isProbability(v)) && isProbability(value[0]) ? (value as Probabilities) : undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (!isProbability(record.any)) return undefined;
  const probabilities = LABELS.map((label) => (isProbability(record[label]) ? (record[label] as number) : null));
  return probabilities;
}

/**
 * Reads `ich predict --json` output: a JSON array (or {predictions|results: [...]}, or JSON lines)
 * of entries naming a file (`file`/`path`) with probabilities either as label keys or under
 * `probabilities`/`probs`. Entries that are not per-file probabilities are skipped.
 */
export function parsePredictOutput(stdout: string): Map<string, Probabilities> {
  const result = new Map<string, Probabilities>();
  let items: unknown[] = [];
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (Array.isArray(parsed)) items = parsed;
    else if (parsed && typeof parsed === "object") {
      const record = parsed as Record<string, unknown>;
      const list = record.slices ?? record.predictions ?? record.results ?? record.files;
      items = Array.isArray(list) ? list : [parsed];
    }
  } catch {
    for (const line of stdout.split("\n")) {
      const text = line.trim();
      if (!text.startsWith("{")) continue;
      try {
        items.push(JSON.parse(text));
      } catch {
        // a progress line that is not JSON
      }
    }
  }
  for (const item of items) {
    if (!item || typeof item !== "object") continue;
    const entry = item as Record<string, unknown>;
    const file = entry.file ?? entry.path ?? entry.image;
    if (typeof file !== "string") continue;
    const probabilities = probabilitiesOf(entry.probabilities) ?? probabilitiesOf(entry.probs) ?? probabilitiesOf(entry.predictions) ?? probabilitiesOf(entry);
    if (probabilities) result.set(file, probabilities);
  }
  return result;
}

export interface HeatGrid {
  width: number;
  height: number;
  values: number[];
}

/** Reads the Grad-CAM part of `ich predict --gradcam LABEL --json`: the first `gradcam` grid found. */
export function parseGradcamOutput(stdout: string): HeatGrid | undefined {
  const candidates: unknown[] = [];
  try {
    candidates.push(JSON.parse(stdout));
  } catch {
    for (const line of stdout.split("\n")) {
      try {
        if (line.trim().startsWith("{")) candidates.push(JSON.parse(line));
      } catch {
        // not JSON
      }
    }
  }
  const visit = (value: unknown): HeatGrid | undefined => {
    if (!value || typeof value !== "object") return undefined;
    if (Array.isArray(value)) {
      for (const item of value) {
        const found = visit(item);
        if (found) return found;
      }
      return undefined;
    }
    const record = value as Record<string, unknown>;
    const grid = record.gradcam as Record<string, unknown> | undefined;
    if (grid && typeof grid === "object") {
      const { width, height, values } = grid;
      if (Number.isInteger(width) && Number.isInteger(height) && Array.isArray(values) && values.length === (width as number) * (height as number)) {
        return { width: width as number, height: height as number, values: values.map((v) => Math.min(1, Math.max(0, Number(v) || 0))) };
      }
    }
    for (const key of ["slices", "predictions", "results", "files"]) {
      const found = visit(record[key]);
      if (found) return found;
    }
    return undefined;
  };
  for (const candidate of candidates) {
    const found = visit(candidate);
    if (found) return found;
  }
  return undefined;
}

function hash(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 16);
}

/** Runs the CLI; resolves with stdout, rejects with the tail of stderr naming the exit code. */
function runCli(options: PredictorOptions, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const invocation = options.invocation(args);
    // Throws (rejecting this promise) in Restricted Mode or when Node is not found.
    const child = launchProcess(invocation.command, invocation.args, { cwd: options.cwd(), env: { ...process.env, ...invocation.env }, signal });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4000);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") reject(new Error(`cannot start the engine: ${invocation.command} not found (set ichLab.nodePath to a Node.js 20+ executable)`));
      else reject(error);
    });
    child.on("close", (code) => {
      const stdout = Buffer.concat(out).toString("utf8");
      // Exit 1 = some inputs failed: the others still have results.
      if (code === 0 || (code === 1 && stdout.trim())) resolve(stdout);
      else reject(new Error(`ich ${args[0]} exited with code ${code}: ${err.trim().split("\n").slice(-3).join(" ") || "no output"}`));
    });
  });
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
      if (probabilitiesOf(hit)) {
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
    const stdout = await runCli(this.options, ["predict", runId, ...missing, "--json"], signal);
    const results = parsePredictOutput(stdout);
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
    const stdout = await runCli(this.options, ["predict", runId, file, "--gradcam", label, "--json"], signal);
    const grid = parseGradcamOutput(stdout);
    if (!grid) throw new Error(`ich predict --gradcam ${label} printed no heat grid for ${file}`);
    this.heat.set(key, grid);
    return grid;
  }
}
