// CSV text (RFC 4180 quoting) for the compare panel's table export.

function cell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of cells to CSV; numbers are written in full precision, NaN/Infinity and missing values as empty cells. */
export function toCsv(rows: readonly (readonly (string | number | undefined | null)[])[]): string {
  return `${rows.map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}
