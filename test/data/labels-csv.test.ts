import { describe, expect, it } from "vitest";
import { LabelsError, describeLabelIssues, parseLabelsCsv } from "../../src/core/data/labels-csv";
import { LABELS } from "../../src/shared/labels";

function longCsv(rows: [string, string, number][]): string {
  return ["ID,Label", ...rows.map(([id, label, v]) => `ID_${id}_${label},${v}`)].join("\n");
}

describe("parseLabelsCsv", () => {
  it("reads the RSNA long form into six values per image in LABELS order", () => {
    const rows: [string, string, number][] = LABELS.map((l, i) => ["abc123", l, i % 2]);
    const table = parseLabelsCsv(longCsv(rows));
    expect([...table.labels.keys()]).toEqual(["ID_abc123"]);
    expect(Array.from(table.labels.get("ID_abc123")!)).toEqual(LABELS.map((_, i) => i % 2));
    expect(table.duplicateRows).toBe(0);
    expect(table.conflicts).toEqual([]);
    expect(table.incomplete).toEqual([]);
  });

  it("tolerates identical duplicate rows and reports conflicting ones", () => {
    const rows: [string, string, number][] = [...LABELS.map((l): [string, string, number] => ["aa", l, 0]), ["aa", "any", 0], ["aa", "subdural", 1]];
    const table = parseLabelsCsv(longCsv(rows), "train.csv");
    expect(table.duplicateRows).toBe(1);
    expect(table.conflicts).toEqual([{ imageId: "ID_aa", label: "subdural", values: [0, 1] }]);
    expect(table.labels.get("ID_aa")![LABELS.indexOf("subdural")]).toBe(0);
    const notes = describeLabelIssues(table, "train.csv").join("\n");
    expect(notes).toMatch(/1 duplicated/);
    expect(notes).toMatch(/conflicting.*ID_aa_subdural = 0 and 1/);
  });

  it("lists images with missing labels", () => {
    const table = parseLabelsCsv(longCsv([["bb", "any", 1]]));
    expect(table.incomplete).toEqual(["ID_bb"]);
    expect(Array.from(table.labels.get("ID_bb")!)).toEqual([1, 0, 0, 0, 0, 0]);
  });

  it("reads the wide form (one column per label)", () => {
    const text = `ID,${LABELS.join(",")}\nID_x1.jpg,1,0,0,0,0,1\nID_x2,0,0,0,0,0,0\nID_x2,0,0,0,0,0,0\n`;
    const table = parseLabelsCsv(text);
    expect(Array.from(table.labels.get("ID_x1")!)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(table.duplicateRows).toBe(1);
  });

  it("names the file and line of a bad value or ID", () => {
    expect(() => parseLabelsCsv("ID,Label\nID_ab_any,2\n", "f.csv")).toThrow(/f\.csv: line 2: label value must be 0 or 1, got '2'/);
    expect(() => parseLabelsCsv("ID,Label\nID_ab_bleed,1\n", "f.csv")).toThrow(LabelsError);
    expect(() => parseLabelsCsv("Image,Value\n", "f.csv")).toThrow(/f\.csv: expected columns/);
  });
});
