// The preview's slice-decoder child process (bundled to dist/slice-decoder-worker.js, started by
// ../decoder-process.ts). A hostile file can hang or balloon only this process: the host kills
// it on its time limit, the watchdog on its memory limit, and the next request gets a fresh one.
import { serveDecoderRequests } from "./decoder-service";

serveDecoderRequests();
