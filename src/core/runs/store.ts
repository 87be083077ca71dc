import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { syncDir, writeFileAtomic } from "../fs/atomic";
import { gitCommitOf } from "./git";
import { RunHandle } from "./handle";
import { assertRunId, RunStoreError, runPaths } from "./layout";
import { crashedVersion, processAlive } from "./liveness";
import { runRecordProblem } from "./record-schema";
import type { BrokenRun, CreateRunOptions, ListedRun, MetricsLine, RunListing, RunPaths, RunRecord } from "./types";

/** What makes a folder without run.json still a run (one whose record was lost), not a stray folder. */
const RUN_CONTENTS = ["metrics.jsonl", "model", "checkpoint"];

/** Cuts a file back to its last newline: appends that follow then start on a line of their own. */
async function dropTornLastLine(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, "r+");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    const bytes = await handle.readFile();
    const complete = bytes.lastIndexOf(0x0a) + 1;
    if (complete === bytes.length) return;
    await handle.truncate(complete);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

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
    // run.json first: a folder with metrics but no run.json is listed as broken.
    const handle = new RunHandle(paths, record);
    await handle.update({});
    await writeFileAtomic(paths.metricsJsonl, "");
    await syncDir(this.root);
    return handle;
  }

  /**
   * run.json of the folder `id`, validated. The folder is the run's identity: the record's id is
   * set to the folder name, and a different id inside (a copied folder) comes back as a note.
   */
  private async readRecord(id: string): Promise<{ record: RunRecord; note?: string }> {
    const file = this.paths(id).runJson;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new RunStoreError(`no run '${id}' in ${this.root}`);
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RunStoreError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    const problem = runRecordProblem(json, file);
    if (problem) throw new RunStoreError(problem);
    const record = json as RunRecord;
    if (record.id === id) return { record };
    return { record: { ...record, id }, note: `${file}: says id '${record.id}', but the folder is '${id}' (a copied run?); the folder name is the run's id` };
  }

  /** Marks a crashed run failed on disk (atomically) and returns the record to show. */
  private async settle(id: string, record: RunRecord): Promise<RunRecord> {
    if (!crashedVersion(record, this.staleMs)) return record;
    // The owner was found gone after `record` was read; it may have finished in between (a run
    // writes its final run.json before it exits). Decide on a read made after the liveness check,
    // so a completed run is never rewritten as failed.
    const fresh = (await this.readRecord(id)).record;
    const crashed = crashedVersion(fresh, this.staleMs);
    if (!crashed) return fresh;
    await writeFileAtomic(this.paths(id).runJson, `${JSON.stringify(crashed, null, 2)}\n`, { durable: true });
    return crashed;
  }

  /** One run's record (its id is the folder name); a crashed run is reported (and stored) as failed. Throws RunStoreError for a missing or invalid run.json. */
  async get(id: string): Promise<RunRecord> {
    return this.settle(id, (await this.readRecord(id)).record);
  }

  /** Every usable run, oldest first (broken folders are left out; `scan` reports them). */
  async list(): Promise<RunRecord[]> {
    return (await this.scan()).runs.map((run) => run.record);
  }

  /**
   * Every run folder: usable runs oldest first, and broken ones (run.json missing, not JSON or not
   * a run record) with the reason. Folders that hold nothing of a run are not runs and are skipped.
   */
  async scan(): Promise<RunListing> {
    let folders: string[];
    try {
      folders = (await readdir(this.root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { runs: [], broken: [] };
      throw error;
    }
    const runs: ListedRun[] = [];
    const broken: BrokenRun[] = [];
    for (const id of folders) {
      const dir = join(this.root, id);
      try {
        const { record, note } = await this.readRecord(id);
        runs.push({ id, dir, record: await this.settle(id, record), ...(note ? { note } : {}) });
      } catch (error) {
        if (!(error instanceof RunStoreError)) throw error;
        const runJson = join(dir, "run.json");
        if (!existsSync(runJson) && !RUN_CONTENTS.some((name) => existsSync(join(dir, name)))) continue;
        broken.push({ id, dir, status: "broken", error: existsSync(runJson) ? error.message : `${runJson}: missing (the folder holds ${RUN_CONTENTS.filter((name) => existsSync(join(dir, name))).join(", ")})` });
      }
    }
    runs.sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt) || a.id.localeCompare(b.id));
    broken.sort((a, b) => a.id.localeCompare(b.id));
    return { runs, broken };
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

  /**
   * Reopens an existing run in this process to resume it: status running, pid/host of this
   * process, end and error cleared, run.json's id set to the folder name. A torn last line of
   * metrics.jsonl (the process died mid-write) is dropped first, or the next line would be
   * appended onto it and lost with it.
   */
  async open(id: string): Promise<RunHandle> {
    const paths = this.paths(id);
    const handle = new RunHandle(paths, (await this.readRecord(id)).record);
    await dropTornLastLine(paths.metricsJsonl);
    await handle.reopen();
    return handle;
  }
}
