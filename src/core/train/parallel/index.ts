// Data-parallel training on the TF.js engine: how many replicas a run uses (`train.workers`, `ich
// train --train-workers`) and its step runner, with one replica or several (step-runner.ts picks
// the engine).
import { availableParallelism, totalmem } from "node:os";
import { trainOnBatch, type BatchTrainer } from "../batch-training";
import type { StepRunner } from "../step-runner";
import { ReplicaPool } from "./replica-pool";
import { errorMessage } from "../../../shared/errors";

export type TrainWorkersSetting = "auto" | number;

/** Replicas `auto` never exceeds: each holds a full WASM heap (about 1 GB for ResNet18 at 128 px). */
const AUTO_MAX = 8;
const AUTO_BYTES_PER_REPLICA = 2 * 2 ** 30;

/**
 * Training replicas for a run: `auto` is one per core on the WASM backend (at most 8, one per
 * 2 GiB of memory, no more than the batch size); other backends run their own threads, so 1.
 */
export function resolveTrainWorkers(
  setting: TrainWorkersSetting,
  backend: string,
  batchSize: number,
  warn: (message: string) => void,
  machine: { cores: number; memory: number } = { cores: availableParallelism(), memory: totalmem() },
): number {
  if (backend !== "wasm") {
    if (setting !== "auto" && setting > 1) warn(`train.workers ${setting} ignored: data-parallel training is for the wasm backend; ${backend} uses its own threads`);
    return 1;
  }
  if (setting === "auto") return Math.max(1, Math.min(machine.cores, AUTO_MAX, batchSize, Math.floor(machine.memory / AUTO_BYTES_PER_REPLICA)));
  if (setting > batchSize) warn(`train.workers ${setting} is more than the batch size ${batchSize}: using ${batchSize}`);
  return Math.max(1, Math.min(setting, batchSize));
}

/** Starts `replicas − 1` worker threads beside the training thread (none for 1); falls back to 1 with a warning if they cannot start. */
export async function openReplicaRunner(trainer: BatchTrainer, replicas: number, warn: (message: string) => void): Promise<StepRunner> {
  if (replicas > 1) {
    try {
      const pool = await ReplicaPool.start(trainer, replicas - 1);
      return {
        replicas: pool.replicas,
        step: (batch, size, lr) => pool.trainOnBatch(batch, size, lr),
        sync: async () => undefined,
        workerHeapBytes: () => pool.workerHeapBytes,
        close: () => pool.close(),
      };
    } catch (error) {
      warn(`data-parallel training unavailable, training on one thread: ${errorMessage(error)}`);
    }
  }
  return {
    replicas: 1,
    step: async (batch, size, lr) => trainOnBatch(trainer, batch, size, lr),
    sync: async () => undefined,
    workerHeapBytes: () => [],
    close: async () => undefined,
  };
}
