#!/usr/bin/env bash
# Builds xgrad and runs the whole test suite: the README's test command, which .ci/run calls.
# With CI=true a warning in xgrad's own code fails the build (-Werror), and the sanitizer
# configuration runs too (ASan+LSan+UBSan over the whole suite and a one-epoch MNIST run on a
# 2000-image subset, data fetched when it can be).
# A few lines of progress; the logs are in build/logs/ (XGRAD_VERBOSE=1 shows everything).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/quiet.sh
build=${XGRAD_BUILD_DIR:-build}
quiet_init "$build/logs"
profiles=(test onnx)
[ "${CI:-}" = true ] && profiles+=(mnist)
werror=OFF
[ "${CI:-}" = true ] && werror=ON
# Without chromium (or npm, or ONNX) the optional parts skip themselves with a message.
export XGRAD_SETUP_LOG=$quiet_log_dir/setup.log
scripts/setup.sh "${profiles[@]}" || scripts/setup.sh
# Chart.js for train::HtmlReport, embedded at configure time; offline, its tests skip with a message.
scripts/fetch_chartjs.sh || echo "test.sh: Chart.js could not be fetched; the HtmlReport tests will skip" >&2
# ONNX Runtime (npm's onnxruntime-node, into ~/.cache/xgrad/node) for the ONNX round trips.
scripts/install_onnxruntime.sh || echo "test.sh: onnxruntime-node unavailable; the ONNX Runtime tests will skip" >&2
jobs=$(nproc)
# Measured: the Release tree takes 0.7 GB, the sanitizer tree 2.1 GB (the compiler cache, bounded
# by its own max_size, may take more where it lives). Under CI the total covers what sanitize.sh
# itself asks (2.5 GB) once the Release tree is built.
if [ "${CI:-}" = true ]; then
  quiet_need_disk "test.sh (Release and sanitizer builds)" 3328 "$build" "${XGRAD_SANITIZE_BUILD_DIR:-build-sanitize}"
else
  quiet_need_disk "test.sh (the Release build)" 1024 "$build"
fi
export CCACHE_SLOPPINESS=pch_defines,time_macros
# Paths relative to the checkout: a fresh clone elsewhere (CI) reuses the compiler cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
quiet_step "configuring ($build)" configure cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DXGRAD_WERROR=$werror
quiet_build "building xgrad, its tests and examples on $jobs cores" build cmake --build "$build" -j"$jobs"
(cd "$build" && ctest --output-on-failure -j"$jobs")
if [ "${CI:-}" = true ]; then
  if scripts/fetch_mnist.sh; then
    # The ch. 5 convnet end to end on a small subset (the full run is a main job, not CI).
    # (Captured, then printed: `tee /dev/stderr` would reopen a log file that stderr goes to and
    # truncate what ctest printed before.)
    convnet_out=$("$build/examples/mnist_convnet" --epochs 1 --subset 2000 --threads 2)
    printf '%s\n' "$convnet_out"
    grep -q '^test_acc: 0\.[5-9]' <<<"$convnet_out"
  else
    echo "test.sh: MNIST could not be fetched; the MNIST runs will skip" >&2
  fi
  scripts/sanitize.sh
fi
