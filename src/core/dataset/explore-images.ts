// Pictures for the explorer, drawn by the training pipeline itself: sample thumbnails through the
// brain window (prepareSample, as a model input is made) and the augmentation preview
// (prepareSample with the experiment's preprocessing, then augmentImage with the same seeds
// scheme the batch loader uses), so what the panel shows is what training sees.
import { join } from "node:path";
import { augmentImage } from "../data/augment";
import { preprocessOptions, sourceKind } from "../data/dataset";
import { prepareSample } from "../data/preprocess";
import { hashSeed } from "../data/rng";
import { channelCount, type PreprocessOptions, type Sample } from "../data/sample";
import type { ExperimentConfig } from "../experiment/types";
import { encodePng, resizeBilinear, tensorToRgba, WINDOWS } from "../imaging";
import type { AugmentationPreview, SampleSlice } from "./explore-types";
import type { IndexEntry } from "./types";
import { errorMessage } from "../../shared/errors";

export const THUMBNAIL_SIZE = 128;
/** Augmented pictures larger than this are shown downsampled. */
const MAX_PREVIEW_SIZE = 192;

function message(error: unknown): string {
  return errorMessage(error);
}

/** An HWC image in [0, 1] with 1 to 3 channels as a PNG data URI, at most `maxSize` wide. */
export function pngDataUri(image: Float32Array, size: number, channels: number, maxSize = size): string {
  const side = Math.min(size, maxSize);
  const shown = side === size ? image : resizeBilinear(image, size, size, channels, side, side);
  return `data:image/png;base64,${encodePng(tensorToRgba(shown, side * side, channels), side, side).toString("base64")}`;
}

function sampleOf(root: string, entry: IndexEntry): Sample {
  const file = join(root, entry.file);
  return { id: entry.id, patientId: entry.patientId ?? entry.id, source: entry.kind === "dicom" ? { kind: "dicom", file } : { kind: "image", file } };
}

export async function thumbnail(root: string, entry: IndexEntry): Promise<SampleSlice> {
  const slice: SampleSlice = { id: entry.id, file: join(root, entry.file), labels: entry.labels ?? null, thumbnail: null };
  const options: PreprocessOptions = { size: THUMBNAIL_SIZE, windows: [WINDOWS.brain], context: 0, rsnaFix: true };
  try {
    const { image } = await prepareSample(sampleOf(root, entry), options);
    slice.thumbnail = pngDataUri(image, THUMBNAIL_SIZE, channelCount(options, entry.kind));
  } catch (error) {
    slice.error = message(error);
  }
  return slice;
}

/** The centre slice's channels (at most three) of a prepared input with neighbours stacked around it. */
export function centreChannels(image: Float32Array, size: number, channels: number, context: number): { image: Float32Array; channels: number } {
  const perSlice = channels / (1 + 2 * context);
  const shown = Math.min(3, perSlice);
  if (shown === channels) return { image, channels };
  const out = new Float32Array(size * size * shown);
  const offset = context * perSlice;
  for (let p = 0; p < size * size; p++) for (let c = 0; c < shown; c++) out[p * shown + c] = image[p * channels + offset + c];
  return { image: out, channels: shown };
}

/** `variants` augmented copies of each entry's model input under `config.train.augment`, seeded by `seed`. */
export async function augmentationPreview(
  config: ExperimentConfig,
  experiment: string,
  root: string,
  entries: IndexEntry[],
  seed: number,
  variants = 4,
): Promise<AugmentationPreview> {
  const options = preprocessOptions(config);
  const { size, context } = options;
  const kind = sourceKind(config);
  const channels = channelCount(options, kind);
  const windowNames = kind === "image" ? ["R", "G", "B"] : options.windows.map((w) => w.name);
  const shows = `${windowNames.slice(0, 3).join(", ")}${context > 0 ? " of the centre slice" : ""} at ${size}×${size}${size > MAX_PREVIEW_SIZE ? ` (shown at ${MAX_PREVIEW_SIZE}×${MAX_PREVIEW_SIZE})` : ""}`;
  const picture = (image: Float32Array) => {
    const centre = centreChannels(image, size, channels, context);
    return pngDataUri(centre.image, size, centre.channels, MAX_PREVIEW_SIZE);
  };
  const slices: AugmentationPreview["slices"] = [];
  for (const entry of entries) {
    const file = join(root, entry.file);
    try {
      const { image } = await prepareSample(sampleOf(root, entry), options);
      const augment = (k: number) => augmentImage(image, size, channels, config.train.augment, hashSeed(seed, entry.id, k));
      const augmented = Array.from({ length: variants }, (_, k) => picture(augment(k)));
      slices.push({ id: entry.id, file, original: picture(image), augmented });
    } catch (error) {
      slices.push({ id: entry.id, file, original: null, augmented: [], error: message(error) });
    }
  }
  return { experiment, seed, size, augment: config.train.augment, shows, slices };
}
