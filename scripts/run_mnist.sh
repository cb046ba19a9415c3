#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the example (arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh mnist
build=${XGRAD_BUILD_DIR:-build}
export CCACHE_SLOPPINESS=pch_defines,time_macros
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target quickstart
exec "$build/examples/quickstart" "$@"
