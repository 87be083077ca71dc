// Dataset worker: header reads (ich index) and pixel checks (ich clean) off the main thread.
import { parentPort } from "node:worker_threads";
import { runDatasetTask, type DatasetTask } from "../dataset-task";
import { errorMessage } from "../../../shared/errors";

if (!parentPort) throw new Error("dataset.worker must run as a worker thread");
const port = parentPort;
async function answer(message: { id: number; task: DatasetTask }): Promise<void> {
  try {
    port.postMessage({ id: message.id, result: await runDatasetTask(message.task) });
  } catch (error) {
    port.postMessage({ id: message.id, error: errorMessage(error) });
  }
}
// answer() settles every failure into a reply, so its promise never rejects.
port.on("message", (message: { id: number; task: DatasetTask }) => void answer(message));
