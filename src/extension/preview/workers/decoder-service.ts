// The request loop of a slice-decoder process: one IPC message in, one out, with the memory
// watchdog running beside it. The real entry (slice-decoder.worker.ts) serves the preview's DICOM
// tasks; tests serve deliberately hostile ones through the same loop.
import { failureOf, runDecoderTask } from "../decode-tasks";
import type { DecoderRequest, DecoderResponse, DecoderResults, DecoderTask } from "../decoder-protocol";
import { startMemoryWatchdog } from "./memory-watchdog";

export type TaskRunner = (task: DecoderTask) => Promise<DecoderResults[DecoderTask["kind"]]>;

/** argv[2] is the memory limit in bytes (decoder-process.ts passes it). */
export function serveDecoderRequests(run: TaskRunner = runDecoderTask): void {
  if (!process.send) throw new Error("a slice decoder must run as a child process with an IPC channel");
  const send = process.send.bind(process);
  startMemoryWatchdog(Number(process.argv[2]));
  // The host went away (closed, crashed): nothing left to decode for.
  process.on("disconnect", () => process.exit(0));
  process.on("message", (request: DecoderRequest) => {
    void (async () => {
      let response: DecoderResponse;
      try {
        response = { id: request.id, result: await run(request) };
      } catch (error) {
        response = { id: request.id, error: failureOf(error, "file" in request ? request.file : (request.files[0] ?? "")) };
      }
      send(response);
    })();
  });
  send({ ready: true } satisfies DecoderResponse);
}
