// TensorBoard event files (scalars only) without TensorFlow: TFRecord framing around hand-encoded
// Event protobufs, so `tensorboard --logdir runs` shows the curves of every run.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { maskedCrc32c } from "./crc32c";

/** Minimal protobuf writer for the few field types Event and Summary need. */
class ProtoWriter {
  private readonly parts: number[] = [];

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`tensorboard: cannot encode ${value} as a varint`);
    while (value >= 0x80) {
      this.parts.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.parts.push(value);
  }

  private key(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  uint64(field: number, value: number): this {
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  double(field: number, value: number): this {
    this.key(field, 1);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.parts.push(...bytes);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.parts.push(...bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(value.length);
    for (let i = 0; i < value.length; i++) this.parts.push(value[i]);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Event{wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary}. */
export function encodeEvent(event: { wallTime: number; step?: number; fileVersion?: string; scalars?: Record<string, number> }): Uint8Array {
  const writer = new ProtoWriter().double(1, event.wallTime);
  if (event.step !== undefined) writer.uint64(2, event.step);
  if (event.fileVersion !== undefined) writer.string(3, event.fileVersion);
  if (event.scalars) {
    // Summary{value=1 repeated Value{tag=1 string, simple_value=2 float}}
    const summary = new ProtoWriter();
    for (const [tag, value] of Object.entries(event.scalars)) summary.bytes(1, new ProtoWriter().string(1, tag).float(2, value).finish());
    writer.bytes(5, summary.finish());
  }
  return writer.finish();
}

/** TFRecord: uint64 length, masked CRC32C of the length bytes, data, masked CRC32C of the data (all little-endian). */
export function frameRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(record.subarray(0, 8)), true);
  record.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return record;
}

/** Appends scalar summaries to `<dir>/events.out.tfevents.<unix seconds>.<host>`. Each event is one write. */
export class TensorBoardWriter {
  readonly path: string;
  private fd: number | undefined;

  constructor(dir: string, now: Date = new Date()) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `events.out.tfevents.${Math.floor(now.getTime() / 1000)}.${hostname()}`);
    this.fd = openSync(this.path, "a");
    this.write(encodeEvent({ wallTime: now.getTime() / 1000, fileVersion: "brain.Event:2" }));
  }

  private write(event: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path}: TensorBoard writer is closed`);
    const record = frameRecord(event);
    let offset = 0;
    while (offset < record.length) offset += writeSync(this.fd, record, offset);
  }

  /** One event with every finite value of `scalars` at `step` (non-negative integer). */
  scalars(scalars: Record<string, number>, step: number, wallTime: number = Date.now() / 1000): void {
    const finite = Object.fromEntries(Object.entries(scalars).filter(([, v]) => Number.isFinite(v)));
    if (Object.keys(finite).length > 0) this.write(encodeEvent({ wallTime, step, scalars: finite }));
  }

  scalar(tag: string, value: number, step: number, wallTime?: number): void {
    this.scalars({ [tag]: value }, step, wallTime);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
