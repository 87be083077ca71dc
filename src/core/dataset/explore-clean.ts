// The explorer's cleaning-report section: the `ich clean` JSON report of the folder, when one
// exists, reduced to its counts and first issues.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CLEAN_REPORT_FILE } from "./clean";
import type { CleanSummary } from "./explore-types";
import type { CleanReport } from "./types";
import { errorMessage } from "../../shared/errors";

/** Where `ich clean DIR` writes its report unless told otherwise (--out DIR/ich-clean). */
export const CLEAN_REPORT_PATHS = [join("ich-clean", CLEAN_REPORT_FILE), CLEAN_REPORT_FILE];
const MAX_ISSUES = 500;

/** The report at `explicit`, or the first of CLEAN_REPORT_PATHS under `root`; null when there is none. */
export async function readCleanSummary(root: string, explicit?: string): Promise<CleanSummary | null> {
  const file = explicit ? resolve(explicit) : CLEAN_REPORT_PATHS.map((path) => join(root, path)).find((f) => existsSync(f));
  if (!file) return null;
  let report: CleanReport;
  try {
    report = JSON.parse(await readFile(file, "utf8")) as CleanReport;
  } catch (error) {
    throw new Error(`${file}: cannot read the cleaning report (${errorMessage(error)})`, { cause: error });
  }
  if (typeof report !== "object" || report === null || !Array.isArray(report.issues) || typeof report.counts !== "object") {
    throw new Error(`${file}: not an 'ich clean' report (no issues list or counts)`);
  }
  return {
    file,
    createdAt: String(report.createdAt ?? ""),
    files: Number(report.files) || 0,
    decoded: Number(report.decoded) || 0,
    counts: report.counts ?? {},
    excluded: Number(report.excluded) || 0,
    exclusionCsv: String(report.exclusionCsv ?? ""),
    lowBrainThreshold: Number(report.lowBrainThreshold) || 0,
    issues: report.issues.slice(0, MAX_ISSUES),
    totalIssues: report.issues.length,
  };
}
