// `ich clean` as a user runs it: the bundled CLI as a process (with its dataset worker threads) on an
// ich synth folder with planted problems, checking what it prints and the two files it writes.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CleanReport } from "../../src/core/dataset/types";
import { bundleCli } from "../helpers/bundle-cli";
import { fillPixels, setText, truncate } from "../helpers/plant-dicom";

let dir: string;
let data: string;
let labelsCsv: string;
let cli: { cli: string; remove: () => void };
let files: string[];
let anyOf: Map<string, number>;
const ich = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli.cli, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const id = (file: string) => basename(file, ".dcm");
const readReport = (out: string) => JSON.parse(readFileSync(join(out, "clean-report.json"), "utf8")) as CleanReport;
const readExclusions = (out: string) => parse<{ ID: string; file: string; reason: string }>(readFileSync(join(out, "exclude.csv"), "utf8"), { columns: true });

// The planted problems, by role (set up in beforeAll).
const planted: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ich-clean-cli-"));
  cli = await bundleCli("clean");
  data = join(dir, "data");
  expect(ich("synth", "--out", data, "--patients", "4", "--slices", "6", "--size", "48", "--seed", "5").code).toBe(0);
  expect(ich("synth", "--out", join(dir, "small"), "--patients", "1", "--slices", "2", "--size", "32", "--seed", "8").code).toBe(0);
  labelsCsv = join(data, "labels.csv");
  files = readdirSync(data).filter((f) => f.endsWith(".dcm")).sort().map((f) => join(data, f));
  let rows = readFileSync(labelsCsv, "utf8").trimEnd().split("\n");
  anyOf = new Map(rows.filter((r) => /_any,/.test(r)).map((r) => [r.split("_any,")[0], Number(r.split(",")[1])]));
  const negatives = files.filter((f) => anyOf.get(id(f)) === 0);
  const rowsOf = (image: string) => rows.filter((r) => r.startsWith(`${image}_`));
  const pick = (role: string, from = files) => {
    const file = from.find((f) => !Object.values(planted).includes(id(f)))!;
    planted[role] = id(file);
    return file;
  };

  truncate(pick("truncated"), 3000);
  setText(pick("mr"), "x00080060", "MR");
  setText(pick("rgb"), "x00280004", "RGB");
  fillPixels(pick("blank", negatives), 0); // a near-empty negative slice: the seed's notebook 01 drops these
  const unlabelled = pick("unlabelled");
  rows = rows.filter((r) => !r.startsWith(`${id(unlabelled)}_`));
  const repeated = pick("repeated");
  rows.push(rowsOf(id(repeated))[0]);
  const conflicting = pick("conflicting");
  const subdural = rowsOf(id(conflicting)).find((r) => r.includes("_subdural,"))!;
  rows.push(subdural.replace(/,(\d)$/, (_, v: string) => `,${1 - Number(v)}`));
  const mismatch = pick("mismatch", negatives);
  rows = rows.map((r) => (r.startsWith(`${id(mismatch)}_epidural,`) ? r.replace(/,\d$/, ",1") : r));
  const incomplete = pick("incomplete");
  rows = rows.filter((r) => !r.startsWith(`${id(incomplete)}_intraventricular,`));
  // Two copies under new names, one sorting after its original and one before: the later path is the duplicate.
  const original = pick("original");
  copyFileSync(original, join(data, "ID_fffffffff.dcm"));
  planted.copy = "ID_fffffffff";
  rows.push(...rowsOf(id(original)).map((r) => r.replace(id(original), planted.copy)));
  const later = pick("later");
  copyFileSync(later, join(data, "ID_000000000.dcm"));
  planted.earlier = "ID_000000000";
  rows.push(...rowsOf(id(later)).map((r) => r.replace(id(later), planted.earlier)));
  rows.push(...["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"].map((l) => `ID_00000dead_${l},0`));
  const small = readdirSync(join(dir, "small")).filter((f) => f.endsWith(".dcm")).sort()[0];
  copyFileSync(join(dir, "small", small), join(data, small));
  planted.small = id(small);
  rows.push(...readFileSync(join(dir, "small", "labels.csv"), "utf8").split("\n").filter((r) => r.startsWith(`${id(small)}_`)));
  writeFileSync(labelsCsv, `${rows.join("\n")}\n`);
}, 180_000);

afterAll(() => {
  cli?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("ich clean (bundled CLI) on a mixed folder", () => {
  let out: string;
  let run: ReturnType<typeof ich>;
  beforeAll(() => {
    out = join(dir, "report");
    run = ich("clean", data, "--labels", labelsCsv, "--out", out, "--workers", "2");
  }, 120_000);

  it("exits 0 and prints the files checked, each issue kind with its count, and the exclusion list", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = readReport(out);
    // the truncated file is the one that cannot be decoded
    expect(run.stdout).toContain(`${report.files} files checked in ${data}, ${report.files - 1} decoded, 1 unreadable, `);
    for (const [kind, n] of Object.entries(report.counts)) expect(run.stdout).toMatch(new RegExp(`^  ${kind}: ${n}$`, "m"));
    expect(run.stdout).toContain(`${report.excluded} images on the exclusion list ${join(out, "exclude.csv")}`);
  });

  it("finds every planted problem, on the planted image", () => {
    const report = readReport(out);
    expect(report.files).toBe(files.length + 3);
    const kinds = (image: string) => report.issues.filter((i) => i.id === image).map((i) => i.kind);
    expect(kinds(planted.truncated)).toContain("unreadable");
    expect(report.issues.find((i) => i.id === planted.truncated && i.kind === "unreadable")!.detail).toMatch(/truncated/);
    expect(kinds(planted.mr)).toContain("not-ct");
    expect(kinds(planted.rgb)).toContain("colour");
    expect(kinds(planted.blank)).toContain("low-brain-content");
    expect(kinds(planted.unlabelled)).toContain("no-labels");
    expect(kinds(planted.repeated)).toContain("duplicate-label-row");
    expect(kinds(planted.conflicting)).toContain("conflicting-labels");
    expect(kinds(planted.mismatch)).toContain("any-mismatch");
    expect(kinds(planted.incomplete)).toContain("incomplete-labels");
    expect(kinds("ID_00000dead")).toEqual(["missing-file"]);
    expect(kinds(planted.small)).toEqual(["unusual-size"]);
    const duplicates = report.issues.filter((i) => i.kind === "duplicate-sop-uid");
    expect(duplicates.map((i) => i.id).sort()).toEqual([planted.later, planted.copy].sort());
    expect(duplicates.find((i) => i.id === planted.later)!.detail).toContain(`also in ${planted.earlier}.dcm`);
    expect(report.usualSize).toEqual({ rows: 48, columns: 48, files: files.length + 2 });
    expect(report.counts["no-labels"]).toBe(1);
    expect(report.counts["missing-file"]).toBe(1);
  });

  it("writes an exclusion CSV (ID,file,reason) of the broken images only, each naming its file", () => {
    expect(readFileSync(join(out, "exclude.csv"), "utf8").split("\n")[0]).toBe("ID,file,reason");
    const rows = readExclusions(out);
    const broken = [planted.truncated, planted.mr, planted.rgb, planted.conflicting, planted.mismatch, planted.incomplete, planted.copy, planted.later];
    expect(rows.map((r) => r.ID).sort()).toEqual([...broken].sort());
    for (const r of rows) {
      expect(r.file).toBe(`${r.ID}.dcm`);
      expect(existsSync(join(data, r.file))).toBe(true);
    }
    expect(rows.find((r) => r.ID === planted.mr)!.reason).toBe("not-ct");
    // No valid file is lost: every file that is not broken stays out of the list.
    const valid = readdirSync(data).filter((f) => f.endsWith(".dcm")).map(id).filter((image) => !broken.includes(image));
    expect(valid.length).toBe(files.length + 3 - broken.length);
    for (const image of valid) expect(rows.map((r) => r.ID)).not.toContain(image);
  });

  it("prints the same summary as JSON with --json, and by default writes into DIR/ich-clean", () => {
    const r = ich("clean", data, "--labels", labelsCsv, "--json");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Omit<CleanReport, "issues"> & { issues: number };
    const saved = readReport(join(data, "ich-clean"));
    expect(summary.counts).toEqual(readReport(out).counts);
    expect(summary.counts).toEqual(saved.counts);
    expect(summary.issues).toBe(saved.issues.length);
    expect([summary.decoded, summary.unreadable]).toEqual([saved.files - 1, 1]);
    expect(summary.exclusionCsv).toBe(join(data, "ich-clean", "exclude.csv"));
  });

  it("moves the low-brain threshold with --low-brain, and excludes flagged negatives with --exclude-low-brain", () => {
    const none = join(dir, "none");
    expect(ich("clean", data, "--labels", labelsCsv, "--out", none, "--low-brain", "0").code).toBe(0);
    expect(readReport(none).counts["low-brain-content"]).toBeUndefined();
    const strict = join(dir, "strict");
    expect(ich("clean", data, "--labels", labelsCsv, "--out", strict, "--exclude-low-brain").code).toBe(0);
    const flagged = readReport(strict).issues.filter((i) => i.kind === "low-brain-content");
    const excluded = readExclusions(strict);
    const line = excluded.find((r) => r.ID === planted.blank)!;
    expect(line.reason).toBe("low-brain-content");
    expect(line.file).toBe(`${planted.blank}.dcm`);
    // A flagged slice is excluded when it has no bleed (or was excluded anyway); a bleed never for low content.
    const before = readExclusions(out).map((r) => r.ID);
    for (const issue of flagged) expect(excluded.some((r) => r.ID === issue.id)).toBe(anyOf.get(issue.id) !== 1 || before.includes(issue.id));
  });

  it("checks only an experiment's data.where subset", () => {
    const config = join(dir, "bleeds.ich.json");
    writeFileSync(config, JSON.stringify({ name: "bleeds", data: { kind: "rsna", dicomDir: "data", labelsCsv: "data/labels.csv", where: { any: 1 }, split: { by: "patient" } } }));
    const subset = join(dir, "subset");
    const r = ich("clean", config, "--out", subset);
    expect(r.code).toBe(0);
    const report = readReport(subset);
    const positives = readdirSync(data).filter((f) => f.endsWith(".dcm")).map(id).filter((image) => {
      const rows = readFileSync(labelsCsv, "utf8").split("\n").filter((row) => row.startsWith(`${image}_any,`));
      return rows.length > 0 && rows.every((row) => row.endsWith(",1"));
    });
    expect(report.files).toBe(positives.length);
    expect(report.where).toEqual({ any: 1 });
    for (const issue of report.issues) expect(positives).toContain(issue.id);
    expect(report.issues.some((i) => i.id === planted.mr)).toBe(anyOf.get(planted.mr) === 1);
  });

  it("refuses a folder that does not exist with a message naming it (exit 1)", () => {
    const missing = join(dir, "no-such-folder");
    const r = ich("clean", missing);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${missing}: no such folder or experiment file`);
  });
});
