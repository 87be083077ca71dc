import { open, readFile, stat } from "node:fs/promises";
import { DicomError } from "./types";

/** Checks that `path` is a readable non-empty regular file; returns its size in bytes. */
export async function checkDicomPath(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new DicomError(path, "not-found", "file not found");
    throw new DicomError(path, "not-found", `cannot read file (${code ?? String(error)})`);
  }
  if (info.isDirectory()) throw new DicomError(path, "is-directory", "is a directory, not a DICOM file");
  if (info.size === 0) throw new DicomError(path, "empty", "file is empty (0 bytes)");
  return info.size;
}

/** Reads the whole file after the path checks. */
export async function readDicomBytes(path: string): Promise<Uint8Array> {
  await checkDicomPath(path);
  return new Uint8Array(await readFile(path));
}

/** Reads at most `length` bytes from the start of the file. */
export async function readPrefix(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buffer = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
