// Label and metadata tables of the images source: CSV, or feather (.fth/.feather).
import { readFeatherTable, isFeatherPath } from "./feather";
import { parseLabelRows, readLabelsCsv, type LabelTable } from "./labels-csv";
import { metadataFromRecords, readMetadataCsv, type SliceMeta } from "./rsna-index";

export async function readLabelsTable(path: string): Promise<LabelTable> {
  if (!isFeatherPath(path)) return readLabelsCsv(path);
  const { header, rows } = await readFeatherTable(path);
  return parseLabelRows([header, ...rows], path);
}

export async function readMetadataTable(path: string): Promise<Map<string, SliceMeta>> {
  if (!isFeatherPath(path)) return readMetadataCsv(path);
  const { header, rows } = await readFeatherTable(path);
  return metadataFromRecords(
    rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i].trim()]))),
    path,
  );
}
