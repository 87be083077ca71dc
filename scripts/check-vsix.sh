#!/usr/bin/env bash
# The packaged extension must carry the bundles, the WASM binaries and the TF.js runtime the CLI
# loads, and must not carry the optional native backends.
set -euo pipefail
vsix="${1:-ich-lab.vsix}"
# (listing captured first: `unzip | grep -q` would end unzip with SIGPIPE under pipefail)
listing="$(unzip -l "$vsix")"
for required in extension/dist/extension.js extension/dist/cli.js extension/dist/slice-decoder-worker.js extension/dist/adam-worker.js extension/dist/wasm/tfjs-backend-wasm-simd.wasm extension/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js extension/schemas/experiment.schema.json "extension/node_modules/onnxruntime-node/bin/napi-v6/$(node -p 'process.platform + "/" + process.arch')/onnxruntime_binding.node" extension/node_modules/onnxruntime-common/dist/cjs/index.js; do
  grep -qF "$required" <<<"$listing" || { echo "$vsix lacks $required" >&2; exit 1; }
done
if grep -q "tfjs-node" <<<"$listing"; then
  echo "$vsix must not contain the optional native backends" >&2
  exit 1
fi
# ONNX Runtime ships for the target platform only (scripts/package.mjs).
if grep -E "onnxruntime-node/bin/napi-v6/" <<<"$listing" | grep -vqF "napi-v6/$(node -p 'process.platform + "/" + process.arch')/"; then
  echo "$vsix carries ONNX Runtime binaries of other platforms" >&2
  exit 1
fi
# The packaged engine must load ONNX Runtime from the extension's own folder.
unpacked="$(mktemp -d)"
trap 'rm -rf "$unpacked"' EXIT
unzip -q "$vsix" -d "$unpacked"
(cd "$unpacked" && node -e 'const ort = require("./extension/node_modules/onnxruntime-node"); if (typeof ort.InferenceSession.create !== "function") process.exit(1); console.log("onnxruntime-node", ort.env.versions.node, "loads from the .vsix")')
echo "$vsix: contents ok"
