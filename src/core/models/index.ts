export { ARCHITECTURES, isArchitecture, type Architecture, type BuildOptions, type LayersModel, type Tf } from "./types";
export { buildModel, countParameters, countAllParameters, MIN_INPUT_SIZE } from "./build";
export { describeArchitecture, type ArchitectureInfo } from "./catalog";
export { adaptHead, outputCount } from "./head";
export { HEAD_LAYER_NAME } from "./graph-builder";
export { saveModel, loadModel, directoryHandler, MODEL_JSON, WEIGHTS_BIN, type SaveModelOptions } from "./io";
export { loadPretrained } from "./pretrained";
