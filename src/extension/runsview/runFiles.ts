// Reads the run store (runs/<id>/run.json) for the Runs view. Tolerant: a half-created or
// unreadable run is skipped, never fatal for the view. No vscode import.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunRecord } from "../../core/runs/types";

export async function readRunRecord(runDir: string): Promise<RunRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(join(runDir, "run.json"), "utf8")) as RunRecord;
    return typeof record.id === "string" && typeof record.status === "string" ? record : undefined;
  } catch {
    return undefined;
  }
}

export async function listRunRecords(runsRoot: string): Promise<RunRecord[]> {
  let entries;
  try {
    entries = await readdir(runsRoot, { withFileTypes: true });
  } catch {
    return [];
  }
  const records = await Promise.all(entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => readRunRecord(join(runsRoot, e.name))));
  return records.filter((r): r is RunRecord => r !== undefined);
}

/** True when a process with this pid exists on this machine (signal 0 probes without killing). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
