// Leak guards. A run writes the groups (patients, studies or images, whatever its split was by)
// it trained on to train-groups.txt; evaluation and fine-tuning compare the images they are about
// to use against it, so images of training patients are never scored silently. Prediction checks
// that its input is the kind of data the model was trained on (DICOM windowed by ICH Lab, or PNG/JPG
// with windows baked in).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Sample } from "../data/sample";
import type { SplitConfig } from "../experiment/types";
import { writeFileAtomic } from "../fs/atomic";
import type { ModelInputSpec } from "../train/model-input";

export const TRAIN_GROUPS_FILE = "train-groups.txt";

type SplitUnit = SplitConfig["by"];

export interface TrainingGroups {
  by: SplitUnit;
  groups: Set<string>;
}

/** What an evaluation found and did about overlap with the training set (recorded in eval.json). */
export interface OverlapCheck {
  /** Scored images whose patient (study, image) was in the training set. */
  images: number;
  groups: number;
  by: SplitUnit | "unknown";
  /** Overlapping images were scored because --allow-overlap was given. */
  allowed: boolean;
  /** The run's dataset fingerprint, and whether rebuilding its split gave the same one (own split only). */
  fingerprint?: { run?: string; now: string; same: boolean };
}

export class LeakError extends Error {
  override readonly name = "LeakError";
}

export function groupOf(sample: Sample, by: SplitUnit): string {
  return by === "image" ? sample.id : by === "study" ? (sample.studyUid ?? sample.patientId) : sample.patientId;
}

/** Writes the training groups of a run (plus those of the run it was fine-tuned from). */
export async function writeTrainingGroups(runDir: string, by: SplitUnit, train: readonly Sample[], inherited?: TrainingGroups | null): Promise<void> {
  const groups = new Set(train.map((s) => groupOf(s, by)));
  // A fine-tuned model has seen its source run's patients too; keep them under this run's unit when it is the same.
  if (inherited && inherited.by === by) for (const g of inherited.groups) groups.add(g);
  await writeFileAtomic(join(runDir, TRAIN_GROUPS_FILE), `# by=${by}\n${[...groups].sort().join("\n")}\n`);
}

export async function readTrainingGroups(runDir: string): Promise<TrainingGroups | null> {
  let text: string;
  try {
    text = await readFile(join(runDir, TRAIN_GROUPS_FILE), "utf8");
  } catch {
    return null;
  }
  const lines = text.split("\n");
  const by = /^# by=(patient|study|image)$/.exec(lines[0] ?? "")?.[1] as SplitUnit | undefined;
  if (!by) return null;
  return { by, groups: new Set(lines.slice(1).filter(Boolean)) };
}

function overlapping(samples: readonly Sample[], trained: TrainingGroups): { images: number; groups: Set<string>; examples: string[] } {
  const groups = new Set<string>();
  const examples: string[] = [];
  let images = 0;
  for (const s of samples) {
    const g = groupOf(s, trained.by);
    if (!trained.groups.has(g)) continue;
    images++;
    groups.add(g);
    if (examples.length < 3) examples.push(s.id);
  }
  return { images, groups, examples };
}

export interface EvaluationGuardOptions {
  runId: string;
  runDir: string;
  /** Fingerprints when the run's own split is rebuilt. */
  fingerprint?: { run?: string; now: string };
  allowOverlap?: boolean;
  onLog?: (message: string) => void;
}

/** Refuses (LeakError) to score images of the run's training patients unless allowOverlap; returns what eval.json records. */
export async function guardEvaluation(samples: readonly Sample[], o: EvaluationGuardOptions): Promise<OverlapCheck> {
  const log = o.onLog ?? (() => undefined);
  const fingerprint = o.fingerprint ? { ...o.fingerprint, same: o.fingerprint.run === o.fingerprint.now } : undefined;
  if (fingerprint && !fingerprint.same) log(`run ${o.runId}: the data changed since training (dataset fingerprint ${fingerprint.run ?? "not recorded"}, now ${fingerprint.now}); checking the scored images against the training patients`);
  const trained = await readTrainingGroups(o.runDir);
  if (!trained) {
    // Runs from before train-groups.txt: only an unchanged own split is known to be disjoint.
    if (fingerprint?.same) return { images: 0, groups: 0, by: "unknown", allowed: false, fingerprint };
    const why = fingerprint ? "its data changed since training" : "the images come from other data";
    if (!o.allowOverlap) {
      throw new LeakError(`run ${o.runId} has no record of its training patients (${TRAIN_GROUPS_FILE}; the run predates it) and ${why}, so images of training patients cannot be ruled out; pass --allow-overlap to score anyway (recorded in eval.json)`);
    }
    log(`run ${o.runId}: training patients unknown; scoring anyway (--allow-overlap)`);
    return { images: -1, groups: -1, by: "unknown", allowed: true, fingerprint };
  }
  const found = overlapping(samples, trained);
  const unit = { patient: "patients", study: "studies", image: "images" }[trained.by];
  if (found.images > 0 && !o.allowOverlap) {
    throw new LeakError(
      `run ${o.runId}: ${found.images} of the ${samples.length} images to score belong to ${found.groups.size} training ${unit} (e.g. ${found.examples.join(", ")}); scoring them would overstate the model. Score data without them, or pass --allow-overlap to score anyway (recorded in eval.json)`,
    );
  }
  if (found.images > 0) log(`run ${o.runId}: scoring ${found.images} images of ${found.groups.size} training ${unit} (--allow-overlap)`);
  return { images: found.images, groups: found.groups.size, by: trained.by, allowed: found.images > 0, fingerprint };
}

/**
 * The validation images of a run whose group is among its own training groups: only possible through
 * the groups it inherited from a run:<id> it was fine-tuned from with --allow-overlap. Recorded in the
 * eval.json written at the end of training, as `ich eval --allow-overlap` records it.
 */
export function validationOverlap(validation: readonly Sample[], trained: TrainingGroups): OverlapCheck | undefined {
  const found = overlapping(validation, trained);
  return found.images > 0 ? { images: found.images, groups: found.groups.size, by: trained.by, allowed: true } : undefined;
}

/**
 * Fine-tuning from run:<id>: the new run's validation images must not include the source run's
 * training patients, or the new validation scores are inflated. Returns the source groups, which the
 * new run inherits.
 */
export async function guardFineTune(
  sourceRunId: string,
  sourceRunDir: string,
  validation: readonly Sample[],
  allowOverlap: boolean,
  warn: (m: string) => void,
): Promise<TrainingGroups | null> {
  const trained = await readTrainingGroups(sourceRunDir);
  if (!trained) {
    const message = `model.pretrained run:${sourceRunId} has no record of its training patients (${TRAIN_GROUPS_FILE}; the run predates it), so its training patients may be in this run's validation split`;
    if (!allowOverlap) throw new LeakError(`${message}; pass --allow-overlap to train anyway`);
    warn(`${message} (--allow-overlap)`);
    return null;
  }
  const found = overlapping(validation, trained);
  if (found.images > 0) {
    const unit = { patient: "patients", study: "studies", image: "images" }[trained.by];
    const message = `${found.images} of the ${validation.length} validation images belong to ${found.groups.size} ${unit} that model.pretrained run:${sourceRunId} trained on (e.g. ${found.examples.join(", ")}), so validation scores would be inflated`;
    if (!allowOverlap) throw new LeakError(`${message}; change data.split.seed or the data, or pass --allow-overlap to train anyway`);
    warn(`${message} (--allow-overlap)`);
  }
  return trained;
}

const describeWindows = (spec: ModelInputSpec) => spec.preprocess.windows.map((w) => `${w.name} (W${w.width} L${w.level})`).join(", ");

/** Why `kind` input should not go to this model (null when it may), unless forced. */
export function inputKindRefusal(spec: ModelInputSpec, kind: "dicom" | "image", file: string): string | null {
  const trainedOnImages = spec.sourceKind === "image";
  if (kind === "dicom" && trainedOnImages) {
    return `${file} is DICOM, but this model was trained on PNG/JPG images whose windows were baked into the pixels when they were exported. ICH Lab would window the DICOM itself with ${describeWindows(spec)}, which need not match the windows of the training images, so the predictions may be wrong. Predict on images exported like the training images, or pass --force`;
  }
  if (kind === "image" && !trainedOnImages) {
    return `${file} is a PNG/JPG image, but this model was trained on DICOM slices windowed by ICH Lab with ${describeWindows(spec)}; the windows baked into this image need not match them, so the predictions may be wrong. Predict on the DICOM files, or pass --force`;
  }
  return null;
}
