import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { crc32c, maskedCrc32c } from "../../src/core/runs/crc32c";
import { RunStore, TensorBoardWriter } from "../../src/core/runs";

// An independent reader: TFRecord framing checked with a table-less bit-by-bit CRC-32C, and the
// records decoded by protobufjs from copies of TensorBoard's own Event and Summary definitions
// (./tensorboard-proto), not from the writer's code.
function slowCrc32c(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

function mask(crc: number): number {
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  return (rotated + 0xa282ead8) % 2 ** 32;
}

/** TFRecord: uint64 length, masked CRC of the length bytes, data, masked CRC of the data (little-endian). */
function readRecords(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < file.length) {
    const lengthBytes = file.subarray(offset, offset + 8);
    const length = Number(lengthBytes.readBigUInt64LE(0));
    expect(file.readUInt32LE(offset + 8)).toBe(mask(slowCrc32c(lengthBytes)));
    const data = file.subarray(offset + 12, offset + 12 + length);
    expect(data.length).toBe(length);
    expect(file.readUInt32LE(offset + 12 + length)).toBe(mask(slowCrc32c(data)));
    records.push(data);
    offset += 12 + length + 4;
  }
  expect(offset).toBe(file.length);
  return records;
}

const Event = protobuf.loadSync(fileURLToPath(new URL("tensorboard-proto/event.proto", import.meta.url))).lookupType("tensorflow.Event");

interface DecodedEvent {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  /** tag → simple_value, for a Summary event. */
  scalars?: Record<string, number>;
}

interface EventObject {
  wallTime?: number;
  step?: number;
  what?: string;
  fileVersion?: string;
  summary?: { value?: { tag?: string; value?: string; simpleValue?: number; metadata?: unknown; nodeName?: string }[] };
}

function decodeEvent(data: Buffer): DecodedEvent {
  const message = Event.decode(data);
  // Re-encoding gives the same bytes only when every field was known and of the declared wire type
  // (the writer emits fields in field-number order, as protobuf encoders do).
  expect(Buffer.from(Event.encode(message).finish())).toEqual(data);
  const event = Event.toObject(message, { longs: Number, oneofs: true }) as EventObject;
  const decoded: DecodedEvent = { wallTime: event.wallTime ?? Number.NaN };
  if (event.step !== undefined) decoded.step = event.step;
  if (event.what === "fileVersion") decoded.fileVersion = event.fileVersion;
  else if (event.what === "summary") {
    decoded.scalars = {};
    for (const value of event.summary?.value ?? []) {
      // Legacy scalar summaries: a tag and a simple_value, which TensorBoard shows as a scalar curve.
      expect(value).toEqual({ tag: value.tag, value: "simpleValue", simpleValue: value.simpleValue });
      expect(decoded.scalars).not.toHaveProperty(value.tag!);
      decoded.scalars[value.tag!] = value.simpleValue!;
    }
  } else throw new Error(`unexpected Event member ${event.what}`);
  return decoded;
}

function readEventFile(path: string): DecodedEvent[] {
  return readRecords(readFileSync(path)).map(decodeEvent);
}

describe("CRC-32C", () => {
  it("matches the standard check value and the bitwise reference", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(slowCrc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    const random = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919 + 13) & 0xff);
    expect(crc32c(random)).toBe(slowCrc32c(random));
    expect(maskedCrc32c(random)).toBe(mask(slowCrc32c(random)));
  });
});

describe("TensorBoard event files", () => {
  it("writes framed records with a version event and scalar summaries", () => {
    const dir = mkdtempSync(join(tmpdir(), "ich-tb-"));
    const writer = new TensorBoardWriter(dir, new Date(1_700_000_000_500));
    writer.scalars({ "train/loss": 0.693, "train/lr": 0.001, skipped: Number.NaN }, 1, 1_700_000_001.25);
    writer.scalar("val/mean_auc", 0.875, 300, 1_700_000_002);
    writer.scalar("big/step", -2.5, 2 ** 40, 1_700_000_003);
    writer.close();
    expect(writer.path).toBe(join(dir, `events.out.tfevents.1700000000.${hostname()}`));
    expect(readEventFile(writer.path)).toEqual([
      { wallTime: 1_700_000_000.5, fileVersion: "brain.Event:2" },
      { wallTime: 1_700_000_001.25, step: 1, scalars: { "train/loss": Math.fround(0.693), "train/lr": Math.fround(0.001) } },
      { wallTime: 1_700_000_002, step: 300, scalars: { "val/mean_auc": 0.875 } },
      { wallTime: 1_700_000_003, step: 2 ** 40, scalars: { "big/step": -2.5 } },
    ]);
  });

  it("a run's event file holds exactly the finite metrics of its metrics.jsonl, by global step and by epoch", async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), "ich-tb-run-")), "runs"));
    const run = await store.createRun({ name: "tb", config: {}, architecture: "small-cnn", backend: "wasm", device: "cpu", epochsPlanned: 2 });
    const time = new Date().toISOString();
    const perLabel = (auc: number) => ({
      any: { logLoss: 0.5, auc, accuracy: 1, sensitivity: 1, specificity: 1, f1: 1 },
      // one class only in the validation set: no AUC
      epidural: { logLoss: 0.0625, auc: Number.NaN, accuracy: 1, sensitivity: Number.NaN, specificity: 1, f1: Number.NaN },
    });
    await run.appendMetrics({ kind: "step", epoch: 1, step: 1, globalStep: 1, loss: 0.7, lr: 0.001, imagesPerSec: 12.5, time });
    await run.appendMetrics({ kind: "step", epoch: 1, step: 2, globalStep: 2, loss: 0.6, lr: 0.002, imagesPerSec: 16, time });
    await run.appendMetrics({ kind: "epoch", epoch: 1, globalStep: 2, trainLoss: 0.65, lr: 0.002, imagesPerSec: 14, seconds: 9, time, val: { loss: 0.2, weightedLogLoss: 0.125, meanAuc: 0.75, perLabel: perLabel(0.625) } });
    await run.appendMetrics({ kind: "step", epoch: 2, step: 1, globalStep: 3, loss: Number.NaN, lr: 0.003, imagesPerSec: 15, time });
    await run.appendMetrics({ kind: "epoch", epoch: 2, globalStep: 3, trainLoss: 0.55, lr: 0.003, imagesPerSec: 15, seconds: 8.5, time });
    await run.finish("completed");

    // What the run recorded, read back from disk (NaN is stored as null), mapped to the tags the
    // README promises: train/* by global step; epoch/*, val/*, val_auc/<label>, val_log_loss/<label> by epoch.
    type Stored = { kind: "step" | "epoch"; [key: string]: unknown };
    const lines = readFileSync(run.paths.metricsJsonl, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Stored);
    expect(lines).toHaveLength(5);
    const expected = lines.map((line) => {
      type Val = { loss: number; weightedLogLoss: number; meanAuc: number; perLabel: Record<string, { auc: number | null; logLoss: number }> };
      const m = line as Record<string, number> & { val?: Val };
      const scalars: Record<string, number | null> =
        line.kind === "step"
          ? { "train/loss": m.loss, "train/lr": m.lr, "train/images_per_sec": m.imagesPerSec }
          : { "epoch/train_loss": m.trainLoss, "epoch/lr": m.lr, "epoch/images_per_sec": m.imagesPerSec, "epoch/seconds": m.seconds };
      if (m.val) {
        Object.assign(scalars, { "val/loss": m.val.loss, "val/weighted_log_loss": m.val.weightedLogLoss, "val/mean_auc": m.val.meanAuc });
        for (const [label, v] of Object.entries(m.val.perLabel)) Object.assign(scalars, { [`val_auc/${label}`]: v.auc, [`val_log_loss/${label}`]: v.logLoss });
      }
      const finite = Object.entries(scalars).filter((e): e is [string, number] => typeof e[1] === "number");
      return { step: line.kind === "step" ? m.globalStep : m.epoch, scalars: Object.fromEntries(finite.map(([tag, v]) => [tag, Math.fround(v)])) };
    });

    const files = readdirSync(run.paths.tensorboardDir).filter((f) => f.startsWith("events.out.tfevents."));
    expect(files).toHaveLength(1);
    const events = readEventFile(join(run.paths.tensorboardDir, files[0]));
    expect(events[0].fileVersion).toBe("brain.Event:2");
    expect(events.slice(1).map(({ step, scalars }) => ({ step, scalars }))).toEqual(expected);
    // spot checks that the mapping above is the one intended
    expect(expected[2].scalars).toMatchObject({ "val_auc/any": 0.625, "val_log_loss/epidural": 0.0625 });
    expect(expected[2].scalars).not.toHaveProperty("val_auc/epidural");
    expect(expected[3].scalars).not.toHaveProperty("train/loss");
    const start = Date.parse(time) / 1000 - 60;
    for (const event of events) expect(event.wallTime > start && event.wallTime < Date.now() / 1000 + 60).toBe(true);
  });
});
