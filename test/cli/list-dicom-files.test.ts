// ich info's folder listing: every .dcm file in name order, with work that grows as n log n in
// the folder size (it looked every sorted name up again in the entry list: n² name reads).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listDicomFiles } from "../../src/cli/commands/info";

describe("listDicomFiles", () => {
  it("lists .dcm files recursively in name order and skips other files", async () => {
    const root = mkdtempSync(join(tmpdir(), "ich-list-"));
    mkdirSync(join(root, "b-series"));
    for (const name of ["b.dcm", "a.DCM", "notes.txt", "c.dcm"]) writeFileSync(join(root, name), "");
    writeFileSync(join(root, "b-series", "x.dcm"), "");
    expect(await listDicomFiles(root)).toEqual([join(root, "a.DCM"), join(root, "b-series", "x.dcm"), join(root, "b.dcm"), join(root, "c.dcm")]);
  });

  it("reads each entry's name O(log n) times, not O(n), on a folder of thousands of files", async () => {
    const reads = async (n: number) => {
      let nameReads = 0;
      // Entries in reverse order, as readdir may return them; the counter sees every name access.
      const entries = Array.from({ length: n }, (_, i) => {
        const name = `ID_${String(n - i).padStart(6, "0")}.dcm`;
        return {
          get name() {
            nameReads += 1;
            return name;
          },
          isDirectory: () => false,
        };
      });
      const files = await listDicomFiles("/data", async () => entries);
      expect(files).toHaveLength(n);
      expect(files[0]).toBe(join("/data", "ID_000001.dcm"));
      return nameReads;
    };
    const small = await reads(500);
    const large = await reads(4000);
    // 8× the entries: n log n gives ~10× the reads, n² would give 64×.
    expect(large / small).toBeLessThan(16);
    expect(large).toBeLessThan(4000 * 4 * Math.log2(4000));
  });
});
