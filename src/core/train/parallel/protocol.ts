// Messages between the training thread and its replica workers (src/core/train/parallel/workers).
//
// Shared memory: one `weights` buffer the training thread fills after every update (trainable
// weights, then the non-trainable ones, each flattened in model order), and one `out` buffer per
// replica that it fills with its gradients (trainable order) then its non-trainable weights after
// its forward pass (the batch-norm moving statistics it updated).

export interface ReplicaInit {
  type: "init";
  /** `model.toJSON(null, false)`: the layers topology. */
  topology: unknown;
  weights: SharedArrayBuffer;
  out: SharedArrayBuffer;
  trainableShapes: number[][];
  nonTrainableShapes: number[][];
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
