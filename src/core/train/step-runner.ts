// The step function the training loop calls, whichever engine computes it: ONNX Runtime's training
// graph on every core (train.engine "onnx", the default on the CPU backends), or TF.js (one thread,
// or data-parallel replicas on WASM: train.workers).
import type { Batch } from "../data/batch-loader";
import type { EngineChoice, EngineName } from "../inference/engine";
import { loadOrt } from "../inference/ort";
import type { BatchTrainer } from "./batch-training";
import { OnnxStepRunner } from "./onnx/onnx-step-runner";
import { UnsupportedModelError } from "./onnx/training-graph";
import { openReplicaRunner, resolveTrainWorkers, type TrainWorkersSetting } from "./parallel";
import { errorMessage } from "../../shared/errors";

export interface StepRunner {
  /** Replicas in use, the training thread included (1 for ONNX Runtime, which threads each kernel). */
  readonly replicas: number;
  /** One optimisation step on a loaded batch; returns the batch loss. */
  step(batch: Batch, size: number, lr: number): Promise<number>;
  /** Brings the TF.js model and its optimizer up to date (the ONNX engine keeps them between steps). */
  sync(): Promise<void>;
  /** WASM heap bytes of each worker replica (empty with one replica). */
  workerHeapBytes(): number[];
  close(): Promise<void>;
}

/** TF.js backends whose CPU kernels ONNX Runtime outruns; native TensorFlow and GPUs keep TF.js under "auto". */
const ONNX_AUTO_BACKENDS = new Set(["wasm", "cpu"]);

/** Whether train.engine "auto" takes ONNX Runtime on this TF.js backend (when it loads and can train the model). */
export function autoTrainsOnOnnx(backend: string): boolean {
  return ONNX_AUTO_BACKENDS.has(backend);
}

export interface StepRunnerOptions {
  engine: EngineChoice;
  /** The TF.js backend in use. */
  backend: string;
  workers: TrainWorkersSetting;
  batchSize: number;
  /** Input size of the first epoch, seed and global step (the ONNX engine's graph and dropout masks). */
  size: number;
  seed: number;
  firstStep: number;
  /** ONNX Runtime's intra-op threads and profiling (bench:train); defaults: every core, none. */
  threads?: number;
  profilePrefix?: string;
}

export interface OpenedStepRunner {
  runner: StepRunner;
  engine: EngineName;
  /** What computes the steps, for the log and run.json. */
  description: string;
}

/**
 * Opens the engine `options.engine` asks for. "auto" takes ONNX Runtime on the WASM/CPU backends
 * when it loads and can train the model, else TF.js (the reason goes to `warn` when it is not the
 * backend's choice); "onnx" fails instead of falling back.
 */
export async function openStepRunner(trainer: BatchTrainer, options: StepRunnerOptions, warn: (message: string) => void): Promise<OpenedStepRunner> {
  const wantOnnx = options.engine === "onnx" || (options.engine === "auto" && autoTrainsOnOnnx(options.backend));
  if (wantOnnx) {
    const loaded = loadOrt();
    if (!loaded.ok) {
      if (options.engine === "onnx") throw new Error(`train.engine "onnx": ${loaded.reason}`);
      warn(`training on TF.js: ${loaded.reason}`);
    } else {
      try {
        const { size, seed, firstStep, threads, profilePrefix } = options;
        const runner = await OnnxStepRunner.open(loaded.ort, trainer, { size, seed, firstStep, threads, profilePrefix });
        if (options.workers !== "auto" && options.workers > 1) warn(`train.workers ${options.workers} ignored: the ONNX Runtime engine uses every core in each step`);
        return { runner, engine: "onnx", description: runner.device };
      } catch (error) {
        if (options.engine === "onnx" || !(error instanceof UnsupportedModelError)) throw error;
        warn(`training on TF.js: ${errorMessage(error)}`);
      }
    }
  }
  const replicas = resolveTrainWorkers(options.workers, options.backend, options.batchSize, warn);
  const runner = await openReplicaRunner(trainer, replicas, warn);
  const description = runner.replicas > 1 ? `TF.js ${options.backend}, ${runner.replicas} data-parallel replicas` : `TF.js ${options.backend}`;
  return { runner, engine: "tfjs", description };
}
