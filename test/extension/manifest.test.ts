// The manifest and the code agree: every contributed command is registered by the extension,
// every registered command is contributed, menus name only contributed commands, icons exist.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  main: string;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, unknown> };
  };
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const registered = new Set(
  sourceFiles(join(root, "src", "extension")).flatMap((file) => [...readFileSync(file, "utf8").matchAll(/(?:registerCommand|register)\(\s*"(ichLab\.[A-Za-z]+)"/g)].map((m) => m[1])),
);

describe("package.json contributions", () => {
  const contributed = manifest.contributes.commands.map((c) => c.command);

  it("registers exactly the contributed commands, all in the ICH category", () => {
    expect([...registered].sort()).toEqual([...contributed].sort());
    for (const command of manifest.contributes.commands) expect(command.category, command.command).toBe("ICH");
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
