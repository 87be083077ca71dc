// The contract of the DICOM core. Everything above src/core/dicom (imaging, synth, data
// pipeline, CLI, preview) depends only on these types and the functions in ./index.ts.

/** Header fields the product uses, already converted to numbers where DICOM stores strings. */
export interface DicomHeader {
  /** The file (path or display name) this header was read from; every error names it too. */
  file: string;
  transferSyntaxUid: string;
  /** false when the file had no 128-byte preamble / "DICM" / file meta group. */
  hasMeta: boolean;
  sopInstanceUid?: string;
  patientId?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  modality?: string;
  rows: number;
  columns: number;
  /** NumberOfFrames, 1 when absent. */
  frames: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  photometricInterpretation: string;
  planarConfiguration: number;
  /** 1 when absent. Decimal strings like "1.000000" are parsed. */
  rescaleSlope: number;
  /** 0 when absent. */
  rescaleIntercept: number;
  windowCenter?: number[];
  windowWidth?: number[];
  imagePositionPatient?: [number, number, number];
  imageOrientationPatient?: [number, number, number, number, number, number];
  /** Row spacing, column spacing in mm. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  instanceNumber?: number;
  /** True for the RSNA mis-encoding: BitsStored 12, PixelRepresentation 0, RescaleIntercept > -100. */
  rsnaFixApplies: boolean;
  /** What was wrong but read anyway, e.g. a blank PhotometricInterpretation taken as MONOCHROME2. */
  warnings: string[];
}

/** A decoded image: stored values (before rescale), one array per frame. */
export interface DecodedDicom {
  header: DicomHeader;
  /**
   * Stored values per frame, length rows*columns*samplesPerPixel, samples interleaved per pixel
   * (RGB as R,G,B,R,G,B...). Already masked to BitsStored and sign-extended when signed.
   * Palette colour images keep their indices here; see `palette`.
   */
  frames: Int32Array[];
  /** Present for PALETTE COLOR: lookup tables (values scaled to 0..255). */
  palette?: { red: Uint8Array; green: Uint8Array; blue: Uint8Array; firstIndex: number };
}

export type DicomErrorCode =
  | "not-found"
  | "is-directory"
  | "empty"
  | "not-dicom"
  | "truncated"
  /** The file is whole but its structure is damaged, e.g. a length field pointing past the end. */
  | "corrupt"
  | "missing-attribute"
  | "unsupported-transfer-syntax"
  | "decode-failed"
  /** An encoded frame's own header disagrees with Rows/Columns/SamplesPerPixel/BitsAllocated. */
  | "size-mismatch"
  /** The image exceeds the decoder's size limits (see MAX_FRAME_SAMPLES in decode.ts). */
  | "too-large"
  | "not-ct";

/** The one error type the DICOM core throws: names the file and says what is wrong. */
export class DicomError extends Error {
  override readonly name = "DicomError";
  constructor(
    readonly file: string,
    readonly code: DicomErrorCode,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}
