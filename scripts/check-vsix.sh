#!/usr/bin/env bash
# The packaged extension must carry the bundles, the WASM binaries and the TF.js runtime the CLI
# loads, and must not carry the optional native backends.
set -euo pipefail
vsix="${1:-ich-lab.vsix}"
# (listing captured first: `unzip | grep -q` would end unzip with SIGPIPE under pipefail)
listing="$(unzip -l "$vsix")"
for required in extension/dist/extension.js extension/dist/cli.js extension/dist/slice-decoder-worker.js extension/dist/wasm/tfjs-backend-wasm-simd.wasm extension/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js extension/schemas/experiment.schema.json; do
  grep -qF "$required" <<<"$listing" || { echo "$vsix lacks $required" >&2; exit 1; }
done
if grep -q "tfjs-node" <<<"$listing"; then
  echo "$vsix must not contain the optional native backends" >&2
  exit 1
fi
echo "$vsix: contents ok"
