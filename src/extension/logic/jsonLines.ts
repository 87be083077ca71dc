// Splits a child process's stdout into lines and recognises the engine's ProgressEvent JSON lines.
import type { ProgressEvent } from "../../core/runs/types";

const EVENT_TYPES = new Set(["run-started", "step", "epoch", "checkpoint", "warning", "log", "run-ended"]);

/** Buffers chunks and hands out complete lines; `flush()` returns the unterminated rest. */
export class LineSplitter {
  private rest = "";

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines = text.split(/\r?\n/);
    this.rest = lines.pop() ?? "";
    return lines;
  }

  flush(): string[] {
    const rest = this.rest;
    this.rest = "";
    return rest.length > 0 ? [rest] : [];
  }
}

/** A ProgressEvent when the line is one, otherwise undefined (plain log text, other JSON). */
export function parseProgressEvent(line: string): ProgressEvent | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === "string" && EVENT_TYPES.has(type) ? (value as ProgressEvent) : undefined;
}

/** Parses a whole JSON document printed by a `--json` command, naming the command on failure. */
export function parseJsonOutput<T>(stdout: string, what: string): T {
  const trimmed = stdout.trim();
  try {
    return JSON.parse(trimmed) as T;
  } catch {
    // Some commands print log lines before the document: take the last line that parses.
    const lines = trimmed.split(/\r?\n/).reverse();
    for (const line of lines) {
      if (!line.trim().startsWith("{") && !line.trim().startsWith("[")) continue;
      try {
        return JSON.parse(line) as T;
      } catch {
        continue;
      }
    }
    throw new Error(`${what}: output is not JSON: ${trimmed.slice(0, 200) || "(empty)"}`);
  }
}
