// `ich explore` as a user runs it: the bundled CLI as a process on an ich synth folder, with the
// ich clean report beside it and an experiment file for the augmentation re-roll.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AugmentationPreview, ExploreSummary } from "../../src/core/dataset/explore-types";
import type { CleanReport } from "../../src/core/dataset/types";
import { bundleCli } from "../helpers/bundle-cli";

let dir: string;
let cli: { cli: string; remove: () => void };
const ich = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli.cli, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** The last line of `ich explore --json`: an ExploreSummary, or an AugmentationPreview with --augment-only. */
const lastJson = <T = ExploreSummary>(stdout: string) => JSON.parse(stdout.trimEnd().split("\n").at(-1)!) as T;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ich-explore-cli-"));
  cli = await bundleCli("explore");
  expect(ich("synth", "--out", join(dir, "data"), "--patients", "3", "--slices", "4", "--size", "32", "--seed", "2").code).toBe(0);
}, 120_000);

afterAll(() => {
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe("ich explore (bundled CLI)", () => {
  it("summarises the folder as text, and shows the ich clean report once there is one", () => {
    const data = join(dir, "data");
    const before = ich("explore", data);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain(`${data}: 12 files (12 DICOM, 0 PNG/JPG, 0 unreadable headers), 3 patients, 3 studies, 3 series`);
    expect(before.stdout).toMatch(/co-occurrence/);
    expect(before.stdout).toContain("cleaning report: none (run 'ich clean')");
    expect(ich("clean", data, "--labels", join(data, "labels.csv")).code).toBe(0);
    const after = lastJson(ich("explore", data, "--json").stdout).clean!;
    expect(after.file).toBe(join(data, "ich-clean", "clean-report.json"));
    expect(after.files).toBe(12);
    const report = JSON.parse(readFileSync(after.file, "utf8")) as CleanReport;
    expect(after.counts).toEqual(report.counts);
    expect(after.issues).toEqual(report.issues);
    expect(after.totalIssues).toBe(report.issues.length);
  });

  it("re-draws only the augmentation preview of the given files with --augment-only and a seed", () => {
    const config = join(dir, "exp.ich.json");
    writeFileSync(config, JSON.stringify({ name: "e", data: { kind: "rsna", dicomDir: "data", labelsCsv: "data/labels.csv", split: { by: "patient", validationFraction: 0.3, seed: 1 } }, input: { windows: ["brain"], size: 32 }, model: { architecture: "small-cnn" }, train: { epochs: 1, batchSize: 2, augment: { rotate: { p: 1, degrees: 30 } } } }));
    const full = lastJson(ich("explore", config, "--json", "--seed", "3").stdout);
    expect(full.experiment).toBe(config);
    const preview = full.augmentation!;
    const files = preview.slices.map((s) => s.file);
    expect(files.length).toBeGreaterThan(0);
    const again = ich("explore", config, "--augment-only", "--seed", "3", "--json", "--", ...files);
    expect(again.code).toBe(0);
    expect(lastJson<AugmentationPreview>(again.stdout).slices.map((s) => s.augmented)).toEqual(preview.slices.map((s) => s.augmented));
    const rerolled = lastJson<AugmentationPreview>(ich("explore", config, "--augment-only", "--seed", "4", "--json", "--", ...files).stdout);
    expect(rerolled.seed).toBe(4);
    expect(rerolled.slices[0].augmented).not.toEqual(preview.slices[0].augmented);
  });

  it("reports bad command lines (exit 2) and a missing folder (exit 1) by name", () => {
    const usage = ich("explore");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing DIR or CONFIG");
    expect(ich("explore", dir, "--samples", "99").stderr).toContain("--samples must be an integer from 0 to 16");
    const missing = ich("explore", join(dir, "absent"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${join(dir, "absent")}: no such folder or experiment file`);
  });
});
