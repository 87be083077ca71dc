import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../fs/atomic";
import { gitCommitOf } from "./git";
import { RunHandle } from "./handle";
import { assertRunId, RunStoreError, runPaths } from "./layout";
import { crashedVersion, processAlive } from "./liveness";
import type { CreateRunOptions, MetricsLine, RunPaths, RunRecord } from "./types";

export interface RunStoreOptions {
  /** A running run whose heartbeat is older than this is considered crashed. Default 15. */
  staleAfterMinutes?: number;
}

/** `20261127-135612` (UTC): ids sort by start time. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

export function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40)
      .replace(/-+$/, "") || "run"
  );
}

/** The run store: one folder per run under `root` (run.json, metrics.jsonl, model/, checkpoint/, ...). */
export class RunStore {
  readonly root: string;
  private readonly staleMs: number;

  constructor(root: string, options: RunStoreOptions = {}) {
    this.root = resolve(root);
    this.staleMs = (options.staleAfterMinutes ?? 15) * 60_000;
  }

  paths(id: string): RunPaths {
    return runPaths(this.root, id);
  }

  /** Creates `<root>/<timestamp>-<slug>[-n]/run.json` with status running, owned by this process. */
  async createRun(options: CreateRunOptions): Promise<RunHandle> {
    const started = new Date();
    const gitCommit = options.experimentPath ? gitCommitOf(dirname(options.experimentPath)) : Promise.resolve(undefined);
    await mkdir(this.root, { recursive: true });
    const base = `${timestamp(started)}-${slugOf(options.name)}`;
    let id = base;
    for (let n = 2; ; n++) {
      try {
        await mkdir(this.paths(id).dir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        id = `${base}-${n}`;
      }
    }
    const paths = this.paths(id);
    const record: RunRecord = {
      id,
      name: options.name,
      experimentPath: options.experimentPath ? resolve(options.experimentPath) : undefined,
      config: options.config,
      status: "running",
      startedAt: started.toISOString(),
      heartbeatAt: started.toISOString(),
      pid: process.pid,
      host: hostname(),
      backend: options.backend,
      device: options.device,
      gitCommit: await gitCommit,
      datasetFingerprint: options.datasetFingerprint,
      architecture: options.architecture,
      parameterCount: options.parameterCount,
      epochsPlanned: options.epochsPlanned,
      epochsDone: 0,
    };
    await writeFileAtomic(paths.metricsJsonl, "");
    const handle = new RunHandle(paths, record);
    await handle.update({});
    return handle;
  }

  private async readRecord(id: string): Promise<RunRecord> {
    const file = this.paths(id).runJson;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new RunStoreError(`no run '${id}' in ${this.root}`);
      throw error;
    }
    try {
      return JSON.parse(text) as RunRecord;
    } catch (error) {
      throw new RunStoreError(`${file}: not valid JSON (${(error as Error).message})`);
    }
  }

  /** Marks a crashed run failed on disk (atomically) and returns the record to show. */
  private async settle(record: RunRecord): Promise<RunRecord> {
    const crashed = crashedVersion(record, this.staleMs);
    if (!crashed) return record;
    await writeFileAtomic(this.paths(record.id).runJson, `${JSON.stringify(crashed, null, 2)}\n`);
    return crashed;
  }

  /** One run's record; a crashed run is reported (and stored) as failed. */
  async get(id: string): Promise<RunRecord> {
    return this.settle(await this.readRecord(id));
  }

  /** Every run, oldest first; folders without a readable run.json are skipped. */
  async list(): Promise<RunRecord[]> {
    let entries: string[];
    try {
      entries = (await readdir(this.root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records: RunRecord[] = [];
    for (const id of entries) {
      try {
        records.push(await this.get(id));
      } catch (error) {
        if (!(error instanceof RunStoreError)) throw error;
      }
    }
    return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }

  /** The metrics lines written so far; a half-written last line (no newline yet) is left out. */
  async readMetrics(id: string): Promise<MetricsLine[]> {
    let text: string;
    try {
      text = await readFile(this.paths(id).metricsJsonl, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    const lines: MetricsLine[] = [];
    for (const line of complete.split("\n")) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line) as MetricsLine);
      } catch {
        // A corrupt line (e.g. a disk-full truncation) must not hide the rest of the curve.
      }
    }
    return lines;
  }

  /** Removes a run folder. Refuses a run whose training process is still alive on this host unless `force`. */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    assertRunId(id);
    const record = await this.get(id).catch(() => undefined);
    if (!options.force && record?.status === "running" && record.host === hostname() && record.pid !== undefined && processAlive(record.pid)) {
      throw new RunStoreError(`run '${id}' is still running (pid ${record.pid}); cancel it first`);
    }
    await rm(this.paths(id).dir, { recursive: true, force: true });
  }

  /** Reopens an existing run in this process to resume it: status running, pid/host of this process, end and error cleared. */
  async open(id: string): Promise<RunHandle> {
    const handle = new RunHandle(this.paths(id), await this.readRecord(id));
    await handle.reopen();
    return handle;
  }
}
