// The unit of work a dataset worker does: a batch of header reads or of pixel checks.
import { indexEntry, type FileStat } from "./index-entry";
import { checkPixels, type PixelCheck } from "./pixel-check";
import type { IndexEntry } from "./types";

export type DatasetTask = { type: "index"; root: string; files: FileStat[] } | { type: "check"; root: string; files: string[] };

export type DatasetTaskResult = { type: "index"; entries: IndexEntry[] } | { type: "check"; checks: PixelCheck[] };

export async function runDatasetTask(task: DatasetTask): Promise<DatasetTaskResult> {
  if (task.type === "index") return { type: "index", entries: task.files.map((f) => indexEntry(task.root, f)) };
  const checks: PixelCheck[] = [];
  for (const file of task.files) checks.push(await checkPixels(task.root, file));
  return { type: "check", checks };
}
