import type * as TfNamespace from "@tensorflow/tfjs";

/** The TF.js module the backend initialiser returned (tfjs, or tfjs-node sharing its core). */
export type Tf = typeof TfNamespace;
export type Tensor = TfNamespace.Tensor;
export type LayersModel = TfNamespace.LayersModel;
export type Variable = TfNamespace.Variable;
