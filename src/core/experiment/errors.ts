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

function bounds(schema: Record<string, unknown>): string {
  const { minimum, maximum } = schema;
  if (typeof minimum === "number" && typeof maximum === "number") return ` from ${minimum} to ${maximum}`;
  if (typeof minimum === "number") return ` ≥ ${minimum}`;
  return typeof maximum === "number" ? ` ≤ ${maximum}` : "";
}

/** A property of an all-optional object branch, e.g. `[numbers from -45 to 45]`. */
function describeProperty(schema: Record<string, unknown>, plural = ""): string {
  if (schema.type === "array" && schema.items && typeof schema.items === "object") return `[${describeProperty(schema.items as Record<string, unknown>, "s")}]`;
  return typeof schema.type === "string" ? `${schema.type}${plural}${bounds(schema)}` : "a value";
}

function describeBranch(branch: Record<string, unknown>): string {
  if (Array.isArray(branch.enum)) return branch.enum.map((v) => JSON.stringify(v)).join(", ");
  if ("const" in branch) return JSON.stringify(branch.const);
  if (branch.type === "boolean") return "false, true";
  if (branch.type === "integer") return `an integer${bounds(branch)}`;
  if (branch.type === "object" && Array.isArray(branch.required)) return `an object {${branch.required.join(", ")}}`;
  if (branch.type === "object" && branch.properties && typeof branch.properties === "object") {
    const properties = Object.entries(branch.properties as Record<string, Record<string, unknown>>).map(([name, schema]) => `${name}?: ${describeProperty(schema)}`);
    return `an object {${properties.join(", ")}}`;
  }
  return typeof branch.type === "string" ? branch.type : "a value";
}

function branchIndexOf(error: VerboseError, within: VerboseError): number {
  return Number(error.schemaPath.slice(within.schemaPath.length + 1).split("/")[0]);
}

function discriminatorValues(parentSchema: Record<string, unknown> | undefined, tag: string): string[] {
  const branches = (parentSchema?.oneOf ?? []) as { properties?: Record<string, { const?: unknown }> }[];
  return branches.map((b) => String(b.properties?.[tag]?.const));
}

/**
 * Turns ajv's errors (compiled with allErrors + verbose) into one readable line each. For anyOf,
 * only the branch matching the value's JSON type reports, so a bad window name yields one line.
 * A oneOf without a discriminator (eval.tta, train.workers) is one line that lists every allowed
 * form, followed by what is wrong inside the form of the value's type, if anything.
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
      const branchIndex = branchIndexOf(other, error);
      if (!matching.includes(branchIndex) || matching.length !== 1) suppressed.add(other);
    }
    if (matching.length === 1) suppressed.add(error);
  }
  // oneOf: its branches' errors become details of its own line
  const details = new Map<VerboseError, VerboseError[]>();
  for (const error of all) {
    if (error.keyword !== "oneOf" || error.parentSchema?.discriminator !== undefined || !Array.isArray(error.schema)) continue;
    const type = jsonType(error.data);
    const branches = error.schema as Record<string, unknown>[];
    const matching = branches.map((b, i) => (branchAccepts(b, type) && !("const" in b) ? i : -1)).filter((i) => i >= 0);
    const nested = all.filter((other) => other !== error && other.schemaPath.startsWith(`${error.schemaPath}/`));
    nested.forEach((other) => suppressed.add(other));
    // only what lies inside the value (a field, an item, an unknown key) adds to "must be one of"
    const inside = (other: VerboseError) => other.instancePath.length > error.instancePath.length || other.keyword === "additionalProperties";
    details.set(error, matching.length === 1 ? nested.filter((other) => branchIndexOf(other, error) === matching[0] && inside(other)) : []);
  }
  const hasRequiredKind = new Set(all.filter((e) => e.keyword === "required").map((e) => `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`));

  const describe = (error: VerboseError): string | undefined => {
    const at = error.instancePath || "/";
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case "additionalProperties": {
        const allowed = Object.keys((error.parentSchema?.properties ?? {}) as object);
        return `${at} has unknown key '${(params as { additionalProperty: string }).additionalProperty}'${allowed.length ? ` (allowed: ${allowed.join(", ")})` : ""}`;
      }
      case "required":
        return `${error.instancePath}/${(params as { missingProperty: string }).missingProperty} is required`;
      case "enum":
        return `${at} must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")} (got ${JSON.stringify(error.data)})`;
      case "discriminator": {
        const tag = String(params.tag);
        if (hasRequiredKind.has(`${error.instancePath}/${tag}`)) return undefined;
        const values = discriminatorValues(error.parentSchema, tag).map((v) => JSON.stringify(v)).join(", ");
        const actual = (error.data as Record<string, unknown> | undefined)?.[tag];
        return `${error.instancePath}/${tag} must be one of: ${values} (got ${JSON.stringify(actual)})`;
      }
      case "oneOf":
      case "anyOf": {
        const branches = (error.schema ?? []) as Record<string, unknown>[];
        return `${at} must be ${branches.map(describeBranch).join(", or ")} (got ${JSON.stringify(error.data)})`;
      }
      case "type": {
        const type = (params as { type: string }).type;
        return `${at} must be ${/^[aeiou]/.test(type) ? "an" : "a"} ${type} (got ${JSON.stringify(error.data)})`;
      }
      default:
        return `${at} ${error.message ?? "is invalid"}${error.data !== undefined && typeof error.data !== "object" ? ` (got ${JSON.stringify(error.data)})` : ""}`;
    }
  };

  const lines: string[] = [];
  for (const error of all) {
    if (suppressed.has(error)) continue;
    const line = describe(error);
    if (line === undefined) continue;
    const inside = (details.get(error) ?? []).map(describe).filter((d) => d !== undefined);
    lines.push(`${file}: ${inside.length ? `${line}: ${inside.join("; ")}` : line}`);
  }
  return [...new Set(lines)];
}
