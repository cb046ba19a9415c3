#!/usr/bin/env bash
# The main job: installs what is missing, builds, and trains the MNIST network of Deep Learning
# with Python, ch. 2 (the data is fetched into the cache on first use). Arguments go to the
# example: scripts/run_mnist.sh --epochs 1 --threads 2 ; scripts/run_mnist.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh mnist
build=${XGRAD_BUILD_DIR:-build}
# scripts/run_mnist_convnet.sh runs the ch. 5 convnet through this same script.
example=${XGRAD_EXAMPLE:-mnist}
export CCACHE_SLOPPINESS=pch_defines,time_macros
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target "$example"
exec "$build/examples/$example" "$@"
