// Loader worker: prepares batches (decode, window, resize, augment) off the training thread.
import { parentPort } from "node:worker_threads";
import { runBatchTask, type BatchTask } from "../../data/batch-task";
import { errorMessage } from "../../../shared/errors";

if (!parentPort) throw new Error("loader.worker must run as a worker thread");
const port = parentPort;
async function answer(message: { id: number; task: BatchTask }): Promise<void> {
  try {
    const result = await runBatchTask(message.task);
    port.postMessage({ id: message.id, result }, [result.x.buffer as ArrayBuffer, result.y.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ id: message.id, error: errorMessage(error) });
  }
}
// answer() settles every failure into a reply, so its promise never rejects.
port.on("message", (message: { id: number; task: BatchTask }) => void answer(message));
