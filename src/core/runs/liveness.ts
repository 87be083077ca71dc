import { readFileSync } from "node:fs";
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

/** Start time (ms since epoch, ±1 s) of a process, from /proc on Linux; undefined elsewhere. */
export function processStartedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; starttime is field 22 overall (clock ticks since boot).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const startTicks = Number(fields[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    const USER_HZ = 100; // fixed by the Linux user-space ABI
    if (!Number.isFinite(startTicks) || !Number.isFinite(bootSeconds)) return undefined;
    return (bootSeconds + startTicks / USER_HZ) * 1000;
  } catch {
    return undefined;
  }
}

/** The run's own process: alive, and (where knowable) started before the run's last heartbeat — not a reused pid. */
function ownerAlive(record: RunRecord): boolean {
  if (record.pid === undefined || !processAlive(record.pid)) return false;
  const started = processStartedAt(record.pid);
  const lastSign = Date.parse(record.heartbeatAt ?? record.startedAt);
  return started === undefined || !Number.isFinite(lastSign) || started <= lastSign + 5_000;
}

/**
 * A `running` record is a crashed run when, on this host, its process is gone (or its pid now
 * belongs to a younger process), or, from another host, its heartbeat is older than `staleMs`.
 * On this host a live owner counts as running however old the heartbeat: a long validation
 * pass may legitimately stay silent. Returns the record marked failed, else undefined.
 */
export function crashedVersion(record: RunRecord, staleMs: number, now: Date = new Date(), host: string = hostname()): RunRecord | undefined {
  if (record.status !== "running") return undefined;
  const lastSign = record.heartbeatAt ?? record.startedAt;
  const crashed = record.host === host && record.pid !== undefined ? !ownerAlive(record) : now.getTime() - Date.parse(lastSign) > staleMs;
  return crashed ? { ...record, status: "failed", endedAt: lastSign, error: CRASHED_MESSAGE } : undefined;
}
