// Index of a folder of 3-channel PNG/JPG slices (e.g. the cleaned RSNA JPG set) plus a labels
// table (CSV or feather). Patient ids come from an optional metadata table; without one every
// image counts as its own patient (and the split cannot prevent leakage, which is reported).
import { readdir } from "node:fs/promises";
import { extname, join } from "node:path";
import { describeLabelIssues } from "./labels-csv";
import { linkNeighbours, type SliceMeta } from "./rsna-index";
import { readLabelsTable, readMetadataTable } from "./tables";
import type { Sample } from "./sample";
import { errorMessage } from "../../shared/errors";

export async function indexImageFolder(imageDir: string, labelsPath: string, metadataPath?: string): Promise<{ samples: Sample[]; notes: string[] }> {
  const notes: string[] = [];
  let names: string[];
  try {
    names = (await readdir(imageDir, { recursive: true })).filter((n) => /\.(png|jpe?g)$/i.test(n)).sort();
  } catch (error) {
    throw new Error(`${imageDir}: cannot list the image folder (${errorMessage(error)})`, { cause: error });
  }
  if (names.length === 0) throw new Error(`${imageDir}: no .png/.jpg files in the folder`);
  const table = await readLabelsTable(labelsPath);
  notes.push(...describeLabelIssues(table, labelsPath));
  const meta: Map<string, SliceMeta> | null = metadataPath ? await readMetadataTable(metadataPath) : null;
  if (!meta) notes.push(`${imageDir}: no metadata table, so each image is split as its own patient (slices of one patient may land in both train and validation)`);
  const samples: Sample[] = [];
  let unlabelled = 0;
  for (const name of names) {
    const id = name.split("/").pop()!.slice(0, -extname(name).length);
    const labels = table.labels.get(id);
    if (!labels) {
      unlabelled++;
      continue;
    }
    const m = meta?.get(id);
    samples.push({ id, patientId: m?.patientId ?? id, studyUid: m?.studyUid, seriesUid: m?.seriesUid, position: m?.position, labels: Array.from(labels), source: { kind: "image", file: join(imageDir, name) } });
  }
  if (unlabelled > 0) notes.push(`${labelsPath}: ${unlabelled} of ${names.length} images in ${imageDir} have no labels and are skipped`);
  if (samples.length === 0) throw new Error(`${imageDir}: none of the ${names.length} images has labels in ${labelsPath}`);
  linkNeighbours(samples);
  return { samples, notes };
}
