// The manifest and the code agree: every contributed command is registered by the extension,
// every registered command is contributed, menus name only contributed commands, icons exist.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMAND_IDS, PANEL_VIEW_TYPES, RUNS_VIEW_ID, VIEW_TYPES } from "../../src/extension/ids";

const root = join(__dirname, "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  main: string;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { scope?: string }> };
    viewsWelcome: { view: string; contents: string; when?: string }[];
    customEditors: { viewType: string }[];
  };
  activationEvents: string[];
  capabilities?: { untrustedWorkspaces?: { supported: boolean | "limited"; description?: string; restrictedConfigurations?: string[] } };
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const extensionSources = sourceFiles(join(root, "src", "extension")).map((file) => readFileSync(file, "utf8"));
const registered = new Set(extensionSources.flatMap((text) => [...text.matchAll(/(?:registerCommand|register)\(\s*"(ichLab\.[A-Za-z]+)"/g)].map((m) => m[1])));
/** Commands whose handler starts with the workspace-trust check (src/extension/trust.ts). */
const trustChecked = new Set(
  extensionSources.flatMap((text) => [...text.matchAll(/(?:registerCommand|register)\(\s*"(ichLab\.[A-Za-z]+)",[^\n]*\n\s*if \(!engineAllowed\(/g)].map((m) => m[1])),
);

describe("package.json contributions", () => {
  const contributed = manifest.contributes.commands.map((c) => c.command);

  it("registers exactly the contributed commands, all in the ICH category", () => {
    expect([...registered].sort()).toEqual([...contributed].sort());
    for (const command of manifest.contributes.commands) expect(command.category, command.command).toBe("ICH");
  });

  it("types command, view and view-type ids from exactly these contributions (src/extension/ids.ts)", () => {
    expect([...COMMAND_IDS].sort()).toEqual([...contributed].sort());
    expect(Object.values(manifest.contributes.views).flat().map((v) => v.id)).toEqual([RUNS_VIEW_ID]);
    expect(manifest.contributes.customEditors.map((e) => e.viewType)).toEqual([VIEW_TYPES.dicomPreview]);
    expect(manifest.activationEvents).toContain(`onCustomEditor:${VIEW_TYPES.dicomPreview}`);
    // Every panel comes back after a window reload: its serializer activates the extension.
    expect(manifest.activationEvents.filter((e) => e.startsWith("onWebviewPanel:")).sort()).toEqual(PANEL_VIEW_TYPES.map((t) => `onWebviewPanel:${t}`).sort());
    // No id is spelled out anywhere else in the extension.
    const spelled = extensionSources.flatMap((text) => [...text.matchAll(/"(ichLab\.(?:dicomPreview|dashboard|compare|triage|explore|runs))"/g)].map((m) => m[1]));
    expect(spelled.sort()).toEqual([RUNS_VIEW_ID, ...Object.values(VIEW_TYPES)].sort());
  });

  it("names only contributed commands in menus", () => {
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) expect(contributed, `${menu}: ${entry.command}`).toContain(entry.command);
    }
  });

  it("has the activity-bar container with the Runs view and its icon", () => {
    const container = manifest.contributes.viewsContainers.activitybar.find((c) => c.id === "ichLab");
    expect(container).toBeDefined();
    expect(existsSync(join(root, container!.icon))).toBe(true);
    expect(manifest.contributes.views.ichLab.map((v) => v.id)).toContain("ichLab.runs");
    expect(Object.keys(manifest.contributes.configuration.properties).sort()).toEqual(
      expect.arrayContaining(["ichLab.activeModel", "ichLab.backend", "ichLab.nodePath", "ichLab.runsDirectory"]),
    );
    expect(manifest.main).toBe("./dist/extension.js");
  });
});

describe("workspace trust in package.json", () => {
  const properties = manifest.contributes.configuration.properties;
  const untrusted = manifest.capabilities?.untrustedWorkspaces;

  it("lets no workspace choose the Node executable", () => {
    expect(properties["ichLab.nodePath"].scope).toBe("machine");
  });

  it("supports Restricted Mode in a limited way and ignores workspace values of the settings that pick what the engine reads", () => {
    expect(untrusted?.supported).toBe("limited");
    expect(untrusted?.description).toMatch(/Restricted Mode.*no engine process/);
    const restricted = untrusted?.restrictedConfigurations ?? [];
    expect([...restricted].sort()).toEqual(["ichLab.activeModel", "ichLab.runsDirectory"]);
    for (const key of restricted) expect(Object.keys(properties), key).toContain(key);
  });

  it("hides every engine command in Restricted Mode, and exactly those check trust when run", () => {
    const engineCommands = ["ichLab.evaluateRun", "ichLab.exploreDataset", "ichLab.findLearningRate", "ichLab.generateDemoDataset", "ichLab.predict", "ichLab.setUpGpuBackend", "ichLab.showBackendInfo", "ichLab.train"];
    expect([...trustChecked].sort()).toEqual(engineCommands);
    const palette = manifest.contributes.menus.commandPalette as { command: string; when?: string }[];
    for (const command of engineCommands) expect(palette, command).toContainEqual({ command, when: "isWorkspaceTrusted" });
    for (const [menu, entries] of Object.entries(manifest.contributes.menus as Record<string, { command: string; when?: string }[]>)) {
      for (const entry of entries) {
        if (trustChecked.has(entry.command)) expect(entry.when, `${menu}: ${entry.command}`).toMatch(/(^|&& )isWorkspaceTrusted$/);
      }
    }
  });

  it("offers engine commands in the Runs view welcome only when trusted", () => {
    const welcome = manifest.contributes.viewsWelcome.filter((w) => w.view === "ichLab.runs");
    expect(welcome.map((w) => w.when).sort()).toEqual(["!isWorkspaceTrusted", "isWorkspaceTrusted"]);
    const restricted = welcome.find((w) => w.when === "!isWorkspaceTrusted")!;
    for (const command of trustChecked) expect(restricted.contents).not.toContain(`command:${command}`);
    expect(restricted.contents).toContain("command:workbench.trust.manage");
  });
});
