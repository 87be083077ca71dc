import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset } from "../../src/core/data/dataset";
import { validateExperiment } from "../../src/core/experiment";
import type { RunEvaluation } from "../../src/core/predict/run-evaluation";
import { RunStore } from "../../src/core/runs";
import type { ProgressEvent } from "../../src/core/runs/types";
import { writeSyntheticDataset } from "../../src/core/synth";
import { train } from "../../src/core/train/train";
import { truncate } from "../helpers/plant-dicom";

const root = mkdtempSync(join(tmpdir(), "ich-bad-"));
let files: string[];
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  const set = await writeSyntheticDataset({ out: join(root, "data"), patients: 4, slices: 5, seed: 11, size: 32 });
  files = set.files.map((f) => (f.startsWith("/") ? f : join(root, "data", f)));
}, 60_000);

function config(maxBadImageShare: number | undefined) {
  return validateExperiment(
    {
      data: { kind: "rsna", dicomDir: "data", labelsCsv: "data/labels.csv", split: { by: "patient", validationFraction: 0.25, seed: 1 } },
      input: { size: 32 },
      model: { architecture: "small-cnn", dropout: 0 },
      train: { epochs: 1, batchSize: 8, schedule: { kind: "constant", lr: 0.001 }, seed: 2, backend: "wasm", ...(maxBadImageShare === undefined ? {} : { maxBadImageShare }), workers: 1 },
    },
    join(root, "bad.ich.json"),
  );
}

describe("training survives bad images", () => {
  it("a run over a folder with a truncated slice completes, skips it and names it in run.json", async () => {
    // The reproduction: 5,000 bytes cut off one file (a 32 px slice is ~3 KB, so cut to its header).
    // Default train.maxBadImageShare (0.01): one bad image in a small folder is still tolerated.
    const victim = (await openDataset(config(undefined))).train[1].source;
    if (victim.kind !== "dicom") throw new Error("expected a DICOM sample");
    truncate(victim.file, 1500);
    const store = new RunStore(join(root, "runs"));
    const events: ProgressEvent[] = [];
    const result = await train({ config: config(undefined), runStore: store, loaderWorkers: 0, onEvent: (e) => events.push(e) });
    expect(result.status).toBe("completed");
    const record = await store.get(result.runId);
    expect(record.badImages?.map((b) => b.file)).toEqual([victim.file]);
    expect(record.badImages?.[0].reason).toMatch(/^pixel data is truncated/);
    expect(record.badImageCount).toBe(1);
    const warnings = events.filter((e) => e.type === "warning").map((e) => (e as { message: string }).message);
    expect(warnings.filter((w) => w.startsWith(`skipped unreadable training image ${victim.file}: `))).toHaveLength(1);
    expect((JSON.parse(readFileSync(store.paths(result.runId).evalJson, "utf8")) as RunEvaluation).samples).toBeGreaterThan(0);
  }, 120_000);

  it("fails when the bad images exceed train.maxBadImageShare, naming the count and a file", async () => {
    for (const f of files.slice(5, 12)) truncate(f, 1500);
    const store = new RunStore(join(root, "runs-fail"));
    await expect(train({ config: config(0.05), runStore: store, loaderWorkers: 0 })).rejects.toThrow(/\d+ of \d+ training images are unreadable \(more than train\.maxBadImageShare 0\.05 allows: \d+\); e\.g\. .*ID_\w+\.dcm: .*truncated/);
    const [run] = await store.list();
    expect(run.status).toBe("failed");
    expect(run.badImages!.length).toBeGreaterThan(0);
  }, 120_000);
});
