// Training replica: its own TF.js WASM instance and copy of the model. For each share of a batch
// it loads the current weights from shared memory, computes the loss and the gradients, and writes
// them (then its updated batch-norm statistics) back to shared memory for the training thread.
import { parentPort } from "node:worker_threads";
import "../../../models";
import { initBackend } from "../../../tf/backend";
import { batchGradients } from "../../step";
import type { LayersModel, Tf, Variable } from "../../tf-types";
import { type ReplicaInit, type ReplicaReply, type ReplicaRequest, type ReplicaStep } from "../protocol";
import { errorMessage } from "../../../../shared/errors";

if (!parentPort) throw new Error("replica.worker must run as a worker thread");
const port = parentPort;

interface Replica {
  tf: Tf;
  model: LayersModel;
  trainable: Variable[];
  nonTrainable: Variable[];
  init: ReplicaInit;
}

let replica: Replica | undefined;

const reply = (message: ReplicaReply) => port.postMessage(message);

function heapBytes(tf: Tf): number {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

async function start(init: ReplicaInit): Promise<Replica> {
  const backend = await initBackend({ prefer: "wasm" });
  const tf = backend.tf;
  const model = await tf.models.modelFromJSON(init.topology as Parameters<typeof tf.models.modelFromJSON>[0]);
  const weights = model.weights.map((w) => w.read() as Variable);
  if (weights.length !== init.shapes.length || weights.some((v, i) => v.shape.join() !== init.shapes[i].join())) {
    throw new Error("the replica's model does not have the training model's weights (shapes differ)");
  }
  const trainable = init.trainableIndices.map((i) => weights[i]);
  const nonTrainable = init.otherIndices.map((i) => weights[i]);
  return { tf, model, trainable, nonTrainable, init };
}

/** Sets every weight from the shared buffer the training thread wrote after its last update. */
function loadWeights(r: Replica): void {
  const all = new Float32Array(r.init.weights);
  let offset = 0;
  r.tf.tidy(() => {
    for (const v of [...r.trainable, ...r.nonTrainable]) {
      const size = v.size;
      v.assign(r.tf.tensor(all.subarray(offset, offset + size), v.shape, "float32"));
      offset += size;
    }
  });
}

function step(r: Replica, message: ReplicaStep): number {
  const { tf } = r;
  loadWeights(r);
  const out = new Float32Array(r.init.out);
  const n = message.xShape[0];
  return tf.tidy(() => {
    const x = tf.tensor4d(message.x, message.xShape);
    const y = tf.tensor2d(message.y, [n, message.y.length / n]);
    const { value, grads } = batchGradients(tf, r.model, r.trainable, x, y, message.labelWeights, message.logits);
    let offset = 0;
    for (const v of r.trainable) {
      const grad = grads[v.name];
      if (grad) out.set(grad.dataSync(), offset);
      else out.fill(0, offset, offset + v.size);
      offset += v.size;
    }
    for (const v of r.nonTrainable) {
      out.set(v.dataSync(), offset);
      offset += v.size;
    }
    return value.dataSync()[0];
  });
}

async function answer(message: ReplicaRequest): Promise<void> {
  try {
    if (message.type === "init") {
      replica = await start(message);
      reply({ type: "ready", heapBytes: heapBytes(replica.tf) });
    } else {
      if (!replica) throw new Error("step before init");
      const loss = step(replica, message);
      reply({ type: "done", loss, heapBytes: heapBytes(replica.tf) });
    }
  } catch (error) {
    reply({ type: "error", message: errorMessage(error) });
  }
}
// answer() settles every failure into a reply, so its promise never rejects.
port.on("message", (message: ReplicaRequest) => void answer(message));

