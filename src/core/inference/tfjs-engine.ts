// The TF.js engine: a layers model (model/model.json) on the TF.js backend initBackend picked.
import { outputsLogits, predictTfjsBatch } from "../predict/infer";
import type { LayersModel, Tf } from "../train/tf-types";
import type { EngineInfo, InferenceEngine, InputShape } from "./engine";

export class TfjsEngine implements InferenceEngine {
  private readonly logits: boolean;

  /** `ownsModel`: dispose() also disposes the model. */
  constructor(
    readonly tf: Tf,
    readonly model: LayersModel,
    private readonly shape: Omit<InputShape, "outputs">,
    readonly info: EngineInfo,
    private readonly ownsModel = true,
  ) {
    this.logits = outputsLogits(model);
  }

  predict(x: Float32Array, n: number, tta: boolean): Promise<Float32Array> {
    return predictTfjsBatch(this.tf, this.model, this.logits, x, [n, this.shape.size, this.shape.channels], tta);
  }

  async dispose(): Promise<void> {
    if (this.ownsModel) this.model.dispose();
  }
}
