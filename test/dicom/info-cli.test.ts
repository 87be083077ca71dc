import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli } from "../helpers/bundle-cli";
import type { InfoFailure, InfoRecord } from "../../src/cli/commands/info";
import { HAS_SHARED_DATA, readReference, SHARED_DATA } from "../helpers/shared-data";
import { makeDicom, uint16le } from "./make-dicom";

let cli = "";
let removeCli = () => {};
const data = mkdtempSync(join(tmpdir(), "ich-info-"));

beforeAll(async () => {
  ({ cli, remove: removeCli } = await bundleCli("info"));
  writeFileSync(join(data, "a.dcm"), makeDicom({ rows: 2, columns: 2, intercept: "-1024", slope: "1" }, uint16le([0, 1000, 2000, 3000])));
  mkdirSync(join(data, "nested", "deeper"), { recursive: true });
  writeFileSync(join(data, "nested", "deeper", "b.dcm"), makeDicom({ rows: 1, columns: 2, bitsStored: 12, intercept: "0" }, uint16le([10, 30])));
  writeFileSync(join(data, "nested", "notes.txt"), "not a dicom");
  writeFileSync(join(data, "broken.dcm"), "this is not DICOM at all, just text that is long enough to be read");
  writeFileSync(join(data, "blank-photometric.dcm"), makeDicom({ rows: 2, columns: 2, photometric: "  " }, uint16le([0, 10, 20, 30])));
  mkdirSync(join(data, "many"));
  // Enough output (~250 KiB of JSON) to outlast a pipe buffer after the reader has gone.
  const small = makeDicom({ rows: 1, columns: 1 }, uint16le([5]));
  for (let i = 0; i < 400; i++) writeFileSync(join(data, "many", `${String(i).padStart(3, "0")}.dcm`), small);
});

afterAll(() => removeCli());

function ich(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  const lines = result.stdout.trim().split("\n").filter(Boolean);
  const json = () => lines.map((l) => JSON.parse(l) as InfoRecord & Partial<InfoFailure>);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json };
}

describe("ich info (bundled CLI)", () => {
  it("reports statistics per file, one JSON line each, and exit 1 when one input is broken", () => {
    const run = ich("info", "--json", join(data, "a.dcm"), join(data, "broken.dcm"), join(data, "missing.dcm"));
    expect(run.status).toBe(1);
    const [a, broken, missing] = run.json();
    expect(a).toMatchObject({ file: join(data, "a.dcm"), rows: 2, columns: 2, frames: 1, modality: "CT", transferSyntaxUid: "1.2.840.10008.1.2.1" });
    expect([a.min, a.max, a.mean, a.rsnaFixApplies]).toEqual([-1024, 1976, 476, false]);
    expect(broken).toMatchObject({ file: join(data, "broken.dcm"), code: "not-dicom" });
    expect(missing).toMatchObject({ file: join(data, "missing.dcm"), code: "not-found" });
  });

  it("expands folders recursively to their .dcm files; statistics are before the RSNA fix", () => {
    const run = ich("info", "--json", join(data, "nested"));
    expect(run.status).toBe(0);
    const records = run.json();
    expect(records.map((r) => r.file)).toEqual([join(data, "nested", "deeper", "b.dcm")]);
    expect(records[0]).toMatchObject({ rsnaFixApplies: true, min: 10, max: 30, mean: 20 });
  });

  it("prints readable text, errors on stderr", () => {
    const run = ich("info", join(data, "a.dcm"), join(data, "broken.dcm"));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("1.2.840.10008.1.2.1 (Explicit VR Little Endian)");
    expect(run.stdout).toMatch(/min -1024, max 1976, mean 476/);
    expect(run.stderr).toContain(`${join(data, "broken.dcm")}: not a DICOM file`);
  });

  it("a folder without .dcm files is a failure of that folder", () => {
    const empty = join(data, "empty-folder");
    mkdirSync(empty, { recursive: true });
    const run = ich("info", "--json", empty, join(data, "a.dcm"));
    expect(run.status).toBe(1);
    expect(run.json()[0]).toEqual({ file: empty, error: "folder contains no .dcm files", code: "is-directory" });
    expect(run.json()[1].rows).toBe(2);
  });

  it("usage errors exit 2", () => {
    expect(ich("info").status).toBe(2);
    expect(ich("info", "--jobs", "0", join(data, "a.dcm")).status).toBe(2);
    expect(ich("info", "--bogus").status).toBe(2);
  });

  it.skipIf(!HAS_SHARED_DATA)("whole corpus and the RSNA series in one call match the reference", () => {
    const run = ich("info", "--json", join(SHARED_DATA, "dicom-corpus"), join(SHARED_DATA, "rsna-samples"));
    expect(run.status).toBe(1); // the corpus holds two broken-on-purpose files
    const records = new Map(run.json().map((r) => [r.file, r]));
    const references = [
      ...readReference("dicom-corpus").map((row) => ({ ...row, path: join(SHARED_DATA, "dicom-corpus", row.file) })),
      ...readReference("rsna-samples").map((row) => ({ ...row, path: join(SHARED_DATA, "rsna-samples", row.file) })),
    ];
    expect(records.size).toBe(references.length);
    for (const row of references) {
      const record = records.get(row.path)!;
      expect(record, row.file).toBeDefined();
      if (row.decode.startsWith("FAIL")) {
        expect(record.error, row.file).toBeTruthy();
        continue;
      }
      expect([record.rows, record.columns, record.frames], row.file).toEqual([row.rows, row.cols, row.frames]);
      const tolerance = row.lossy ? 0.005 * Math.max(Math.abs(row.hu_mean), (row.hu_max - row.hu_min) * 0.05) : 1e-3;
      expect(Math.abs(record.mean - row.hu_mean), row.file).toBeLessThanOrEqual(tolerance);
      if (!row.lossy) expect([record.min, record.max], row.file).toEqual([row.hu_min, row.hu_max]);
    }
  });

  it("a blank PhotometricInterpretation is read as MONOCHROME2 and reported as a warning by info and render", () => {
    const file = join(data, "blank-photometric.dcm");
    const json = ich("info", "--json", file);
    expect(json.status).toBe(0);
    expect(json.json()[0]).toMatchObject({ photometricInterpretation: "MONOCHROME2", warnings: ["PhotometricInterpretation is blank; read as MONOCHROME2"] });
    expect(ich("info", file).stdout).toContain("warning           PhotometricInterpretation is blank; read as MONOCHROME2");
    const out = join(data, "blank.png");
    const render = ich("render", file, "--window", "40,20", "--out", out);
    expect(render.stderr).toBe(`ich render: ${file}: warning: PhotometricInterpretation is blank; read as MONOCHROME2\n`);
    expect(render.status).toBe(0);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe("PNG");
  });

  it("a corrupt length field is reported as corrupt, naming the element", () => {
    const bytes = makeDicom({ rows: 2, columns: 2 }, uint16le([0, 10, 20, 30]));
    const view = new DataView(bytes.buffer);
    let modality = 132;
    while (!(view.getUint16(modality, true) === 0x0008 && view.getUint16(modality + 2, true) === 0x0060)) modality += 2;
    view.setUint16(modality + 6, 0x2000, true);
    const file = join(data, "corrupt-length.dcm");
    writeFileSync(file, bytes);
    const run = ich("info", "--json", file);
    expect(run.status).toBe(1);
    expect(run.json()[0]).toMatchObject({ file, code: "corrupt" });
    expect(run.json()[0].error).toMatch(/^element \(0008,0060\) at offset \d+: length 8192 exceeds the remaining \d+ bytes \(corrupt length field/);
  });

  it("stops quietly when the reader of stdout goes away (| head -1)", () => {
    const run = spawnSync("bash", ["-c", `set -o pipefail; "$0" "$1" info --json "$2" | head -1`, process.execPath, cli, join(data, "many")], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ file: join(data, "many", "000.dcm"), rows: 1 });
  });
});
