import { validateExperiment } from "../../src/core/experiment";
import type { ExperimentConfig } from "../../src/core/experiment/types";

/** A seconds-long experiment: 16 synthetic 32 px training slices, small CNN, WASM. */
export interface TinyOverrides {
  epochs?: number;
  maxStepsPerEpoch?: number;
  tta?: boolean;
  earlyStopping?: { patience: number; minDelta: number };
  progressiveResizing?: { fromEpoch: number; size: number }[];
  /** Default: the schema's ("auto": ONNX Runtime, as on a user's CPU). */
  engine?: "auto" | "onnx" | "tfjs";
}

export function tinyConfig(overrides: TinyOverrides = {}): ExperimentConfig {
  return validateExperiment(
    {
      name: "tiny",
      data: { kind: "synthetic", patients: 4, slicesPerPatient: 4, seed: 3, size: 32, split: { by: "patient", validationFraction: 0.5, seed: 1 } },
      input: { size: 32, progressiveResizing: overrides.progressiveResizing ?? [] },
      model: { architecture: "small-cnn", labels: "all", dropout: 0 },
      train: {
        epochs: overrides.epochs ?? 2,
        batchSize: 8,
        schedule: { kind: "constant", lr: 0.003 },
        augment: { flip: { p: 0.5 } },
        seed: 5,
        backend: "wasm",
        ...(overrides.engine ? { engine: overrides.engine } : {}),
        ...(overrides.maxStepsPerEpoch ? { maxStepsPerEpoch: overrides.maxStepsPerEpoch } : {}),
        ...(overrides.earlyStopping ? { earlyStopping: overrides.earlyStopping } : {}),
      },
      eval: { tta: overrides.tta ?? false },
    },
    "/virtual/tiny.ich.json",
  );
}
