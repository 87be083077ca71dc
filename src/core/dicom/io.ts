import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { DicomError } from "./types";

// Synchronous reads on purpose: a DICOM header is a few KiB and a slice ~0.5 MiB, and the thread-pool
// round trips of fs/promises (stat, open, read, close) cost more than the reads themselves when
// hundreds of files are indexed on a busy machine.

function notReadable(path: string, error: unknown): DicomError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return new DicomError(path, "not-found", "file not found");
  if (code === "EISDIR") return new DicomError(path, "is-directory", "is a directory, not a DICOM file");
  return new DicomError(path, "not-found", `cannot read file (${code ?? String(error)})`);
}

function checkSize(path: string, info: { isDirectory(): boolean; size: number }): number {
  if (info.isDirectory()) throw new DicomError(path, "is-directory", "is a directory, not a DICOM file");
  if (info.size === 0) throw new DicomError(path, "empty", "file is empty (0 bytes)");
  return info.size;
}

/** Checks that `path` is a readable non-empty regular file; returns its size in bytes. */
export async function checkDicomPath(path: string): Promise<number> {
  try {
    return checkSize(path, statSync(path));
  } catch (error) {
    if (error instanceof DicomError) throw error;
    throw notReadable(path, error);
  }
}

/** Reads the whole file after the path checks. */
export async function readDicomBytes(path: string): Promise<Uint8Array> {
  await checkDicomPath(path);
  try {
    const buffer = readFileSync(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw notReadable(path, error);
  }
}

/**
 * Reads at most `length` bytes from the start of the file into `into` (or a new buffer);
 * `whole` tells whether that was all of it. No stat call: a short read means end of file, and
 * reading a directory fails with EISDIR.
 */
export function readPrefixSync(path: string, length: number, into?: Uint8Array): { bytes: Uint8Array; whole: boolean } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw notReadable(path, error);
  }
  try {
    const buffer = into && into.length >= length ? into : new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const read = readSync(fd, buffer, filled, length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    if (filled === 0) throw new DicomError(path, "empty", "file is empty (0 bytes)");
    return { bytes: buffer.subarray(0, filled), whole: filled < length };
  } catch (error) {
    if (error instanceof DicomError) throw error;
    throw notReadable(path, error);
  } finally {
    closeSync(fd);
  }
}
