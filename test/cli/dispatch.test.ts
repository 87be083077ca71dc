import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli } from "../helpers/bundle-cli";

let cli: string;
let remove: () => void;
beforeAll(async () => ({ cli, remove } = await bundleCli("dispatch")));
afterAll(() => remove?.());

const ich = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

describe("ich dispatcher", () => {
  it("lists every command with its summary and exits 2 without a command", () => {
    const result = ich();
    expect(result.status).toBe(2);
    for (const name of ["info", "render", "synth", "train", "eval", "predict", "lr-find", "runs", "backend"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
    }
    expect(result.stdout).toContain("not for diagnosis");
  });

  it("prints a command's own usage for --help and -h, exit 0", () => {
    for (const flag of ["--help", "-h"]) {
      const result = ich("eval", flag);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: ich eval RUN/);
    }
  });

  it("treats --help after -- as an argument, not a request for help", () => {
    const result = ich("info", "--", "--help");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--help");
  });

  it("rejects an unknown command and an unknown option with exit 2", () => {
    expect(ich("frobnicate").status).toBe(2);
    const result = ich("runs", "--bogus");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--bogus/);
    expect(result.stderr).toMatch(/Usage: ich runs/);
  });

  it("refuses a bad --backend or --engine in every command that takes one, with exit 2 before any work", () => {
    const commands: string[][] = [["train", "x.ich.json"], ["eval", "run-1"], ["predict", "run-1", "a.dcm"], ["lr-find", "x.ich.json"], ["export", "run-1"], ["import-weights", "w.onnx"], ["serve", "run-1"], ["backend"]];
    for (const args of commands) {
      const result = ich(...args, "--backend", "tpu");
      expect(result.status, args[0]).toBe(2);
      expect(result.stderr, args[0]).toMatch(/--backend must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu, got 'tpu'/);
      expect(result.stderr, args[0]).toMatch(new RegExp(`Usage: ich ${args[0]}`));
    }
    for (const args of [["eval", "run-1"], ["predict", "run-1", "a.dcm"], ["serve", "run-1"]]) {
      const result = ich(...args, "--engine", "torch");
      expect(result.status, args[0]).toBe(2);
      expect(result.stderr, args[0]).toMatch(/--engine must be one of auto, onnx, tfjs, got 'torch'/);
    }
  });

  it("says a RUN is neither a folder nor a run id in the store, the same in predict, eval, export and serve (exit 1)", () => {
    const runs = mkdtempSync(join(tmpdir(), "ich-dispatch-runs-"));
    try {
      for (const args of [["predict", "no-such-run", "a.dcm"], ["eval", "no-such-run"], ["export", "no-such-run"], ["serve", "no-such-run"]]) {
        const result = ich(...args, "--runs", runs);
        expect(result.status, args[0]).toBe(1);
        expect(result.stderr, args[0]).toBe(`ich ${args[0]}: no-such-run: no such run folder, and no run of that id in ${runs}\n`);
      }
    } finally {
      rmSync(runs, { recursive: true, force: true });
    }
  });
});
