// The process launcher is the last line of defence for workspace trust: nothing starts while the
// workspace is untrusted (or before the extension set the policy), whichever caller asks.
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const spawned: string[] = [];
vi.mock("node:child_process", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:child_process")>();
  const spawn = ((command: string, ...rest: unknown[]) => {
    spawned.push(command);
    return (original.spawn as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof original.spawn;
  return { ...original, spawn, default: { ...original, spawn } };
});

const { launchProcess, RestrictedModeError, setLaunchPolicy } = await import("../../src/extension/engine/launch");
const { startEngine } = await import("../../src/extension/engine/engineProcess");
const { Predictor } = await import("../../src/extension/preview/predictions");

const untrusted = { isTrusted: () => false, workspaceFolders: () => [] };
const trusted = { isTrusted: () => true, workspaceFolders: () => [] };

function collect(child: ReturnType<typeof launchProcess>): Promise<{ code: number | null; stdout: string }> {
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout })));
}

afterEach(() => {
  spawned.length = 0;
  setLaunchPolicy(untrusted);
});

describe("engine launch guard", () => {
  it("refuses every caller before the extension sets a policy and while the workspace is untrusted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ich-launch-"));
    const marker = join(dir, "started");
    const script = ["-e", `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")`];
    for (const policy of [undefined, untrusted]) {
      if (policy) setLaunchPolicy(policy);
      expect(() => launchProcess(process.execPath, script)).toThrow(RestrictedModeError);
      expect(() => startEngine({ command: process.execPath, args: script, env: {} }, dir)).toThrow(/no engine process in Restricted Mode .*Trust this workspace/);
      const invocation = () => ({ command: process.execPath, args: script, env: {} });
      const predictor = new Predictor({ predictInvocation: invocation, gradcamInvocation: invocation, cwd: () => dir, storageDir: dir, log: () => {} });
      await expect(predictor.predict(join(dir, "run"), [marker])).rejects.toThrow(RestrictedModeError);
    }
    expect(spawned).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    // The same command runs once the workspace is trusted: the refusals above were the guard.
    setLaunchPolicy(trusted);
    expect((await collect(launchProcess(process.execPath, script))).code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(spawned).toEqual([process.execPath]);
  });

  it.skipIf(process.platform === "win32")("starts `node` from PATH, never the workspace's own `node`, even when PATH lists the workspace first", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "ich-ws-"));
    const impostor = join(workspace, "node");
    writeFileSync(impostor, "#!/bin/sh\necho impostor\n");
    chmodSync(impostor, 0o755);
    const env = { ...process.env, PATH: [".", workspace, dirname(process.execPath)].join(delimiter) };
    setLaunchPolicy({ isTrusted: () => true, workspaceFolders: () => [workspace] });
    const run = await collect(launchProcess("node", ["-e", "process.stdout.write(process.execPath)"], { cwd: workspace, env }));
    expect(run.stdout).toBe(join(dirname(process.execPath), "node"));
    expect(spawned).toEqual([join(dirname(process.execPath), "node")]);
    // Control: without the exclusion the same PATH would have started the impostor.
    setLaunchPolicy(trusted);
    expect((await collect(launchProcess("node", [], { cwd: tmpdir(), env }))).stdout).toBe("impostor\n");
  });

  it("turns a Node that is not found into the engine's usual failure naming ichLab.nodePath", async () => {
    setLaunchPolicy(trusted);
    const logs: string[] = [];
    const result = await startEngine({ command: "node-that-does-not-exist", args: [], env: {} }, tmpdir(), { onLog: (line) => logs.push(line) }).done;
    expect(result.code).toBeNull();
    expect(logs).toEqual([expect.stringMatching(/^node-that-does-not-exist: Node\.js not found \(node-that-does-not-exist is not in PATH .*\); install Node\.js 20\+ or set the ichLab\.nodePath setting$/)]);
    expect(spawned).toEqual([]);
  });
});
