import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import dcmjs from "dcmjs";
import { encodeCtSlice, synthesizeSlice } from "../../src/core/synth";
import { concat, makeDicom, makeEncapsulated, makeHeadlessImplicit, rleFrame16, uint16le, type ImageSpec } from "./make-dicom";

// Generated seed files for the fuzz test, one per encoding the reader handles, so the fuzz runs in a
// fresh clone without ../shared. Compressed seeds use the encoders of the cornerstone codec packages
// (the full builds; the product ships only their decoders).

const SIZE = 64;
const requireHere = createRequire(__filename);

function phantomHu(): Float32Array {
  return synthesizeSlice({ seed: 7, index: 3, size: SIZE }).hu;
}

function stored12(hu: Float32Array): Uint16Array {
  return Uint16Array.from(hu, (v) => Math.max(0, Math.min(4095, Math.round(v) + 1024)));
}

/** dcmjs-written CT slice in another transfer syntax, with a sequence so nested parsing is fuzzed too. */
function dcmjsSlice(transferSyntax: string, pixels: Uint16Array): Uint8Array {
  const dataset = {
    SOPClassUID: "1.2.840.10008.5.1.4.1.1.2",
    SOPInstanceUID: "2.25.1",
    Modality: "CT",
    ReferencedImageSequence: [{ ReferencedSOPClassUID: "1.2.840.10008.5.1.4.1.1.2", ReferencedSOPInstanceUID: "2.25.2" }],
    SamplesPerPixel: 1,
    PhotometricInterpretation: "MONOCHROME2",
    Rows: SIZE,
    Columns: SIZE,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    RescaleIntercept: "-1024",
    RescaleSlope: "1",
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: "OW" },
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: "2.25.3",
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

type Factory = (module: { wasmBinary: Uint8Array; print: () => void; printErr: () => void }) => Promise<Record<string, new () => Encoder>>;
interface Encoder {
  getDecodedBuffer(info: object): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  setProgressive?(progressive: boolean): void;
  delete?(): void;
}

async function encodeWith(pkg: string, className: string, bits: 8 | 16, samples: Uint8Array): Promise<Uint8Array> {
  const factory = requireHere(`@cornerstonejs/${pkg}/wasmjs`) as Factory;
  const codec = await factory({ wasmBinary: readFileSync(requireHere.resolve(`@cornerstonejs/${pkg}/wasm`)), print() {}, printErr() {} });
  const encoder = new codec[className]();
  encoder.setProgressive?.(false); // baseline JPEG, the process DICOM 1.2.840.10008.1.2.4.50 allows
  encoder.getDecodedBuffer({ width: SIZE, height: SIZE, bitsPerSample: bits, componentCount: 1, isSigned: false, isUsingColorTransform: false }).set(samples);
  encoder.encode();
  const out = encoder.getEncodedBuffer().slice();
  encoder.delete?.();
  return out;
}

function evenLength(bytes: Uint8Array): Uint8Array {
  return bytes.length % 2 === 0 ? bytes : concat([bytes, new Uint8Array(1)]);
}

/** Name → bytes of every generated seed. */
export async function generatedSeeds(): Promise<Map<string, Uint8Array>> {
  const hu = phantomHu();
  const pixels = stored12(hu);
  const pixelBytes = new Uint8Array(pixels.buffer);
  const ct: ImageSpec = { rows: SIZE, columns: SIZE, bitsStored: 12, intercept: "-1024", slope: "1" };
  const identity = { sopInstanceUid: "2.25.4", studyInstanceUid: "2.25.5", seriesInstanceUid: "2.25.6", frameOfReferenceUid: "2.25.7", patientId: "FUZZ", instanceNumber: 1, z: 0 };
  const bytes8 = Uint8Array.from(pixels, (v) => v >> 4);
  const rgb = new Uint8Array(16 * 16 * 3 * 2).map((_, i) => (i * 29) % 256);
  const palette: ImageSpec["extra"] = [
    { tag: 0x00281101, vr: "US", value: [256, 0, 16] },
    { tag: 0x00281102, vr: "US", value: [256, 0, 16] },
    { tag: 0x00281103, vr: "US", value: [256, 0, 16] },
    { tag: 0x00281201, vr: "OW", value: uint16le(Array.from({ length: 256 }, (_, i) => i * 257)) },
    { tag: 0x00281202, vr: "OW", value: uint16le(Array.from({ length: 256 }, (_, i) => (255 - i) * 257)) },
    { tag: 0x00281203, vr: "OW", value: uint16le(Array.from({ length: 256 }, () => 0x8000)) },
  ];
  const frames = [rleFrame16(Array.from(pixels.subarray(0, SIZE * SIZE))), rleFrame16(Array.from(pixels.subarray(0, SIZE * SIZE)).reverse())];
  return new Map<string, Uint8Array>([
    ["gen_synth_explicit_le.dcm", new Uint8Array(encodeCtSlice(hu, { rows: SIZE, columns: SIZE, pixelSpacing: 1, sliceThickness: 5 }, identity, "signed16"))],
    ["gen_dcmjs_implicit_le_sequence.dcm", dcmjsSlice("1.2.840.10008.1.2", pixels)],
    ["gen_dcmjs_explicit_be_sequence.dcm", dcmjsSlice("1.2.840.10008.1.2.2", pixels)],
    ["gen_headless_implicit.dcm", makeHeadlessImplicit(ct, pixelBytes)],
    ["gen_deflated.dcm", makeDicom(ct, pixelBytes, { deflate: true })],
    ["gen_rgb_8bit_2frames_planar.dcm", makeDicom({ rows: 16, columns: 16, bitsAllocated: 8, samplesPerPixel: 3, photometric: "RGB", planarConfiguration: 1, frames: 2 }, rgb)],
    ["gen_palette_8bit.dcm", makeDicom({ rows: 16, columns: 16, bitsAllocated: 8, photometric: "PALETTE COLOR", extra: palette }, new Uint8Array(256).map((_, i) => i))],
    ["gen_rle_2frames.dcm", makeEncapsulated({ ...ct, frames: 2 }, "1.2.840.10008.1.2.5", frames, [0, frames[0].length + 8])],
    ["gen_jpeg_ls.dcm", makeEncapsulated(ct, "1.2.840.10008.1.2.4.80", [evenLength(await encodeWith("codec-charls", "JpegLSEncoder", 16, pixelBytes))], [])],
    ["gen_j2k.dcm", makeEncapsulated(ct, "1.2.840.10008.1.2.4.90", [evenLength(await encodeWith("codec-openjpeg", "J2KEncoder", 16, pixelBytes))], [])],
    [
      "gen_jpeg_baseline_8bit.dcm",
      makeEncapsulated({ ...ct, bitsAllocated: 8, bitsStored: 8 }, "1.2.840.10008.1.2.4.50", [evenLength(await encodeWith("codec-libjpeg-turbo-8bit", "JPEGEncoder", 8, bytes8))], []),
    ],
  ]);
}
