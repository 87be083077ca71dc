// The layering the tools enforce: webview code compiles without Node types (webview/tsconfig.json,
// run by `npm run typecheck`), so a Node-only import fails there; and webviews import only
// webview/, src/shared/ and src/protocol/, which import nothing from the extension or the CLI.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");

/** Type errors of `source` compiled as a webview file with webview/tsconfig.json's options. */
function webviewErrors(source: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "webview/tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error("webview/tsconfig.json did not parse");
  const file = join(mkdtempSync(join(tmpdir(), "ich-webview-")), "probe.ts");
  writeFileSync(file, source);
  const program = ts.createProgram([file], config.options);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** Relative import targets of a file, as paths from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^"']*?from\s+["'](\.[^"']+)["']|^\s*import\s+["'](\.[^"']+)["']/gm)].map((m) => relative(root, resolve(dirname(file), m[1] ?? m[2])));
}

describe("layering", () => {
  it("refuses Node-only code in a webview: node:fs, Buffer and process do not compile with the webview tsconfig", () => {
    const shared = join(root, "src/shared/labels");
    expect(webviewErrors(`import { LABELS } from ${JSON.stringify(shared)};\nexport const n: number = LABELS.length;\nexport const c = document.createElement("canvas");\n`)).toEqual([]);
    expect(webviewErrors(`import { readFileSync } from "node:fs";\nexport const text = readFileSync("x", "utf8");\n`).join("\n")).toMatch(/node:fs/);
    expect(webviewErrors(`export const b = Buffer.from("x");\n`).join("\n")).toMatch(/Buffer/);
    expect(webviewErrors(`export const env = process.env.HOME;\n`).join("\n")).toMatch(/process/);
    // Importing the extension's own Node code fails the same way, through what it imports.
    expect(webviewErrors(`export { readRunSummary } from ${JSON.stringify(join(root, "src/extension/panels/runFolder"))};\n`).length).toBeGreaterThan(0);
  });

  it("webviews import only webview/, src/shared/ and src/protocol/; those import nothing from the extension or the CLI", () => {
    const allowed = (target: string, prefixes: string[]) => prefixes.some((p) => target.startsWith(p));
    const problems: string[] = [];
    for (const file of tsFiles(join(root, "webview"))) {
      for (const target of importsOf(file)) if (!allowed(target, ["webview/", "src/shared/", "src/protocol/"])) problems.push(`${relative(root, file)} imports ${target}`);
    }
    for (const file of [...tsFiles(join(root, "src/shared")), ...tsFiles(join(root, "src/protocol"))]) {
      for (const target of importsOf(file)) if (allowed(target, ["src/extension/", "src/cli/", "webview/"])) problems.push(`${relative(root, file)} imports ${target}`);
    }
    expect(problems).toEqual([]);
  });
});
