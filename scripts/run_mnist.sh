#!/usr/bin/env bash
# The main job: installs what is missing, builds, and trains the MNIST network of Deep Learning
# with Python, ch. 2 (the data is fetched into the cache on first use). Arguments go to the
# example: scripts/run_mnist.sh --epochs 1 --threads 2 ; scripts/run_mnist.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
# --dataset fashion_mnist needs Debian's dataset-fashion-mnist (copied into the cache on first use).
profiles=(mnist)
[[ " $* " == *fashion_mnist* ]] && profiles+=(fashion_mnist)
scripts/setup.sh "${profiles[@]}"
build=${XGRAD_BUILD_DIR:-build}
export CCACHE_SLOPPINESS=pch_defines,time_macros
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target mnist
exec "$build/examples/mnist" "$@"
