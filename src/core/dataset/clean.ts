// `ich clean`: the cleaning report of a dataset folder (notebook 01's checks and more). Headers
// come from the index (built or refreshed first); every file in scope is then decoded in the
// dataset workers. The report lists one issue per image and kind; the exclusion CSV names the
// images training should skip (data.exclude).
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { readLabelsTable } from "../data/tables";
import { matchesWhere, type LabelWhere } from "../data/subset";
import { writeFileAtomic } from "../fs/atomic";
import { LABELS } from "../../shared/labels";
import { buildIndex, indexCachePath, readIndex } from "./build-index";
import { EXCLUSION_HEADER, exclusionRow } from "./exclusion";
import { imageIdOf } from "./index-entry";
import { JsonLinesWriter } from "./jsonl";
import type { PixelCheck } from "./pixel-check";
import { DatasetTaskPool, defaultDatasetWorkers } from "./task-pool";
import type { CleanIssue, CleanIssueKind, CleanReport } from "./types";

export const CLEAN_REPORT_FILE = "clean-report.json";
export const EXCLUSION_FILE = "exclude.csv";
export const DEFAULT_LOW_BRAIN_SHARE = 0.2;
const BATCH = 16;
export const MAX_LISTED_PER_KIND = 1000;

export interface CleanOptions {
  labels?: string;
  where?: LabelWhere;
  experiment?: string;
  outDir?: string;
  /** Flag slices with less than this share of pixels in the brain window (default 0.2). */
  lowBrainShare?: number;
  /** Also exclude flagged low-brain slices without any bleed (the seed's cleaning step). */
  excludeLowBrain?: boolean;
  cacheFile?: string;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (stage: "index" | "decode", done: number, total: number) => void;
}

/** Issue kinds that put an image on the exclusion list. */
const EXCLUDING: ReadonlySet<CleanIssueKind> = new Set(["unreadable", "not-ct", "colour", "conflicting-labels", "incomplete-labels", "duplicate-sop-uid", "any-mismatch"]);

export async function cleanDataset(rootArg: string, options: CleanOptions = {}): Promise<CleanReport> {
  const started = Date.now();
  const root = resolve(rootArg);
  const outDir = resolve(options.outDir ?? join(root, "ich-clean"));
  const threshold = options.lowBrainShare ?? DEFAULT_LOW_BRAIN_SHARE;
  const cache = indexCachePath(root, options.cacheFile);
  const indexed = await buildIndex(root, { cacheFile: options.cacheFile, workers: options.workers, signal: options.signal, onProgress: (d, t) => options.onProgress?.("index", d, t) });
  if (indexed.cancelled) throw new Error(`${root}: cleaning cancelled while indexing`);
  const table = options.labels ? await readLabelsTable(options.labels) : null;
  const where = options.where;

  const issues: CleanIssue[] = [];
  const counts: CleanReport["counts"] = {};
  // Every excluding issue is listed (the exclusion CSV is made from them); informational kinds up to
  // MAX_LISTED_PER_KIND, so a 752,803-row labels table against a 20,000-file folder stays a small report.
  const issue = (kind: CleanIssueKind, id: string, file: string | undefined, detail: string, excluded = EXCLUDING.has(kind)) => {
    const n = (counts[kind] = (counts[kind] ?? 0) + 1);
    if (excluded || n <= MAX_LISTED_PER_KIND) issues.push({ kind, id, file, detail, excluded });
  };
  const inScope = (id: string) => !where || matchesWhere(table?.labels.get(id), where);

  // Pass 1 over the index: the usual image size of the files in scope.
  const sizes = new Map<string, number>();
  for await (const e of readIndex(cache)) {
    if (!inScope(e.id) || e.rows === undefined) continue;
    const key = `${e.rows}x${e.columns}`;
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  const usual = [...sizes].sort((a, b) => b[1] - a[1])[0];
  const usualSize = usual ? { rows: Number(usual[0].split("x")[0]), columns: Number(usual[0].split("x")[1]), files: usual[1] } : undefined;

  // Pass 2: header and label issues, and the pixel checks.
  const seenSop = new Map<string, string>();
  const matched = new Set<string>();
  const pool = new DatasetTaskPool(options.workers ?? defaultDatasetWorkers());
  const inflight = new Set<Promise<void>>();
  let files = 0;
  let checked = 0;
  let decoded = 0;
  let unreadable = 0;
  let batch: string[] = [];
  const anyBleed = (id: string) => (table?.labels.get(id)?.[0] ?? 0) === 1;
  const onCheck = (c: PixelCheck) => {
    checked++;
    options.onProgress?.("decode", checked, files);
    if (c.error) {
      unreadable++;
      return issue("unreadable", c.id, c.file, c.error);
    }
    decoded++;
    if (c.notCt) issue("not-ct", c.id, c.file, `modality ${c.modality}`);
    if (c.colour) issue("colour", c.id, c.file, "not a one-sample MONOCHROME image");
    if (c.rsnaFix) issue("rsna-fix", c.id, c.file, "12-bit unsigned with RescaleIntercept > -100: the RSNA fix is applied on load");
    if (c.brainShare !== undefined && c.brainShare < threshold) {
      const excluded = options.excludeLowBrain === true && !anyBleed(c.id);
      issue("low-brain-content", c.id, c.file, `${(c.brainShare * 100).toFixed(1)} % of pixels in the brain window (threshold ${(threshold * 100).toFixed(0)} %)`, excluded);
    }
  };
  const send = async () => {
    const list = batch;
    batch = [];
    const task = pool.run({ type: "check", root, files: list }).then((result) => {
      if (result.type === "check") result.checks.forEach(onCheck);
    });
    inflight.add(task);
    void task.finally(() => inflight.delete(task)).catch(() => undefined);
    while (inflight.size >= pool.capacity) await Promise.race(inflight);
  };
  try {
    for await (const e of readIndex(cache)) {
      if (options.signal?.aborted) throw new Error(`${root}: cleaning cancelled`);
      if (!inScope(e.id)) continue;
      files++;
      if (table) {
        if (table.labels.has(e.id)) matched.add(e.id);
        else issue("no-labels", e.id, e.file, `no row in ${options.labels}`);
      }
      if (usualSize && e.rows !== undefined && (e.rows !== usualSize.rows || e.columns !== usualSize.columns)) {
        issue("unusual-size", e.id, e.file, `${e.rows}×${e.columns}, most files are ${usualSize.rows}×${usualSize.columns}`);
      }
      if (e.sopInstanceUid) {
        const first = seenSop.get(e.sopInstanceUid);
        if (first === undefined) seenSop.set(e.sopInstanceUid, e.file);
        else {
          // The path sorting last is the duplicate, whatever order the folder lists the files in, so
          // the exclusion list is the same on every machine.
          const [kept, duplicate] = e.file < first ? [e.file, first] : [first, e.file];
          seenSop.set(e.sopInstanceUid, kept);
          issue("duplicate-sop-uid", imageIdOf(duplicate), duplicate, `SOPInstanceUID ${e.sopInstanceUid} also in ${kept}`);
        }
      }
      batch.push(e.file);
      if (batch.length >= BATCH) await send();
    }
    if (batch.length > 0) await send();
    await Promise.all(inflight);
  } finally {
    await pool.close();
  }

  if (table) {
    for (const [id, labels] of table.labels) {
      if (!matchesWhere(labels, where)) continue;
      if (!matched.has(id)) issue("missing-file", id, undefined, `labelled in ${options.labels} but no file in ${root}`);
      const subtypes = LABELS.slice(1).some((_, k) => labels[k + 1] === 1) ? 1 : 0;
      if (labels[0] !== subtypes) issue("any-mismatch", id, undefined, `any = ${labels[0]} but the subtypes give ${subtypes} (${LABELS.slice(1).filter((_, k) => labels[k + 1] === 1).join(", ") || "none"})`);
    }
    const inTable = (id: string) => matchesWhere(table.labels.get(id), where);
    for (const id of table.duplicated ?? []) if (inTable(id)) issue("duplicate-label-row", id, undefined, "label rows repeated with the same value");
    const conflicting = new Map<string, string[]>();
    for (const c of table.conflicts) if (inTable(c.imageId)) conflicting.set(c.imageId, [...(conflicting.get(c.imageId) ?? []), `${c.label} = ${c.values.join(" and ")}`]);
    for (const [id, parts] of conflicting) issue("conflicting-labels", id, undefined, parts.join("; "));
    for (const id of table.incomplete) if (inTable(id)) issue("incomplete-labels", id, undefined, "fewer than six label rows");
    // Label issues come from the table, not the index: name their files in one more streamed pass
    // (only the few ids with such an issue are held), so exclude.csv's file column is filled.
    const unnamed = new Set(issues.filter((i) => !i.file && i.kind !== "missing-file").map((i) => i.id));
    if (unnamed.size > 0) {
      const fileOf = new Map<string, string>();
      for await (const e of readIndex(cache)) if (unnamed.has(e.id)) fileOf.set(e.id, e.file);
      for (const i of issues) if (!i.file && fileOf.has(i.id)) i.file = fileOf.get(i.id);
    }
  }

  await mkdir(outDir, { recursive: true });
  const exclusionCsv = join(outDir, EXCLUSION_FILE);
  const excluded = new Map<string, { file: string; reasons: string[] }>();
  for (const i of issues) {
    if (!i.excluded) continue;
    const entry = excluded.get(i.id) ?? { file: i.file ?? "", reasons: [] };
    entry.reasons.push(i.kind);
    excluded.set(i.id, entry);
  }
  const csv = new JsonLinesWriter(exclusionCsv);
  try {
    await csv.writeRaw(EXCLUSION_HEADER);
    for (const [id, e] of excluded) await csv.writeRaw(exclusionRow(id, e.file, e.reasons.join(" ")));
    await csv.commit();
  } catch (error) {
    await csv.abort();
    throw error;
  }
  const report: CleanReport = {
    root,
    labelsFile: options.labels,
    experiment: options.experiment,
    where,
    createdAt: new Date().toISOString(),
    files,
    decoded,
    unreadable,
    counts,
    usualSize,
    lowBrainThreshold: threshold,
    issues,
    excluded: excluded.size,
    exclusionCsv,
    seconds: (Date.now() - started) / 1000,
  };
  await writeFileAtomic(join(outDir, CLEAN_REPORT_FILE), `${JSON.stringify(report)}\n`);
  return report;
}
