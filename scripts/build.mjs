// Bundles the extension host (CommonJS), the `ich` CLI, worker entry points and one
// browser bundle per webview panel into dist/, and copies the WASM binaries they load.
import * as esbuild from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

// TF.js stays external so that an optional native backend (@tensorflow/tfjs-node[-gpu], detected
// at run time, never bundled) registers into the same tfjs-core instance the engine uses.
// onnxruntime-node loads a native addon (.node) from its own package folder: never bundled either.
const nodeExternals = ["vscode", "@tensorflow/*", "onnxruntime-node"];

const nodeEntries = Object.fromEntries(
  Object.entries({ extension: "src/extension/extension.ts", cli: "src/cli/main.ts" }).filter(([, file]) =>
    existsSync(join(root, file)),
  ),
);
// Worker / child-process entries live in src/**/workers/*.worker.ts and bundle to dist/<name>.js
for (const dir of ["src/core", "src/cli", "src/extension"]) {
  walk(join(root, dir), (file) => {
    if (file.endsWith(".worker.ts")) {
      const name = file.split("/").pop().replace(/\.worker\.ts$/, "-worker");
      nodeEntries[name] = file.slice(root.length + 1);
    }
  });
}
const webviewEntries = {};
if (existsSync(join(root, "webview"))) {
  for (const panel of readdirSync(join(root, "webview"), { withFileTypes: true })) {
    const main = join(root, "webview", panel.name, "main.ts");
    if (panel.isDirectory() && existsSync(main)) webviewEntries[`webview/${panel.name}`] = main;
  }
}

function walk(dir, visit) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    else visit(path);
  }
}

function copyWasm() {
  mkdirSync(join(dist, "wasm"), { recursive: true });
  const files = [
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm",
    "@cornerstonejs/codec-libjpeg-turbo-8bit/dist/libjpegturbowasm_decode.wasm",
    "@cornerstonejs/codec-charls/dist/charlswasm_decode.wasm",
    "@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.wasm",
  ];
  for (const f of files) {
    const src = join(root, "node_modules", f);
    if (existsSync(src)) cpSync(src, join(dist, "wasm", f.split("/").pop()));
  }
}

const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
  absWorkingDir: root,
};

const builds = [
  {
    ...common,
    entryPoints: nodeEntries,
    outdir: dist,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: nodeExternals,
    define: { "process.env.ICH_BUNDLED": '"1"' },
  },
];
if (Object.keys(webviewEntries).length > 0) {
  builds.push({
    ...common,
    entryPoints: webviewEntries,
    outdir: dist,
    platform: "browser",
    target: "es2022",
    format: "iife",
    loader: { ".css": "text" },
  });
}

if (!watch) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
copyWasm();
if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
  console.log("esbuild: watching");
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
