// Splits a child process's output into lines (the lines are read by src/protocol/engine-output.ts).

/** Buffers chunks and hands out complete lines; `flush()` returns the unterminated rest. */
export class LineSplitter {
  private rest = "";

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines = text.split(/\r?\n/);
    this.rest = lines.pop() ?? "";
    return lines;
  }

  flush(): string[] {
    const rest = this.rest;
    this.rest = "";
    return rest.length > 0 ? [rest] : [];
  }
}
