export { ARCHITECTURES, HEADS, isArchitecture, type Architecture, type BuildOptions, type HeadKind, type LayersModel, type Tf } from "./types";
export { buildModel, countParameters, countAllParameters, INPUT_NORMALIZATION_LAYER, MIN_INPUT_SIZE } from "./build";
export { describeArchitecture, type ArchitectureInfo } from "./catalog";
export { adaptHead, buildHead, outputCount } from "./head";
export { HEAD_LAYER_NAME } from "./graph-builder";
export { saveModel, loadModel, directoryHandler, MODEL_JSON, WEIGHTS_BIN, type SaveModelOptions } from "./io";
export { loadPretrained } from "./pretrained";
