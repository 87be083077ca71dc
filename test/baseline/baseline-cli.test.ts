// `ich baseline-metadata` as a user runs it: the bundled CLI as a process on an ich synth folder,
// alone and beside a trained run's image-model AUCs (--run).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataBaselineReport } from "../../src/core/baseline/run-baseline";
import { LABELS } from "../../src/shared/labels";
import { bundleCli } from "../helpers/bundle-cli";

let dir: string;
let data: string;
let cli: { cli: string; remove: () => void };
const ich = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli.cli, ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** Positive images per label, read from the labels.csv ich synth wrote. */
function positives(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of readFileSync(join(data, "labels.csv"), "utf8").trimEnd().split("\n").slice(1)) {
    const [id, value] = row.split(",");
    const label = id.slice(id.lastIndexOf("_") + 1);
    counts[label] = (counts[label] ?? 0) + Number(value);
  }
  return counts;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ich-baseline-cli-"));
  cli = await bundleCli("baseline");
  data = join(dir, "data");
  expect(ich("synth", "--out", data, "--patients", "10", "--slices", "8", "--size", "32", "--seed", "6").code).toBe(0);
}, 120_000);

afterAll(() => {
  cli?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("ich baseline-metadata (bundled CLI)", () => {
  it("--json: a patient split of every image, per-label AUCs over the labels the folder's table holds", () => {
    const r = ich("baseline-metadata", data, "--json", "--trees", "10", "--validation-fraction", "0.3");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as MetadataBaselineReport;
    const files = readdirSync(data).filter((f) => f.endsWith(".dcm")).length;
    expect(report.root).toBe(data);
    expect(report.labelsFile).toBe(join(data, "labels.csv"));
    expect(report.trainImages + report.validationImages + report.skipped).toBe(files);
    expect(report.trainPatients + report.validationPatients).toBe(10);
    expect(report.validationPatients).toBeGreaterThan(0);
    // Whole patients of 8 slices each on either side.
    expect(report.validationImages).toBe(report.validationPatients * 8);
    expect(report.options).toMatchObject({ trees: 10, validationFraction: 0.3, seed: 42 });
    expect(report.features).toContain("relativePositionInSeries");
    const expected = positives();
    const aucs: number[] = [];
    for (const label of LABELS) {
      const m = report.perLabel[label];
      expect(m.trainPositives + m.validationPositives).toBe(expected[label]);
      const defined = m.validationPositives > 0 && m.validationPositives < report.validationImages;
      if (defined) {
        expect(m.auc).toBeGreaterThanOrEqual(0);
        expect(m.auc).toBeLessThanOrEqual(1);
        aucs.push(m.auc);
      } else {
        expect(m.auc ?? null).toBeNull();
      }
    }
    expect(report.meanAuc).toBeCloseTo(aucs.reduce((a, b) => a + b, 0) / aucs.length, 12);
  });

  it("is deterministic for a seed, and another seed splits other patients", () => {
    const run = (seed: string) => JSON.parse(ich("baseline-metadata", data, "--json", "--trees", "5", "--seed", seed).stdout) as MetadataBaselineReport;
    const a = run("3");
    expect(run("3")).toEqual(a);
    const others = [4, 5, 6, 7].map((seed) => run(String(seed)));
    expect(others.some((b) => LABELS.some((label) => b.perLabel[label].validationPositives !== a.perLabel[label].validationPositives))).toBe(true);
  });

  it("prints a per-label table, and with --run the run's image-model AUCs beside it", () => {
    const config = join(dir, "tiny.ich.json");
    writeFileSync(config, JSON.stringify({
      name: "tiny",
      data: { kind: "rsna", dicomDir: "data", labelsCsv: "data/labels.csv", split: { by: "patient", validationFraction: 0.3, seed: 5 } },
      input: { windows: ["brain"], size: 32 },
      model: { architecture: "small-cnn" },
      train: { epochs: 1, batchSize: 16, backend: "wasm", workers: 1 },
    }));
    const runs = join(dir, "runs");
    expect(ich("train", config, "--runs", runs).code).toBe(0);
    const [runId] = readdirSync(runs);
    const evaluation = JSON.parse(readFileSync(join(runs, runId, "eval.json"), "utf8")) as { perLabel: Record<string, { auc: number | null }>; meanAuc: number; samples: number };

    const r = ich("baseline-metadata", data, "--run", runId, "--runs", runs, "--trees", "10");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[1]).toBe("random forest, 10 trees, 16 header features, split seed 5");
    expect(lines[3]).toMatch(/^label\s+header AUC\s+image AUC\s+positives \(train\/val\)$/);
    for (const label of LABELS) {
      const row = lines.find((l) => l.startsWith(`${label} `))!;
      const image = evaluation.perLabel[label].auc;
      expect(row.trim().split(/\s+/)[2]).toBe(image === null ? "n/a" : image.toFixed(3));
    }
    expect(r.stdout).toContain(`image model: run ${runId}`);
    const json = JSON.parse(ich("baseline-metadata", data, "--run", runId, "--runs", runs, "--trees", "10", "--json").stdout) as MetadataBaselineReport;
    expect(json.options).toMatchObject({ validationFraction: 0.3, seed: 5 });
    expect(json.imageModel?.meanAuc).toBeCloseTo(evaluation.meanAuc, 12);
    // The run's split: the forest is scored on as many images as the run's validation (same patients).
    expect(json.validationImages).toBe(evaluation.samples);
  }, 300_000);

  it("refuses a folder that does not exist, and a run that is not in the store, naming them (exit 1)", () => {
    const missing = join(dir, "nowhere");
    const r = ich("baseline-metadata", missing);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(missing);
    const noRun = ich("baseline-metadata", data, "--run", "no-such-run", "--runs", join(dir, "runs"));
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toContain("no-such-run");
  });
});
