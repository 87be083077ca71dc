// Writes phantom slices as real CT DICOM files with dcmjs. Four pixel encodings, as scanners in
// the RSNA data use them, so readers are exercised on each:
//   signed16      BitsStored 16, signed,   intercept -1024
//   signed16-zero BitsStored 16, signed,   intercept 0
//   unsigned12    BitsStored 12, unsigned, intercept -1024 (correct)
//   rsna-bug      BitsStored 12, unsigned, intercept 0, values stored as 12-bit two's complement:
//                 the RSNA mis-encoding that the fix (add 1000, wrap at 4096, intercept -1000) undoes.
import dcmjs from "dcmjs";
import { formatDecimalString as ds } from "./decimal-string";

export type PixelEncoding = "signed16" | "signed16-zero" | "unsigned12" | "rsna-bug";

export const PIXEL_ENCODINGS: readonly PixelEncoding[] = ["signed16", "signed16-zero", "unsigned12", "rsna-bug"];

const CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
/** UID root of this implementation (a 2.25 UUID-derived UID, fixed). */
const IMPLEMENTATION_CLASS_UID = "2.25.181092385312880372526547376014585932812";

export interface SliceIdentity {
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  patientId: string;
  /** 1-based. */
  instanceNumber: number;
  /** Patient z of the slice centre, mm. */
  z: number;
}

export interface SliceGeometry {
  rows: number;
  columns: number;
  pixelSpacing: number;
  sliceThickness: number;
}

interface EncodedPixels {
  stored: Int16Array | Uint16Array;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  intercept: number;
}

/** Hounsfield units → stored values for one encoding (rounded; clamped to what it can hold). */
export function encodePixels(hu: Float32Array, encoding: PixelEncoding): EncodedPixels {
  const n = hu.length;
  switch (encoding) {
    case "signed16":
    case "signed16-zero": {
      const intercept = encoding === "signed16" ? -1024 : 0;
      const stored = new Int16Array(n);
      for (let i = 0; i < n; i++) stored[i] = Math.max(-32768, Math.min(32767, Math.round(hu[i]) - intercept));
      return { stored, bitsStored: 16, pixelRepresentation: 1, intercept };
    }
    case "unsigned12": {
      const stored = new Uint16Array(n);
      for (let i = 0; i < n; i++) stored[i] = Math.max(0, Math.min(4095, Math.round(hu[i]) + 1024));
      return { stored, bitsStored: 12, pixelRepresentation: 0, intercept: -1024 };
    }
    case "rsna-bug": {
      // The fix computes ((stored + 1000) mod 4096) - 1000, which recovers HU in [-1000, 3095].
      const stored = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const value = Math.max(-1000, Math.min(3095, Math.round(hu[i])));
        stored[i] = value < 0 ? value + 4096 : value;
      }
      return { stored, bitsStored: 12, pixelRepresentation: 0, intercept: 0 };
    }
  }
}

/** One CT slice as a DICOM Part 10 file (explicit VR little endian). */
export function encodeCtSlice(hu: Float32Array, geometry: SliceGeometry, identity: SliceIdentity, encoding: PixelEncoding): Buffer {
  const { rows, columns, pixelSpacing, sliceThickness } = geometry;
  if (hu.length !== rows * columns) throw new Error(`encodeCtSlice: ${hu.length} values is not ${rows}x${columns}`);
  const pixels = encodePixels(hu, encoding);
  const halfWidth = (columns * pixelSpacing) / 2;
  const halfHeight = (rows * pixelSpacing) / 2;
  const dataset = {
    SpecificCharacterSet: "ISO_IR 100",
    ImageType: ["ORIGINAL", "PRIMARY", "AXIAL"],
    SOPClassUID: CT_IMAGE_STORAGE,
    SOPInstanceUID: identity.sopInstanceUid,
    StudyDate: "20190101",
    SeriesDate: "20190101",
    StudyTime: "120000",
    Modality: "CT",
    Manufacturer: "ICH Lab synthetic phantom",
    StudyDescription: "Synthetic head CT phantom (not a patient)",
    SeriesDescription: "Axial head phantom",
    PatientName: "Phantom^Synthetic",
    PatientID: identity.patientId,
    BodyPartExamined: "HEAD",
    SliceThickness: ds(sliceThickness),
    KVP: 120,
    PatientPosition: "HFS",
    StudyInstanceUID: identity.studyInstanceUid,
    SeriesInstanceUID: identity.seriesInstanceUid,
    StudyID: "1",
    SeriesNumber: 1,
    InstanceNumber: identity.instanceNumber,
    ImagePositionPatient: [ds(-halfWidth + pixelSpacing / 2), ds(-halfHeight + pixelSpacing / 2), ds(identity.z)],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    FrameOfReferenceUID: identity.frameOfReferenceUid,
    SamplesPerPixel: 1,
    PhotometricInterpretation: "MONOCHROME2",
    Rows: rows,
    Columns: columns,
    PixelSpacing: [ds(pixelSpacing), ds(pixelSpacing)],
    BitsAllocated: 16,
    BitsStored: pixels.bitsStored,
    HighBit: pixels.bitsStored - 1,
    PixelRepresentation: pixels.pixelRepresentation,
    WindowCenter: ds(40),
    WindowWidth: ds(80),
    RescaleIntercept: ds(pixels.intercept),
    RescaleSlope: ds(1),
    RescaleType: "HU",
    PixelData: [pixels.stored.buffer],
    _vrMap: { PixelData: "OW" },
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
    MediaStorageSOPInstanceUID: identity.sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: "ICHLAB_SYNTH_1",
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}
