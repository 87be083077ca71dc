import { parseArgs, type ParseArgsConfig } from "node:util";

/** Bad command line: the CLI prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {}

export interface Command {
  usage: string;
  /** Returns the exit code: 0 ok, 1 some inputs failed, 2 usage error. */
  run(argv: string[]): Promise<number>;
}

/** node:util parseArgs that turns its errors into UsageError. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
