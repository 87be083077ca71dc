// Resumable checkpoints: model weights (TF.js layers format), Adam moments, and where the
// loop stood (epoch, batch, global step, best score). The RNG position is implied by
// (epoch, batch): shuffles and augmentation draws derive from the seed and those two.
// Written to a sibling folder and swapped in with renames, so a kill -9 mid-write leaves
// the previous checkpoint intact.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { syncDir, writeFileAtomic } from "../fs/atomic";
import { loadModel, saveModel } from "../models";
import type { AdamW, SerializedOptimizer } from "./adamw";
import type { LayersModel, Tf } from "./tf-types";

export interface LoopState {
  /** 1-based epoch to continue with. */
  epoch: number;
  /** Batches of that epoch already trained (0 at an epoch boundary). */
  batch: number;
  globalStep: number;
  /** Running sums of the interrupted epoch's training loss. */
  epochLossSum: number;
  epochLossCount: number;
  bestLoss: number | null;
  bestEpoch: number | null;
  bestMeanAuc: number | null;
  epochsWithoutImprovement: number;
  savedAt: string;
}

const STATE = "state.json";
const OPTIMIZER = "optimizer.bin";
const OPTIMIZER_SPEC = "optimizer.json";

export async function saveCheckpoint(dir: string, model: LayersModel, optimizer: AdamW, state: LoopState): Promise<void> {
  const next = `${dir}.next`;
  const previous = `${dir}.prev`;
  await rm(next, { recursive: true, force: true });
  await mkdir(next, { recursive: true });
  await saveModel(model, join(next, "model"));
  const serialized = await optimizer.serialize();
  // Every file and folder is flushed before the swap: after a power cut the renamed folder must hold data, not holes.
  const { buffer, byteOffset, byteLength } = serialized.data;
  await writeFileAtomic(join(next, OPTIMIZER), new Uint8Array(buffer, byteOffset, byteLength), { durable: true });
  await writeFileAtomic(join(next, OPTIMIZER_SPEC), JSON.stringify({ names: serialized.names, shapes: serialized.shapes }), { durable: true });
  await writeFileAtomic(join(next, STATE), JSON.stringify(state, null, 2), { durable: true });
  await syncDir(next);
  await rm(previous, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, previous);
  await rename(next, dir);
  await syncDir(dirname(dir));
  await rm(previous, { recursive: true, force: true });
}

/** The checkpoint folder to resume from: `dir`, or the previous one if a swap was interrupted. */
export function findCheckpoint(dir: string): string | null {
  for (const candidate of [dir, `${dir}.prev`]) if (existsSync(join(candidate, STATE))) return candidate;
  return null;
}

export async function loadCheckpoint(tf: Tf, dir: string): Promise<{ model: LayersModel; optimizer: SerializedOptimizer; state: LoopState }> {
  const state = JSON.parse(await readFile(join(dir, STATE), "utf8")) as LoopState;
  const spec = JSON.parse(await readFile(join(dir, OPTIMIZER_SPEC), "utf8")) as { names: string[]; shapes: number[][] };
  const bytes = await readFile(join(dir, OPTIMIZER));
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const model = await loadModel(tf, join(dir, "model"));
  return { model, optimizer: { ...spec, data }, state };
}
