import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dicomTags } from "../../src/core/dicom";
import { HAS_SHARED_DATA, readReference, SHARED_DATA } from "../helpers/shared-data";

describe.skipIf(!HAS_SHARED_DATA)("tag browser rows for every corpus file", () => {
  it("lists Rows/Columns with their values, also for files with broken pixel data", () => {
    for (const row of readReference("dicom-corpus")) {
      const tags = dicomTags(new Uint8Array(readFileSync(join(SHARED_DATA, "dicom-corpus", row.file))), row.file);
      const value = (tag: string) => tags.find((t) => t.tag === tag)?.value;
      expect(tags.length, row.file).toBeGreaterThan(10);
      if (row.decode.startsWith("FAIL")) {
        expect(value("(0028,0010)"), row.file).toMatch(/^\d+$/);
        continue;
      }
      expect([value("(0028,0010)"), value("(0028,0011)")], row.file).toEqual([String(row.rows), String(row.cols)]);
      expect(tags.filter((t) => !(t.name.trim().length > 0 && t.vr.length === 2)), row.file).toEqual([]);
      expect(value("(0002,0010)"), row.file).toContain(row.transfer_syntax.replace(/^none\((.*)\)$/, "$1"));
    }
  });
});
