// The RUN argument of predict, eval, export and serve: a folder as given, else a run id in the store.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { runPaths } from "./layout";

/**
 * `run` itself when it is an existing folder (a run folder or its model folder), else the folder of
 * the run of that id in the store at `runsRoot`. Throws one message for both misses, so the user
 * learns that neither reading was found and where the run store is.
 */
export function resolveRunFolder(run: string, runsRoot: string): string {
  if (existsSync(run)) return run;
  const root = resolve(runsRoot);
  let dir: string | undefined;
  try {
    dir = runPaths(root, run).dir;
  } catch {
    // not a valid run id (a path with separators, say): only the folder reading was possible
  }
  if (dir === undefined || !existsSync(dir)) throw new Error(`${run}: no such run folder, and no run of that id in ${root}`);
  return dir;
}
