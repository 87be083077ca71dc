// `--engine auto|onnx|tfjs` of predict, eval and serve.
import { ENGINE_CHOICES, isEngineChoice, type EngineChoice } from "../core/inference/engine";
import { engineFromEnvironment } from "../core/inference/open-engine";
import { UsageError } from "./usage";

export const ENGINE_OPTION_HELP = `  --engine E  ${ENGINE_CHOICES.join(", ")}: default $ICH_ENGINE or auto (ONNX Runtime when the run has a
              current model/model.onnx and onnxruntime-node loads, else TF.js)`;

/** The --engine value, or the environment's; a bad value is a usage error (exit 2). */
export function engineOption(value: string | undefined): EngineChoice {
  if (value === undefined) return engineFromEnvironment();
  if (!isEngineChoice(value)) throw new UsageError(`--engine must be one of ${ENGINE_CHOICES.join(", ")}, got '${value}'`);
  return value;
}
