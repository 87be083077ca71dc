// Experiment files (*.ich.json): schema, validation with defaults, typed config, templates.
export * from "./types";
export { ExperimentError } from "./errors";
export { experimentSchema } from "./schema";
export { defaultExperimentName, loadExperiment, validateExperiment } from "./validate";
export { imageSizeForEpoch, inputChannels, modelLabels, pretrainedSource } from "./helpers";
export { experimentTemplate, type TemplateKind } from "./template";
