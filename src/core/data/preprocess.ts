// Sample → model input (HWC float32 in [0, 1], size×size×channels). The ONE function training,
// evaluation and prediction all use, so a model always sees inputs prepared the same way.
import { readFile } from "node:fs/promises";
import { PNG } from "pngjs";
import { loadHuSlice, resizeBilinear, stackAdjacent, toModelTensor } from "../imaging";
import { synthesizeSlice } from "../synth/phantom";
import { LABELS } from "../../shared/labels";
import { channelCount, type PreprocessOptions, type Sample } from "./sample";
import { decodeJpegRgb } from "./jpeg";
import { errorMessage } from "../../shared/errors";

export interface Prepared {
  /** size*size*channels values, HWC. */
  image: Float32Array;
  /** Six labels (from the sample, or generated with a synthetic slice); undefined when unknown. */
  labels?: number[];
}

async function windowedDicom(file: string, p: PreprocessOptions): Promise<Float32Array> {
  const slice = await loadHuSlice(file, { rsnaFix: p.rsnaFix });
  return toModelTensor(slice.hu, slice.rows, slice.columns, p.windows, p.size);
}

/**
 * The slice plus its neighbours as extra channels: [below…, centre, above…]. Only the nearest
 * neighbour on each side is known; it is repeated for context > 1, and a slice at the end of
 * its series repeats itself as its missing neighbour.
 */
async function withContext(
  file: string,
  neighbours: [string | null, string | null] | undefined,
  p: PreprocessOptions,
  perSlice: number,
  load: (file: string) => Promise<Float32Array>,
): Promise<Float32Array> {
  const centre = await load(file);
  if (p.context === 0) return centre;
  const [below, above] = neighbours ?? [null, null];
  const lower = below ? await load(below) : centre;
  const upper = above ? await load(above) : centre;
  const slices = [...Array<Float32Array>(p.context).fill(lower), centre, ...Array<Float32Array>(p.context).fill(upper)];
  return stackAdjacent(slices, p.size * p.size, perSlice);
}

function prepareSynthetic(source: { seed: number; index: number; size: number; slices: number }, p: PreprocessOptions): Prepared {
  const render = (offset: number) => {
    const slice = synthesizeSlice({ seed: source.seed, index: source.index, size: source.size, slices: source.slices, offset });
    return { image: toModelTensor(slice.hu, slice.rows, slice.columns, p.windows, p.size), labels: slice.labels };
  };
  const centre = render(0);
  const labels = LABELS.map((label) => Number(centre.labels[label] ?? 0));
  if (p.context === 0) return { image: centre.image, labels };
  // Phantom series are known in full: neighbours at every distance are real slices (clamped at the ends).
  const slices = [];
  for (let offset = -p.context; offset <= p.context; offset++) slices.push(offset === 0 ? centre.image : render(offset).image);
  return { image: stackAdjacent(slices, p.size * p.size, p.windows.length), labels };
}

async function prepareImage(file: string, p: PreprocessOptions): Promise<Float32Array> {
  const bytes = await readFile(file);
  const { width, height, rgb } = /\.png$/i.test(file) ? decodePngRgb(bytes, file) : await decodeJpegRgb(bytes, file);
  const floats = new Float32Array(width * height * 3);
  for (let i = 0; i < floats.length; i++) floats[i] = rgb[i] / 255;
  if (width === p.size && height === p.size) return floats;
  return resizeBilinear(floats, width, height, 3, p.size, p.size);
}

function decodePngRgb(bytes: Uint8Array, file: string): { width: number; height: number; rgb: Uint8Array } {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes));
  } catch (error) {
    throw new Error(`${file}: not a readable PNG (${errorMessage(error)})`, { cause: error });
  }
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = png.data[j];
    rgb[i + 1] = png.data[j + 1];
    rgb[i + 2] = png.data[j + 2];
  }
  return { width: png.width, height: png.height, rgb };
}

export async function prepareSample(sample: Sample, p: PreprocessOptions): Promise<Prepared> {
  const { source } = sample;
  let prepared: Prepared;
  if (source.kind === "synthetic") prepared = prepareSynthetic(source, p);
  else if (source.kind === "image") prepared = { image: await withContext(source.file, source.neighbours, p, 3, (f) => prepareImage(f, p)), labels: sample.labels };
  else prepared = { image: await withContext(source.file, source.neighbours, p, p.windows.length, (f) => windowedDicom(f, p)), labels: sample.labels };
  const expected = p.size * p.size * channelCount(p, source.kind);
  if (prepared.image.length !== expected) throw new Error(`${sample.id}: prepared ${prepared.image.length} values, expected ${expected}`);
  return prepared;
}
