// Streams the DICOM/PNG/JPG files under a folder (recursively, dot-entries skipped) without
// listing a whole folder into memory: opendir reads a 752,803-entry folder a chunk at a time.
import { opendir } from "node:fs/promises";
import { join } from "node:path";
import { DICOM_FILE, IMAGE_FILE } from "./index-entry";
import { removeStaleWriterTemp } from "./jsonl";

export const isDatasetFile = (name: string) => DICOM_FILE.test(name) || IMAGE_FILE.test(name);

/** Paths relative to `root`, "/"-separated, in directory order (not sorted). */
export async function* walkDataset(root: string): AsyncGenerator<string> {
  const pending = [""];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    let dir;
    try {
      dir = await opendir(rel ? join(root, rel) : root, { bufferSize: 256 });
    } catch (error) {
      throw new Error(`${rel ? join(root, rel) : root}: cannot list the folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
    for await (const entry of dir) {
      if (entry.name.startsWith(".")) {
        // A killed ich index leaves its cache's temp file here; the walk is the one pass over a
        // folder that may hold 752,803 entries, so it is removed here rather than by another listing.
        if (entry.isFile()) await removeStaleWriterTemp(rel ? join(root, rel) : root, entry.name);
        continue;
      }
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) pending.push(path);
      else if ((entry.isFile() || entry.isSymbolicLink()) && isDatasetFile(entry.name)) yield path;
    }
  }
}

/** How many dataset files `walkDataset` will yield (a names-only pass, for the progress total). */
export async function countDatasetFiles(root: string, signal?: AbortSignal): Promise<number> {
  let n = 0;
  for await (const _ of walkDataset(root)) {
    n++;
    if (signal?.aborted) break;
  }
  return n;
}
