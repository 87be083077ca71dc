// Public API of the synthetic head-CT phantoms.
export { synthesizeSlice, synthesizeSeries, patientSeed, sliceSpacingFor, DEFAULT_SYNTH_SIZE } from "./phantom";
export type { SynthSlice, SynthSliceSpec, SynthSeries, SynthSeriesSpec } from "./phantom";
export { writeSyntheticDataset, encodingFor, uidFrom } from "./dataset";
export type { SyntheticDataset, SyntheticDatasetOptions } from "./dataset";
export { encodeCtSlice, encodePixels, PIXEL_ENCODINGS } from "./encode";
export type { PixelEncoding, SliceGeometry, SliceIdentity } from "./encode";
export { FIELD_OF_VIEW_MM } from "./render";
