#!/usr/bin/env bash
# Builds xgrad and runs the whole test suite: the README's test command, which .ci/run calls.
# With CI=true it then runs the sanitizer configuration too (ASan+LSan+UBSan over the whole
# suite and a one-epoch MNIST run on a 2000-image subset, data fetched when it can be).
set -euo pipefail
cd "$(dirname "$0")/.."
profiles=(test)
[ "${CI:-}" = true ] && profiles+=(mnist)
# Without chromium (or npm) the optional parts skip themselves with a message.
scripts/setup.sh "${profiles[@]}" || scripts/setup.sh
# Chart.js for train::HtmlReport, embedded at configure time; offline, its tests skip with a message.
scripts/fetch_chartjs.sh || echo "test.sh: Chart.js could not be fetched; the HtmlReport tests will skip" >&2
build=${XGRAD_BUILD_DIR:-build}
jobs=$(nproc)
export CCACHE_SLOPPINESS=pch_defines,time_macros
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$jobs"
(cd "$build" && ctest --output-on-failure -j"$jobs")
if [ "${CI:-}" = true ]; then
  scripts/fetch_mnist.sh || echo "test.sh: MNIST could not be fetched; the sanitizer's MNIST run will skip" >&2
  scripts/sanitize.sh
fi
