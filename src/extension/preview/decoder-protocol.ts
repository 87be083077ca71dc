// Messages between the preview (extension host) and its slice-decoder child process
// (workers/slice-decoder.worker.ts), sent over Node IPC with "advanced" serialization so pixel
// buffers travel as binary, not JSON.
import type { DicomErrorCode, DicomHeader } from "../../core/dicom/types";
import type { SliceMessage, TagRow } from "../../protocol/preview";
import type { PixelPayload } from "./slice-data";

/** A decoded slice: the series-independent part of the slice message, plus the header rows. */
export interface LoadedSlice
  extends PixelPayload,
    Pick<SliceMessage, "file" | "frame" | "frames" | "width" | "height" | "monochrome1" | "photometric" | "transferSyntax" | "windowCenter" | "windowWidth" | "instanceNumber" | "decodeMs"> {
  tags: TagRow[];
}

/** What the decoder process returns for a slice; the host adds the time it waited. */
export type DecodedSlice = Omit<LoadedSlice, "decodeMs">;

export type DecoderTask =
  | { kind: "slice"; file: string; frame: number }
  /** Header-only reads for series ordering; a file that cannot be read gets its error. */
  | { kind: "headers"; files: string[] }
  | { kind: "tags"; file: string };

export type HeaderResult = { header: DicomHeader } | { error: DecoderFailure };

export interface DecoderResults {
  slice: DecodedSlice;
  headers: HeaderResult[];
  tags: TagRow[];
}

/** A DicomError (or any other error) flattened for the trip between processes. */
export interface DecoderFailure {
  file: string;
  code: DicomErrorCode | "internal";
  reason: string;
}

export type DecoderRequest = DecoderTask & { id: number };

export type DecoderResponse =
  | { id: number; result: DecoderResults[DecoderTask["kind"]] }
  | { id: number; error: DecoderFailure }
  /** Sent once at start-up: the host times a task from when a ready process receives it. */
  | { ready: true };

/** First word of the stderr line the memory watchdog writes before it kills the decoder process. */
export const MEMORY_LIMIT_MARKER = "ICH_DECODER_MEMORY_LIMIT";
