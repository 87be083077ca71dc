import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * ../shared/data relative to the project root; tests that need it skip when it is absent.
 * ICH_SHARED_DATA=none hides it (CI runs the unit suite so, as a fresh clone would): the path then
 * names a folder that does not exist, so a test reading it without the HAS_SHARED_DATA guard fails.
 */
const hidden = process.env.ICH_SHARED_DATA === "none";
export const SHARED_DATA = resolve(__dirname, hidden ? "../../.shared-data-hidden" : "../../../shared/data");
export const HAS_SHARED_DATA = existsSync(join(SHARED_DATA, "dicom-corpus", "reference.tsv"));

export interface ReferenceRow {
  file: string;
  transfer_syntax: string;
  lossy: boolean;
  rows: number;
  cols: number;
  frames: number;
  spp: number;
  stored_min: number;
  stored_max: number;
  stored_mean: number;
  hu_min: number;
  hu_max: number;
  hu_mean: number;
  sha256_int32le: string;
  decode: string;
}

/** Parses a reference.tsv (pydicom + GDCM decode of every file in the folder). */
export function readReference(folder: "dicom-corpus" | "rsna-samples"): ReferenceRow[] {
  const [head, ...lines] = readFileSync(join(SHARED_DATA, folder, "reference.tsv"), "utf8").trimEnd().split("\n");
  const keys = head.split("\t");
  return lines.map((line) => {
    const cells = line.split("\t");
    const raw = Object.fromEntries(keys.map((k, i) => [k, cells[i] ?? ""]));
    const num = (k: string) => Number(raw[k]);
    return {
      file: raw.file,
      transfer_syntax: raw.transfer_syntax,
      lossy: raw.lossy === "True",
      rows: num("rows"),
      cols: num("cols"),
      frames: num("frames"),
      spp: num("spp"),
      stored_min: num("stored_min"),
      stored_max: num("stored_max"),
      stored_mean: num("stored_mean"),
      hu_min: num("hu_min"),
      hu_max: num("hu_max"),
      hu_mean: num("hu_mean"),
      sha256_int32le: raw.sha256_int32le,
      decode: raw.decode,
    };
  });
}
