import type { ErrorObject } from "ajv";

/** An experiment file that cannot be used. `problems` holds one `<file>: <field path> <what is wrong>` per entry. */
export class ExperimentError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.length === 1 ? problems[0] : `${file}: ${problems.length} problems\n  ${problems.join("\n  ")}`);
    this.name = "ExperimentError";
  }
}

type VerboseError = ErrorObject & { schema?: unknown; parentSchema?: Record<string, unknown>; data?: unknown };

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function branchAccepts(branch: Record<string, unknown>, type: string): boolean {
  const declared = branch.type;
  if (declared === undefined) return true;
  const types = Array.isArray(declared) ? declared : [declared];
  return types.includes(type) || (type === "integer" && types.includes("number"));
}

function describeBranch(branch: Record<string, unknown>): string {
  if (Array.isArray(branch.enum)) return branch.enum.map((v) => JSON.stringify(v)).join(", ");
  if (branch.type === "object" && Array.isArray(branch.required)) return `an object {${branch.required.join(", ")}}`;
  return typeof branch.type === "string" ? branch.type : "a value";
}

function discriminatorValues(parentSchema: Record<string, unknown> | undefined, tag: string): string[] {
  const branches = (parentSchema?.oneOf ?? []) as { properties?: Record<string, { const?: unknown }> }[];
  return branches.map((b) => String(b.properties?.[tag]?.const));
}

/**
 * Turns ajv's errors (compiled with allErrors + verbose) into one readable line each. For anyOf,
 * only the branch matching the value's JSON type reports, so a bad window name yields one line.
 */
export function formatSchemaErrors(file: string, errors: readonly ErrorObject[]): string[] {
  const all = errors as readonly VerboseError[];
  const suppressed = new Set<VerboseError>();
  for (const error of all) {
    if (error.keyword !== "anyOf" || !Array.isArray(error.schema)) continue;
    const branches = error.schema as Record<string, unknown>[];
    const type = jsonType(error.data);
    const matching = branches.map((b, i) => (branchAccepts(b, type) ? i : -1)).filter((i) => i >= 0);
    for (const other of all) {
      if (other === error || !other.schemaPath.startsWith(`${error.schemaPath}/`)) continue;
      const branchIndex = Number(other.schemaPath.slice(error.schemaPath.length + 1).split("/")[0]);
      if (!matching.includes(branchIndex) || matching.length !== 1) suppressed.add(other);
    }
    if (matching.length === 1) suppressed.add(error);
  }
  const hasRequiredKind = new Set(all.filter((e) => e.keyword === "required").map((e) => `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`));

  const lines: string[] = [];
  for (const error of all) {
    if (suppressed.has(error)) continue;
    const at = error.instancePath || "/";
    const params = error.params as Record<string, unknown>;
    let line: string;
    switch (error.keyword) {
      case "additionalProperties": {
        const allowed = Object.keys((error.parentSchema?.properties ?? {}) as object);
        line = `${at} has unknown key '${(params as { additionalProperty: string }).additionalProperty}'${allowed.length ? ` (allowed: ${allowed.join(", ")})` : ""}`;
        break;
      }
      case "required":
        line = `${error.instancePath}/${(params as { missingProperty: string }).missingProperty} is required`;
        break;
      case "enum":
        line = `${at} must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")} (got ${JSON.stringify(error.data)})`;
        break;
      case "discriminator": {
        const tag = String(params.tag);
        if (hasRequiredKind.has(`${error.instancePath}/${tag}`)) continue;
        const values = discriminatorValues(error.parentSchema, tag).map((v) => JSON.stringify(v)).join(", ");
        const actual = (error.data as Record<string, unknown> | undefined)?.[tag];
        line = `${error.instancePath}/${tag} must be one of: ${values} (got ${JSON.stringify(actual)})`;
        break;
      }
      case "anyOf": {
        const branches = (error.schema ?? []) as Record<string, unknown>[];
        line = `${at} must be ${branches.map(describeBranch).join(", or ")} (got ${JSON.stringify(error.data)})`;
        break;
      }
      case "type": {
        const type = (params as { type: string }).type;
        line = `${at} must be ${type === "integer" ? "an integer" : `a ${type}`} (got ${JSON.stringify(error.data)})`;
        break;
      }
      default:
        line = `${at} ${error.message ?? "is invalid"}${error.data !== undefined && typeof error.data !== "object" ? ` (got ${JSON.stringify(error.data)})` : ""}`;
    }
    lines.push(`${file}: ${line}`);
  }
  return [...new Set(lines)];
}
