// Scenario 0: the packaged extension activates in a real VS Code (code-server), its commands
// are in the palette, and the ICH Lab activity-bar container shows the Runs view.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, missingPrerequisite, startCodeServer, stopAll, Workbench, type CodeServer } from "./harness";

const missing = missingPrerequisite();

describe.skipIf(missing !== undefined)("extension in code-server", () => {
  let server: CodeServer;
  let workbench: Workbench;

  beforeAll(async () => {
    const workspace = makeWorkspace({ "README.txt": "ICH Lab e2e workspace\n" });
    server = await startCodeServer(workspace);
    workbench = await Workbench.open(server, "activation");
  });

  afterAll(async () => {
    await workbench?.close();
    await stopAll();
  });

  it("lists the ICH commands in the command palette", async () => {
    const entries = await workbench.paletteEntries("ICH: ");
    await workbench.screenshot("palette");
    expect(entries).toContain("ICH: Generate Demo Dataset");
    expect(entries).toContain("ICH: Train");
    expect(entries).toContain("ICH: Select Active Model");
    await workbench.closeQuickInput();
  });

  it("shows the Runs view in the ICH Lab container, with its welcome actions", async () => {
    await workbench.openActivity("ICH Lab");
    const runs = workbench.viewPane("Runs");
    await runs.waitFor({ state: "visible", timeout: 30_000 });
    const welcome = runs.locator(".welcome-view-content");
    await welcome.waitFor({ state: "visible", timeout: 30_000 });
    await workbench.screenshot("runs-view");
    expect(await welcome.innerText()).toContain("No training runs yet.");
    expect(await runs.locator(".monaco-button", { hasText: "Generate Demo Dataset" }).count()).toBe(1);
  });

  it("activated without errors and shows the active-model status bar item", async () => {
    const item = workbench.page.locator(".statusbar-item", { hasText: "ICH:" });
    await item.first().waitFor({ state: "visible", timeout: 30_000 });
    expect(await item.first().innerText()).toContain("no model");
    expect(server.log()).not.toMatch(/Activating extension .ich-lab.ich-lab. failed/);
  });
});

