// Every process the e2e suite starts is registered here and killed (its whole process group)
// when the test file ends, also after a failure or Ctrl+C.
import type { ChildProcess } from "node:child_process";

const groups = new Set<number>();

/** Registers a child started with `detached: true` (own process group). */
export function track(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  groups.add(pid);
  child.once("exit", () => groups.delete(pid));
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs` for what is still alive. */
export async function killGroup(pid: number, graceMs = 3000): Promise<void> {
  if (!signalGroup(pid, "SIGTERM")) {
    groups.delete(pid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
  groups.delete(pid);
}

export async function killAll(): Promise<void> {
  await Promise.all([...groups].map((pid) => killGroup(pid)));
}

function killAllSync(): void {
  for (const pid of groups) signalGroup(pid, "SIGKILL");
  groups.clear();
}

process.once("exit", killAllSync);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAllSync();
    process.exit(130);
  });
}
