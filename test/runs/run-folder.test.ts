// The RUN argument shared by ich predict, eval, export and serve: a folder, else a run id in the store.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveRunFolder } from "../../src/core/runs";

const root = mkdtempSync(join(tmpdir(), "ich-run-folder-"));
const runs = join(root, "runs");
mkdirSync(join(runs, "20260101-000000-tiny", "model"), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("resolveRunFolder", () => {
  it("takes an existing folder as given (a run folder or its model folder), whatever the store", () => {
    const model = join(runs, "20260101-000000-tiny", "model");
    expect(resolveRunFolder(model, join(root, "elsewhere"))).toBe(model);
  });

  it("finds a run id in the store", () => {
    expect(resolveRunFolder("20260101-000000-tiny", runs)).toBe(join(runs, "20260101-000000-tiny"));
  });

  it("says that neither a folder nor a run of that id exists, and names the store", () => {
    expect(() => resolveRunFolder("20260101-000000-gone", runs)).toThrow(`20260101-000000-gone: no such run folder, and no run of that id in ${runs}`);
    // a missing path cannot be a run id either; the same message, not "not a valid run id"
    expect(() => resolveRunFolder("no/such/folder", runs)).toThrow(`no/such/folder: no such run folder, and no run of that id in ${runs}`);
  });
});
