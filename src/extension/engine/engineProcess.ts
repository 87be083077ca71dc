// Runs one `ich` engine process and streams its output: the extension's one way to run the engine
// (training, evaluation, predictions, Grad-CAM, backend info, explore). Progress lines are read
// with the engine contract (src/protocol/engine-output.ts). No vscode import: testable with plain Node.
import { readProgressEvent, type ProgressEvent } from "../../protocol/engine-output";
import type { EngineInvocation } from "../logic/commandLine";
import { LineSplitter } from "../logic/jsonLines";
import { launchProcess, RestrictedModeError } from "./launch";

export interface EngineResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface EngineHandlers {
  onEvent?(event: ProgressEvent): void;
  /** Every stdout line that is not a ProgressEvent, and every stderr line. */
  onLog?(line: string, stream: "stdout" | "stderr"): void;
}

export interface EngineProcess {
  pid: number | undefined;
  done: Promise<EngineResult>;
  /** SIGINT: the engine finishes the step, marks the run cancelled and exits. */
  interrupt(): void;
  kill(): void;
}

/**
 * Stops an engine that may be writing a cache: SIGINT first (ich index keeps its partial cache and
 * removes its temp file), SIGKILL only when it has not exited after `graceMs`.
 */
export function stopEngine(engine: EngineProcess, graceMs = 5000): void {
  engine.interrupt();
  const timer = setTimeout(() => engine.kill(), graceMs);
  void engine.done.finally(() => clearTimeout(timer));
}

function failureMessage(command: string, error: Error): string {
  return (error as NodeJS.ErrnoException).code === "ENOENT"
    ? `${command}: Node.js not found (${error.message}); install Node.js 20+ or set the ichLab.nodePath setting`
    : `${command}: ${error.message}`;
}

/** Throws RestrictedModeError in an untrusted workspace; any other start failure ends in `done`. */
export function startEngine(invocation: EngineInvocation, cwd: string, handlers: EngineHandlers = {}): EngineProcess {
  let stdout = "";
  let stderr = "";
  let child: ReturnType<typeof launchProcess>;
  try {
    child = launchProcess(invocation.command, invocation.args, { cwd, env: { ...process.env, ...invocation.env, ELECTRON_RUN_AS_NODE: "1" } });
  } catch (error) {
    if (error instanceof RestrictedModeError || !(error instanceof Error)) throw error;
    const message = failureMessage(invocation.command, error);
    // Reported after the caller has its EngineProcess, as a spawn "error" event would be.
    const done = Promise.resolve().then(() => {
      handlers.onLog?.(message, "stderr");
      return { code: null, signal: null, stdout, stderr: `${message}\n` };
    });
    return { pid: undefined, done, interrupt: () => undefined, kill: () => undefined };
  }
  const outLines = new LineSplitter();
  const errLines = new LineSplitter();
  const handleOut = (line: string) => {
    const event = readProgressEvent(line);
    if (event) handlers.onEvent?.(event);
    else handlers.onLog?.(line, "stdout");
  };
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    for (const line of outLines.push(chunk)) handleOut(line);
  });
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    for (const line of errLines.push(chunk)) handlers.onLog?.(line, "stderr");
  });
  const done = new Promise<EngineResult>((resolve) => {
    child.on("error", (error) => {
      const message = failureMessage(invocation.command, error);
      stderr += `${message}\n`;
      handlers.onLog?.(message, "stderr");
      resolve({ code: null, signal: null, stdout, stderr });
    });
    child.on("close", (code, signal) => {
      for (const line of outLines.flush()) handleOut(line);
      for (const line of errLines.flush()) handlers.onLog?.(line, "stderr");
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    pid: child.pid,
    done,
    interrupt: () => {
      if (child.exitCode === null) child.kill("SIGINT");
    },
    kill: () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** The reason a finished engine process failed, for an error message (last stderr line wins). */
export function failureReason(result: EngineResult): string {
  const lines = result.stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const last = lines.at(-1);
  if (last) return last;
  if (result.signal) return `the engine process was stopped by ${result.signal}`;
  return `the engine process exited with code ${result.code}`;
}

/** `ich <command>` of an engine invocation (its first argument after dist/cli.js). */
export function engineCommandName(invocation: EngineInvocation): string {
  return `ich ${invocation.args[1] ?? ""}`.trim();
}

/** The error of a finished engine process that failed, naming the command and the reason. */
export function engineFailure(invocation: EngineInvocation, result: EngineResult): Error {
  return new Error(`${engineCommandName(invocation)} failed: ${failureReason(result)}`);
}
