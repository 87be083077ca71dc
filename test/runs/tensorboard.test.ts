import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32c, maskedCrc32c } from "../../src/core/runs/crc32c";
import { RunStore, TensorBoardWriter } from "../../src/core/runs";

// An independent reader: bit-by-bit CRC-32C and a generic protobuf field decoder, written from the
// TFRecord and Event/Summary definitions rather than from the writer's code.
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

type Field = { field: number; wire: number; value: bigint | Buffer };

function decodeFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ field, wire, value: varint() });
    else if (wire === 1) fields.push({ field, wire, value: buf.subarray(i, (i += 8)) });
    else if (wire === 5) fields.push({ field, wire, value: buf.subarray(i, (i += 4)) });
    else if (wire === 2) {
      const length = Number(varint());
      fields.push({ field, wire, value: buf.subarray(i, (i += length)) });
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

interface DecodedEvent {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  scalars: Record<string, number>;
}

function decodeEvent(data: Buffer): DecodedEvent {
  const event: DecodedEvent = { wallTime: Number.NaN, scalars: {} };
  for (const f of decodeFields(data)) {
    if (f.field === 1 && f.wire === 1) event.wallTime = (f.value as Buffer).readDoubleLE(0);
    else if (f.field === 2 && f.wire === 0) event.step = Number(f.value);
    else if (f.field === 3 && f.wire === 2) event.fileVersion = (f.value as Buffer).toString("utf8");
    else if (f.field === 5 && f.wire === 2) {
      for (const value of decodeFields(f.value as Buffer)) {
        expect(value.field).toBe(1);
        let tag = "";
        let simple = Number.NaN;
        for (const vf of decodeFields(value.value as Buffer)) {
          if (vf.field === 1) tag = (vf.value as Buffer).toString("utf8");
          if (vf.field === 2 && vf.wire === 5) simple = (vf.value as Buffer).readFloatLE(0);
        }
        event.scalars[tag] = simple;
      }
    } else throw new Error(`unexpected Event field ${f.field}`);
  }
  return event;
}

describe("CRC-32C", () => {
  it("matches the standard check value and the bitwise reference", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
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
    writer.close();
    expect(writer.path).toBe(join(dir, `events.out.tfevents.1700000000.${hostname()}`));
    const events = readRecords(readFileSync(writer.path)).map(decodeEvent);
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({ wallTime: 1_700_000_000.5, fileVersion: "brain.Event:2", scalars: {} });
    expect(events[1].step).toBe(1);
    expect(events[1].wallTime).toBe(1_700_000_001.25);
    expect(events[1].scalars).toEqual({ "train/loss": Math.fround(0.693), "train/lr": Math.fround(0.001) });
    expect(events[2]).toEqual({ wallTime: 1_700_000_002, step: 300, scalars: { "val/mean_auc": 0.875 } });
  });

  it("a run's metrics become scalars by global step and by epoch", async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), "ich-tb-run-")), "runs"));
    const run = await store.createRun({ name: "tb", config: {}, architecture: "small-cnn", backend: "wasm", device: "cpu", epochsPlanned: 1 });
    const time = new Date().toISOString();
    await run.appendMetrics({ kind: "step", epoch: 1, step: 200, globalStep: 200, loss: 0.25, lr: 0.5, imagesPerSec: 16, time });
    await run.appendMetrics({
      kind: "epoch", epoch: 1, globalStep: 200, trainLoss: 0.3, lr: 0.5, imagesPerSec: 16, seconds: 9, time,
      val: { loss: 0.2, weightedLogLoss: 0.125, meanAuc: 0.75, perLabel: { subdural: { logLoss: 0.5, auc: 0.625, accuracy: 1, sensitivity: 1, specificity: 1, f1: 1 } } },
    });
    await run.finish("completed");
    const files = readdirSync(run.paths.tensorboardDir).filter((f) => f.startsWith("events.out.tfevents."));
    expect(files).toHaveLength(1);
    const events = readRecords(readFileSync(join(run.paths.tensorboardDir, files[0]))).map(decodeEvent);
    expect(events.map((e) => e.step)).toEqual([undefined, 200, 1]);
    expect(events[1].scalars).toEqual({ "train/loss": 0.25, "train/lr": 0.5, "train/images_per_sec": 16 });
    expect(events[2].scalars).toMatchObject({ "epoch/train_loss": Math.fround(0.3), "val/weighted_log_loss": 0.125, "val/mean_auc": 0.75, "val_auc/subdural": 0.625, "val_log_loss/subdural": 0.5 });
  });

  const hasTensorBoard = spawnSync("python3", ["-c", "import tensorboard"]).status === 0;
  it.skipIf(!hasTensorBoard)("TensorBoard's own reader loads the scalars", () => {
    const dir = mkdtempSync(join(tmpdir(), "ich-tb-py-"));
    const writer = new TensorBoardWriter(dir);
    writer.scalar("train/loss", 0.5, 7);
    writer.close();
    const script = [
      "import sys",
      "from tensorboard.backend.event_processing.event_accumulator import EventAccumulator",
      "a = EventAccumulator(sys.argv[1]); a.Reload()",
      "e = a.Scalars('train/loss')[0]; print(e.step, e.value)",
    ].join("\n");
    expect(execFileSync("python3", ["-c", script, dir], { encoding: "utf8" }).trim()).toBe("7 0.5");
  });
});
