// Scenario: the DICOM preview in a real VS Code (code-server). Opens a slice of a synthetic series
// and checks what a user sees: an image, a window change, scrolling to another slice, the six
// probabilities on hover with an active model, a clear error for a broken file, and for a
// decompression bomb an error while the workbench goes on working.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBombFiles } from "../helpers/dicom-bombs";
import { makeWorkspace, missingPrerequisite, ROOT, SCREENSHOTS, startCodeServer, stopAll, Workbench, type CodeServer } from "./harness";

const missing = missingPrerequisite();

function findFiles(dir: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(path, name));
    else if (entry.name === name) found.push(path);
  }
  return found;
}
const CLI = join(ROOT, "dist", "cli.js");
const SLICES = 6;
/** A few KB whose JPEG-LS frame and data set both claim 65535×65535 pixels (8 GiB as int16). */
const BOMB = "jpeg-ls-both-claim-65535.dcm";

const TINY_EXPERIMENT = {
  name: "preview-e2e",
  data: { kind: "synthetic", patients: 8, slicesPerPatient: 4, seed: 1, size: 64, split: { by: "patient", validationFraction: 0.25, seed: 7 } },
  input: { windows: ["brain", "subdural", "bone"], size: 32 },
  model: { architecture: "small-cnn", labels: "all" },
  train: { epochs: 1, batchSize: 8, seed: 1, backend: "wasm" },
};

/** Canvas statistics computed inside the webview: a content hash and the count of non-black pixels. */
const CANVAS_STATS = `(() => {
  const c = document.getElementById("canvas");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let hash = 0, lit = 0;
  for (let i = 0; i < d.length; i += 4) {
    hash = (hash * 31 + d[i] + d[i + 1] * 3 + d[i + 2] * 7) >>> 0;
    if (d[i] + d[i + 1] + d[i + 2] > 30) lit++;
  }
  return { hash, lit };
})()`;

describe.skipIf(missing !== undefined)("DICOM preview in code-server", () => {
  let server: CodeServer;
  let workbench: Workbench;
  let sliceName: string;
  let lastSliceName: string;
  let preview: Frame;

  const openFile = (name: string) => workbench.openFile(name);

  async function previewFrame(title: string): Promise<Frame> {
    return workbench.findWebviewFrame(async (frame) => (await frame.locator("#title").textContent({ timeout: 500 })) === title, 90_000);
  }

  const stats = (frame: Frame) => frame.evaluate<{ hash: number; lit: number }>(CANVAS_STATS);

  beforeAll(async () => {
    const workspace = makeWorkspace({ "tiny.ich.json": JSON.stringify(TINY_EXPERIMENT, null, 2) });
    const data = join(workspace, "series");
    execFileSync(process.execPath, [CLI, "synth", "--out", data, "--patients", "1", "--slices", String(SLICES), "--seed", "3", "--size", "512"], { stdio: "ignore" });
    const slices = readdirSync(data).filter((f) => f.endsWith(".dcm")).sort();
    sliceName = slices[0];
    lastSliceName = slices[slices.length - 1];
    // A broken file in its own folder: the first 1 KB of a real slice.
    mkdirSync(join(workspace, "broken"));
    writeFileSync(join(workspace, "broken", "broken.dcm"), readFileSync(join(data, sliceName)).subarray(0, 1024));
    // Every decoder's bomb in one folder: the preview also reads all their headers for the series.
    const bombs = await writeBombFiles(join(workspace, "bombs"));
    if (!bombs.some((b) => b.name === BOMB)) throw new Error(`dicom-bombs no longer writes ${BOMB}`);
    execFileSync(process.execPath, [CLI, "train", "tiny.ich.json", "--runs", join(workspace, "runs")], { cwd: workspace, stdio: "ignore", timeout: 300_000 });
    const runId = readdirSync(join(workspace, "runs")).find((d) => d.includes("preview-e2e"));
    if (!runId) throw new Error("the tiny training run did not produce a run folder");
    server = await startCodeServer(workspace, { "ichLab.activeModel": runId });
    workbench = await Workbench.open(server, "preview");
  });

  afterAll(async () => {
    // Keep the preview's own performance marks (written by the extension) beside the screenshots.
    const marks = server ? findFiles(server.userDataDir, "preview-perf.jsonl").flatMap((f) => readFileSync(f, "utf8").trim().split("\n")) : [];
    if (marks.length > 0) writeFileSync(join(SCREENSHOTS, "preview-perf.jsonl"), `${marks.join("\n")}\n`);
    await workbench?.close();
    await stopAll();
  });

  it("opens a .dcm as an image (the canvas is not blank) and stacks its series", async () => {
    await openFile(sliceName);
    preview = await previewFrame(sliceName);
    await preview.locator("#slice-counter").filter({ hasText: new RegExp(`slice \\d+ / ${SLICES}`) }).waitFor({ timeout: 60_000 });
    const { lit } = await stats(preview);
    await workbench.screenshot("opened");
    expect(lit).toBeGreaterThan(1000);
    expect(await preview.locator("#status").textContent()).toContain("512×512");
  });

  it("changes the pixels from the brain to the bone window", async () => {
    await preview.locator('vscode-button[data-preset="brain"]').click();
    const brain = await stats(preview);
    await preview.locator('vscode-button[data-preset="bone"]').click();
    const bone = await stats(preview);
    await workbench.screenshot("bone-window");
    expect(bone.hash).not.toBe(brain.hash);
    expect(await preview.locator("#status").textContent()).toContain("W 2800 L 600");
  });

  it("moves to another slice of the series with the mouse wheel", async () => {
    const before = await preview.locator("#slice-counter").textContent();
    const box = await preview.locator("#canvas").boundingBox();
    if (!box) throw new Error("canvas has no box");
    await workbench.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const direction = before?.startsWith(`slice ${SLICES} `) ? -100 : 100;
    await workbench.page.mouse.wheel(0, direction);
    await preview.locator("#slice-counter").filter({ hasNotText: before ?? "" }).waitFor({ timeout: 30_000 });
    await workbench.screenshot("scrolled");
    expect(await preview.locator("#slice-counter").textContent()).not.toBe(before);
    // A few more steps back and forth once neighbours are prefetched (recorded as slice-switch marks).
    for (const delta of [-direction, -direction, direction, direction]) {
      await workbench.page.waitForTimeout(400);
      await workbench.page.mouse.wheel(0, delta);
    }
    await workbench.page.waitForTimeout(400);
  });

  it("shows the six probabilities near the cursor when the active model has predicted", async () => {
    await preview.locator("#pred-status").filter({ hasText: /predicted/ }).waitFor({ timeout: 180_000 });
    const box = await preview.locator("#canvas").boundingBox();
    if (!box) throw new Error("canvas has no box");
    await workbench.page.mouse.move(box.x + box.width / 2 + 3, box.y + box.height / 2 + 3);
    await workbench.page.mouse.move(box.x + box.width / 2 + 6, box.y + box.height / 2 + 4);
    const rows = preview.locator("#tooltip .bar-row");
    await rows.first().waitFor({ state: "visible", timeout: 15_000 });
    await workbench.screenshot("hover-probabilities");
    expect(await rows.count()).toBe(6);
    expect(await preview.locator("#tooltip").textContent()).toMatch(/HU -?\d/);
    expect(await preview.locator("#tooltip").textContent()).toContain("not for diagnosis");
  });

  it("overlays the Grad-CAM heatmap of the chosen label", async () => {
    const before = await stats(preview);
    await preview.locator("#heat-toggle").click();
    await preview.locator("#pred-status").filter({ hasText: /Grad-CAM \(any\) ready/ }).waitFor({ timeout: 120_000 });
    await workbench.page.waitForTimeout(300);
    const after = await stats(preview);
    await workbench.screenshot("gradcam");
    expect(after.hash).not.toBe(before.hash);
    await preview.locator("#heat-toggle").click();
  });

  it("shows the core's error for a broken .dcm instead of a blank editor", async () => {
    await openFile("broken.dcm");
    const broken = await workbench.findWebviewFrame(async (frame) => (await frame.locator("#error").isVisible({ timeout: 500 })) === true, 90_000);
    const text = await broken.locator("#error").textContent();
    await workbench.screenshot("broken-file");
    expect(text).toContain("broken.dcm");
    expect(text?.length ?? 0).toBeGreaterThan("Cannot show broken.dcm: ".length + 5);
  });

  it("shows an error for a decompression bomb, and the workbench still opens and paints the next slice", async () => {
    await openFile(BOMB);
    const bomb = await workbench.findWebviewFrame(async (frame) => ((await frame.locator("#error").textContent({ timeout: 500 })) ?? "").includes(BOMB), 90_000);
    const text = await bomb.locator("#error").textContent();
    await workbench.screenshot("bomb-file");
    expect(await bomb.locator("#error").isVisible()).toBe(true);
    expect(text).toMatch(new RegExp(`^Cannot show ${BOMB.replace(/\./g, "\\.")}: .{10,}`));
    // The extension host is not stuck in a decoder: another file opens and is painted.
    await openFile(lastSliceName);
    const next = await previewFrame(lastSliceName);
    await next.locator("#slice-counter").filter({ hasText: new RegExp(`slice \\d+ / ${SLICES}`) }).waitFor({ timeout: 60_000 });
    await workbench.screenshot("after-bomb");
    expect((await stats(next)).lit).toBeGreaterThan(1000);
  });

  it("offers to pick or train a model once no model is active", async () => {
    // A workspace setting overrides the user-level one the server started with.
    mkdirSync(join(server.workspace, ".vscode"), { recursive: true });
    writeFileSync(join(server.workspace, ".vscode", "settings.json"), JSON.stringify({ "ichLab.activeModel": "" }));
    const open = await workbench.findWebviewFrame(async (frame) => (await frame.locator("#banner").isVisible({ timeout: 500 })) === true, 60_000);
    await workbench.screenshot("no-model");
    expect(await open.locator("#banner").textContent()).toContain("No active model");
    expect(await open.locator("#pick-model").isVisible()).toBe(true);
    expect(await open.locator("#train-model").isVisible()).toBe(true);
    // One source of truth: the status bar drops the model together with the preview.
    await workbench.page.locator(".statusbar-item", { hasText: "ICH: no model" }).first().waitFor({ state: "visible", timeout: 30_000 });
  });
});
