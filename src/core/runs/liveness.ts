import { hostname } from "node:os";
import type { RunRecord } from "./types";

export const CRASHED_MESSAGE = "process ended without finishing (crashed or killed)";

/** True if a process with this id exists on this machine (EPERM: exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A `running` record whose process is gone (same host, pid not alive) or silent for longer than
 * `staleMs` (any host) is a crashed run: returns it marked failed, else undefined.
 */
export function crashedVersion(record: RunRecord, staleMs: number, now: Date = new Date(), host: string = hostname()): RunRecord | undefined {
  if (record.status !== "running") return undefined;
  const lastSign = record.heartbeatAt ?? record.startedAt;
  const silentMs = now.getTime() - Date.parse(lastSign);
  const deadHere = record.host === host && record.pid !== undefined && !processAlive(record.pid);
  if (!deadHere && !(silentMs > staleMs)) return undefined;
  return { ...record, status: "failed", endedAt: lastSign, error: CRASHED_MESSAGE };
}
