// Feather tables (pandas DataFrame.to_feather) as rows of strings, so the CSV parsers' checks apply
// unchanged. Feather V2 is the Arrow IPC file format, LZ4- (pandas' default) or ZSTD-compressed or
// plain; Feather V1 (magic "FEA1", written by pandas/pyarrow before 2020) is refused with the
// one-line conversion.
import { readFile } from "node:fs/promises";
import { CompressionType, compressionRegistry, tableFromIPC, type Table } from "apache-arrow";
import { decompress as zstdDecompress } from "fzstd";
import lz4 from "lz4js";
import { errorMessage } from "../../shared/errors";

export interface StringTable {
  header: string[];
  rows: string[][];
}

let codecsRegistered = false;

function registerCodecs(): void {
  if (codecsRegistered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data) => lz4.decompress(data) });
  compressionRegistry.set(CompressionType.ZSTD, { decode: (data) => zstdDecompress(data) });
  codecsRegistered = true;
}

const ascii = (bytes: Uint8Array, start: number, length: number) => String.fromCharCode(...bytes.subarray(start, start + length));

export function isFeatherV1(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && ascii(bytes, 0, 4) === "FEA1" && ascii(bytes, bytes.length - 4, 4) === "FEA1";
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  // Nested Arrow values (lists, structs) as JSON rather than "[object Object]".
  return JSON.stringify(value);
}

/** Reads a Feather V2 / Arrow IPC table; throws an Error naming the file for V1 and for anything unreadable. */
export async function readFeatherTable(path: string): Promise<StringTable> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new Error(`${path}: cannot read the feather file (${errorMessage(error)})`, { cause: error });
  }
  if (isFeatherV1(bytes)) {
    throw new Error(
      `${path}: Feather V1 (the pre-2020 format, magic "FEA1") is not supported, only Feather V2 (Arrow IPC); convert it once with: ` +
        `python3 -c "import pandas as pd; pd.read_feather('${path}').to_feather('${path}')"`,
    );
  }
  registerCodecs();
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new Error(`${path}: not a readable Feather V2 / Arrow IPC file (${errorMessage(error)})`, { cause: error });
  }
  const header = table.schema.fields.map((f) => f.name);
  const columns = header.map((_, i) => table.getChildAt(i)!);
  const rows: string[][] = [];
  for (let r = 0; r < table.numRows; r++) rows.push(columns.map((c) => cellText(c.get(r))));
  return { header, rows };
}

export const isFeatherPath = (path: string) => /\.(fth|feather)$/i.test(path);
