// Host side of the preview's slice decoder: a child process (never a thread of the extension
// host) that runs one DICOM task at a time under a time and a memory limit. A task past its time
// limit, or a process killed by its memory watchdog or a crash, costs that one task an error
// naming the file; the queue goes on in a fresh process.
//
// Why a process and not worker_threads: measured with 6-50 KB files claiming 30000×30000 pixels,
// a worker thread with resourceLimits (1 GiB old space) let the extension host grow to 1.8 GB
// (JPEG-LS, WASM memory), 3.5 GB (JPEG lossless, typed arrays) and 3.9 GB (12-bit JPEG, still
// decoding after 20 s): neither WASM memory nor ArrayBuffers count against those limits, and that
// memory belongs to the host. In a child process the host stayed at 75 MB; the child is killed.
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DicomError } from "../../core/dicom/types";
import { MEMORY_LIMIT_MARKER, type DecoderFailure, type DecoderRequest, type DecoderResponse, type DecoderResults, type DecoderTask } from "./decoder-protocol";

export const DECODE_TIME_LIMIT_MS = 20_000;
export const DECODER_MEMORY_LIMIT_BYTES = 1024 ** 3;
/**
 * An idle decoder process (~60-100 MB) exits after this long; the next request starts another,
 * which costs about 0.2 s of CPU before the first slice.
 */
const IDLE_EXIT_MS = 5 * 60_000;
const STDERR_TAIL = 4096;
/** A process that is not ready after this long is broken (no file is involved yet). */
const START_LIMIT_MS = 30_000;

export interface DecoderEntry {
  script: string;
  execArgv: string[];
}

/** dist/slice-decoder-worker.js when bundled; from the source tree (vitest, tsx) the TypeScript entry through tsx. */
export function sliceDecoderEntry(): DecoderEntry {
  if (process.env.ICH_BUNDLED === "1") return { script: join(__dirname, "slice-decoder-worker.js"), execArgv: [] };
  const source = join(__dirname, "workers", "slice-decoder.worker.ts");
  if (!existsSync(source)) throw new Error(`slice decoder entry not found: ${source}`);
  let tsx: string;
  try {
    tsx = require.resolve("tsx");
  } catch {
    throw new Error("running the slice decoder from the source tree needs tsx (a dev dependency)");
  }
  return { script: source, execArgv: ["--import", tsx] };
}

export interface DecoderOptions {
  entry?: DecoderEntry;
  timeLimitMs?: number;
  memoryLimitBytes?: number;
  /** Decoder stderr lines and restarts (the preview's output channel). */
  log?(line: string): void;
}

interface Job {
  request: DecoderRequest;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

type ResultOf<T extends DecoderTask> = DecoderResults[T["kind"]];

/** The file a task is about, for error messages. */
function subject(task: DecoderTask): string {
  return task.kind === "headers" ? (task.files[0] ?? "") : task.file;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${+(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** The error a failed task rejects with: a DicomError unless the failure was not about the file. */
export function errorOf(failure: DecoderFailure): Error {
  return failure.code === "internal" ? new Error(failure.reason) : new DicomError(failure.file, failure.code, failure.reason);
}

export class DecoderProcess {
  private child: ChildProcess | undefined;
  private stderr = "";
  private readonly queue: Job[] = [];
  private current: (Job & { timer?: NodeJS.Timeout; sent: boolean }) | undefined;
  private ready = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private disposed = false;
  private readonly timeLimitMs: number;
  private readonly memoryLimitBytes: number;
  /** Processes started so far (the first one included); tests read it to see a restart. */
  starts = 0;

  constructor(private readonly options: DecoderOptions = {}) {
    this.timeLimitMs = options.timeLimitMs ?? DECODE_TIME_LIMIT_MS;
    this.memoryLimitBytes = options.memoryLimitBytes ?? DECODER_MEMORY_LIMIT_BYTES;
  }

  /** Runs `task` in the decoder process; `urgent` tasks (the slice on screen) go before queued prefetches. */
  run<T extends DecoderTask>(task: T, urgent = false): Promise<ResultOf<T>> {
    if (this.disposed) return Promise.reject(new Error("the slice decoder was shut down"));
    return new Promise<ResultOf<T>>((resolve, reject) => {
      const job: Job = { request: { ...task, id: this.nextId++ }, resolve, reject };
      if (urgent) this.queue.unshift(job);
      else this.queue.push(job);
      this.pump();
    });
  }

  /** Starts the process ahead of the first request (when the extension activates), so opening a file does not wait for it. */
  warm(): void {
    if (this.child || this.disposed) return;
    this.start();
    this.idle();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    const error = new Error("the slice decoder was shut down");
    for (const job of this.queue.splice(0)) job.reject(error);
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.reject(error);
      this.current = undefined;
    }
  }

  private pump(): void {
    if (this.current || this.disposed) return;
    const job = this.queue.shift();
    if (!job) {
      this.idle();
      return;
    }
    clearTimeout(this.idleTimer);
    const child = this.child ?? this.start();
    child.channel?.ref();
    this.current = { ...job, sent: false };
    if (this.ready) this.dispatch(child);
    else this.current.timer = setTimeout(() => this.startFailed(), START_LIMIT_MS);
  }

  /** Sends the current task to a ready process; its time limit starts now, not at process start. */
  private dispatch(child: ChildProcess): void {
    const job = this.current;
    if (!job) return;
    clearTimeout(job.timer);
    job.sent = true;
    job.timer = setTimeout(() => this.timedOut(), this.timeLimitMs);
    child.send(job.request);
  }

  private start(): ChildProcess {
    const entry = this.options.entry ?? sliceDecoderEntry();
    this.starts++;
    this.stderr = "";
    this.ready = false;
    const child = fork(entry.script, [String(this.memoryLimitBytes)], {
      // V8's own heap stops at the limit too; the watchdog covers typed arrays and WASM memory.
      execArgv: [...entry.execArgv, `--max-old-space-size=${Math.max(64, Math.floor(this.memoryLimitBytes / 1024 ** 2))}`],
      // Inside VS Code process.execPath is Electron: run it as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    child.unref();
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL);
      for (const line of chunk.split("\n")) if (line.trim()) this.options.log?.(`decoder: ${line.trim()}`);
    });
    child.on("message", (response: DecoderResponse) => this.answered(child, response));
    // "close", not "exit": it comes after stderr is drained, so the watchdog's marker is there.
    child.on("close", (code, signal) => this.closed(child, code, signal));
    child.on("error", (error) => this.options.log?.(`decoder process error: ${error.message}`));
    this.child = child;
    return child;
  }

  private answered(child: ChildProcess, response: DecoderResponse): void {
    if (child !== this.child) return;
    if ("ready" in response) {
      this.ready = true;
      this.dispatch(child);
      return;
    }
    const job = this.current;
    if (!job || job.request.id !== response.id) return;
    clearTimeout(job.timer);
    this.current = undefined;
    if ("error" in response) job.reject(errorOf(response.error));
    else job.resolve(response.result);
    this.pump();
  }

  private timedOut(): void {
    const job = this.current;
    if (!job) return;
    this.current = undefined;
    const seconds = Math.round(this.timeLimitMs / 1000);
    this.options.log?.(`decoder: ${subject(job.request)} took longer than ${seconds} s; stopping the decoder process`);
    this.stop();
    job.reject(new DicomError(subject(job.request), "decode-failed", `decoding took longer than ${seconds} s — the file may be hostile or corrupt`));
    this.pump();
  }

  /** The process never said it was ready: not the file's fault, so a plain error. */
  private startFailed(): void {
    const job = this.current;
    if (!job) return;
    this.current = undefined;
    this.stop();
    job.reject(new Error(`the slice decoder process did not start within ${START_LIMIT_MS / 1000} s`));
    this.pump();
  }

  private closed(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return; // one we stopped on purpose
    this.child = undefined;
    const job = this.current;
    this.current = undefined;
    if (!job) return;
    clearTimeout(job.timer);
    if (job.sent) job.reject(new DicomError(subject(job.request), "decode-failed", this.deathReason(code, signal)));
    else job.reject(new Error(`the slice decoder process could not start: ${this.lastStderrLine() ?? (signal ? `stopped by ${signal}` : `exit code ${code}`)}`));
    this.pump();
  }

  private lastStderrLine(): string | undefined {
    return this.stderr.trim().split("\n").at(-1)?.trim() || undefined;
  }

  private deathReason(code: number | null, signal: NodeJS.Signals | null): string {
    if (this.stderr.includes(MEMORY_LIMIT_MARKER) || /heap out of memory|Reached heap limit/.test(this.stderr)) {
      return `decoding needed more than ${formatBytes(this.memoryLimitBytes)} of memory — the file may be hostile or corrupt`;
    }
    const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
    const last = this.lastStderrLine();
    return `the decoder process ${how} while decoding — the file may be hostile or corrupt${last ? ` (${last})` : ""}`;
  }

  private idle(): void {
    this.child?.channel?.unref();
    clearTimeout(this.idleTimer);
    if (!this.child) return;
    this.idleTimer = setTimeout(() => this.stop(), IDLE_EXIT_MS);
    this.idleTimer.unref();
  }

  private stop(): void {
    clearTimeout(this.idleTimer);
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
