// The AdamW update of one tensor (TF.js's Adam, then the decoupled decay), shared by the training
// thread and the optimizer worker (workers/adam.worker.ts). Float32Arrays and numbers only, so the
// loops stay monomorphic.

export interface AdamHyper {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamJob {
  /** Weights in the graph's layout; OIHW when `kernelShape` (the TF.js [kh, kw, ci, co]) is set. */
  w: Float32Array;
  /** Moments and gradient in the gradient layout (HWOI for kernels); `g` null: a zero gradient. */
  m: Float32Array;
  v: Float32Array;
  g: Float32Array | null;
  kernelShape: number[] | null;
  /** Learning rate, bias corrections 1 − β^t, and the decay factor 1 − lr·wd (1: no decay). */
  rate: number;
  c1: number;
  c2: number;
  keep: number;
}

export function runAdamJob(job: AdamJob, hyper: AdamHyper): void {
  const { w, m, v, rate, c1, c2, keep } = job;
  const g = job.g ?? new Float32Array(w.length);
  const b1 = hyper.beta1;
  const b2 = hyper.beta2;
  const eps = hyper.epsilon;
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  // (m / c1) / (sqrt(v / c2) + eps) with one square root and one division per value.
  const step = rate / c1;
  const root = 1 / Math.sqrt(c2);
  if (!job.kernelShape) {
    for (let k = 0; k < w.length; k++) {
      const gk = g[k];
      const mk = b1 * m[k] + a1 * gk;
      const vk = b2 * v[k] + a2 * gk * gk;
      m[k] = mk;
      v[k] = vk;
      w[k] = (w[k] - (step * mk) / (Math.sqrt(vk) * root + eps)) * keep;
    }
    return;
  }
  // OIHW weights, HWOI gradient: reads run sequentially, writes with a stride of one tap.
  const [kh, kw, ci, co] = job.kernelShape;
  const taps = kh * kw;
  let k = 0;
  for (let t = 0; t < taps; t++) {
    for (let o = 0; o < co; o++) {
      let at = o * ci * taps + t;
      for (let i = 0; i < ci; i++, k++, at += taps) {
        const gk = g[k];
        const mk = b1 * m[k] + a1 * gk;
        const vk = b2 * v[k] + a2 * gk * gk;
        m[k] = mk;
        v[k] = vk;
        w[at] = (w[at] - (step * mk) / (Math.sqrt(vk) * root + eps)) * keep;
      }
    }
  }
}

/** A Float32Array in shared memory, so the optimizer worker updates it in place. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}
