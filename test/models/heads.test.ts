import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModel, countParameters, describeArchitecture } from "../../src/core/models";
import { AdaptiveAveragePooling2D, adaptivePoolMatrix } from "../../src/core/models/adaptive-pool";
import { loadModel, saveModel } from "../../src/core/models/io";
import { initBackend } from "../../src/core/tf/backend";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

beforeAll(async () => {
  await initBackend({ prefer: "wasm", trainingKernels: false });
});

describe("model.head", () => {
  it("fastai: concat max+avg pool, BN, dropout, Linear(512, no bias), ReLU, BN, dropout, Linear(no bias)", () => {
    const model = buildModel(tf, { architecture: "resnet18", inputSize: null, channels: 3, outputs: 6, head: "fastai", dropout: 0.5 });
    const head = model.layers.slice(model.layers.findIndex((l) => l.name === "head_maxpool"));
    expect(head.map((l) => l.getClassName())).toEqual([
      "GlobalMaxPooling2D",
      "GlobalAveragePooling2D",
      "Concatenate",
      "BatchNormalization",
      "Dropout",
      "Dense",
      "BatchNormalization",
      "Dropout",
      "Dense",
    ]);
    expect(head.filter((l) => l.getClassName() === "Dropout").map((l) => (l.getConfig() as { rate: number }).rate)).toEqual([0.25, 0.5]);
    // fastai's head on resnet18 with 6 outputs: BN(1024) 2048 + 1024·512 + BN(512) 1024 + 512·6.
    const headParameters = 2 * 1024 + 1024 * 512 + 2 * 512 + 512 * 6;
    expect(countParameters(model)).toBe(describeArchitecture("resnet18").backboneParameters + headParameters);
    const first = head.findIndex((l) => l.name === "head_concat_pool");
    expect((model.layers[0].getConfig() as { name: string }).name).toBe("image");
    expect(head[first].inboundNodes[0].inboundLayers.map((l) => l.name)).toEqual(["head_maxpool", "head_avgpool"]);
    const y = tf.tidy(() => (model.predict(tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 3)) as tf.Tensor).arraySync() as number[][]);
    for (const p of y.flat()) expect(p > 0 && p < 1).toBe(true);
    model.dispose();
  });

  it("torchvision AlexNet has torchvision's 61,100,840 parameters with 1000 outputs, for any input size", () => {
    const model = buildModel(tf, { architecture: "alexnet", inputSize: null, channels: 3, outputs: 1000, head: "torchvision" });
    expect(countParameters(model)).toBe(61_100_840);
    for (const size of [63, 100]) {
      const shape = tf.tidy(() => (model.predict(tf.zeros([1, size, size, 3])) as tf.Tensor).shape);
      expect(shape).toEqual([1, 1000]);
    }
    model.dispose();
  });

  it("torchvision is AlexNet's only; the linear head stays the default", () => {
    expect(() => buildModel(tf, { architecture: "resnet18", inputSize: 64, channels: 3, outputs: 6, head: "torchvision" })).toThrow(/head "torchvision" is AlexNet's classifier; resnet18 takes "linear" or "fastai"/);
    const model = buildModel(tf, { architecture: "alexnet", inputSize: 64, channels: 3, outputs: 6 });
    expect(countParameters(model)).toBe(describeArchitecture("alexnet").backboneParameters + 4097 * 6);
    model.dispose();
  });
});

describe("AdaptiveAveragePooling2D", () => {
  it("uses PyTorch's bins: overlapping when the size is not a multiple, repeated when smaller", () => {
    const third = Math.fround(1 / 3);
    // PyTorch: 5 → 3 bins [0,2), [1,4), [3,5); 1 → 6 repeats the pixel.
    expect(Array.from(adaptivePoolMatrix(5, 3))).toEqual([0.5, 0.5, 0, 0, 0, 0, third, third, third, 0, 0, 0, 0, 0.5, 0.5]);
    expect(Array.from(adaptivePoolMatrix(1, 6))).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("averages each bin of an NHWC map and survives save/load", async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const model = tf.model({ inputs: input, outputs: new AdaptiveAveragePooling2D({ name: "avgpool", outputSize: 6 }).apply(input) as tf.SymbolicTensor });
    const x = tf.randomUniform([2, 4, 5, 3], 0, 1, "float32", 9);
    const f = (x.arraySync() as number[][][][])[1];
    const p = (model.predict(x) as tf.Tensor4D).arraySync()[1];
    const mh = adaptivePoolMatrix(4, 6);
    const mw = adaptivePoolMatrix(5, 6);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        for (let c = 0; c < 3; c++) {
          let expected = 0;
          for (let y = 0; y < 4; y++) for (let xx = 0; xx < 5; xx++) expected += mh[i * 4 + y] * mw[j * 5 + xx] * f[y][xx][c];
          expect(p[i][j][c]).toBeCloseTo(expected, 6);
        }
      }
    }
    const dir = await mkdtemp(join(tmpdir(), "ich-head-"));
    try {
      await saveModel(model, dir);
      const loaded = await loadModel(tf, dir);
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
      x.dispose();
      model.dispose();
    }
  });
});
