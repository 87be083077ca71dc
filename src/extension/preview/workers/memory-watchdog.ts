// Memory limit for the slice-decoder process. Node's heap flags do not cover what a decompression
// bomb allocates (typed arrays and WASM memory live outside the V8 heap), so a thread polls the
// process's resident set size and kills the whole process once it passes the limit. The thread
// keeps running while the main thread is stuck inside a decoder. The marker line on stderr tells
// the host why the process died (written with writeSync: the main thread may never flush it).
import { Worker } from "node:worker_threads";
import { MEMORY_LIMIT_MARKER } from "../decoder-protocol";

const POLL_MS = 50;

const WATCHDOG = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss <= workerData.limit) return;
  writeSync(2, workerData.marker + " " + rss + "\\n");
  process.kill(process.pid, "SIGKILL");
}, workerData.poll);
`;

export function startMemoryWatchdog(limitBytes: number): void {
  if (!Number.isFinite(limitBytes) || limitBytes <= 0) throw new Error(`memory limit must be a positive number of bytes, got ${limitBytes}`);
  const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { limit: limitBytes, marker: MEMORY_LIMIT_MARKER, poll: POLL_MS } });
  // The watchdog must not keep the process alive after the host disconnects.
  watchdog.unref();
}
