import type { DataSet } from "dicom-parser";
import { readPrefixSync } from "./io";
import { parseDataSet, PIXEL_DATA_TAG, type ParsedDicom } from "./parse";
import { parserMessage } from "./structure-errors";
import { DicomError, type DicomHeader } from "./types";

/** Splits a multi-valued DS/IS string ("1.000000", "001.000000E+00", "40\\80") into numbers. */
export function decimals(dataSet: DataSet, tag: string): number[] | undefined {
  const element = dataSet.elements[tag];
  if (!element || element.length === 0) return undefined;
  const all = dataSet.text(tag);
  if (all === undefined) return undefined;
  const values = all
    .split("\\")
    .map((part) => part.replace(/\0/g, "").trim())
    .filter((part) => part.length > 0)
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return undefined;
  return values;
}

function firstDecimal(dataSet: DataSet, tag: string): number | undefined {
  return decimals(dataSet, tag)?.[0];
}

function text(dataSet: DataSet, tag: string): string | undefined {
  const element = dataSet.elements[tag];
  if (!element || element.length === 0) return undefined;
  const value = dataSet.string(tag)?.replace(/\0/g, "").trim();
  return value ? value : undefined;
}

function uint16(dataSet: DataSet, tag: string): number | undefined {
  const element = dataSet.elements[tag];
  if (!element || element.length < 2) return undefined;
  return dataSet.uint16(tag);
}

function tuple<N extends number>(values: number[] | undefined, n: N): number[] | undefined {
  return values && values.length >= n ? values.slice(0, n) : undefined;
}

const REQUIRED: Array<[string, string]> = [
  ["x00280010", "Rows"],
  ["x00280011", "Columns"],
  ["x00280100", "BitsAllocated"],
  ["x00280002", "SamplesPerPixel"],
  ["x00280004", "PhotometricInterpretation"],
  ["x00280103", "PixelRepresentation"],
];

/**
 * Converts a parsed data set into the header the product uses; rejects images missing type-1
 * attributes. Every failure is a DicomError naming the file, whatever dicom-parser throws.
 */
export function headerFromDataSet(parsed: ParsedDicom, file: string): DicomHeader {
  try {
    return readHeader(parsed, file);
  } catch (error) {
    if (error instanceof DicomError) throw error;
    throw new DicomError(file, "corrupt", `cannot read the image attributes (${parserMessage(error)})`);
  }
}

/**
 * A blank or absent PhotometricInterpretation of a one-sample image is read as MONOCHROME2, as
 * pydicom and GDCM do, with a warning; with more samples per pixel the colour model is unknowable.
 */
function photometric(dataSet: DataSet, samplesPerPixel: number | undefined, warnings: string[]): string | undefined {
  const value = text(dataSet, "x00280004");
  if (value !== undefined || samplesPerPixel !== 1) return value;
  const element = dataSet.elements.x00280004;
  warnings.push(`PhotometricInterpretation is ${element ? "blank" : "missing"}; read as MONOCHROME2`);
  return "MONOCHROME2";
}

function readHeader(parsed: ParsedDicom, file: string): DicomHeader {
  const { dataSet } = parsed;
  const warnings: string[] = [];
  const photometricInterpretation = photometric(dataSet, uint16(dataSet, "x00280002"), warnings);
  const missing = REQUIRED.filter(([tag]) => {
    if (tag === "x00280004") return photometricInterpretation === undefined;
    const element = dataSet.elements[tag];
    return !element || element.length < 2;
  }).map(([, name]) => name);
  if (missing.length > 0) {
    throw new DicomError(file, "missing-attribute", `missing required attribute${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  }
  const rows = uint16(dataSet, "x00280010")!;
  const columns = uint16(dataSet, "x00280011")!;
  const bitsAllocated = uint16(dataSet, "x00280100")!;
  const samplesPerPixel = uint16(dataSet, "x00280002")!;
  const pixelRepresentation = uint16(dataSet, "x00280103")!;
  const bitsStored = uint16(dataSet, "x00280101") ?? bitsAllocated;
  let highBit = uint16(dataSet, "x00280102") ?? bitsStored - 1;
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated) highBit = bitsStored - 1;
  const frames = Math.max(1, Math.trunc(firstDecimal(dataSet, "x00280008") ?? 1));
  if (rows === 0 || columns === 0) throw new DicomError(file, "missing-attribute", `image has no pixels (Rows ${rows}, Columns ${columns})`);
  if (![1, 8, 16, 32].includes(bitsAllocated)) {
    throw new DicomError(file, "decode-failed", `unsupported BitsAllocated ${bitsAllocated}`);
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw new DicomError(file, "decode-failed", `BitsStored ${bitsStored} does not fit BitsAllocated ${bitsAllocated}`);
  }
  const interceptValue = firstDecimal(dataSet, "x00281052");
  const rescaleIntercept = interceptValue ?? 0;
  const rescaleSlope = firstDecimal(dataSet, "x00281053") ?? 1;
  const modality = text(dataSet, "x00080060");
  const position = tuple(decimals(dataSet, "x00200032"), 3);
  const orientation = tuple(decimals(dataSet, "x00200037"), 6);
  const spacing = tuple(decimals(dataSet, "x00280030"), 2);
  return {
    file,
    transferSyntaxUid: parsed.transferSyntaxUid,
    hasMeta: parsed.hasMeta,
    sopInstanceUid: text(dataSet, "x00080018"),
    patientId: text(dataSet, "x00100020"),
    studyInstanceUid: text(dataSet, "x0020000d"),
    seriesInstanceUid: text(dataSet, "x0020000e"),
    modality,
    rows,
    columns,
    frames,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    photometricInterpretation: photometricInterpretation!,
    planarConfiguration: uint16(dataSet, "x00280006") ?? 0,
    rescaleSlope,
    rescaleIntercept,
    windowCenter: decimals(dataSet, "x00281050"),
    windowWidth: decimals(dataSet, "x00281051"),
    imagePositionPatient: position as DicomHeader["imagePositionPatient"],
    imageOrientationPatient: orientation as DicomHeader["imageOrientationPatient"],
    pixelSpacing: spacing as DicomHeader["pixelSpacing"],
    sliceThickness: firstDecimal(dataSet, "x00180050"),
    instanceNumber: firstDecimal(dataSet, "x00200013"),
    rsnaFixApplies: rsnaFixApplies(bitsStored, pixelRepresentation, interceptValue, modality),
    warnings,
  };
}

/**
 * The RSNA 2019 mis-encoding: 12-bit unsigned CT whose intercept was not adjusted. Needs an explicit
 * RescaleIntercept (an absent one means "no rescale", as in 12-bit MR) and no non-CT modality.
 */
export function rsnaFixApplies(bitsStored: number, pixelRepresentation: number, intercept: number | undefined, modality: string | undefined): boolean {
  return bitsStored === 12 && pixelRepresentation === 0 && intercept !== undefined && intercept > -100 && (modality === undefined || modality === "CT");
}

/** Header of an in-memory file; stops before the pixel data. */
export function parseDicomHeader(bytes: Uint8Array, file: string): DicomHeader {
  return headerFromDataSet(parseDataSet(bytes, file, { headerOnly: true }), file);
}

// Enough for the header of a typical CT slice; grown ×8 while the pixel data tag is not reached.
const FIRST_PREFIX = 16 * 1024;
// Reused for the first read of every header. Safe because read, parse and conversion below run
// synchronously: nothing else can use the buffer before the header (numbers and strings) is built.
const firstPrefix = new Uint8Array(FIRST_PREFIX);

/** Header of a file on disk, reading only as much of the file as the elements before the pixel data need. */
export async function readDicomHeader(path: string): Promise<DicomHeader> {
  return readDicomHeaderSync(path);
}

export function readDicomHeaderSync(path: string): DicomHeader {
  let length = FIRST_PREFIX;
  for (;;) {
    const { bytes, whole } = readPrefixSync(path, length, length === FIRST_PREFIX ? firstPrefix : undefined);
    let parsed: ParsedDicom | undefined;
    try {
      parsed = parseDataSet(bytes, path, { headerOnly: true, prefix: !whole });
    } catch (error) {
      // Running out of a prefix can look like any parse error; the whole file gives the real one.
      if (whole) throw error;
    }
    if (parsed && (whole || parsed.dataSet.elements[PIXEL_DATA_TAG])) return headerFromDataSet(parsed, path);
    if (whole) throw new DicomError(path, "truncated", "file ends before the header is complete");
    length *= 8;
  }
}

/**
 * The CT pipeline handles single-sample grayscale CT images only. A file without Modality is
 * accepted when it looks like CT (grayscale, one sample): headless RSNA-style exports lack it.
 */
export function requireCtSlice(header: DicomHeader): void {
  const modality = header.modality?.trim().toUpperCase();
  if (modality && modality !== "CT") {
    throw new DicomError(header.file, "not-ct", `modality ${modality} is not CT; the ICH models are trained on head CT`);
  }
  const photometric = header.photometricInterpretation.toUpperCase();
  if (header.samplesPerPixel !== 1 || !photometric.startsWith("MONOCHROME")) {
    throw new DicomError(
      header.file,
      "not-ct",
      `not a grayscale CT slice (${header.modality ?? "unknown modality"}, ${header.photometricInterpretation}, ${header.samplesPerPixel} sample(s) per pixel); the CT pipeline needs MONOCHROME1/2 with 1 sample per pixel`,
    );
  }
}
