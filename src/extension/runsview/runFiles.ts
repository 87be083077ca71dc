// The run store as the Runs view sees it: the engine's RunStore (which also settles crashed runs
// as failed), made tolerant so that an unreadable store never breaks the view. No vscode import.
import { basename } from "node:path";
import { RunStore } from "../../core/runs/store";
import { processAlive } from "../../core/runs/liveness";
import type { BrokenRun, RunRecord } from "../../core/runs/types";
import { errorMessage } from "../../shared/errors";

export interface StoredRun {
  /** `record.id` is the folder name (the run's identity), whatever run.json says. */
  record: RunRecord;
  runDir: string;
  /** E.g. run.json names another id (a copied folder). */
  note?: string;
}

export interface RunFolders {
  runs: StoredRun[];
  /** Folders whose run.json is missing or invalid, shown with the reason instead of hidden. */
  broken: BrokenRun[];
}

/** Every run folder under `runsRoot`; a store that cannot be read at all comes back as one broken entry saying why. */
export async function scanRuns(runsRoot: string): Promise<RunFolders> {
  const store = new RunStore(runsRoot);
  try {
    const { runs, broken } = await store.scan();
    return { runs: runs.map((run) => ({ record: run.record, runDir: run.dir, ...(run.note ? { note: run.note } : {}) })), broken };
  } catch (error) {
    const reason = errorMessage(error);
    return { runs: [], broken: [{ id: basename(store.root), dir: store.root, status: "broken", error: `${store.root}: cannot read the run store (${reason})` }] };
  }
}

export async function listRunRecords(runsRoot: string): Promise<RunRecord[]> {
  return (await scanRuns(runsRoot)).runs.map((run) => run.record);
}

export async function deleteRun(runsRoot: string, id: string): Promise<void> {
  await new RunStore(runsRoot).delete(id);
}

export const isProcessAlive = processAlive;
