// JSON-lines files read and written as streams, so an index of 752,803 entries is never one string.
import { createReadStream, createWriteStream, existsSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";

/** Parsed lines of a JSON-lines file; a torn or invalid line (an interrupted writer) is skipped. */
export async function* readJsonLines<T>(path: string): AsyncGenerator<T> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    let value: T;
    try {
      value = JSON.parse(line) as T;
    } catch {
      continue;
    }
    yield value;
  }
}

const WRITER_TEMP = /^\..+\.(\d+)\.[0-9a-z]+\.tmp$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes `dir/name` when it is the temp file of a JsonLinesWriter whose process is gone (killed
 * before commit or abort); true when removed. The temp of a live writer is left alone.
 */
export async function removeStaleWriterTemp(dir: string, name: string): Promise<boolean> {
  const pid = WRITER_TEMP.exec(name)?.[1];
  if (!pid || Number(pid) === process.pid || processAlive(Number(pid))) return false;
  await rm(join(dir, name), { force: true });
  return true;
}

/** Writes lines to a temp file beside `path`; `commit` renames it into place, `abort` removes it. */
export class JsonLinesWriter {
  private readonly stream: WriteStream;
  private readonly temp: string;
  lines = 0;

  constructor(readonly path: string) {
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    this.stream = createWriteStream(this.temp, "utf8");
  }

  async write(value: unknown): Promise<void> {
    this.lines++;
    if (!this.stream.write(`${JSON.stringify(value)}\n`)) await once(this.stream, "drain");
  }

  async writeRaw(line: string): Promise<void> {
    this.lines++;
    if (!this.stream.write(line.endsWith("\n") ? line : `${line}\n`)) await once(this.stream, "drain");
  }

  private async close(): Promise<void> {
    if (this.stream.closed) return;
    this.stream.end();
    await once(this.stream, "close");
  }

  async commit(): Promise<void> {
    await this.close();
    await rename(this.temp, this.path);
  }

  async abort(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}

/** Raw lines (no parse) of a file, for copying cache entries through unchanged. */
export async function* readLines(path: string): AsyncGenerator<string> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield line;
}
