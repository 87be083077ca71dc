// Human-readable progress lines for terminals (the extension reads the JSON events instead).
import type { ProgressEvent } from "../runs/types";

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s % 60).padStart(2, "0")}s`;
}

/** One-line progress bar for a step event, `width` characters of bar. */
export function progressBar(event: Extract<ProgressEvent, { type: "step" }>, width = 24): string {
  const filled = Math.round((event.step / event.stepsPerEpoch) * width);
  const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
  return `epoch ${event.epoch} [${bar}] ${event.step}/${event.stepsPerEpoch} loss ${event.loss.toFixed(4)} lr ${event.lr.toExponential(2)} ${event.imagesPerSec.toFixed(1)} img/s eta ${formatSeconds(event.etaSeconds)}`;
}

/** A line for every event except steps (null for steps). */
export function describeEvent(event: ProgressEvent): string | null {
  switch (event.type) {
    case "run-started":
      return `run ${event.runId} (${event.runDir}) on ${event.backend}: ${event.device}; ${event.epochs} epochs of ${event.stepsPerEpoch} steps`;
    case "step":
      return null;
    case "epoch": {
      const val = event.val ? `; validation weighted log loss ${event.val.weightedLogLoss.toFixed(4)}, mean AUC ${event.val.meanAuc.toFixed(3)}` : "";
      return `epoch ${event.epoch}/${event.epochs}: train loss ${event.trainLoss.toFixed(4)}${val}`;
    }
    case "checkpoint":
      return `checkpoint after epoch ${event.epoch}: ${event.path}`;
    case "warning":
      return `warning: ${event.message}`;
    case "log":
      return event.message;
    case "run-ended":
      return `run ${event.runId} ${event.status}${event.error ? `: ${event.error}` : ""}`;
  }
}
