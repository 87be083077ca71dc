import Ajv, { type ValidateFunction } from "ajv";
import schemaJson from "../../../schemas/experiment.schema.json";

/** The experiment JSON Schema (draft-07), the same object VS Code gets through `contributes.jsonValidation`. */
export const experimentSchema: Readonly<Record<string, unknown>> = schemaJson;

let compiled: ValidateFunction | undefined;

/** The ajv validator: fills defaults in place (useDefaults) and reports every error (allErrors). */
export function experimentValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, verbose: true, strict: true, strictRequired: false, strictTypes: false });
    // VS Code-only keywords (hover markdown, enum docs, completion snippets): known to ajv, no validation.
    ajv.addVocabulary(["markdownDescription", "markdownEnumDescriptions", "defaultSnippets"]);
    compiled = ajv.compile(schemaJson);
  }
  return compiled;
}
