import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { initBackend } from "../../src/core/tf/backend";

const require = createRequire(__filename);
const hasLocalNative = (() => {
  try {
    require.resolve("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
})();

// A stand-in for tfjs-node installed in another folder (as the extension does): it requires
// '@tensorflow/tfjs', which only resolves if the engine shares its own TF.js with it.
test.skipIf(hasLocalNative)("a native package from nativeModulePaths registers into the engine's own TF.js", async () => {
  const root = mkdtempSync(join(tmpdir(), "ich-native-"));
  const dir = join(root, "node_modules", "@tensorflow", "tfjs-node");
  mkdirSync(join(dir, "dist"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "@tensorflow/tfjs-node", version: "9.9.9-fake", main: "dist/index.js" }));
  writeFileSync(
    join(dir, "dist", "index.js"),
    `const tf = require("@tensorflow/tfjs");
     globalThis.__fakeNativeSawTf = tf;
     const Cpu = tf.findBackend("cpu").constructor;
     tf.registerBackend("tensorflow", () => new Cpu(), 3);
     tf.copyRegisteredKernels("cpu", "tensorflow");`,
  );
  const info = await initBackend({ prefer: "tensorflow", nativeModulePaths: [root] });
  expect((globalThis as { __fakeNativeSawTf?: unknown }).__fakeNativeSawTf).toBe(require("@tensorflow/tfjs"));
  expect(info.backend).toBe("tensorflow");
  expect(info.tf.getBackend()).toBe("tensorflow");
  expect(info.packages["tfjs-node"]).toBe("9.9.9-fake");
  expect(info.device).toMatch(/^CPU \(TensorFlow .* via @tensorflow\/tfjs-node\)$/);
  expect(Array.from(info.tf.add(info.tf.scalar(2), info.tf.scalar(3)).dataSync())).toEqual([5]);
});
