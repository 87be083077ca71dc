// One preview's access to its DICOM files: slices are decoded in the slice-decoder process
// (decoder-process.ts) and kept here, on the host, in an LRU of ready-to-send payloads so
// scrolling back and forth in a loaded series never decodes twice.
import { DicomError, type DicomHeader } from "../../core/dicom/types";
import type { TagRow } from "../../protocol/preview";
import { DecoderProcess, errorOf } from "./decoder-process";
import type { LoadedSlice } from "./decoder-protocol";
import { LruCache } from "./lru";

export type { LoadedSlice } from "./decoder-protocol";

/** Files per header request: a few tens of milliseconds of reading, each request under the time limit. */
const HEADER_CHUNK = 64;

export class SliceLoader {
  private readonly slices = new LruCache<string, LoadedSlice>(64);
  /** A file that failed (a bomb may take the whole time limit) is not decoded again by this preview. */
  private readonly failures = new LruCache<string, DicomError>(256);
  private readonly inflight = new Map<string, Promise<LoadedSlice>>();
  private readonly ownsDecoder: boolean;
  private readonly decoder: DecoderProcess;

  /** Without a shared decoder the loader starts (and on dispose stops) its own. */
  constructor(decoder?: DecoderProcess) {
    this.ownsDecoder = decoder === undefined;
    this.decoder = decoder ?? new DecoderProcess();
  }

  has(file: string, frame: number): boolean {
    return this.slices.has(`${file}#${frame}`);
  }

  /** `urgent`: the user is waiting for this slice, so it goes before queued prefetches. */
  load(file: string, frame: number, urgent = false): Promise<LoadedSlice> {
    const key = `${file}#${frame}`;
    const hit = this.slices.get(key);
    if (hit) return Promise.resolve(hit);
    const failure = this.failures.get(key);
    if (failure) return Promise.reject(failure);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.decode(file, frame, urgent).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async decode(file: string, frame: number, urgent: boolean): Promise<LoadedSlice> {
    const started = performance.now();
    const decoded = await this.decoder.run({ kind: "slice", file, frame }, urgent).catch((error: unknown) => {
      // Only the file's own failures: a decoder that could not start may work next time.
      if (error instanceof DicomError) this.failures.set(`${file}#${frame}`, error);
      throw error;
    });
    const slice: LoadedSlice = { ...decoded, decodeMs: performance.now() - started };
    this.slices.set(`${file}#${frame}`, slice);
    return slice;
  }

  /**
   * Headers (read up to the pixel data) in input order, or the error that file gave. A chunk
   * whose request fails as a whole (the process hung or died on one file) is retried one file
   * per request, so only the file at fault gets that error.
   */
  async headers(files: readonly string[]): Promise<(DicomHeader | Error)[]> {
    const results: (DicomHeader | Error)[] = [];
    for (let start = 0; start < files.length; start += HEADER_CHUNK) {
      const chunk = files.slice(start, start + HEADER_CHUNK);
      try {
        const answers = await this.decoder.run({ kind: "headers", files: chunk });
        results.push(...answers.map((a) => ("header" in a ? a.header : errorOf(a.error))));
      } catch (error) {
        if (chunk.length === 1) {
          results.push(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        for (const file of chunk) results.push(...(await this.headers([file])));
      }
    }
    return results;
  }

  /** The file's tag rows for the tag browser; empty when the header cannot be read. */
  async tags(file: string): Promise<TagRow[]> {
    return this.decoder.run({ kind: "tags", file }, true).catch(() => []);
  }

  dispose(): void {
    if (this.ownsDecoder) this.decoder.dispose();
  }
}
