// `ich` — the headless ICH Lab engine. Each sub-command lives in ./commands/<name>.ts.
import { commands } from "./commands";
import { UsageError } from "./usage";
import { errorMessage } from "../shared/errors";

const NOT_FOR_DIAGNOSIS = "ICH Lab is a research tool, not for diagnosis.";

function printHelp(): void {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  process.stdout.write(`Usage: ich <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun 'ich <command> --help' for the options of one command.\n${NOT_FOR_DIAGNOSIS}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    printHelp();
    return name ? 0 : 2;
  }
  if (name === "--version") {
    process.stdout.write(`${process.env.ICH_VERSION ?? "dev"}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`ich: unknown command '${name}'\n`);
    printHelp();
    return 2;
  }
  const command = await entry.load();
  const options = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
  if (options.includes("--help") || options.includes("-h")) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`ich ${name}: ${error.message}\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`ich ${name}: ${errorMessage(error)}\n`);
    return 1;
  }
}

// A reader that stops early (`ich info --json DIR | head -1`) closes the pipe: stop quietly, as
// command-line tools do, instead of dying on an unhandled EPIPE 'error' event with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

let settled = false;
// A command whose promise never settles (the event loop ran dry while it waited) must not end as
// a silent success; an explicit process.exit(code) sets exitCode and is left alone.
process.on("exit", () => {
  if (settled || process.exitCode !== undefined) return;
  process.stderr.write("ich: internal error: the command stopped before it finished\n");
  process.exitCode = 70;
});
main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error) => {
    settled = true;
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
