import { describe, expect, it } from "vitest";
import { readPredictOutput } from "../../src/protocol/engine-output";
import { buildTriage, sortStudiesBy } from "../../src/shared/triage";
import { parseTriageFromWebview, parseTriageToWebview } from "../../src/protocol/triage";

const slice = (file: string, study: string, any: number, subdural: number) => ({
  file,
  id: `ID_${file}`,
  patientId: `P_${study}`,
  studyUid: study,
  seriesUid: `${study}.1`,
  probabilities: { any, epidural: 0.01, intraparenchymal: 0.02, intraventricular: 0.03, subarachnoid: 0.04, subdural },
});

describe("triage table", () => {
  const output = JSON.stringify({
    labels: ["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"],
    tta: false,
    slices: [slice("a1", "A", 0.2, 0.1), slice("b1", "B", 0.7, 0.05), slice("a2", "A", 0.9, 0.3), slice("c1", "C", 0.1, 0.8), slice("b2", "B", 0.4, 0.6)],
    studies: [],
    failures: [{ file: "bad.dcm", error: "not DICOM" }],
    engine: null,
  });

  it("sorts studies by the max `any` over their slices and slices by `any`, with per-label maxima", () => {
    const result = buildTriage(readPredictOutput(output), "/x/pred.csv", "run-1");
    expect(result.studies.map((s) => s.studyUid)).toEqual(["A", "B", "C"]);
    expect(result.studies[0].slices.map((s) => s.file)).toEqual(["a2", "a1"]);
    expect(result.studies[1].max).toMatchObject({ any: 0.7, subdural: 0.6 });
    expect(result.studies[1].patientId).toBe("P_B");
    expect(result.failures).toEqual([{ file: "bad.dcm", error: "not DICOM" }]);
    expect(parseTriageToWebview({ type: "result", result })).not.toBeNull();
  });

  it("re-sorts studies and their slices by another label without changing the original order", () => {
    const result = buildTriage(readPredictOutput(output), "/x/pred.csv", "run-1");
    const bySubdural = sortStudiesBy(result.studies, "subdural");
    expect(bySubdural.map((s) => s.studyUid)).toEqual(["C", "B", "A"]);
    expect(bySubdural[1].slices.map((s) => s.file)).toEqual(["b2", "b1"]);
    expect(result.studies.map((s) => s.studyUid)).toEqual(["A", "B", "C"]);
    expect(result.studies[1].slices.map((s) => s.file)).toEqual(["b1", "b2"]);
  });

  it("groups slices without UIDs together and supports any-only models", () => {
    const result = buildTriage({ labels: ["any"], slices: [{ file: "x", id: "x", probabilities: { any: 0.3 } }, { file: "y", id: "y", probabilities: { any: 0.6 } }], failures: [] }, "/p.csv", "m");
    expect(result.labels).toEqual(["any"]);
    expect(result.studies).toHaveLength(1);
    expect(result.studies[0]).toMatchObject({ studyUid: "(no study UID)", max: { any: 0.6 } });
  });

  it("accepts only well-formed webview messages", () => {
    expect(parseTriageFromWebview({ type: "openSlice", file: "/a/b.dcm" })).toEqual({ type: "openSlice", file: "/a/b.dcm" });
    expect(parseTriageFromWebview({ type: "openSlice", file: 3 })).toBeNull();
    expect(parseTriageFromWebview({ type: "openSlice", file: "" })).toBeNull();
    expect(parseTriageFromWebview({ type: "runShell", command: "rm" })).toBeNull();
    expect(parseTriageFromWebview("ready")).toBeNull();
  });
});
