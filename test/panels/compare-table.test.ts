import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareTable, compareTableCsvRows } from "../../src/shared/compareTable";
import { toCsv } from "../../src/shared/csv";
import { toMetricsPoint } from "../../src/extension/panels/logic/runData";
import { JsonlTail } from "../../src/extension/panels/logic/tail";
import { readEvaluation, readRunSummary } from "../../src/extension/panels/runFolder";
import { parseCompareToWebview, type CompareRunData } from "../../src/protocol/compare";
import type { MetricsPoint } from "../../src/protocol/dashboard";
import { makeRun, tempDir } from "./helpers";

async function load(dir: string): Promise<CompareRunData> {
  const points = (await new JsonlTail(join(dir, "metrics.jsonl")).read()).lines.map(toMetricsPoint).filter((p): p is MetricsPoint => p !== null);
  return { run: await readRunSummary(dir), points, evaluation: await readEvaluation(dir) };
}

describe("compare table of generated runs", () => {
  it("marks the best value per row in the right direction and lists only differing config keys", async () => {
    const root = tempDir();
    const a = await makeRun(root, { name: "cnn", architecture: "small-cnn", epochs: 3, lr: 0.003, base: 0.2, parameters: 5000 });
    const b = await makeRun(root, { name: "alex", architecture: "alexnet", epochs: 3, lr: 0.001, base: 0.4, parameters: 90000 });
    const runs = [await load(a.dir), await load(b.dir)];
    expect(parseCompareToWebview({ type: "runs", runs })).not.toBeNull();
    const sections = compareTable(runs);
    const row = (section: string, label: string) => sections.find((s) => s.id === section)!.rows.find((r) => r.label === label)!;
    // base 0.2 has the lower losses; AUCs are equal (same epochs) so both are best.
    expect(row("metrics", "Weighted log loss").best).toEqual([0]);
    expect(row("metrics", "Validation loss").best).toEqual([0]);
    expect(row("metrics", "Mean AUC").best).toEqual([0, 1]);
    expect(row("overview", "Parameters").best).toEqual([0]);
    expect(row("overview", "Architecture").cells).toEqual(["small-cnn", "alexnet"]);
    expect(sections.find((s) => s.id === "config")!.rows.map((r) => r.label)).toEqual(["model.architecture", "name", "train.schedule.lr"]);
  });

  it("shows what computed the training steps when some run recorded it, a dash for older runs, and no row when none did", async () => {
    const root = tempDir();
    const a = await makeRun(root, { name: "onnx", architecture: "small-cnn", epochs: 1, lr: 0.003, base: 0.2, parameters: 5000 });
    await a.handle.update({ trainingEngine: "ONNX Runtime 1.30.0 on the CPU, 2 threads" });
    const b = await makeRun(root, { name: "old", architecture: "small-cnn", epochs: 1, lr: 0.001, base: 0.4, parameters: 5000 });
    const runs = [await load(a.dir), await load(b.dir)];
    const overview = (data: CompareRunData[]) => compareTable(data).find((s) => s.id === "overview")!.rows;
    const rows = overview(runs);
    expect(rows.find((r) => r.label === "Training steps")!.cells).toEqual(["ONNX Runtime 1.30.0 on the CPU, 2 threads", "—"]);
    // The numeric overview rows still carry their numbers and best column after the inserted row.
    expect(rows.find((r) => r.label === "Parameters")!.numbers).toEqual([5000, 5000]);
    expect(rows.find((r) => r.label === "Images / s")!.numbers).toHaveLength(2);
    expect(overview([runs[1]]).map((r) => r.label)).not.toContain("Training steps");
  });

  it("exports every row as CSV with the run names as header and full-precision numbers", async () => {
    const root = tempDir();
    const dirs = [];
    for (let i = 0; i < 20; i++) dirs.push((await makeRun(root, { name: `run ${i}, v2`, architecture: i % 2 ? "alexnet" : "small-cnn", epochs: 1, lr: 0.001 * (i + 1), base: 0.2 + i / 100, parameters: 1000 + i })).dir);
    const runs = await Promise.all(dirs.map(load));
    const rows = compareTableCsvRows(runs);
    expect(rows[0]).toHaveLength(22);
    const csv = toCsv(rows);
    expect(csv.split("\r\n")[0]).toBe(`section,row,${runs.map((r) => `"${r.run.name}"`).join(",")}`);
    const wll = rows.find((r) => r[1] === "Weighted log loss")!;
    expect(wll[2]).toBe(runs[0].points.filter((p) => p.kind === "epoch").map((p) => (p.kind === "epoch" ? p.val!.weightedLogLoss : 0))[0]);
    expect(rows.filter((r) => r[0] === "config").map((r) => r[1])).toEqual(["model.architecture", "name", "train.schedule.lr"]);
  });
});
