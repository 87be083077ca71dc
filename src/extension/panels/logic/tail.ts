// Incremental reader of an append-only JSON-lines file (metrics.jsonl): each `read()` returns
// only the complete lines added since the previous one, so a live panel posts just the new points.
import { open, stat } from "node:fs/promises";

export interface TailResult {
  /** True when the file shrank or was replaced: `lines` then hold the whole file again. */
  reset: boolean;
  lines: unknown[];
}

export class JsonlTail {
  private offset = 0;
  /** Bytes after the last newline (a line still being written; may end inside a UTF-8 character). */
  private partial: Buffer = Buffer.alloc(0);
  private inode: number | undefined;

  constructor(readonly file: string) {}

  async read(): Promise<TailResult> {
    let info;
    try {
      info = await stat(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return this.restart(0);
      throw error;
    }
    let reset = false;
    if (info.size < this.offset || (this.inode !== undefined && info.ino !== this.inode)) {
      this.offset = 0;
      this.partial = Buffer.alloc(0);
      reset = true;
    }
    this.inode = info.ino;
    if (info.size === this.offset) return { reset, lines: [] };
    const handle = await open(this.file, "r");
    let bytes: Buffer;
    try {
      const buffer = Buffer.alloc(info.size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      bytes = Buffer.concat([this.partial, buffer.subarray(0, bytesRead)]);
    } finally {
      await handle.close();
    }
    const cut = bytes.lastIndexOf(0x0a);
    // A line without its newline is still being written: keep its bytes for the next read.
    this.partial = Buffer.from(bytes.subarray(cut + 1));
    const lines: unknown[] = [];
    for (const line of bytes.subarray(0, cut + 1).toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line));
      } catch {
        // A corrupt line (e.g. a truncation after disk full) must not hide the rest of the curve.
      }
    }
    return { reset, lines };
  }

  private restart(size: number): TailResult {
    const reset = this.offset > size;
    this.offset = 0;
    this.partial = Buffer.alloc(0);
    this.inode = undefined;
    return { reset, lines: [] };
  }
}
