// What the Runs view and the panels make of bad and copied run folders (no VS Code needed: the
// view's data comes from runFiles.ts and logic/runTree.ts, the panels' from panels/runFolder.ts).
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunStore } from "../../src/core/runs";
import { brokenRunDescription, brokenRunTooltipMarkdown, runTooltipMarkdown } from "../../src/extension/logic/runTree";
import { readRunSummary } from "../../src/extension/panels/runFolder";
import { scanRuns } from "../../src/extension/runsview/runFiles";

const runOptions = { name: "view", config: {}, architecture: "small-cnn", backend: "wasm", device: "cpu", epochsPlanned: 1 };

function freshRoot(): string {
  return join(mkdtempSync(join(tmpdir(), "ich-runs-view-")), "runs");
}

describe("Runs view data", () => {
  it("keeps the good runs and shows a null run.json as a broken item with the reason and folder in its tooltip", async () => {
    const root = freshRoot();
    const good = await new RunStore(root).createRun(runOptions);
    await good.finish("completed");
    mkdirSync(join(root, "20260101-000000-nulled"));
    writeFileSync(join(root, "20260101-000000-nulled", "run.json"), "null");

    const { runs, broken } = await scanRuns(root);
    expect(runs.map((r) => [r.record.id, r.runDir])).toEqual([[good.id, good.dir]]);
    expect(broken).toHaveLength(1);
    const [item] = broken;
    expect(brokenRunDescription(item)).toBe("broken: / must be an object (got null)");
    const tooltip = brokenRunTooltipMarkdown(item);
    expect(tooltip).toContain(`| Folder | ${join(root, "20260101-000000-nulled")} |`);
    expect(tooltip).toContain(`**Problem:** ${join(root, "20260101-000000-nulled", "run.json")}: / must be an object (got null)`);
  });

  it("lists a copied folder under its own name, with the id mismatch as a note in the tooltip", async () => {
    const root = freshRoot();
    const original = await new RunStore(root).createRun(runOptions);
    await original.finish("completed");
    cpSync(original.dir, join(root, "copied"), { recursive: true });
    const { runs } = await scanRuns(root);
    const copy = runs.find((r) => r.runDir === join(root, "copied"));
    expect(copy?.record.id).toBe("copied");
    expect(copy?.note).toContain(`says id '${original.id}', but the folder is 'copied'`);
    expect(runTooltipMarkdown(copy!.record, new Date(), copy!.note)).toContain("**Note:**");
    expect(runs.find((r) => r.runDir === original.dir)?.note).toBeUndefined();
  });

  it("says why when the run store itself cannot be read", async () => {
    const root = freshRoot();
    writeFileSync(root, "a file where the run store folder should be");
    const { runs, broken } = await scanRuns(root);
    expect(runs).toEqual([]);
    expect(broken).toHaveLength(1);
    expect(broken[0].error).toMatch(new RegExp(`^${root}: cannot read the run store \\(ENOTDIR`));
  });
});

describe("panels", () => {
  it("give a copied run folder its folder name as id, so the dashboard and compare tell it from the original", async () => {
    const root = freshRoot();
    const original = await new RunStore(root).createRun(runOptions);
    await original.finish("completed");
    cpSync(original.dir, join(root, "copied"), { recursive: true });
    expect((await readRunSummary(original.dir)).id).toBe(original.id);
    expect((await readRunSummary(join(root, "copied"))).id).toBe("copied");
  });
});
