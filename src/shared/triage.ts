// Builds the triage table from `ich predict --json` output (read by readPredictOutput): slices grouped by study/series,
// per-label maxima, studies and slices sorted by the `any` probability (highest first).
import { LABELS, type Label } from "./labels";
import type { PredictOutput } from "../protocol/engine-output";
import type { TriageResult, TriageSlice, TriageStudy } from "../protocol/triage";

/** Highest `first` label first; ties by the labels in LABELS order, then by the name. */
function byLabelDescending<T>(probs: (t: T) => Partial<Record<Label, number>>, name: (t: T) => string, first: Label = "any"): (a: T, b: T) => number {
  return (a, b) => {
    const pa = probs(a);
    const pb = probs(b);
    const d = (pb[first] ?? -1) - (pa[first] ?? -1);
    if (d !== 0) return d;
    for (const label of LABELS) {
      const dl = (pb[label] ?? -1) - (pa[label] ?? -1);
      if (dl !== 0) return dl;
    }
    return name(a).localeCompare(name(b));
  };
}

export function buildTriage(output: Pick<PredictOutput, "labels" | "slices" | "failures">, csvPath: string, model: string): TriageResult {
  const groups = new Map<string, TriageStudy>();
  for (const s of output.slices) {
    const studyUid = s.studyUid ?? "(no study UID)";
    const seriesUid = s.seriesUid ?? "(no series UID)";
    const key = `${studyUid}\u0000${seriesUid}`;
    let study = groups.get(key);
    if (!study) {
      study = { studyUid, seriesUid, patientId: s.patientId ?? null, max: {}, slices: [] };
      groups.set(key, study);
    }
    const slice: TriageSlice = { file: s.file, id: s.id, probabilities: { ...s.probabilities } };
    study.slices.push(slice);
    for (const [label, p] of Object.entries(s.probabilities) as [Label, number][]) study.max[label] = Math.max(study.max[label] ?? 0, p);
  }
  const studies = [...groups.values()];
  for (const study of studies) study.slices.sort(byLabelDescending((s: TriageSlice) => s.probabilities, (s) => s.file));
  studies.sort(byLabelDescending((s: TriageStudy) => s.max, (s) => `${s.studyUid}/${s.seriesUid}`));
  const labels = output.labels.length > 0 ? LABELS.filter((l) => output.labels.includes(l)) : [...LABELS];
  return { csvPath, model, labels, studies, failures: output.failures };
}

/** Studies (and their slices) re-sorted by another label's probability, highest first; the input is left as is. */
export function sortStudiesBy(studies: readonly TriageStudy[], label: Label): TriageStudy[] {
  return studies
    .map((study) => ({ ...study, slices: [...study.slices].sort(byLabelDescending((s: TriageSlice) => s.probabilities, (s) => s.file, label)) }))
    .sort(byLabelDescending((s: TriageStudy) => s.max, (s) => `${s.studyUid}/${s.seriesUid}`, label));
}
