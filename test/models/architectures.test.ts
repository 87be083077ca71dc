import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { ARCHITECTURES, buildModel, countParameters, describeArchitecture, type Architecture } from "../../src/core/models";
import { initBackend } from "../../src/core/tf/backend";

// torchvision's published parameter counts for 1000 ImageNet classes, and the classifier's input width.
// With our head the count must be: reference − (features·1000 + 1000) + (features·6 + 6).
const TORCHVISION: Partial<Record<Architecture, { total1000: number; features: number }>> = {
  resnet18: { total1000: 11_689_512, features: 512 },
  resnet34: { total1000: 21_797_672, features: 512 },
  resnet50: { total1000: 25_557_032, features: 2048 },
  resnet101: { total1000: 44_549_160, features: 2048 },
  densenet121: { total1000: 7_978_856, features: 1024 },
};

// WASM forward passes are several times faster than the pure-JS cpu backend on a busy 2-core machine.
beforeAll(async () => {
  await initBackend({ prefer: "wasm", trainingKernels: false });
});

function predict(model: tf.LayersModel, size: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.randomUniform([2, size, size, 3], 0, 1, "float32", 1);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 6]);
    return y.dataSync() as Float32Array;
  });
}

describe.each(ARCHITECTURES)("%s", (architecture) => {
  it("builds with 6 sigmoid outputs, the reference parameter count and unique layer names", { timeout: 300_000 }, () => {
    // One variable-size build per architecture keeps the suite light; the big nets run only at 32 px.
    const model = buildModel(tf, { architecture, inputSize: null, channels: 3, outputs: 6, seed: 1 });
    try {
      const smallest = describeArchitecture(architecture).minInputSize;
      const sizes = ["resnet50", "resnet101", "densenet121"].includes(architecture) ? [smallest] : [smallest, 64, 128];
      for (const size of sizes) {
        for (const p of predict(model, size)) {
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThan(1);
        }
      }
      const parameters = countParameters(model);
      const info = describeArchitecture(architecture);
      expect(parameters).toBe(info.backboneParameters + (info.featureChannels + 1) * 6);
      const reference = TORCHVISION[architecture];
      if (reference) {
        expect(info.featureChannels).toBe(reference.features);
        const expected = reference.total1000 - (reference.features + 1) * 1000 + (reference.features + 1) * 6;
        expect(Math.abs(parameters - expected) / expected).toBeLessThan(0.01);
      }
      if (architecture === "alexnet") {
        // torchvision's AlexNet features: 2,469,696 parameters in the five convolutions.
        const conv = model.layers.filter((layer) => layer.getClassName() === "Conv2D").reduce((n, layer) => n + layer.countParams(), 0);
        expect(conv).toBe(2_469_696);
      }
      const names = model.layers.map((layer) => layer.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names[names.length - 1]).toBe("predictions");
    } finally {
      model.dispose();
    }
  });
});

describe("fixed input sizes", () => {
  it.each([
    ["small-cnn", 64],
    ["small-cnn", 128],
    ["resnet18", 128],
    ["densenet121", 64],
    ["densenet121", 128],
  ] as const)("%s builds for %i px", (architecture, size) => {
    const model = buildModel(tf, { architecture, inputSize: size, channels: 3, outputs: 6 });
    expect(model.inputs[0].shape).toEqual([null, size, size, 3]);
    expect(model.outputs[0].shape).toEqual([null, 6]);
    model.dispose();
  });

  it("takes a one-output (`any` only) head", () => {
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: 96, channels: 3, outputs: 1 });
    expect(model.outputs[0].shape).toEqual([null, 1]);
    expect(countParameters(model)).toBe(describeArchitecture("small-cnn").backboneParameters + 257);
    model.dispose();
  });

  it("rejects bad options with a message naming the option", () => {
    expect(() => buildModel(tf, { architecture: "resnet18", inputSize: 16, channels: 3, outputs: 6 })).toThrow(/inputSize must be an integer ≥ 32 for resnet18/);
    expect(() => buildModel(tf, { architecture: "alexnet", inputSize: 62, channels: 3, outputs: 6 })).toThrow(/inputSize must be an integer ≥ 63 for alexnet/);
    expect(() => buildModel(tf, { architecture: "vgg16" as Architecture, inputSize: 64, channels: 3, outputs: 6 })).toThrow(/unknown architecture "vgg16"/);
    expect(() => buildModel(tf, { architecture: "small-cnn", inputSize: 64, channels: 3, outputs: 0 })).toThrow(/outputs must be a positive integer/);
  });
});

describe("reproducibility", () => {
  it("builds identical weights and names from the same seed, different weights from another", () => {
    const build = (seed: number) => buildModel(tf, { architecture: "small-cnn", inputSize: 64, channels: 3, outputs: 6, seed });
    const [a, b, c] = [build(5), build(5), build(6)];
    expect(a.layers.map((l) => l.name)).toEqual(b.layers.map((l) => l.name));
    const kernel = (m: tf.LayersModel, name: string) => Array.from(m.getLayer(name).getWeights()[0].dataSync());
    expect(kernel(a, "block3_conv")).toEqual(kernel(b, "block3_conv"));
    expect(kernel(a, "predictions")).toEqual(kernel(b, "predictions"));
    expect(kernel(a, "block3_conv")).not.toEqual(kernel(c, "block3_conv"));
    // Layers of equal shape must not share an initial draw within one model.
    const block4 = kernel(a, "block4_conv");
    expect(block4.slice(0, 50)).not.toEqual(kernel(a, "block5_conv").slice(0, 50));
    for (const m of [a, b, c]) m.dispose();
  });
});
