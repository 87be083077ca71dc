import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";

const root = resolve(__dirname, "../..");

/**
 * Bundles the `ich` CLI exactly as scripts/build.mjs does (codec WASM in wasm/ and the loader,
 * replica and dataset workers beside cli.js, so training, ich index and ich clean use worker threads
 * as in dist/), but into a private folder inside node_modules so externals resolve and a parallel
 * `npm run build` is untouched.
 * Returns the path of cli.js and a function that deletes the folder.
 */
export async function bundleCli(name: string): Promise<{ cli: string; remove: () => void }> {
  const out = join(root, "node_modules", ".cache", `ich-${name}-test-${process.pid}`);
  mkdirSync(join(out, "wasm"), { recursive: true });
  for (const [pkg, file] of [
    ["codec-libjpeg-turbo-8bit", "libjpegturbowasm_decode.wasm"],
    ["codec-charls", "charlswasm_decode.wasm"],
    ["codec-openjpeg", "openjpegwasm_decode.wasm"],
  ]) {
    cpSync(join(root, "node_modules", "@cornerstonejs", pkg, "dist", file), join(out, "wasm", file));
  }
  await esbuild.build({
    entryPoints: {
      cli: join(root, "src/cli/main.ts"),
      "loader-worker": join(root, "src/core/train/workers/loader.worker.ts"),
      "replica-worker": join(root, "src/core/train/parallel/workers/replica.worker.ts"),
      "dataset-worker": join(root, "src/core/dataset/workers/dataset.worker.ts"),
    },
    outdir: out,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode", "@tensorflow/*", "onnxruntime-node"],
    define: { "process.env.ICH_BUNDLED": '"1"' },
    logLevel: "error",
  });
  return { cli: join(out, "cli.js"), remove: () => rmSync(out, { recursive: true, force: true }) };
}
