import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, test } from "vitest";
import { BackendUnavailableError, initBackend } from "../../src/core/tf/backend";
import { findSharedLibrary } from "../../src/core/tf/cuda-probe";

const require = createRequire(__filename);
const installed = (name: string) => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};
const noNative = !installed("@tensorflow/tfjs-node") && !installed("@tensorflow/tfjs-node-gpu");

function fakePackage(name: string, body: string, version = "9.9.9-fake"): string {
  const root = mkdtempSync(join(tmpdir(), "ich-tf-"));
  const dir = join(root, "node_modules", ...name.split("/"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version, main: "index.js" }));
  writeFileSync(join(dir, "index.js"), body);
  return root;
}

describe.skipIf(!noNative)("initBackend without the native packages", () => {
  test("auto picks WASM with SIMD and records why each native backend was skipped", async () => {
    const logged: string[] = [];
    const info = await initBackend({ log: (m) => logged.push(m) });
    expect(info.backend).toBe("wasm");
    expect(info.tf.getBackend()).toBe("wasm");
    expect(info.device).toMatch(/^CPU \(WASM SIMD, 1 thread\)$/);
    expect(info.packages["tfjs-core"]).toBe(info.tf.version_core);
    expect(info.packages["tfjs-backend-wasm"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.replacedKernels).toContain("Conv2DBackpropFilter");
    expect(info.warnings.some((w) => w.includes("@tensorflow/tfjs-node-gpu"))).toBe(true);
    expect(info.warnings.some((w) => w.startsWith("@tensorflow/tfjs-node is not installed"))).toBe(true);
    expect(logged.some((m) => m.startsWith("backend: wasm"))).toBe(true);
    const sum = info.tf.tidy(() => info.tf.add(info.tf.tensor1d([1, 2]), info.tf.tensor1d([3, 4])).dataSync());
    expect(Array.from(sum)).toEqual([4, 6]);
  });

  test("a forced native backend that is not installed fails naming the package", async () => {
    const failure = initBackend({ prefer: "tensorflow" });
    await expect(failure).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(failure).rejects.toThrow(/"tensorflow" is unavailable: @tensorflow\/tfjs-node is not installed.*npm install @tensorflow\/tfjs-node/);
  });

  test("forced GPU without a GPU says so instead of running on the CPU", async () => {
    await expect(initBackend({ prefer: "tensorflow-gpu", cudaProbe: { gpus: [], libraries: {} } })).rejects.toThrow(/no NVIDIA GPU found/);
  });

  test("a GPU without CUDA 11 / cuDNN 8 libraries is skipped with the missing library named", async () => {
    const info = await initBackend({ cudaProbe: { gpus: ["Fake GPU"], libraries: { "libcudart.so.11.0": "/x/libcudart.so.11.0", "libcudnn.so.8": undefined } } });
    expect(info.backend).toBe("wasm");
    expect(info.warnings[0]).toMatch(/tfjs-node-gpu skipped: libcudnn\.so\.8 not found/);
    expect(info.warnings[0]).not.toMatch(/libcudart/);
  });

  test("a native package that fails to load is reported, and auto falls back", async () => {
    const root = fakePackage("@tensorflow/tfjs-node", `throw new Error("libtensorflow.so.2: cannot open shared object file");`);
    const info = await initBackend({ nativeModulePaths: [root] });
    expect(info.backend).toBe("wasm");
    expect(info.warnings.join("\n")).toMatch(/@tensorflow\/tfjs-node \(.*index\.js\) failed to load: libtensorflow\.so\.2: cannot open shared object file/);
  });

  test("extra native-module folders default to $ICH_NATIVE_MODULES (set by the extension)", async () => {
    const root = fakePackage("@tensorflow/tfjs-node", `throw new Error("fake tfjs-node from ICH_NATIVE_MODULES");`);
    process.env.ICH_NATIVE_MODULES = `/nonexistent-folder${delimiter}${root}`;
    try {
      const info = await initBackend();
      expect(info.backend).toBe("wasm");
      expect(info.warnings.join("\n")).toMatch(/failed to load: fake tfjs-node from ICH_NATIVE_MODULES/);
    } finally {
      delete process.env.ICH_NATIVE_MODULES;
    }
  });

  test("forced cpu uses the pure JavaScript backend", async () => {
    const info = await initBackend({ prefer: "cpu" });
    expect(info.backend).toBe("cpu");
    expect(info.tf.getBackend()).toBe("cpu");
    await initBackend({ prefer: "wasm" });
  });

  test("an unknown preference is a clear error", async () => {
    await expect(initBackend({ prefer: "metal" as never })).rejects.toThrow(/Unknown backend "metal"/);
  });
});

describe("findSharedLibrary", () => {
  test("finds a library in LD_LIBRARY_PATH before the ldconfig cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "ich-lib-"));
    writeFileSync(join(dir, "libcudnn.so.8"), "");
    const cache = "\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8\n";
    expect(findSharedLibrary("libcudnn.so.8", `/nonexistent:${dir}`, cache)).toBe(join(dir, "libcudnn.so.8"));
    expect(findSharedLibrary("libcudnn.so.8", "", cache)).toBe("/usr/lib/x86_64-linux-gnu/libcudnn.so.8");
    expect(findSharedLibrary("libcudart.so.11.0", "", cache + "\tlibcudart.so.12 (libc6,x86-64) => /usr/lib/libcudart.so.12\n")).toBeUndefined();
  });
});
