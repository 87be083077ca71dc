// `ich serve` as a process (the bundled CLI): binds to 127.0.0.1 by default, and on SIGTERM stops
// accepting, finishes the request it holds, then exits 0.
import { spawn } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("ich serve process", () => {
  it("listens on loopback; SIGTERM finishes the request in flight, refuses new connections, exits 0", async () => {
    const child = spawn(process.execPath, [cli, "serve", tiny.runDir, "--port", "0"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+) /.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      child.on("exit", () => reject(new Error(`ich serve exited: ${stderr}`)));
    });
    expect(stdout).toContain("engine onnx");
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
    expect(stderr).toContain("SIGTERM: no new connections; finishing the requests in progress");
    expect(stderr).toContain("stopped");
  });
});
