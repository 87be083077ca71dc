// CI proves a fresh clone passes by running, with ICH_SHARED_DATA=none, the test files that import
// test/helpers/shared-data.ts. That proof holds only if no test reaches ../shared another way.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "../..");
const ALLOWED = new Set(["test/helpers/shared-data.ts", "test/preview/harness/webview-harness.ts" /* a manual tool, not a test */]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mts|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe("tests reach ../shared only through test/helpers/shared-data.ts", () => {
  it("no other test file names the shared folder in code", () => {
    const offenders: string[] = [];
    for (const file of sources(join(ROOT, "test"))) {
      const rel = relative(ROOT, file);
      if (ALLOWED.has(rel)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, "").trim();
          if (code.startsWith("*") || code.startsWith("/*")) return;
          if (/["'`][^"'`]*(\.\.\/shared|shared\/data)/.test(code) && !/\b(it|describe)(\.skipIf\([^)]*\))?\(\s*["'`]/.test(code)) offenders.push(`${rel}:${i + 1}: ${code}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
