// Reads and decodes slices for one preview (DICOM core), with an LRU of ready-to-send payloads so
// scrolling back and forth in a loaded series never decodes twice.
import { dicomTags, modalityFrame } from "../../core/dicom";
import { decodeDicom } from "../../core/dicom/decode";
import { readDicomBytes } from "../../core/dicom/io";
import { DicomError, type DecodedDicom } from "../../core/dicom/types";
import type { SliceMessage, TagRow } from "../../protocol/preview";
import { LruCache } from "./lru";
import { colourToRgba, encodeHu, isColour, type PixelPayload } from "./slice-data";

/** A decoded slice: the series-independent part of the slice message, plus the header rows. */
export interface LoadedSlice
  extends PixelPayload,
    Pick<SliceMessage, "file" | "frame" | "frames" | "width" | "height" | "monochrome1" | "photometric" | "transferSyntax" | "windowCenter" | "windowWidth" | "instanceNumber" | "decodeMs"> {
  tags: TagRow[];
}

/** The header as rows for the tag browser; empty when even the header cannot be parsed. */
export function tagRows(bytes: Uint8Array, file: string): TagRow[] {
  try {
    return dicomTags(bytes, file).map((t) => ({ tag: String(t.tag), name: String(t.name ?? ""), vr: String(t.vr ?? ""), value: String(t.value ?? "") }));
  } catch {
    return [];
  }
}

export class SliceLoader {
  private readonly slices = new LruCache<string, LoadedSlice>(64);
  private readonly decoded = new LruCache<string, { decoded: DecodedDicom; tags: TagRow[] }>(2);
  private readonly inflight = new Map<string, Promise<LoadedSlice>>();

  has(file: string, frame: number): boolean {
    return this.slices.has(`${file}#${frame}`);
  }

  load(file: string, frame: number): Promise<LoadedSlice> {
    const key = `${file}#${frame}`;
    const hit = this.slices.get(key);
    if (hit) return Promise.resolve(hit);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.decode(file, frame).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async decode(file: string, frame: number): Promise<LoadedSlice> {
    const started = performance.now();
    let entry = this.decoded.get(file);
    if (!entry) {
      const bytes = await readDicomBytes(file);
      const decoded = await decodeDicom(bytes, file);
      entry = { decoded, tags: tagRows(bytes, file) };
      // Only multi-frame files are worth keeping decoded: their other frames come from the same decode.
      if (decoded.frames.length > 1) this.decoded.set(file, entry);
    }
    const { decoded, tags } = entry;
    const header = decoded.header;
    if (frame >= decoded.frames.length) throw new DicomError(file, "missing-attribute", `frame ${frame + 1} requested, the file has ${decoded.frames.length}`);
    const payload = isColour(decoded) ? colourToRgba(decoded, frame) : encodeHu(modalityFrame(decoded, frame, { rsnaFix: true }));
    const slice: LoadedSlice = {
      ...payload,
      file,
      frame,
      frames: decoded.frames.length,
      width: header.columns,
      height: header.rows,
      monochrome1: header.photometricInterpretation.toUpperCase() === "MONOCHROME1",
      photometric: header.photometricInterpretation,
      transferSyntax: header.transferSyntaxUid,
      windowCenter: header.windowCenter?.[0],
      windowWidth: header.windowWidth?.[0],
      instanceNumber: header.instanceNumber,
      tags,
      decodeMs: performance.now() - started,
    };
    this.slices.set(`${file}#${frame}`, slice);
    return slice;
  }
}
