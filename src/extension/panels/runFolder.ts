// Reads one run folder (run.json, eval.json) for the panels, and watches it for changes.
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { EvalSummary, RunSummary } from "../../protocol/dashboard";
import { isRecord } from "../../protocol/guards";
import { toEvalSummary, toRunSummary } from "./logic/runData";

/** The parsed file, or undefined when it does not exist. */
async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

export async function readRunSummary(runDir: string): Promise<RunSummary> {
  const file = join(runDir, "run.json");
  const raw = await readJson(file);
  if (raw === undefined) throw new Error(`${file}: no such file (is ${runDir} a run folder?)`);
  // The folder is the run's identity: a copied folder's run.json still names the original.
  const summary = toRunSummary(isRecord(raw) ? { ...raw, id: basename(runDir) } : raw, new Date());
  if (!summary) throw new Error(`${file}: not a run record (id, status, startedAt missing or malformed)`);
  return summary;
}

export async function readEvaluation(runDir: string, maxRocPoints?: number): Promise<EvalSummary | null> {
  const raw = await readJson(join(runDir, "eval.json"));
  return raw === undefined ? null : toEvalSummary(raw, maxRocPoints);
}

/**
 * Calls `onChange` (debounced) with the names of the files that changed in `dir`. fs.watch works
 * for run folders outside the workspace too, where a VS Code FileSystemWatcher may not report.
 */
export function watchFolder(dir: string, onChange: (names: Set<string>) => void, debounceMs = 250): { dispose(): void } {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      pending.add(name ? name.toString() : "");
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const names = pending;
        pending = new Set();
        onChange(names);
      }, debounceMs);
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // The folder vanished (run deleted): nothing to watch.
  }
  return {
    dispose() {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
