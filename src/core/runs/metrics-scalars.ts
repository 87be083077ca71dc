import type { MetricsLine } from "./types";

/** The TensorBoard scalars of one metrics line and the step they are logged at (global step for steps, epoch for epochs). */
export function scalarsOf(line: MetricsLine): { step: number; scalars: Record<string, number> } {
  if (line.kind === "step") {
    return { step: line.globalStep, scalars: { "train/loss": line.loss, "train/lr": line.lr, "train/images_per_sec": line.imagesPerSec } };
  }
  const scalars: Record<string, number> = {
    "epoch/train_loss": line.trainLoss,
    "epoch/lr": line.lr,
    "epoch/images_per_sec": line.imagesPerSec,
    "epoch/seconds": line.seconds,
  };
  if (line.val) {
    scalars["val/loss"] = line.val.loss;
    scalars["val/weighted_log_loss"] = line.val.weightedLogLoss;
    scalars["val/mean_auc"] = line.val.meanAuc;
    for (const [label, m] of Object.entries(line.val.perLabel)) {
      if (!m) continue;
      scalars[`val_auc/${label}`] = m.auc;
      scalars[`val_log_loss/${label}`] = m.logLoss;
    }
  }
  return { step: line.epoch, scalars };
}
