import { appendFile, open } from "node:fs/promises";
import { hostname } from "node:os";
import { writeFileAtomic } from "../fs/atomic";
import { scalarsOf } from "./metrics-scalars";
import { writeSubmissionCsv } from "./predictions";
import { TensorBoardWriter } from "./tensorboard";
import type { MetricsLine, PredictionRow, RunPaths, RunRecord, RunStatus } from "./types";

/** Step lines refresh the heartbeat in run.json at most this often. */
const HEARTBEAT_EVERY_MS = 30_000;

export type RecordPatch = Partial<Omit<RunRecord, "id">>;

/**
 * Write access to one run for the process that trains it. Writes are queued so run.json and
 * metrics.jsonl change in call order; run.json is replaced atomically, metrics lines are
 * appended whole in one write each. Every write also refreshes the heartbeat.
 */
export class RunHandle {
  private current: RunRecord;
  private queue: Promise<unknown> = Promise.resolve();
  private tensorboard: TensorBoardWriter | undefined;
  private lastRecordWrite = 0;

  constructor(
    readonly paths: RunPaths,
    record: RunRecord,
  ) {
    this.current = record;
  }

  get id(): string {
    return this.current.id;
  }

  get dir(): string {
    return this.paths.dir;
  }

  /** A copy of the record as last written. */
  get record(): RunRecord {
    return structuredClone(this.current);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async writeRecord(patch: RecordPatch): Promise<RunRecord> {
    const next: RunRecord = { ...this.current, ...patch, id: this.current.id, heartbeatAt: new Date().toISOString() };
    await writeFileAtomic(this.paths.runJson, `${JSON.stringify(next, null, 2)}\n`, { durable: true });
    this.current = next;
    this.lastRecordWrite = Date.now();
    return structuredClone(next);
  }

  update(patch: RecordPatch): Promise<RunRecord> {
    return this.enqueue(() => this.writeRecord(patch));
  }

  /** Tells readers the process is alive (crash detection marks silent runs failed). */
  async heartbeat(): Promise<void> {
    await this.update({});
  }

  /**
   * Appends one metrics line (and its TensorBoard scalars). Epoch lines also advance
   * `epochsDone` and, when validation improved the weighted log loss, `best`/`bestEpoch`;
   * step lines refresh the heartbeat every 30 s.
   */
  appendMetrics(line: MetricsLine): Promise<void> {
    return this.enqueue(async () => {
      const file = await open(this.paths.metricsJsonl, "a");
      try {
        await file.writeFile(`${JSON.stringify(line)}\n`);
        if (line.kind === "epoch") await file.datasync();
      } finally {
        await file.close();
      }
      this.tensorboard ??= new TensorBoardWriter(this.paths.tensorboardDir);
      const { step, scalars } = scalarsOf(line);
      this.tensorboard.scalars(scalars, step);
      if (line.kind === "epoch") {
        const patch: RecordPatch = { epochsDone: Math.max(this.current.epochsDone, line.epoch) };
        const val = line.val;
        if (val && Number.isFinite(val.weightedLogLoss) && (!this.current.best || val.weightedLogLoss < this.current.best.weightedLogLoss)) {
          patch.best = { weightedLogLoss: val.weightedLogLoss, meanAuc: val.meanAuc };
          patch.bestEpoch = line.epoch;
        }
        await this.writeRecord(patch);
      } else if (Date.now() - this.lastRecordWrite > HEARTBEAT_EVERY_MS) {
        await this.writeRecord({});
      }
    });
  }

  /** Appends text to the run's log file (a newline is added when missing). */
  appendLog(text: string): Promise<void> {
    return this.enqueue(() => appendFile(this.paths.logFile, text.endsWith("\n") ? text : `${text}\n`));
  }

  writeEval(evaluation: unknown): Promise<void> {
    return this.enqueue(() => writeFileAtomic(this.paths.evalJson, `${JSON.stringify(evaluation, null, 2)}\n`));
  }

  writePredictionsCsv(rows: readonly PredictionRow[]): Promise<void> {
    return this.enqueue(() => writeSubmissionCsv(this.paths.predictionsCsv, rows));
  }

  /** Ends the run: status, end time and error (cleared when none). Closes the TensorBoard file. */
  finish(status: Exclude<RunStatus, "running">, error?: string): Promise<RunRecord> {
    return this.enqueue(async () => {
      this.tensorboard?.close();
      this.tensorboard = undefined;
      return this.writeRecord({ status, endedAt: new Date().toISOString(), error });
    });
  }

  /** Marks a stopped run as running again in this process (resume). */
  reopen(): Promise<RunRecord> {
    return this.update({ status: "running", pid: process.pid, host: hostname(), endedAt: undefined, error: undefined });
  }
}
