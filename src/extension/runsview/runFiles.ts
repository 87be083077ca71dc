// The run store as the Runs view sees it: the engine's RunStore (which also settles crashed runs
// as failed), made tolerant so that an unreadable store never breaks the view. No vscode import.
import { RunStore } from "../../core/runs/store";
import { processAlive } from "../../core/runs/liveness";
import type { RunRecord } from "../../core/runs/types";

export interface StoredRun {
  record: RunRecord;
  runDir: string;
}

export async function listRuns(runsRoot: string): Promise<StoredRun[]> {
  const store = new RunStore(runsRoot);
  try {
    return (await store.list()).map((record) => ({ record, runDir: store.paths(record.id).dir }));
  } catch {
    return [];
  }
}

export async function listRunRecords(runsRoot: string): Promise<RunRecord[]> {
  return (await listRuns(runsRoot)).map((run) => run.record);
}

export async function deleteRun(runsRoot: string, id: string): Promise<void> {
  await new RunStore(runsRoot).delete(id);
}

export const isProcessAlive = processAlive;
