// Messages between the training thread and its replica workers (src/core/train/parallel/workers).
//
// Shared memory: one `weights` buffer the training thread fills after every update (the trained
// variables in the trainer's order, then every other weight, each flattened), and one `out` buffer
// per replica that it fills with its gradients (same order) then its other weights after its
// forward pass (the batch-norm moving statistics it updated).

export interface ReplicaInit {
  type: "init";
  /** `model.toJSON(null, false)`: the layers topology. */
  topology: unknown;
  weights: SharedArrayBuffer;
  out: SharedArrayBuffer;
  /** Indices into `model.weights` of the variables the step trains, in the training thread's order. */
  trainableIndices: number[];
  /** Indices of every other weight (batch-norm statistics, frozen layers). */
  otherIndices: number[];
  /** Shapes of model.weights, to check that the replica built the same model. */
  shapes: number[][];
}

export interface ReplicaStep {
  type: "step";
  /** Images of this replica's share, NHWC. */
  x: Float32Array;
  xShape: [number, number, number, number];
  /** Targets, [n, labels]. */
  y: Float32Array;
  labelWeights: number[];
  logits: boolean;
}

export type ReplicaRequest = ReplicaInit | ReplicaStep;

export type ReplicaReply =
  | { type: "ready"; heapBytes: number }
  | { type: "done"; loss: number; heapBytes: number }
  | { type: "error"; message: string };

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
