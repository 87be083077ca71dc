#!/usr/bin/env bash
# Installs what the end-to-end suite needs on an offline machine (npm registry + Debian only):
# Debian's chromium and ripgrep plus build headers, and code-server 4.100.3 (= VS Code 1.100.3,
# the newest release that runs on Node 20) into a cache folder, following
# ../shared/notes/code-server.md. Idempotent: an existing install is kept.
#   ICH_E2E_CACHE   install folder (default: <repo>/.cache/code-server)
#   ICH_E2E_SKIP_APT=1  do not touch Debian packages
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${ICH_E2E_CACHE:-$root/.cache/code-server}"
entry="$dest/node_modules/code-server/out/node/entry.js"

apt_install() {
  local missing=()
  for pkg in chromium ripgrep unzip libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "e2e-setup: installing Debian packages: ${missing[*]}"
  # Several processes may share the machine: serialise apt and wait for dpkg's own lock.
  $sudo flock /tmp/apt.lock apt-get update -o DPkg::Lock::Timeout=600 >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo flock /tmp/apt.lock \
    apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
}

if [ "${ICH_E2E_SKIP_APT:-0}" != "1" ]; then apt_install; fi

if [ -f "$dest/.installed-$CODE_SERVER_VERSION" ] && [ -f "$entry" ]; then
  echo "e2e-setup: code-server $CODE_SERVER_VERSION already in $dest"
  exit 0
fi

echo "e2e-setup: installing code-server $CODE_SERVER_VERSION into $dest (about 335 MB)"
rm -rf "$dest"
mkdir -p "$dest"
cd "$dest"
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false
echo '{"name":"ich-e2e-code-server","version":"1.0.0","private":true}' > package.json
npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION"
npm rebuild argon2 --build-from-source # the prebuilt binary's download host is unreachable offline
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts
npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog
# @vscode/ripgrep downloads its binary in a postinstall: use Debian's instead.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd extensions && npm install --omit=dev --ignore-scripts)
cd "$dest"
node "$entry" --version
touch "$dest/.installed-$CODE_SERVER_VERSION"
echo "e2e-setup: done"
