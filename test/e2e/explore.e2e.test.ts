// ICH: Explore Dataset in code-server: on an experiment over a synthetic folder (counts, charts,
// co-occurrence, sample thumbnails that open the DICOM preview, augmentation preview and re-roll)
// and, from the Explorer's context menu, on a copy of ../shared/data/rsna-samples when present.
// No frame may report a CSP refusal.
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Frame } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";
import { makeWorkspace, missingPrerequisite, ROOT, startCodeServer, stopAll, Workbench, type CodeServer } from "./harness";
import { errorMessage } from "../../src/shared/errors";

const missing = missingPrerequisite();
const CLI = join(ROOT, "dist", "cli.js");
const PATIENTS = 3;
const SLICES = 6;

const experiment = {
  name: "explore-e2e",
  data: { kind: "rsna", dicomDir: "scans", labelsCsv: "scans/labels.csv", split: { by: "patient", validationFraction: 0.34, seed: 1 } },
  input: { windows: ["brain", "subdural", "bone"], size: 64 },
  model: { architecture: "small-cnn" },
  train: {
    epochs: 1, batchSize: 4, seed: 7,
    augment: { flip: { p: 0.5 }, rotate: { p: 1, degrees: 20 }, zoom: { p: 0.5, max: 1.3 }, brightnessContrast: { p: 0.5, brightness: 0.1, contrast: 0.2 } },
  },
};

describe.skipIf(missing !== undefined)("ICH: Explore Dataset in code-server", () => {
  let server: CodeServer;
  let workbench: Workbench;
  let workspace: string;
  const cspViolations: string[] = [];

  /** The explorer whose title ends with `title` once its summary is shown; on a timeout, says what the explorers show instead. */
  async function explorerFrame(title: RegExp): Promise<Frame> {
    try {
      return await workbench.findWebviewFrame(async (f) => (await f.locator('body[data-panel="explore"][data-state="ready"]').count()) > 0 && title.test((await f.locator("#title").textContent({ timeout: 500 })) ?? ""), 240_000);
    } catch (error) {
      await workbench.screenshot("explore-timeout");
      const shown = [];
      for (const f of workbench.page.frames()) shown.push(await f.locator('body[data-panel="explore"]').evaluate((b) => `${b.dataset.state}: ${b.querySelector("#title")?.textContent} — ${b.querySelector("#status")?.textContent}`, undefined, { timeout: 500 }).catch(() => ""));
      throw new Error(`${errorMessage(error)}; explorers: ${shown.filter(Boolean).join(" | ") || "none"}`, { cause: error });
    }
  }

  const openFile = (name: string) => workbench.openFile(name);

  beforeAll(async () => {
    workspace = makeWorkspace({ "explore.ich.json": JSON.stringify(experiment, null, 2) });
    execFileSync(process.execPath, [CLI, "synth", "--out", join(workspace, "scans"), "--patients", String(PATIENTS), "--slices", String(SLICES), "--size", "96", "--seed", "4"], { stdio: "ignore" });
    // A copy: the explorer writes its index cache into the folder it explores.
    if (HAS_SHARED_DATA) cpSync(join(SHARED_DATA, "rsna-samples"), join(workspace, "rsna-samples"), { recursive: true });
    server = await startCodeServer(workspace, { "ichLab.backend": "wasm" });
    workbench = await Workbench.open(server, "explore");
    workbench.page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await workbench?.close();
    await stopAll();
  });

  it("explores an experiment's synthetic folder: counts, charts, heatmap, samples, augmentations and a re-roll", async () => {
    await openFile("explore.ich.json");
    await workbench.page.waitForTimeout(1000);
    await workbench.runCommand("ICH: Explore Dataset");
    const frame = await explorerFrame(/scans$/);
    await frame.locator('[data-chart="prevalence"][data-series]').waitFor({ timeout: 30_000 });
    await workbench.screenshot("explore-synthetic");
    expect(await frame.locator('[data-fact="Files"] dd').innerText()).toBe(String(PATIENTS * SLICES));
    expect(await frame.locator('[data-fact="Patients"] dd').innerText()).toBe(String(PATIENTS));
    expect(await frame.locator('[data-fact="Series"] dd').innerText()).toBe(String(PATIENTS));
    expect(await frame.locator("table.heatmap td").count()).toBe(36);
    const series = JSON.parse((await frame.locator('[data-chart="slicesPerSeries"]').getAttribute("data-series")) ?? "[]") as { points: number }[];
    expect(series[0].points).toBe(1);
    for (const chart of ["bitsStored", "pixelRepresentation", "rescaleIntercept", "windowCenter", "windowWidth", "pixelSpacing", "sliceThickness"]) {
      expect(await frame.locator(`[data-chart="${chart}"][data-series]`).count(), chart).toBe(1);
    }
    const thumbnails = frame.locator('[data-section="samples"] figure.thumb img');
    expect(await thumbnails.count()).toBeGreaterThan(0);
    expect(await thumbnails.first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(128);
    expect(await frame.locator('[data-section="clean"]').innerText()).toContain("ich clean");
    expect(await frame.locator(".research").innerText()).toContain("not for diagnosis");
    const augmented = frame.locator('[data-section="augmentation"] .sample-row');
    expect(await augmented.count()).toBe(4);
    const firstDraw = await augmented.first().locator("img").nth(1).getAttribute("src");
    await frame.locator("#reroll").click();
    await frame.locator("body[data-augment-seed]").waitFor({ timeout: 120_000 });
    expect(await augmented.first().locator("img").nth(1).getAttribute("src")).not.toBe(firstDraw);
    await frame.locator("#augment-note").scrollIntoViewIfNeeded();
    await workbench.screenshot("explore-rerolled");
    // A sample opens in the DICOM preview.
    const sample = frame.locator('[data-section="samples"] figure.thumb').first();
    const id = (await sample.locator("figcaption").innerText()).trim();
    await sample.click();
    await workbench.findWebviewFrame(async (f) => ((await f.locator("#title").textContent({ timeout: 500 })) ?? "").includes(id), 90_000);
    await workbench.screenshot("explore-sample-opened");
  });

  it.skipIf(!HAS_SHARED_DATA)("explores ../shared/data/rsna-samples from the Explorer's context menu", async () => {
    await workbench.runCommand("View: Show Explorer");
    const folder = workbench.page.locator(".explorer-folders-view .monaco-list-row", { hasText: /^\s*rsna-samples\s*$/ }).first();
    await folder.waitFor({ state: "visible", timeout: 30_000 });
    await folder.click({ button: "right" });
    await workbench.contextMenuItem("Explore Dataset");
    const frame = await explorerFrame(/rsna-samples$/);
    await workbench.screenshot("explore-rsna-samples");
    const dicomFiles = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? dicomFiles(join(dir, e.name)) : e.name.endsWith(".dcm") ? 1 : 0), 0);
    expect(await frame.locator('[data-fact="Files"] dd').innerText()).toBe(String(dicomFiles(join(workspace, "rsna-samples"))));
    expect(await frame.locator('[data-fact="Unreadable headers"] dd').innerText()).toBe("0");
    expect(await frame.locator('[data-section="prevalence"]').innerText()).toContain("No labelled files");
    expect(await frame.locator('[data-section="samples"] [data-group="all"] figure.thumb img').count()).toBe(4);
    expect(cspViolations).toEqual([]);
  });

  it("reported no CSP refusal", () => {
    expect(cspViolations).toEqual([]);
  });
});
