// Scenario: a cloned repository opened in Restricted Mode. Its .vscode/settings.json names a
// "Node" that leaves a marker when run and an active model. The DICOM preview still shows the
// series, says predictions are off, the engine commands are hidden, and no engine process starts.
// After the user trusts the workspace, predictions appear without a reload, run by the real Node.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, missingPrerequisite, ROOT, startCodeServer, stopAll, Workbench, type CodeServer } from "./harness";

const missing = missingPrerequisite();
const CLI = join(ROOT, "dist", "cli.js");
const SLICES = 4;
const RESTRICTED = "Predictions are off in Restricted Mode — trust this workspace to run the model.";

const TINY_EXPERIMENT = {
  name: "trust-e2e",
  data: { kind: "synthetic", patients: 8, slicesPerPatient: 4, seed: 1, size: 64, split: { by: "patient", validationFraction: 0.25, seed: 7 } },
  input: { windows: ["brain", "subdural", "bone"], size: 32 },
  model: { architecture: "small-cnn", labels: "all" },
  train: { epochs: 1, batchSize: 8, seed: 1, backend: "wasm" },
};

/** Command lines of running processes that execute this server's installed dist/cli.js. */
function engineProcesses(server: CodeServer): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(join("/proc", pid, "cmdline"), "utf8").split("\0").join(" ");
      if (cmdline.includes(server.extensionsDir) && cmdline.includes(join("dist", "cli.js"))) found.push(cmdline);
    } catch {
      // the process ended while listing
    }
  }
  return found;
}

function predictionCaches(server: CodeServer): string[] {
  const dir = join(server.userDataDir, "User", "globalStorage", "ich-lab.ich-lab", "predictions");
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe.skipIf(missing !== undefined || process.platform !== "linux")("Restricted Mode in code-server", () => {
  let server: CodeServer;
  let workbench: Workbench;
  let sliceName: string;
  let preview: Frame;
  let marker: string;
  const seenEngines: string[] = [];
  let watcher: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    const workspace = makeWorkspace({ "tiny.ich.json": JSON.stringify(TINY_EXPERIMENT, null, 2) });
    const data = join(workspace, "series");
    execFileSync(process.execPath, [CLI, "synth", "--out", data, "--patients", "1", "--slices", String(SLICES), "--seed", "3", "--size", "256"], { stdio: "ignore" });
    sliceName = readdirSync(data).filter((f) => f.endsWith(".dcm")).sort()[0];
    execFileSync(process.execPath, [CLI, "train", "tiny.ich.json", "--runs", join(workspace, "runs")], { cwd: workspace, stdio: "ignore", timeout: 300_000 });
    const runId = readdirSync(join(workspace, "runs")).find((d) => d.includes("trust-e2e"));
    if (!runId) throw new Error("the tiny training run did not produce a run folder");
    // What a hostile repository would ship: a "Node" of its own and the model to run.
    marker = join(workspace, "impostor-ran");
    const impostor = join(workspace, "tools", "node");
    mkdirSync(join(workspace, "tools"));
    writeFileSync(impostor, `#!/bin/sh\necho "$@" > ${JSON.stringify(marker)}\nexit 1\n`);
    chmodSync(impostor, 0o755);
    mkdirSync(join(workspace, ".vscode"));
    writeFileSync(join(workspace, ".vscode", "settings.json"), JSON.stringify({ "ichLab.nodePath": impostor, "ichLab.activeModel": runId }));
    server = await startCodeServer(workspace, {}, { workspaceTrust: "untrusted" });
    watcher = setInterval(() => seenEngines.push(...engineProcesses(server)), 100);
    workbench = await Workbench.open(server, "trust");
  });

  afterAll(async () => {
    clearInterval(watcher);
    await workbench?.close();
    await stopAll();
  });

  it("opens a .dcm as an image, scrolls the series and says predictions are off", async () => {
    await workbench.openPalette();
    await workbench.page.keyboard.press("Backspace"); // quick open by file name
    await workbench.page.keyboard.type(sliceName, { delay: 20 });
    await workbench.quickPickRow(sliceName).first().waitFor({ state: "visible", timeout: 30_000 });
    await workbench.page.keyboard.press("Enter");
    preview = await workbench.findWebviewFrame(async (frame) => (await frame.locator("#title").textContent({ timeout: 500 })) === sliceName, 90_000);
    await preview.locator("#slice-counter").filter({ hasText: `/ ${SLICES}` }).waitFor({ timeout: 60_000 });
    await preview.locator("#pred-status").filter({ hasText: RESTRICTED }).waitFor({ timeout: 30_000 });
    const lit = await preview.evaluate(() => {
      const c = document.getElementById("canvas") as HTMLCanvasElement;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 30) n++;
      return n;
    });
    expect(lit).toBeGreaterThan(1000);
    const before = await preview.locator("#slice-counter").textContent();
    const box = await preview.locator("#canvas").boundingBox();
    if (!box) throw new Error("canvas has no box");
    await workbench.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await workbench.page.mouse.wheel(0, before?.startsWith(`slice ${SLICES} `) ? -100 : 100);
    await preview.locator("#slice-counter").filter({ hasNotText: before ?? "" }).waitFor({ timeout: 30_000 });
    await workbench.screenshot("restricted-preview");
    // The workspace's active model is ignored (restricted setting): the preview has no model.
    expect(await preview.locator("#model-name").textContent()).toBe("No active model");
  });

  it("hides the commands that run the engine and keeps the viewer ones", async () => {
    const entries = await workbench.paletteEntries("ICH: ");
    await workbench.screenshot("restricted-palette");
    await workbench.closeQuickInput();
    expect(entries).toContain("ICH: Select Active Model");
    for (const hidden of ["ICH: Train", "ICH: Predict", "ICH: Generate Demo Dataset", "ICH: Show Backend Info", "ICH: Set Up GPU Backend"]) expect(entries).not.toContain(hidden);
  });

  it("started no engine process and never ran the workspace's Node", async () => {
    await workbench.page.waitForTimeout(3000); // time for a prediction process to have shown up
    expect(seenEngines).toEqual([]);
    expect(predictionCaches(server)).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    expect(server.log()).not.toMatch(/Activating extension .ich-lab.ich-lab. failed/);
  });

  it("predicts once the workspace is trusted, without a reload, with the real Node", async () => {
    await workbench.runCommand("Workspaces: Manage Workspace Trust");
    const buttons = workbench.page.locator(".workspace-trust-buttons .monaco-button");
    await buttons.first().waitFor({ state: "visible", timeout: 30_000 });
    const labels = (await buttons.allInnerTexts()).map((text) => text.trim().split("\n")[0].trim());
    expect(labels).toContain("Trust");
    await workbench.screenshot("trust-editor");
    await buttons.nth(labels.indexOf("Trust")).click();
    // The trust editor hid the preview, whose webview is rebuilt when its tab is shown again.
    await workbench.page.locator(".tab", { hasText: sliceName }).first().click();
    preview = await workbench.findWebviewFrame(async (frame) => (await frame.locator("#title").textContent({ timeout: 500 })) === sliceName, 90_000);
    await preview.locator("#pred-status").filter({ hasText: /slice\(s\) predicted/ }).waitFor({ timeout: 240_000 });
    await workbench.screenshot("trusted-predictions");
    // "4 / 4 slice(s) predicted" when the engine finished after the tab was shown again, "4 slice(s)
    // predicted (cached)" when it finished while the trust editor hid the preview; the engine run
    // and the cache below prove the predictions came after trusting either way.
    expect(await preview.locator("#pred-status").textContent()).toMatch(new RegExp(`^${SLICES}( / ${SLICES})? slice\\(s\\) predicted`));
    expect(seenEngines.length).toBeGreaterThan(0); // the watcher does see engine processes
    expect(predictionCaches(server).length).toBe(1);
    expect(existsSync(marker)).toBe(false); // ichLab.nodePath is machine-scoped: a workspace value never applies
  });
});
