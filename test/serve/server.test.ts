// ich serve's HTTP behaviour, in process on 127.0.0.1 with a tiny model on ONNX Runtime: answers
// equal `ich predict`'s (without TTA, with the flip and with multi-view TTA), multipart studies,
// every 4xx, 503 when the queue is full, and a bounded load test (200 requests, 8 at a time: 0 errors; latency and throughput printed, not asserted).
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InferenceEngine } from "../../src/core/inference/engine";
import { openEngine } from "../../src/core/inference/open-engine";
import { predictFiles } from "../../src/core/predict/predict-files";
import type { TtaSetting } from "../../src/core/predict/tta";
import { PredictServer } from "../../src/core/serve/server";
import { readModelInput, type ModelInputSpec } from "../../src/core/train/model-input";
import { writeTinyRun } from "./tiny-run";

const root = mkdtempSync(join(tmpdir(), "ich-serve-"));
let tiny: Awaited<ReturnType<typeof writeTinyRun>>;
let spec: ModelInputSpec;
let server: PredictServer;
let base = "";

/** The fields of the server's JSON answers that these tests read (predictions, errors, health, the OpenAPI document). */
interface ServeJson {
  engine: { name: string };
  model: { id: string };
  timeMs: number;
  part: string;
  studyUid: string;
  probabilities: Record<string, number>;
  slices: { part: string; probabilities: Record<string, number> }[];
  study: { probabilities: Record<string, number> };
  error: { status: number; code: string; message: string };
  queue: { admitted: number };
  tta: TtaSetting;
  paths: Record<string, Record<string, unknown>>;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: ServeJson;
}

function send(url: string, method: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, ...(body ? { "content-length": String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const json = JSON.parse(Buffer.concat(chunks).toString("utf8") || "null") as ServeJson;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const dicom = (body: Buffer) => send(`${base}/v1/predict`, "POST", body, { "content-type": "application/dicom" });

function multipartRelated(parts: { name: string; body: Buffer; type?: string }[], boundary = "ich-boundary-42"): { body: Buffer; type: string } {
  const chunks: Buffer[] = [Buffer.from("preamble to ignore\r\n")];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${p.type ?? "application/dicom"}\r\nContent-Location: ${p.name}\r\n\r\n`), p.body, Buffer.from("\r\n"));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

beforeAll(async () => {
  tiny = await writeTinyRun(root);
  spec = await readModelInput(join(tiny.runDir, "model"));
  const engine = await openEngine(join(tiny.runDir, "model"), spec, { engine: "onnx" });
  server = new PredictServer({ engine, spec, modelId: "tiny-run", maxBodyBytes: 2 * 1024 * 1024, maxQueue: 16 });
  const address = await server.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await server?.shutdown();
  rmSync(root, { recursive: true, force: true });
});

describe("ich serve API", () => {
  it("answers /healthz and /openapi.json, and predicts a slice exactly as ich predict does", async () => {
    const health = await send(`${base}/healthz`, "GET");
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: "ok", model: { id: "tiny-run", inputSize: 32 }, engine: { name: "onnx" }, tta: false });
    expect((await send(`${base}/openapi.json`, "GET")).json.paths["/v1/predict"].post).toBeDefined();
    const reference = await predictFiles(tiny.runDir, [tiny.files[0]], { engine: "onnx" });
    const reply = await dicom(tiny.slices[0]);
    expect(reply.status).toBe(200);
    expect(reply.json.engine.name).toBe("onnx");
    expect(reply.json.model.id).toBe("tiny-run");
    expect(reply.json.timeMs).toBeGreaterThan(0);
    expect(reply.json.part).toBe("body");
    expect(reply.json.studyUid).toBe(reference.slices[0].studyUid);
    for (const [label, p] of Object.entries(reference.slices[0].probabilities)) expect(reply.json.probabilities[label]).toBeCloseTo(p, 6);
  });

  it("predicts a study sent as one multipart/related or multipart/form-data request; study = max per label", async () => {
    const singles = await Promise.all(tiny.slices.slice(0, 4).map((s) => dicom(s)));
    const related = multipartRelated(tiny.slices.slice(0, 4).map((body, i) => ({ name: `slice-${i}.dcm`, body })));
    const reply = await send(`${base}/v1/predict`, "POST", related.body, { "content-type": related.type });
    expect(reply.status, JSON.stringify(reply.json)).toBe(200);
    expect(reply.json.slices.map((s: { part: string }) => s.part)).toEqual(["slice-0.dcm", "slice-1.dcm", "slice-2.dcm", "slice-3.dcm"]);
    reply.json.slices.forEach((s: { probabilities: Record<string, number> }, i: number) => {
      for (const [label, p] of Object.entries(s.probabilities)) expect(p).toBeCloseTo(singles[i].json.probabilities[label], 6);
    });
    for (const label of spec.labels) expect(reply.json.study.probabilities[label]).toBe(Math.max(...reply.json.slices.map((s) => s.probabilities[label])));
    const form = new FormData();
    tiny.slices.slice(0, 2).forEach((s, i) => form.append("file", new Blob([new Uint8Array(s)], { type: "application/dicom" }), `f${i}.dcm`));
    const response = await fetch(`${base}/v1/predict`, { method: "POST", body: form });
    const json = (await response.json()) as { slices: { part: string }[] };
    expect(response.status).toBe(200);
    expect(json.slices.map((s) => s.part)).toEqual(["f0.dcm", "f1.dcm"]);
  });

  it("answers bad requests with a 4xx JSON error that names the problem", async () => {
    const wrongType = await send(`${base}/v1/predict`, "POST", tiny.slices[0], { "content-type": "image/png" });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.error).toMatchObject({ status: 415, code: "unsupported-media-type" });
    const notDicom = await dicom(Buffer.from("GIF89a this is no DICOM file at all, only some text to fill the preamble".repeat(4)));
    expect(notDicom.status).toBe(422);
    expect(notDicom.json.error.code).toBe("not-dicom");
    const truncated = await dicom(tiny.slices[0].subarray(0, tiny.slices[0].length - 3000));
    expect(truncated.status).toBe(422);
    expect(truncated.json.error.code).toBe("truncated");
    expect(truncated.json.error.message).toMatch(/^body: /);
    const empty = await dicom(Buffer.alloc(0));
    expect(empty.status).toBe(422);
    const big = await dicom(Buffer.alloc(3 * 1024 * 1024));
    expect(big.status).toBe(413);
    expect(big.json.error.message).toContain("at most 2097152 bytes");
    // A non-CT slice: the same file with its Modality changed to MR (same length: "CT" → "MR")
    const mr = Buffer.from(tiny.slices[0]);
    const at = mr.indexOf(Buffer.from([0x08, 0x00, 0x60, 0x00]));
    expect(at).toBeGreaterThan(0);
    const value = mr.indexOf(Buffer.from("CT"), at);
    mr.write("MR", value, "latin1");
    const notCt = await dicom(mr);
    expect(notCt.status).toBe(422);
    expect(notCt.json.error).toMatchObject({ code: "not-ct" });
    expect(notCt.json.error.message).toContain("modality MR is not CT");
    // In a study, the failing part is named
    const study = multipartRelated([{ name: "good.dcm", body: tiny.slices[0] }, { name: "cut.dcm", body: tiny.slices[1].subarray(0, 500) }]);
    const partly = await send(`${base}/v1/predict`, "POST", study.body, { "content-type": study.type });
    expect(partly.status).toBe(422);
    expect(partly.json.error.message).toMatch(/^cut\.dcm: /);
    const unterminated = multipartRelated([{ name: "a.dcm", body: tiny.slices[0] }]);
    const cut = await send(`${base}/v1/predict`, "POST", unterminated.body.subarray(0, unterminated.body.length - 30), { "content-type": unterminated.type });
    expect(cut.status).toBe(400);
    expect(cut.json.error.message).toContain("closing");
    const pngPart = multipartRelated([{ name: "x.png", body: Buffer.from("png"), type: "image/png" }]);
    expect((await send(`${base}/v1/predict`, "POST", pngPart.body, { "content-type": pngPart.type })).status).toBe(415);
    expect((await send(`${base}/v1/predict`, "POST", tiny.slices[0], { "content-type": "multipart/related" })).status).toBe(400);
    expect((await send(`${base}/v1/predict`, "GET")).status).toBe(405);
    expect((await send(`${base}/v2/predict`, "POST", tiny.slices[0], { "content-type": "application/dicom" })).status).toBe(404);
  });

  it("load test: 200 requests at concurrency 8 without an error", async () => {
    const total = 200;
    const concurrency = 8;
    const latencies: number[] = [];
    const statuses: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          const t = performance.now();
          const reply = await dicom(tiny.slices[i % tiny.slices.length]);
          latencies.push(performance.now() - t);
          statuses.push(reply.status);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    console.log(`ich serve load test: ${total} requests, concurrency ${concurrency}: p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, ${(total / seconds).toFixed(1)} requests/s`);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(total);
  });
});

describe("test-time augmentation", () => {
  /** A server with `tta` on the tiny run; its base URL, and shutdown. */
  async function ttaServer(tta: TtaSetting) {
    const engine = await openEngine(join(tiny.runDir, "model"), spec, { engine: "onnx" });
    const s = new PredictServer({ engine, spec, modelId: "tiny-run", tta });
    const { port } = await s.listen(0, "127.0.0.1");
    return { url: `http://127.0.0.1:${port}`, close: () => s.shutdown() };
  }

  /** Four slices as one multipart request, so the views of several slices share an engine batch. */
  async function studyReply(url: string) {
    const related = multipartRelated(tiny.slices.slice(0, 4).map((body, i) => ({ name: tiny.files[i], body })));
    const reply = await send(`${url}/v1/predict`, "POST", related.body, { "content-type": related.type });
    expect(reply.status, JSON.stringify(reply.json)).toBe(200);
    return reply.json.slices;
  }

  async function expectLikePredict(tta: TtaSetting) {
    const { url, close } = await ttaServer(tta);
    try {
      expect((await send(`${url}/healthz`, "GET")).json.tta).toEqual(tta);
      const reference = await predictFiles(tiny.runDir, tiny.files.slice(0, 4), { engine: "onnx", tta });
      expect(reference.tta).toEqual(tta);
      const slices = await studyReply(url);
      const single = await send(`${url}/v1/predict`, "POST", tiny.slices[0], { "content-type": "application/dicom" });
      for (const [i, slice] of slices.entries()) {
        const expected = reference.slices.find((r) => r.file === tiny.files[i])!.probabilities;
        for (const label of spec.labels) expect(Math.abs(slice.probabilities[label] - expected[label]!), `${label} of ${slice.part}`).toBeLessThan(1e-5);
      }
      for (const label of spec.labels) expect(Math.abs(single.json.probabilities[label] - slices[0].probabilities[label])).toBeLessThan(1e-5);
      return slices;
    } finally {
      await close();
    }
  }

  it("a multi-view server (flip, two rotations, a zoom) answers as ich predict with the same views, within 1e-5", async () => {
    const views = await expectLikePredict({ flip: true, rotate: [-10, 10], zoom: [1.1] });
    // the views change the answer: a server that ignored them would fail the comparison above
    const plain = await predictFiles(tiny.runDir, tiny.files.slice(0, 4), { engine: "onnx", tta: false });
    const plainOf = (i: number) => plain.slices.find((r) => r.file === tiny.files[i])!.probabilities;
    const largest = Math.max(...views.flatMap((v, i) => spec.labels.map((l) => Math.abs(v.probabilities[l] - plainOf(i)[l]!))));
    expect(largest).toBeGreaterThan(1e-4);
  });

  it("a flip-only server answers as ich predict --tta on a run without eval.tta", async () => {
    await expectLikePredict(true);
  });
});

describe("a full request queue", () => {
  it("answers 503 with Retry-After while maxQueue requests are held, and serves again after", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow: InferenceEngine = {
      info: { name: "onnx", device: "test gate", notes: [] },
      predict: async (_x, n) => {
        await gate;
        return new Float32Array(n * 6).fill(0.25);
      },
      dispose: async () => undefined,
    };
    const held = new PredictServer({ engine: slow, spec, modelId: "gated", maxQueue: 2, retryAfterSeconds: 3 });
    const { port } = await held.listen(0, "127.0.0.1");
    const url = `http://127.0.0.1:${port}`;
    const post = () => send(`${url}/v1/predict`, "POST", tiny.slices[0], { "content-type": "application/dicom" });
    const first = [post(), post()];
    // wait until both are admitted (their bodies read, waiting on the engine)
    for (let i = 0; i < 200 && (await send(`${url}/healthz`, "GET")).json.queue.admitted < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("3");
    expect(refused.json.error.code).toBe("queue-full");
    release();
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    expect((await post()).status).toBe(200);
    await held.shutdown();
  });
});
