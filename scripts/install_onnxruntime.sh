#!/usr/bin/env bash
# Installs npm's onnxruntime-node (its CPU binary ships inside the package) into a cache
# directory outside the repository, for the ONNX round-trip tests and scripts/onnx/*.mjs:
#   $XGRAD_ONNXRUNTIME_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/node
# --ignore-scripts: the package's install script would try to download GPU binaries and fails
# offline; the CPU provider needs none of it. Does nothing when the pinned version is there.
set -euo pipefail
version=1.30.0
dir=${XGRAD_ONNXRUNTIME_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/node}
pkg="$dir/node_modules/onnxruntime-node/package.json"
if [ -f "$pkg" ] && grep -q "\"version\": \"$version\"" "$pkg"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install_onnxruntime.sh: npm is not installed (scripts/setup.sh onnx); the ONNX Runtime tests will skip" >&2
  exit 1
fi
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"private": true, "description": "xgrad test tools (not part of the repository)"}' >"$dir/package.json"
echo "install_onnxruntime.sh: installing onnxruntime-node@$version into $dir" >&2
(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error "onnxruntime-node@$version" >&2)
node -e "require('$dir/node_modules/onnxruntime-node')" ||
  { echo "install_onnxruntime.sh: onnxruntime-node installed but does not load on this machine" >&2; exit 1; }
