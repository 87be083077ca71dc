// Generated run folders for the panel tests, written through the real run store.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LABELS } from "../../src/shared/labels";
import { RunStore } from "../../src/core/runs";
import type { EpochValidation, MetricsLine } from "../../src/core/runs/types";

export function tempDir(prefix = "ich-panels-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function validation(epoch: number, base: number): EpochValidation {
  const perLabel: EpochValidation["perLabel"] = {};
  LABELS.forEach((label, i) => {
    perLabel[label] = { logLoss: base + i / 100, auc: 0.5 + (epoch * (i + 1)) / 100, accuracy: 0.9, sensitivity: 0.5, specificity: 0.9, f1: 0.5 };
  });
  return { loss: base, weightedLogLoss: base * 1.1, meanAuc: 0.5 + epoch / 20, perLabel };
}

export function epochLines(epochs: number, stepsPerEpoch: number, base: number): MetricsLine[] {
  const lines: MetricsLine[] = [];
  let globalStep = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let step = 1; step <= stepsPerEpoch; step++) {
      globalStep += 1;
      lines.push({ kind: "step", epoch, step, globalStep, loss: base + 1 / globalStep, lr: 0.001 * step, imagesPerSec: 10, time: new Date().toISOString() });
    }
    lines.push({ kind: "epoch", epoch, globalStep, trainLoss: base + 1 / epoch, lr: 0.001, imagesPerSec: 10 + epoch, seconds: 2 * epoch, val: validation(epoch, base + 0.5 / epoch), time: new Date().toISOString() });
  }
  return lines;
}

/** A run folder with `epochs` epochs of metrics, through RunStore/RunHandle. */
export async function makeRun(
  root: string,
  options: { name: string; architecture: string; epochs: number; lr: number; base: number; parameters: number; finish?: boolean },
) {
  const store = new RunStore(root);
  const handle = await store.createRun({
    name: options.name,
    config: { name: options.name, model: { architecture: options.architecture, dropout: 0.2 }, train: { epochs: options.epochs, schedule: { kind: "constant", lr: options.lr } } },
    architecture: options.architecture,
    backend: "wasm",
    device: "CPU (WASM SIMD, 1 thread)",
    epochsPlanned: options.epochs,
    parameterCount: options.parameters,
  });
  for (const line of epochLines(options.epochs, 3, options.base)) await handle.appendMetrics(line);
  await handle.update({ epochsDone: options.epochs });
  if (options.finish !== false) await handle.finish("completed");
  return { store, handle, dir: handle.dir, id: handle.id };
}
