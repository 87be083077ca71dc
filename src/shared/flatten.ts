// Config diff for the compare panel: nested experiment configs flattened to dotted paths, and
// only the paths whose values differ between runs kept.

/** `{a: {b: 1}, c: [1, 2]}` → `{"a.b": "1", "c": "[1,2]"}`; arrays are leaves (compared as JSON). */
export function flattenConfig(value: unknown, prefix = "", into: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) into[prefix] = "{}";
    for (const [key, child] of entries) flattenConfig(child, prefix ? `${prefix}.${key}` : key, into);
    return into;
  }
  if (prefix) into[prefix] = typeof value === "string" ? value : JSON.stringify(value) ?? "undefined";
  return into;
}

export interface ConfigDiffRow {
  key: string;
  /** One value per config, in input order; undefined where that config lacks the key. */
  values: (string | undefined)[];
}

/** Keys (sorted) whose flattened value is not the same in every config, including keys some configs lack. */
export function configDiff(configs: readonly unknown[]): ConfigDiffRow[] {
  const flat = configs.map((c) => flattenConfig(c));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const rows: ConfigDiffRow[] = [];
  for (const key of keys) {
    const values = flat.map((f) => (Object.prototype.hasOwnProperty.call(f, key) ? f[key] : undefined));
    if (values.some((v) => v !== values[0])) rows.push({ key, values });
  }
  return rows;
}
