#!/usr/bin/env bash
# Builds xgrad and runs the whole test suite: the README's test command, which .ci/run calls.
# With CI=true it then runs the sanitizer configuration too (ASan+LSan+UBSan over the whole
# suite and a one-epoch MNIST run on a 2000-image subset, data fetched when it can be).
set -euo pipefail
cd "$(dirname "$0")/.."
profiles=(test onnx)
[ "${CI:-}" = true ] && profiles+=(mnist)
# Without chromium (or npm, or ONNX) the optional parts skip themselves with a message.
scripts/setup.sh "${profiles[@]}" || scripts/setup.sh
# ONNX Runtime (npm's onnxruntime-node, into ~/.cache/xgrad/node) for the ONNX round trips.
scripts/install_onnxruntime.sh || echo "test.sh: onnxruntime-node unavailable; the ONNX Runtime tests will skip" >&2
build=${XGRAD_BUILD_DIR:-build}
jobs=$(nproc)
export CCACHE_SLOPPINESS=pch_defines,time_macros
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$jobs"
(cd "$build" && ctest --output-on-failure -j"$jobs")
if [ "${CI:-}" = true ]; then
  if scripts/fetch_mnist.sh; then
    # The ch. 5 convnet end to end on a small subset (the full run is a main job, not CI).
    "$build/examples/mnist_convnet" --epochs 1 --subset 2000 --threads 2 | tee /dev/stderr | grep '^test_acc: 0\.[5-9]' >/dev/null
  else
    echo "test.sh: MNIST could not be fetched; the MNIST runs will skip" >&2
  fi
  scripts/sanitize.sh
fi
