// The model a new run starts from: fresh weights, torchvision weights from an ONNX export, or a pretrained TF.js model / previous run's
// best model with its head fitted to this experiment's labels.
import { pretrainedSource } from "../experiment";
import type { ExperimentConfig } from "../experiment/types";
import { adaptHead, buildModel, loadModel, loadPretrained } from "../models";
import { isOnnxPretrained, loadOnnxPretrained } from "../onnx/import-weights";
import type { RunStore } from "../runs";
import type { LayersModel, Tf } from "./tf-types";

export async function initialModel(tf: Tf, config: ExperimentConfig, channels: number, outputs: number, runStore: RunStore): Promise<LayersModel> {
  const source = pretrainedSource(config);
  if (!source) {
    // inputSize null: the same weights serve every progressive-resizing size.
    const { architecture, head, dropout } = config.model;
    return buildModel(tf, { architecture, inputSize: null, channels, outputs, head, dropout, seed: config.train.seed });
  }
  if (source.kind !== "run" && isOnnxPretrained(source.kind === "url" ? source.url : source.path)) {
    // torchvision weights: the catalog architecture with `model.head`; the classifier is kept only when it already has `outputs` outputs.
    const path = source.kind === "url" ? source.url : source.path;
    const { architecture, head, dropout } = config.model;
    const onnxOptions = { architecture, inputSize: null, channels, outputs, head, dropout, seed: config.train.seed, keepClassifier: true };
    const { model } = await loadOnnxPretrained(tf, path, onnxOptions);
    return model;
  }
  const loaded = source.kind === "run" ? await loadModel(tf, runStore.paths(source.runId).modelDir) : await loadPretrained(tf, source.kind === "url" ? source.url : source.path);
  const inputChannels = loaded.inputs[0].shape[loaded.inputs[0].shape.length - 1];
  if (inputChannels !== channels) throw new Error(`pretrained model ${config.model.pretrained} takes ${inputChannels} input channels; this experiment feeds ${channels}`);
  return adaptHead(tf, loaded, outputs, config.train.seed);
}
