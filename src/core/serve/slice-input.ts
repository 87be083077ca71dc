// One uploaded DICOM slice → the model input, by the same steps as the file pipeline
// (src/core/data/preprocess.ts: decode, CT check, HU with the RSNA fix, windows, resize). A slice
// sent alone has no neighbours: with context channels it stands in for them, as a slice at the
// end of its series does in the file pipeline.
import { decodeDicom, requireCtSlice } from "../dicom";
import { modalityFrame } from "../dicom/modality";
import { stackAdjacent, toModelTensor } from "../imaging";
import type { PreprocessOptions } from "../data/sample";

export interface SliceInput {
  image: Float32Array;
  sopInstanceUid?: string;
  studyUid?: string;
  seriesUid?: string;
}

/** Throws DicomError (with a code: not-dicom, truncated, not-ct, …) naming `name` when the bytes are no usable CT slice. */
export async function dicomBytesToInput(bytes: Uint8Array, name: string, p: PreprocessOptions): Promise<SliceInput> {
  const decoded = await decodeDicom(bytes, name);
  requireCtSlice(decoded.header);
  const hu = modalityFrame(decoded, 0, { rsnaFix: p.rsnaFix });
  const centre = toModelTensor(hu, decoded.header.rows, decoded.header.columns, p.windows, p.size);
  const image = p.context === 0 ? centre : stackAdjacent(Array(2 * p.context + 1).fill(centre), p.size * p.size, p.windows.length);
  const h = decoded.header;
  return { image, sopInstanceUid: h.sopInstanceUid, studyUid: h.studyInstanceUid, seriesUid: h.seriesInstanceUid };
}
