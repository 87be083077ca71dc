import { parseArgs, type ParseArgsConfig } from "node:util";
import { ENGINE_CHOICES } from "../core/inference/engine";
import { BACKEND_CHOICES } from "../core/tf/backend-choices";
import { errorMessage } from "../shared/errors";

/** Bad command line: the CLI prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {}

export interface Command {
  usage: string;
  /** Returns the exit code: 0 ok, 1 some inputs failed, 2 usage error. */
  run(argv: string[]): Promise<number>;
}

type ParseArgsOption = NonNullable<ParseArgsConfig["options"]>[string];
/** A parseArgs option, optionally limited to `choices` (any other value is a usage error). */
export type OptionSpec = ParseArgsOption & { choices?: readonly string[] };

/** The options several commands take, specified once: a command spreads in the ones it has. */
export const SHARED_OPTIONS = {
  backend: { type: "string", choices: BACKEND_CHOICES },
  engine: { type: "string", choices: ENGINE_CHOICES },
  runs: { type: "string" },
  json: { type: "boolean" },
} as const satisfies Record<string, OptionSpec>;

/** node:util parseArgs that turns its errors, and values outside an option's choices, into UsageError. */
export function parseCommandLine<T extends Record<string, OptionSpec>>(argv: string[], options: T, allowPositionals = true) {
  const config = Object.fromEntries(Object.entries(options).map(([name, { choices: _choices, ...option }]) => [name, option])) as { [K in keyof T]: Omit<T[K], "choices"> };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const values = parsed.values as Record<string, unknown>;
  for (const [name, { choices }] of Object.entries(options)) {
    const given = values[name];
    if (!choices || given === undefined) continue;
    for (const value of Array.isArray(given) ? given : [given]) {
      if (!choices.includes(String(value))) throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got '${String(value)}'`);
    }
  }
  return parsed;
}
