#!/usr/bin/env bash
# The main job: installs what is missing, builds, and trains the MNIST network of Deep Learning
# with Python, ch. 2 (the data is fetched into the cache on first use). Arguments go to the
# example: scripts/run_mnist.sh --epochs 1 --threads 2 ; scripts/run_mnist.sh --help
# A few lines of progress; the logs are in build/logs/ (XGRAD_VERBOSE=1 shows everything).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/quiet.sh
build=${XGRAD_BUILD_DIR:-build}
quiet_init "$build/logs"
# --dataset fashion_mnist needs Debian's dataset-fashion-mnist (copied into the cache on first use).
profiles=(mnist)
[[ " $* " == *fashion_mnist* ]] && profiles+=(fashion_mnist)
XGRAD_SETUP_LOG=$quiet_log_dir/setup.log scripts/setup.sh "${profiles[@]}"
# scripts/run_mnist_convnet.sh runs the ch. 5 convnet through this same script.
example=${XGRAD_EXAMPLE:-mnist}
export CCACHE_SLOPPINESS=pch_defines,time_macros
quiet_step "configuring ($build)" configure cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
quiet_build "building the $example example on $(nproc) cores" build cmake --build "$build" -j"$(nproc)" --target "$example"
exec "$build/examples/$example" "$@"
