// Optimizer worker: runs its share of an AdamW step (adam-kernels.ts) on tensors in shared memory
// while the training thread runs the rest, so the update uses both cores.
import { parentPort } from "node:worker_threads";
import { runAdamJob, type AdamHyper, type AdamJob } from "../adam-kernels";
import { errorMessage } from "../../../../shared/errors";

if (!parentPort) throw new Error("adam.worker must run as a worker thread");
const port = parentPort;

port.on("message", (message: { jobs: AdamJob[]; hyper: AdamHyper }) => {
  try {
    for (const job of message.jobs) runAdamJob(job, message.hyper);
    port.postMessage({ ok: true });
  } catch (error) {
    port.postMessage({ ok: false, error: errorMessage(error) });
  }
});
