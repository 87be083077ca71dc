// The preview's DICOM work, run inside the slice-decoder process (never on the extension host
// thread): decode a slice into its pixel payload, read headers for series ordering, list tags.
import { dicomTags, modalityFrame, readDicomHeader } from "../../core/dicom";
import { decodeDicom } from "../../core/dicom/decode";
import { readDicomBytes } from "../../core/dicom/io";
import { DicomError, type DecodedDicom } from "../../core/dicom/types";
import type { TagRow } from "../../protocol/preview";
import type { DecodedSlice, DecoderFailure, DecoderResults, DecoderTask, HeaderResult } from "./decoder-protocol";
import { LruCache } from "./lru";
import { colourToRgba, encodeHu, isColour } from "./slice-data";
import { errorMessage } from "../../shared/errors";

/** The header as rows for the tag browser; empty when even the header cannot be parsed. */
export function tagRows(bytes: Uint8Array, file: string): TagRow[] {
  try {
    return dicomTags(bytes, file).map((t) => ({ tag: String(t.tag), name: String(t.name ?? ""), vr: String(t.vr ?? ""), value: String(t.value ?? "") }));
  } catch {
    return [];
  }
}

export function failureOf(error: unknown, file: string): DecoderFailure {
  if (error instanceof DicomError) return { file: error.file, code: error.code, reason: error.reason };
  return { file, code: "internal", reason: errorMessage(error) };
}

// Only multi-frame files are worth keeping decoded: their other frames come from the same decode.
const decodedFiles = new LruCache<string, { decoded: DecodedDicom; tags: TagRow[] }>(2);

async function decodeSlice(file: string, frame: number): Promise<DecodedSlice> {
  let entry = decodedFiles.get(file);
  if (!entry) {
    const bytes = await readDicomBytes(file);
    const decoded = await decodeDicom(bytes, file);
    entry = { decoded, tags: tagRows(bytes, file) };
    if (decoded.frames.length > 1) decodedFiles.set(file, entry);
  }
  const { decoded, tags } = entry;
  const header = decoded.header;
  if (frame >= decoded.frames.length) throw new DicomError(file, "missing-attribute", `frame ${frame + 1} requested, the file has ${decoded.frames.length}`);
  const payload = isColour(decoded) ? colourToRgba(decoded, frame) : encodeHu(modalityFrame(decoded, frame, { rsnaFix: true }));
  return {
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
  };
}

async function readHeaders(files: string[]): Promise<HeaderResult[]> {
  const results: HeaderResult[] = [];
  for (const file of files) {
    try {
      results.push({ header: await readDicomHeader(file) });
    } catch (error) {
      results.push({ error: failureOf(error, file) });
    }
  }
  return results;
}

export async function runDecoderTask(task: DecoderTask): Promise<DecoderResults[DecoderTask["kind"]]> {
  switch (task.kind) {
    case "slice":
      return decodeSlice(task.file, task.frame);
    case "headers":
      return readHeaders(task.files);
    case "tags":
      return tagRows(await readDicomBytes(task.file), task.file);
  }
}
