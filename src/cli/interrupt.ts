// Ctrl-C for long commands: the first one asks the command to stop cleanly and keep what it has
// (a checkpoint, a partial index cache); a second one quits at once with 130, as a shell expects.

export interface Interrupt {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** Removes the handlers; call when the command ends. */
  release(): void;
}

export function onInterrupt(options: { message?: string; signals?: readonly NodeJS.Signals[] } = {}): Interrupt {
  const controller = new AbortController();
  const signals = options.signals ?? ["SIGINT"];
  const handler = () => {
    if (controller.signal.aborted) process.exit(130);
    if (options.message) process.stderr.write(`\n${options.message}\n`);
    controller.abort();
  };
  for (const s of signals) process.on(s, handler);
  return { signal: controller.signal, release: () => signals.forEach((s) => process.off(s, handler)) };
}
