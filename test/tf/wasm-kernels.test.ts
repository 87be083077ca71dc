import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { mulberry32 } from "../../src/core/data/rng";
import { initBackend } from "../../src/core/tf/backend";
import { WASM_TRAINING_KERNELS } from "../../src/core/tf/wasm-kernels";

type Shape4 = [number, number, number, number];

function random(seed: number, size: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: size }, () => next() - 0.5);
}

/** Runs `compute` on the cpu and the wasm backend with identical inputs; returns both results. */
async function onBoth(compute: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const results: Record<string, Float32Array[]> = {};
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const out = compute();
    const list = Array.isArray(out) ? out : [out];
    results[backend] = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    expect(tf.memory().numTensors).toBe(before);
  }
  await tf.setBackend("wasm");
  return { cpu: results.cpu, wasm: results.wasm };
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string) {
  expect(actual.length, label).toBe(expected.length);
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
  }
  expect(maxRef, label).toBeGreaterThan(0);
  expect(maxDiff / maxRef, label).toBeLessThanOrEqual(1e-5);
}

function convCases() {
  const cases: Array<{ stride: number; pad: "same" | "valid"; k: number; x: Shape4; out: number; label: string }> = [];
  let i = 0;
  for (const stride of [1, 2, 3]) {
    for (const pad of ["same", "valid"] as const) {
      for (const k of [1, 3, 7]) {
        const inC = [1, 3, 5][i % 3];
        const out = [2, 4, 3][(i + 1) % 3];
        const x: Shape4 = [i % 2 === 0 ? 2 : 3, 11 - (i % 2), 9 + (i % 3), inC];
        cases.push({ stride, pad, k, x, out, label: `stride ${stride} ${pad} ${k}x${k} x=${x.join(",")} out=${out}` });
        i++;
      }
    }
  }
  return cases;
}

beforeAll(async () => {
  const info = await initBackend({ prefer: "wasm" });
  expect(info.replacedKernels).toEqual([...WASM_TRAINING_KERNELS]);
});

describe("conv2d gradient kernels on wasm match the cpu backend", () => {
  for (const c of convCases()) {
    test(c.label, async () => {
      const filterShape: Shape4 = [c.k, c.k, c.x[3], c.out];
      const xData = random(1 + c.k, c.x.reduce((a, b) => a * b));
      const fData = random(7 + c.stride, filterShape.reduce((a, b) => a * b));
      const outShape = tf.conv2d(tf.zeros<tf.Rank.R4>(c.x), tf.zeros<tf.Rank.R4>(filterShape), c.stride, c.pad).shape;
      const dyData = random(11, outShape.reduce((a, b) => a * b));
      const direct = await onBoth(() => {
        const x = tf.tensor4d(xData, c.x);
        const f = tf.tensor4d(fData, filterShape);
        const dy = tf.tensor4d(dyData, outShape);
        const attrs = { strides: c.stride, pad: c.pad, dataFormat: "NHWC" };
        const dw = tf.engine().runKernel<tf.Tensor>("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape });
        const dx = tf.engine().runKernel<tf.Tensor>("Conv2DBackpropInput", { dy, filter: f }, { ...attrs, inputShape: c.x });
        tf.dispose([x, f, dy]);
        return [dw, dx];
      });
      expectClose(direct.wasm[0], direct.cpu[0], "filter gradient");
      expectClose(direct.wasm[1], direct.cpu[1], "input gradient");
      const viaGrad = await onBoth(() => {
        const x = tf.tensor4d(xData, c.x);
        const f = tf.tensor4d(fData, filterShape);
        const dy = tf.tensor4d(dyData, outShape);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad).mul(dy).sum())([x, f]);
        tf.dispose([x, f, dy]);
        return grads;
      });
      expectClose(viaGrad.wasm[0], viaGrad.cpu[0], "tf.grads dx");
      expectClose(viaGrad.wasm[1], viaGrad.cpu[1], "tf.grads dw");
      expectClose(viaGrad.wasm[1], direct.cpu[0], "tf.grads dw equals the kernel");
    });
  }
});

describe("depthwise conv gradients on wasm match the cpu backend", () => {
  for (const c of convCases().filter((_, i) => i % 2 === 0 || i === 17)) {
    for (const multiplier of [1, 2]) {
      test(`${c.label} multiplier ${multiplier}`, async () => {
        const filterShape: Shape4 = [c.k, c.k, c.x[3], multiplier];
        const xData = random(3 + c.k, c.x.reduce((a, b) => a * b));
        const fData = random(5 + c.stride, filterShape.reduce((a, b) => a * b));
        const result = await onBoth(() => {
          const x = tf.tensor4d(xData, c.x);
          const f = tf.tensor4d(fData, filterShape);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
            const y = tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
            return y.mul(tf.linspace(-1, 2, y.size).reshape(y.shape)).sum();
          })([x, f]);
          tf.dispose([x, f]);
          return [dx, df];
        });
        expectClose(result.wasm[0], result.cpu[0], "depthwise dx");
        expectClose(result.wasm[1], result.cpu[1], "depthwise dfilter");
      });
    }
  }
});

describe("max-pool gradient on wasm matches the cpu backend", () => {
  const cases: Array<{ size: number; stride: number; pad: "same" | "valid"; shape: Shape4 }> = [
    { size: 3, stride: 2, pad: "same", shape: [2, 11, 9, 5] },
    { size: 2, stride: 2, pad: "valid", shape: [3, 8, 7, 4] },
    { size: 3, stride: 1, pad: "same", shape: [1, 6, 6, 3] },
    { size: 3, stride: 3, pad: "valid", shape: [2, 10, 10, 2] },
  ];
  for (const c of cases) {
    test(`${c.size}x${c.size} stride ${c.stride} ${c.pad} x=${c.shape.join(",")}`, async () => {
      const data = random(c.size * 10 + c.stride, c.shape.reduce((a, b) => a * b));
      const result = await onBoth(() =>
        tf.tidy(() => {
          const x = tf.tensor4d(data, c.shape);
          const weights = tf.linspace(-1, 1, tf.maxPool(x, c.size, c.stride, c.pad).size);
          const pooled = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, c.size, c.stride, c.pad);
          return tf.grad((t: tf.Tensor) => pooled(t).mul(weights.reshape(pooled(t).shape)).sum())(x);
        }),
      );
      expectClose(result.wasm[0], result.cpu[0], "max-pool dx");
    });
  }
});

describe("Tile as a broadcast", () => {
  const cases: Array<[number[], number[]]> = [
    [[5], [3]],
    [[4], [1]],
    [[2, 3], [2, 1]],
    [[2, 3], [1, 4]],
    [[3, 1, 2], [2, 5, 1]],
    [[1, 1, 1, 6], [2, 4, 3, 1]],
    [[2, 3, 1, 2], [3, 2, 2, 2]],
    [[2, 2, 2, 2], [1, 1, 1, 1]],
  ];
  for (const [shape, reps] of cases) {
    test(`shape ${shape.join(",")} reps ${reps.join(",")}`, async () => {
      const data = random(shape.length, shape.reduce((a, b) => a * b));
      const result = await onBoth(() => tf.tidy(() => tf.tile(tf.tensor(data, shape), reps)));
      expect(Array.from(result.wasm[0])).toEqual(Array.from(result.cpu[0]));
    });
  }
  test("int32 and bool tensors tile too", () => {
    tf.tidy(() => {
      expect(Array.from(tf.tile(tf.tensor1d([1, 2], "int32"), [3]).dataSync())).toEqual([1, 2, 1, 2, 1, 2]);
      expect(Array.from(tf.tile(tf.tensor1d([true, false], "bool"), [2]).dataSync())).toEqual([1, 0, 1, 0]);
    });
  });
});

test("the kernels free every intermediate buffer", () => {
  const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
  const x = tf.tensor4d(random(1, 2 * 9 * 9 * 3), [2, 9, 9, 3]);
  const f = tf.tensor4d(random(2, 3 * 3 * 3 * 4), [3, 3, 3, 4]);
  const df = tf.tensor4d(random(3, 3 * 3 * 3 * 2), [3, 3, 3, 2]);
  const buffers = backend.numDataIds();
  const tensors = tf.memory().numTensors;
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.add(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same").sum(), tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, 2, "same").sum()).add(tf.tile(a, [1, 1, 1, 2]).sum()).add(tf.maxPool(a as tf.Tensor4D, 3, 2, "same").sum()),
  )([x, f, df]);
  tf.dispose(grads);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(backend.numDataIds()).toBe(buffers);
  tf.dispose([x, f, df]);
});
