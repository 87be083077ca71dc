// Public API of the DICOM core (contract types in ./types).
export { DicomError } from "./types";
export type { DecodedDicom, DicomErrorCode, DicomHeader } from "./types";
export { parseDicomHeader, readDicomHeader, readDicomHeaderSync, requireCtSlice } from "./header";
export { decodeDicom, readDicom, SUPPORTED_TRANSFER_SYNTAXES } from "./decode";
export { modalityFrame, modalityStatistics, type ModalityOptions } from "./modality";
export { dicomTags, type DicomTagRow } from "./tags";
export { transferSyntaxName } from "./transfer-syntax";
