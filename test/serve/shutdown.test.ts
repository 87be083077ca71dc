// `ich serve` as a process (the bundled CLI): binds to 127.0.0.1 by default, and on SIGTERM stops
// accepting, finishes the request it holds, then exits 0. It averages the run's eval.tta views by
// default, as ich predict does; --tta with --no-tta is a usage error.
import { spawn } from "node:child_process";
import { request } from "node:http";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command as predictCommand } from "../../src/cli/commands/predict";
import { command as serveCommand } from "../../src/cli/commands/serve";
import { UsageError } from "../../src/cli/usage";
import { predictFiles } from "../../src/core/predict/predict-files";
import type { TtaSetting } from "../../src/core/predict/tta";
import { bundleCli } from "../helpers/bundle-cli";
import { writeTinyRun } from "./tiny-run";

const root = mkdtempSync(join(tmpdir(), "ich-serve-shutdown-"));
let cli = "";
let removeCli = () => {};
let tiny: Awaited<ReturnType<typeof writeTinyRun>>;

beforeAll(async () => {
  ({ cli, remove: removeCli } = await bundleCli("serve-shutdown"));
  tiny = await writeTinyRun(root);
}, 300_000);
afterAll(() => {
  removeCli();
  rmSync(root, { recursive: true, force: true });
});

function post(port: number, body: Buffer, type: string): Promise<{ status: number; json: { slices: unknown[] } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/v1/predict", method: "POST", headers: { "content-type": type, "content-length": String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as { slices: unknown[] } }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function admitted(port: number): Promise<number> {
  const reply = await fetch(`http://127.0.0.1:${port}/healthz`);
  return ((await reply.json()) as { queue: { admitted: number } }).queue.admitted;
}

/** `ich serve RUN --port 0` as a child process, once its first stdout line says where it listens. */
async function startServe(runDir: string) {
  const child = spawn(process.execPath, [cli, "serve", runDir, "--port", "0"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stderr.on("data", (c: Buffer) => (output.stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      output.stdout += c.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+) /.exec(output.stdout);
      if (match) resolve(Number(match[1]));
    });
    child.on("exit", () => reject(new Error(`ich serve exited: ${output.stderr}`)));
  });
  return { child, output, exited, port };
}

describe("ich serve process", () => {
  it("listens on loopback; SIGTERM finishes the request in flight, refuses new connections, exits 0", async () => {
    const { child, output, exited, port } = await startServe(tiny.runDir);
    expect(output.stdout).toContain("engine onnx");
    // A study of 240 slices keeps the server busy for a while
    const boundary = "b0undary";
    const parts = Array.from({ length: 240 }, (_, i) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Location: s${i}.dcm\r\n\r\n`), tiny.slices[i % tiny.slices.length], Buffer.from("\r\n")]).flat();
    const study = post(port, Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), `multipart/related; boundary=${boundary}`);
    for (let i = 0; i < 500 && (await admitted(port)) < 1; i++) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGTERM");
    const reply = await study;
    expect(reply.status).toBe(200);
    expect(reply.json.slices).toHaveLength(240);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(await exited).toBe(0);
    expect(output.stderr).toContain("SIGTERM: no new connections; finishing the requests in progress");
    expect(output.stderr).toContain("stopped");
  });

  it("averages the views of the run's eval.tta by default, as ich predict does on the same file", async () => {
    const tta: TtaSetting = { flip: true, rotate: [-10, 10], zoom: [1.1] };
    const runDir = join(root, "tta-run");
    // timestamps kept: model.onnx must stay at least as new as model.json for the ONNX engine
    cpSync(tiny.runDir, runDir, { recursive: true, preserveTimestamps: true });
    writeFileSync(join(runDir, "run.json"), JSON.stringify({ id: "tta-run", config: { eval: { tta } } }));
    const { child, output, exited, port } = await startServe(runDir);
    try {
      expect(output.stdout).toContain("TTA: flip, rotate -10°, rotate 10°, zoom ×1.1");
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { tta: TtaSetting };
      expect(health.tta).toEqual(tta);
      const reply = (await post(port, tiny.slices[0], "application/dicom")).json as unknown as { probabilities: Record<string, number> };
      const reference = await predictFiles(runDir, [tiny.files[0]], { engine: "onnx" });
      expect(reference.tta).toEqual(tta);
      for (const [label, p] of Object.entries(reference.slices[0].probabilities)) expect(Math.abs(reply.probabilities[label] - p), label).toBeLessThan(1e-5);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("refuses --tta with --no-tta as a usage error, as ich predict does", async () => {
    await expect(serveCommand.run([tiny.runDir, "--tta", "--no-tta"])).rejects.toThrow(UsageError);
    await expect(serveCommand.run([tiny.runDir, "--tta", "--no-tta"])).rejects.toThrow("--tta and --no-tta contradict each other");
    await expect(predictCommand.run([tiny.runDir, tiny.files[0], "--tta", "--no-tta"])).rejects.toThrow("--tta and --no-tta contradict each other");
  });
});
