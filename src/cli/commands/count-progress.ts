// A "done / total" progress bar on stderr for the dataset commands, redrawn at most 10 times a
// second and only on a terminal (piped stderr stays clean).
export function countProgress(label: string): { update: (done: number, total: number) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let shown = false;
  const started = Date.now();
  return {
    update(done, total) {
      if (!tty || (Date.now() - last < 100 && done < total)) return;
      last = Date.now();
      const width = 30;
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const bar = "█".repeat(Math.round(share * width)).padEnd(width, "░");
      const rate = done / Math.max(1e-3, (Date.now() - started) / 1000);
      process.stderr.write(`\r${label} ${bar} ${done}/${total} (${Math.round(rate)}/s)\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write("\r\x1b[K");
      shown = false;
    },
  };
}
