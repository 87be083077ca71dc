// `ich serve`: a model behind Node's http on a loopback port.
//   GET  /healthz        → {status, model, engine, tta, queue, served}
//   GET  /openapi.json   → the OpenAPI description (docs/openapi.yaml is the same document)
//   POST /v1/predict     → one slice (application/dicom) or a study (multipart/related or
//                          multipart/form-data, one DICOM per part) → probabilities
// Limits: a body larger than maxBodyBytes is refused (413); at most maxQueue requests are admitted
// at once (reading, waiting or running), the next gets 503 with Retry-After.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DicomError } from "../dicom";
import type { InferenceEngine } from "../inference/engine";
import type { Label } from "../../shared/labels";
import type { ModelInputSpec } from "../train/model-input";
import type { TtaSetting } from "../predict/tta";
import { SliceBatcher } from "./batcher";
import { MultipartError, parseMultipart, type MultipartPart } from "./multipart";
import { openApiDocument } from "./openapi";
import { dicomBytesToInput } from "./slice-input";
import { errorMessage } from "../../shared/errors";

export interface ServeOptions {
  engine: InferenceEngine;
  spec: ModelInputSpec;
  /** The run id the model comes from. */
  modelId: string;
  architecture?: string;
  /** Largest accepted request body (default 64 MiB). */
  maxBodyBytes?: number;
  /** Requests admitted at once; more get 503 (default 32). */
  maxQueue?: number;
  /** Slices run together in one engine call (default 8). */
  maxBatch?: number;
  /** The views averaged per slice, as eval.tta (default false); resolved by the caller as ich predict does. */
  tta?: TtaSetting;
  /** Seconds a client is told to wait after a 503 (default 1). */
  retryAfterSeconds?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_QUEUE = 32;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class PredictServer {
  readonly server: Server;
  private readonly batcher: SliceBatcher;
  private admitted = 0;
  private closing = false;
  private readonly maxBodyBytes: number;
  private readonly maxQueue: number;

  constructor(private readonly o: ServeOptions) {
    const { spec } = o;
    this.maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxQueue = o.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.batcher = new SliceBatcher(o.engine, spec.preprocess.size, spec.channels, spec.labels.length, o.maxBatch ?? 8, o.tta ?? false);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  /** Resolves with the bound address once listening. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting connections, lets admitted requests finish, then releases the engine. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
    await this.o.engine.dispose();
  }

  private get model() {
    const { spec } = this.o;
    const windows = spec.preprocess.windows.map((w) => w.name);
    return { id: this.o.modelId, architecture: this.o.architecture, labels: spec.labels, inputSize: spec.preprocess.size, channels: spec.channels, windows };
  }

  private get engineSummary() {
    const { name, device, usedProviders } = this.o.engine.info;
    return { name, device, usedProviders };
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...(this.closing ? { connection: "close" } : {}), ...headers });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (path === "/healthz" || path === "/openapi.json") {
        if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "method-not-allowed", `${path} answers GET only`, { allow: "GET" });
        if (path === "/openapi.json") return this.send(res, 200, openApiDocument);
        return this.send(res, 200, { status: this.closing ? "shutting-down" : "ok", model: this.model, engine: this.engineSummary, tta: this.o.tta ?? false, queue: { admitted: this.admitted, max: this.maxQueue }, served: this.batcher.stats });
      }
      if (path !== "/v1/predict") throw new HttpError(404, "not-found", `no route ${path}; see GET /openapi.json`);
      if (req.method !== "POST") throw new HttpError(405, "method-not-allowed", "/v1/predict answers POST only", { allow: "POST" });
    } catch (error) {
      req.resume();
      return this.fail(res, error);
    }
    if (this.admitted >= this.maxQueue) {
      req.resume();
      return this.send(res, 503, { error: { status: 503, code: "queue-full", message: `the server already holds ${this.admitted} requests (limit ${this.maxQueue}); retry later` } }, { "retry-after": String(this.o.retryAfterSeconds ?? 1) });
    }
    this.admitted++;
    const started = performance.now();
    try {
      const body = await this.predict(req, started);
      this.send(res, 200, body);
    } catch (error) {
      this.fail(res, error);
    } finally {
      this.admitted--;
    }
  }

  private fail(res: ServerResponse, error: unknown): void {
    const e =
      error instanceof HttpError
        ? error
        : error instanceof DicomError
          ? new HttpError(422, error.code, error.message)
          : error instanceof MultipartError
            ? new HttpError(400, "bad-multipart", error.message)
            : new HttpError(500, "internal", errorMessage(error));
    this.send(res, e.status, { error: { status: e.status, code: e.code, message: e.message } }, e.headers);
    // A refused body is not read to its end: close the connection rather than drain it.
    if (e.status === 413) res.on("finish", () => res.socket?.destroy());
  }

  private async predict(req: IncomingMessage, started: number) {
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    const multipart = /^multipart\/(related|form-data)\s*(;|$)/.test(type);
    if (!multipart && type.split(";")[0].trim() !== "application/dicom") {
      throw new HttpError(415, "unsupported-media-type", `Content-Type "${req.headers["content-type"] ?? "(none)"}": send one slice as application/dicom, or a study as multipart/related (or multipart/form-data) with one DICOM file per part`);
    }
    const body = await this.readBody(req);
    if (!multipart) {
      if (body.length === 0) throw new HttpError(422, "empty", "the request body is empty; send the bytes of one DICOM file");
      const [slice] = await this.predictParts([{ name: "body", headers: {}, body }]);
      return { model: this.model, engine: this.engineSummary, ...slice, timeMs: round(performance.now() - started) };
    }
    const parts = parseMultipart(body, req.headers["content-type"]!);
    for (const part of parts) {
      const partType = (part.headers["content-type"] ?? "application/dicom").split(";")[0].trim().toLowerCase();
      if (partType !== "application/dicom" && partType !== "application/octet-stream") throw new HttpError(415, "unsupported-media-type", `part "${part.name}" has Content-Type ${partType}; each part must be application/dicom`);
    }
    const slices = await this.predictParts(parts);
    const study: Partial<Record<Label, number>> = {};
    for (const label of this.o.spec.labels) study[label] = Math.max(...slices.map((s) => s.probabilities[label]!));
    const timeMs = round(performance.now() - started);
    return { model: this.model, engine: this.engineSummary, slices, study: { slices: slices.length, probabilities: study }, timeMs };
  }

  /** Decodes every part (naming the part that fails), then predicts them together. */
  private async predictParts(parts: MultipartPart[]) {
    const { spec } = this.o;
    const inputs = [];
    for (const part of parts) {
      if (part.body.length === 0) throw new HttpError(422, "empty", `part "${part.name}" is empty`);
      inputs.push(await dicomBytesToInput(part.body, part.name, spec.preprocess));
    }
    const rows = await Promise.all(inputs.map((input) => this.batcher.predict(input.image)));
    return inputs.map((input, i) => {
      const probabilities: Partial<Record<Label, number>> = {};
      spec.labels.forEach((label, l) => {
        const p = rows[i][l];
        if (!Number.isFinite(p)) throw new HttpError(500, "model-output", `model ${this.o.modelId} outputs ${p}; its weights are corrupt or its training diverged`);
        probabilities[label] = p;
      });
      return { part: parts[i].name, sopInstanceUid: input.sopInstanceUid, studyUid: input.studyUid, seriesUid: input.seriesUid, probabilities };
    });
  }

  private readBody(req: IncomingMessage): Promise<Buffer> {
    const limit = this.maxBodyBytes;
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(`${declared} bytes`, limit));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on("data", (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > limit) {
          done = true;
          req.pause();
          reject(tooLarge(`more than ${limit} bytes`, limit));
          return;
        }
        chunks.push(chunk);
      });
      req.on("end", () => {
        if (done) return;
        done = true;
        resolve(Buffer.concat(chunks, size));
      });
      req.on("aborted", () => {
        if (done) return;
        done = true;
        reject(new HttpError(400, "aborted", "the client closed the connection before the body ended"));
      });
      req.on("error", (error) => {
        if (done) return;
        done = true;
        reject(new HttpError(400, "aborted", error.message));
      });
    });
  }
}

function tooLarge(size: string, limit: number): HttpError {
  return new HttpError(413, "too-large", `the request body is ${size}; this server accepts at most ${limit} bytes (ich serve --max-body-mb)`);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
