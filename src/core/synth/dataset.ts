// `ich synth`: a folder of phantom DICOM series in RSNA form — ID_<hex>.dcm files, labels.csv
// (stage_2_train.csv layout: ID,Label with rows ID_<hex>_<subtype>) and metadata.csv.
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic";
import { LABELS, type Label } from "../../shared/labels";
import { formatDecimalString } from "./decimal-string";
import { encodeCtSlice, type PixelEncoding } from "./encode";
import { synthesizeSeries } from "./phantom";
import { hash32, Rng } from "./random";

export interface SyntheticDatasetOptions {
  out: string;
  patients: number;
  slices: number;
  seed: number;
  /** Image width and height (default 256). */
  size?: number;
  /** Called after each patient's series is written. */
  onProgress?: (patientsDone: number, patients: number) => void;
}

export interface SyntheticDataset {
  /** Absolute or `out`-relative paths of the DICOM files, in patient then slice order. */
  files: string[];
  labelsCsv: string;
  metadataCsv: string;
  /** Number of slices positive for each label. */
  positives: Record<Label, number>;
}

/** Label order of RSNA's stage_2_train.csv: five subtypes, then any. */
const RSNA_LABEL_ORDER: Label[] = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural", "any"];

/** Per-patient pixel encodings: one patient in five gets the RSNA 12-bit mis-encoding. */
const ENCODING_CYCLE: PixelEncoding[] = ["signed16", "signed16", "signed16-zero", "unsigned12", "rsna-bug"];

/** Encoding of patient `p` of a dataset with `seed`. */
export function encodingFor(seed: number, patient: number): PixelEncoding {
  return ENCODING_CYCLE[(patient + hash32("encoding", seed)) % ENCODING_CYCLE.length];
}

/** A deterministic UID under the 2.25 (UUID-derived) root. */
export function uidFrom(...parts: (number | string)[]): string {
  let value = 0n;
  for (let k = 0; k < 4; k++) value = (value << 32n) | BigInt(hash32("uid", k, ...parts));
  return `2.25.${value === 0n ? 1n : value}`;
}

/** RSNA-style 9-hex-digit image id, unique within `taken`. */
function imageId(taken: Set<string>, ...parts: (number | string)[]): string {
  for (let salt = 0; ; salt++) {
    const hex = hash32("id", salt, ...parts).toString(16).padStart(8, "0") + (hash32("id+", salt, ...parts) & 15).toString(16);
    const id = `ID_${hex}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be an integer from 1 to ${max} (got ${value})`);
}

export async function writeSyntheticDataset(options: SyntheticDatasetOptions): Promise<SyntheticDataset> {
  const { out, patients, slices, seed } = options;
  const size = options.size ?? 256;
  checkCount("patients", patients, 100_000);
  checkCount("slices", slices, 1000);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer (got ${seed})`);
  const files: string[] = [];
  const labelRows = ["ID,Label"];
  const metadataRows = ["ID,PatientID,StudyInstanceUID,SeriesInstanceUID,z"];
  const takenIds = new Set<string>();
  const takenPatients = new Set<string>();
  const positives = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (let p = 0; p < patients; p++) {
    const series = synthesizeSeries({ seed, patient: p, slices, size });
    const patientId = imageId(takenPatients, "patient", seed, p).slice(0, 11);
    const studyInstanceUid = uidFrom("study", seed, p);
    const seriesInstanceUid = uidFrom("series", seed, p);
    const frameOfReferenceUid = uidFrom("frame", seed, p);
    const encoding = encodingFor(seed, p);
    const z0 = -40 - new Rng(hash32("z0", seed, p)).int(40);
    for (const slice of series.slices) {
      const id = imageId(takenIds, "image", seed, p, slice.sliceIndex);
      const z = z0 + slice.sliceIndex * series.sliceSpacing;
      const bytes = encodeCtSlice(
        slice.hu,
        { rows: slice.rows, columns: slice.columns, pixelSpacing: slice.pixelSpacing, sliceThickness: series.sliceSpacing },
        { sopInstanceUid: uidFrom("image", seed, p, slice.sliceIndex), studyInstanceUid, seriesInstanceUid, frameOfReferenceUid, patientId, instanceNumber: slice.sliceIndex + 1, z },
        encoding,
      );
      const file = join(out, `${id}.dcm`);
      await writeFileAtomic(file, bytes);
      files.push(file);
      for (const label of RSNA_LABEL_ORDER) {
        labelRows.push(`${id}_${label},${slice.labels[label]}`);
        positives[label] += slice.labels[label];
      }
      metadataRows.push(`${id},${patientId},${studyInstanceUid},${seriesInstanceUid},${formatDecimalString(z)}`);
    }
    options.onProgress?.(p + 1, patients);
  }
  const labelsCsv = join(out, "labels.csv");
  const metadataCsv = join(out, "metadata.csv");
  await writeFileAtomic(labelsCsv, `${labelRows.join("\n")}\n`);
  await writeFileAtomic(metadataCsv, `${metadataRows.join("\n")}\n`);
  return { files, labelsCsv, metadataCsv, positives };
}
