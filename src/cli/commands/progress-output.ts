// Where `ich train` / `ich lr-find` send progress: JSON lines on stdout (--json-progress, read
// by the extension), a redrawn progress bar on a TTY, or plain lines otherwise.
import type { ProgressEvent } from "../../protocol/engine-output";
import { describeEvent, progressBar } from "../../core/train/progress-format";

export function progressPrinter(json: boolean): (event: ProgressEvent) => void {
  if (json) return (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
  const tty = process.stderr.isTTY === true;
  let barShown = false;
  return (event) => {
    if (event.type === "step") {
      if (!tty) return;
      process.stderr.write(`\r${progressBar(event).slice(0, (process.stderr.columns ?? 120) - 1)}\x1b[K`);
      barShown = true;
      return;
    }
    if (barShown) {
      process.stderr.write("\r\x1b[K");
      barShown = false;
    }
    const line = describeEvent(event);
    if (line) (event.type === "warning" ? process.stderr : process.stdout).write(`${line}\n`);
  };
}
