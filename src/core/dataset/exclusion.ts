// The exclusion list `ich clean` writes (ID,file,reason) and experiments name in data.exclude.
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { imageIdOf } from "./index-entry";
import { errorMessage } from "../../shared/errors";

export const EXCLUSION_HEADER = "ID,file,reason";

/** One CSV row; the fields are quoted only when they need it. */
export function exclusionRow(id: string, file: string, reason: string): string {
  const cell = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return `${cell(id)},${cell(file)},${cell(reason)}`;
}

/** Image ids of an exclusion list: its ID column, or the file column's names without extension. */
export async function readExclusionList(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let idColumn = -1;
  let fileColumn = -1;
  let first = true;
  try {
    const rows = createReadStream(path).pipe(parse({ skip_empty_lines: true, trim: true, relax_column_count: true, bom: true })) as AsyncIterable<string[]>;
    for await (const row of rows) {
      if (first) {
        first = false;
        const header = row.map((h) => h.toLowerCase());
        idColumn = header.findIndex((h) => h === "id" || h === "image" || h === "sopinstanceuid");
        fileColumn = header.findIndex((h) => h === "file");
        if (idColumn < 0 && fileColumn < 0) throw new Error(`no ID or file column in the header (${row.join(",")}); expected ${EXCLUSION_HEADER} as written by ich clean`);
        continue;
      }
      const id = idColumn >= 0 ? row[idColumn] : undefined;
      if (id) ids.add(id.replace(/\.(dcm|png|jpe?g)$/i, ""));
      else if (fileColumn >= 0 && row[fileColumn]) ids.add(imageIdOf(row[fileColumn]));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read the exclusion list (${code ?? (errorMessage(error))})`, { cause: error });
  }
  return ids;
}
