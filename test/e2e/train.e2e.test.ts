// Scenario 1: in a workspace with a synthetic dataset (generated from the palette) and a tiny
// experiment, "ICH: Train" shows a progress notification, and the run appears in the Runs view
// and ends completed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, missingPrerequisite, ROOT, startCodeServer, stopAll, Workbench, type CodeServer } from "./harness";

const missing = missingPrerequisite() ?? (existsSync(join(ROOT, "src", "cli", "commands", "train.ts")) ? undefined : "the engine has no `ich train` yet");

export const TINY_EXPERIMENT = {
  name: "tiny",
  description: "e2e: three epochs of a small CNN on 4 synthetic patients",
  data: { kind: "rsna", dicomDir: "demo-data", labelsCsv: "demo-data/labels.csv", metadataCsv: "demo-data/metadata.csv", split: { by: "patient", validationFraction: 0.25, seed: 1 } },
  input: { windows: ["brain", "subdural", "bone"], size: 32 },
  model: { architecture: "small-cnn", labels: "all" },
  train: { epochs: 3, batchSize: 8, schedule: { kind: "one-cycle", maxLr: 0.003, warmupShare: 0.25 }, seed: 1 },
};

describe.skipIf(missing !== undefined)("ICH: Train from the command palette", () => {
  let server: CodeServer;
  let workbench: Workbench;
  let workspace: string;

  beforeAll(async () => {
    workspace = makeWorkspace({ "tiny.ich.json": `${JSON.stringify(TINY_EXPERIMENT, null, 2)}\n` });
    server = await startCodeServer(workspace, { "ichLab.backend": "wasm" });
    workbench = await Workbench.open(server, "train");
  });

  afterAll(async () => {
    await workbench?.close();
    await stopAll();
  });

  it("generates the demo dataset with ICH: Generate Demo Dataset", async () => {
    await workbench.runCommand("ICH: Generate Demo Dataset");
    await workbench.acceptInput("demo-data"); // the folder name's default
    await workbench.pick("4"); // patients
    await workbench.notification("Demo dataset written").first().waitFor({ state: "visible", timeout: 120_000 });
    await workbench.screenshot("demo-dataset");
    const files = readdirSync(join(workspace, "demo-data"));
    expect(files.filter((f) => f.endsWith(".dcm")).length).toBe(4 * 8);
    expect(files).toContain("labels.csv");
  });

  it("trains: progress notification, run in the Runs view, ends completed", async () => {
    await workbench.openActivity("ICH Lab");
    await workbench.runCommand("ICH: Train");
    await workbench.pick("tiny.ich.json");
    await workbench.notification("ICH: Training tiny").first().waitFor({ state: "visible", timeout: 60_000 });
    await workbench.screenshot("training-notification");
    // The notification follows the engine's step events: epoch, step, loss, img/s and ETA.
    await workbench.notification(/epoch \d\/3 · step \d+\/\d+ · loss \d\.\d{4} · [\d.]+ img\/s · ETA/).first().waitFor({ state: "visible", timeout: 120_000 });
    await workbench.screenshot("training-progress");

    const runs = workbench.viewPane("Runs");
    const runRow = runs.locator('.monaco-list-row[aria-label^="tiny,"]').first();
    await runRow.waitFor({ state: "visible", timeout: 120_000 });
    await workbench.screenshot("run-in-view");
    const completed = runs.locator('.monaco-list-row[aria-label^="tiny, completed"]').first();
    await completed.waitFor({ state: "visible", timeout: 300_000 });
    await workbench.notification(/Run .* completed/).first().waitFor({ state: "visible", timeout: 60_000 });
    await workbench.screenshot("run-completed");

    expect(await completed.locator(".codicon-check").count()).toBe(1);
    expect(await completed.innerText()).toMatch(/wLL \d\.\d{4} · AUC/);
    const runDirs = readdirSync(join(workspace, "runs"));
    expect(runDirs).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(workspace, "runs", runDirs[0], "run.json"), "utf8")) as { status: string; epochsDone: number };
    expect(record).toMatchObject({ status: "completed", epochsDone: 3 });
  });

  it("ICH: Show Backend Info reports the engine's backend and the run's measured img/s", async () => {
    await workbench.runCommand("ICH: Show Backend Info");
    const frame = await workbench.findWebviewFrame(async (f) => (await f.locator("body").innerText({ timeout: 1000 })).includes("Backend in use"), 120_000);
    await workbench.screenshot("backend-info");
    const text = await frame.locator("body").innerText();
    expect(text).toMatch(/Backend in use\s+wasm/);
    expect(text).toMatch(/Last measured throughput: [\d.]+ img\/s \(run \d{8}-\d{6}-tiny/);
  });
});
