import { createServer } from "node:http";
import { mkdtemp, readFile, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, extname } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/core/tf/backend";
import { adaptHead, buildModel, countAllParameters, loadModel, loadPretrained, outputCount, saveModel } from "../../src/core/models";

let dir: string;

beforeAll(async () => {
  // WASM with the engine's gradient kernels: the pure-JS cpu backend needs minutes per training step.
  await initBackend({ prefer: "wasm" });
  dir = await mkdtemp(join(tmpdir(), "ich-models-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 32×32 images: label 0 = a bright square in the left half, label 1 = in the top half. */
function syntheticBatch(count: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const pixels = new Float32Array(count * 32 * 32 * 3);
  const labels = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    const top = Math.floor(random() * 24);
    const left = Math.floor(random() * 24);
    for (let k = 0; k < 32 * 32 * 3; k++) pixels[i * 3072 + k] = random() * 0.3;
    for (let r = top; r < top + 8; r++) for (let c = left; c < left + 8; c++) for (let ch = 0; ch < 3; ch++) pixels[i * 3072 + (r * 32 + c) * 3 + ch] = 1;
    labels[i * 2] = left + 4 < 16 ? 1 : 0;
    labels[i * 2 + 1] = top + 4 < 16 ? 1 : 0;
  }
  return { x: tf.tensor4d(pixels, [count, 32, 32, 3]), y: tf.tensor2d(labels, [count, 2]) };
}

describe("small-cnn training", () => {
  it("learns a two-label synthetic task in a few CPU epochs", { timeout: 600_000 }, async () => {
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: 32, channels: 3, outputs: 2, seed: 3 });
    model.compile({ optimizer: tf.train.adam(3e-3), loss: "binaryCrossentropy" });
    const train = syntheticBatch(96, 1);
    const history = await model.fit(train.x, train.y, { epochs: 5, batchSize: 16, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.6);

    const held = syntheticBatch(64, 99);
    const predictions = (model.predict(held.x) as tf.Tensor).dataSync();
    const truth = held.y.dataSync();
    let correct = 0;
    for (let k = 0; k < truth.length; k++) if ((predictions[k] >= 0.5 ? 1 : 0) === truth[k]) correct++;
    expect(correct / truth.length).toBeGreaterThan(0.75);
    tf.dispose([train.x, train.y, held.x, held.y]);
    model.dispose();
  });
});

describe("save, load and fine-tune", () => {
  it("round-trips a model through model.json + weights.bin with identical predictions", async () => {
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: 64, channels: 3, outputs: 6, seed: 9 });
    const x = tf.randomUniform([3, 64, 64, 3], 0, 1, "float32", 4);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const target = join(dir, "round-trip");
    await saveModel(model, target);
    const modelJson = JSON.parse(await readFile(join(target, "model.json"), "utf8")) as tf.io.ModelJSON;
    expect(modelJson.format).toBe("layers-model");
    expect(modelJson.weightsManifest[0].paths).toEqual(["weights.bin"]);
    expect((await readFile(join(target, "weights.bin"))).byteLength).toBe(4 * countAllParameters(model));

    const loaded = await loadModel(tf, target);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    const viaFileUrl = await loadPretrained(tf, pathToFileURL(join(target, "model.json")).href);
    expect(Array.from((viaFileUrl.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    tf.dispose(x);
    for (const m of [model, loaded, viaFileUrl]) m.dispose();
  });

  it("loads a pretrained model over http", async () => {
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: 32, channels: 3, outputs: 6, seed: 2 });
    const target = join(dir, "served");
    await saveModel(model, target);
    const server = createServer((request, response) => {
      readFile(join(target, (request.url ?? "/").slice(1))).then(
        (body) => {
          response.writeHead(200, { "content-type": extname(request.url ?? "") === ".json" ? "application/json" : "application/octet-stream" });
          response.end(body);
        },
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const { port } = server.address() as { port: number };
      const loaded = await loadPretrained(tf, `http://127.0.0.1:${port}/model.json`);
      const x = tf.ones([1, 32, 32, 3]);
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
      tf.dispose(x);
      loaded.dispose();
    } finally {
      server.closeAllConnections();
      server.close();
      model.dispose();
    }
  });

  it("adapts the head to a new output count and keeps the backbone weights", async () => {
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: 64, channels: 3, outputs: 6, seed: 4 });
    expect(adaptHead(tf, model, 6)).toBe(model);
    const anyOnly = adaptHead(tf, model, 1);
    expect(outputCount(anyOnly)).toBe(1);
    expect(anyOnly.layers[anyOnly.layers.length - 1].getConfig().activation).toBe("sigmoid");
    expect(Array.from(anyOnly.getLayer("block2_conv").getWeights()[0].dataSync())).toEqual(Array.from(model.getLayer("block2_conv").getWeights()[0].dataSync()));
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 8);
    expect((anyOnly.predict(x) as tf.Tensor).shape).toEqual([2, 1]);

    // The adapted model saves and reloads like any other.
    await saveModel(anyOnly, join(dir, "adapted"));
    const reloaded = await loadModel(tf, join(dir, "adapted"));
    expect(Array.from((reloaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((anyOnly.predict(x) as tf.Tensor).dataSync()));
    tf.dispose(x);
    reloaded.dispose();
    model.dispose();
  });

  it("replaces a softmax classifier even when the output count matches", () => {
    const input = tf.input({ shape: [8] });
    const hidden = tf.layers.dense({ units: 4, activation: "relu" }).apply(input) as tf.SymbolicTensor;
    const softmax = tf.layers.dense({ units: 6, activation: "softmax" }).apply(hidden) as tf.SymbolicTensor;
    const adapted = adaptHead(tf, tf.model({ inputs: input, outputs: softmax }), 6);
    expect(adapted.layers[adapted.layers.length - 1].getConfig().activation).toBe("sigmoid");
    expect(adapted.layers.length).toBe(3);

    const flat = tf.layers.flatten().apply(tf.input({ shape: [2, 2] })) as tf.SymbolicTensor;
    expect(() => adaptHead(tf, tf.model({ inputs: flat.sourceLayer.input, outputs: flat }), 1)).toThrow(/ends in a Flatten layer/);
  });

  it("names the file when the weights are missing or truncated", async () => {
    const model = buildModel(tf, { architecture: "small-cnn", inputSize: 32, channels: 3, outputs: 1 });
    const target = join(dir, "broken");
    await saveModel(model, target);
    model.dispose();
    await truncate(join(target, "weights.bin"), 100);
    await expect(loadModel(tf, target)).rejects.toThrow(/model\.json: the weight files hold 100 bytes/);
    await expect(loadPretrained(tf, join(dir, "missing"))).rejects.toThrow(/missing: no such model directory/);
  });
});
