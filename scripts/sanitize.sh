#!/usr/bin/env bash
# Builds xgrad with AddressSanitizer (+LeakSanitizer) and UndefinedBehaviorSanitizer in its own
# build dir and runs the whole ctest suite under it; any report fails the run.
#   scripts/sanitize.sh              build-sanitize/, gcc (or $CXX)
#   XGRAD_SANITIZE_BUILD_DIR=dir     another build dir
# Release with -g1: the tests are numeric and too slow at -O0; line tables give readable stack
# traces (file:line per frame) at a fraction of full -g's disk (full -g: 5.4 GB of build tree).
# The debug info names files relative to the checkout (-fdebug-prefix-map=$PWD=., reports say
# src/ops/conv.cpp:123): then ccache leaves the working directory out of its hash, and a fresh
# clone elsewhere (CI) reuses the objects of an earlier one instead of rebuilding the whole tree.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/quiet.sh
build=${XGRAD_SANITIZE_BUILD_DIR:-build-sanitize}
quiet_init "$build/logs"
jobs=${XGRAD_JOBS:-$(nproc)}
export CCACHE_SLOPPINESS=pch_defines,time_macros
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
# leaks are errors; the first report of any kind stops the process with a non-zero status.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
quiet_need_disk "sanitize.sh" 2560 "$build"  # the tree takes 2.1 GB
start=$(date +%s)
quiet_step "configuring the sanitizer build ($build)" configure \
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -g1 -DNDEBUG -fdebug-prefix-map=$PWD=." -DXGRAD_SANITIZE=ON
quiet_build "building with ASan and UBSan on $jobs cores" build cmake --build "$build" -j"$jobs"
built=$(date +%s)
(cd "$build" && ctest --output-on-failure -j"$jobs")
# A short training run of the MNIST example, when it exists and the data is there.
data_dir=${XGRAD_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/mnist}
if [ -x "$build/examples/mnist" ]; then
  if ! compgen -G "$data_dir/train-images-idx3-ubyte*" >/dev/null; then
    echo "sanitize.sh: no MNIST data in $data_dir (scripts/fetch_mnist.sh); skipping the MNIST run" >&2
  elif grep -q -- --subset <<<"$("$build/examples/mnist" --help 2>&1 || true)"; then
    "$build/examples/mnist" --epochs 1 --subset 2000
    if [ -x "$build/examples/mnist_convnet" ]; then "$build/examples/mnist_convnet" --epochs 1 --subset 1000; fi
  else
    echo "sanitize.sh: examples/mnist has no --subset flag; skipping the MNIST run" >&2
  fi
fi
end=$(date +%s)
echo "sanitize.sh: build $((built - start)) s, tests $((end - built)) s, total $((end - start)) s"
