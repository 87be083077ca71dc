import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { command, formatDuration, formatRunsTable } from "../../src/cli/commands/runs";
import { RunStore, type RunRecord } from "../../src/core/runs";

function record(patch: Partial<RunRecord>): RunRecord {
  return {
    id: "20261127-100000-demo",
    name: "demo",
    config: {},
    status: "completed",
    startedAt: "2026-11-27T10:00:00.000Z",
    endedAt: "2026-11-27T10:07:05.000Z",
    host: "h",
    backend: "wasm",
    device: "cpu",
    architecture: "small-cnn",
    epochsPlanned: 6,
    epochsDone: 6,
    best: { weightedLogLoss: 0.123456, meanAuc: 0.95432 },
    ...patch,
  };
}

async function runCli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await command.run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("ich runs", () => {
  it("formats durations", () => {
    expect([formatDuration(4_400), formatDuration(425_000), formatDuration(3_600_000 + 5 * 60_000)]).toEqual(["4s", "7m 05s", "1h 05m"]);
  });

  it("tabulates runs with aligned columns", () => {
    const table = formatRunsTable(
      [record({}), record({ id: "20261127-110000-resnet18-baseline", name: "resnet18-baseline", status: "running", architecture: "resnet18", epochsDone: 1, epochsPlanned: 8, best: undefined, endedAt: undefined, backend: "tensorflow" })],
      new Date("2026-11-27T11:30:00.000Z"),
    );
    const lines = table.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0].split(/\s{2,}/)).toEqual(["ID", "NAME", "STATUS", "ARCHITECTURE", "EPOCHS", "BEST WLL", "MEAN AUC", "DURATION", "BACKEND"]);
    expect(lines[1].split(/\s{2,}/)).toEqual(["20261127-100000-demo", "demo", "completed", "small-cnn", "6/6", "0.1235", "0.954", "7m 05s", "wasm"]);
    expect(lines[2].split(/\s{2,}/)).toEqual(["20261127-110000-resnet18-baseline", "resnet18-baseline", "running", "resnet18", "1/8", "-", "-", "1h 30m", "tensorflow"]);
    expect(lines[1].indexOf("completed")).toBe(lines[0].indexOf("STATUS"));
  });

  it("prints JSON lines from a store folder, and says when it is empty", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "ich-cli-runs-")), "runs");
    expect((await runCli(["--dir", dir])).out).toBe(`No runs in ${dir}\n`);
    const store = new RunStore(dir);
    const run = await store.createRun({ name: "cli", config: { a: 1 }, architecture: "small-cnn", backend: "wasm", device: "cpu", epochsPlanned: 2 });
    await run.finish("completed");
    const { code, out } = await runCli(["--dir", dir, "--json"]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n").map((l) => JSON.parse(l) as RunRecord);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ id: run.id, status: "completed", config: { a: 1 } });
    expect((await runCli(["--runs", dir])).out).toContain(`${run.id}  cli`);
  });
});
