import { writeFileAtomic } from "../fs/atomic";
import { LABELS } from "../../shared/labels";
import type { PredictionRow } from "./types";

/** RSNA 2019 submission form: header `ID,Label`, then `ID_<hex>_<label>,<probability>` per image and label (LABELS order). */
export function formatSubmissionCsv(rows: readonly PredictionRow[]): string {
  const lines = ["ID,Label"];
  for (const row of rows) {
    const id = row.id.startsWith("ID_") ? row.id : `ID_${row.id}`;
    for (const label of LABELS) {
      const p = row.probabilities[label];
      if (p === undefined) continue;
      if (!Number.isFinite(p) || p < 0 || p > 1) throw new RangeError(`prediction ${id}_${label}: probability ${p} is not in [0, 1]`);
      lines.push(`${id}_${label},${p.toFixed(6)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export async function writeSubmissionCsv(path: string, rows: readonly PredictionRow[]): Promise<void> {
  await writeFileAtomic(path, formatSubmissionCsv(rows));
}
