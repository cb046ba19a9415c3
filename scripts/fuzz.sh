#!/usr/bin/env bash
# Builds a libFuzzer harness (fuzz/fuzz_<name>.cpp) with clang, ASan and UBSan, the library
# instrumented the same way, and runs it for a number of seconds.
#   scripts/fuzz.sh idx 600        fuzz the IDX reader for 10 minutes
#   scripts/fuzz.sh idx 0          only build
# Seeds: fuzz/corpus/<name>/ (read-only); inputs the fuzzer finds go to build-fuzz/corpus/<name>/;
# a crashing input is written to build-fuzz/artifacts/<name>/ and the script exits non-zero.
# Needs clang and libclang-rt-14-dev (scripts/setup.sh sanitize).
# Built as sanitize.sh builds: -g1 (line tables: file:line in every report, a fraction of full
# -g's disk) with file names relative to the checkout, so ccache reuses a clone's objects in
# another; one line per step, the compiler's output in build-fuzz/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/quiet.sh
name=${1:?usage: scripts/fuzz.sh <harness: idx|weights> <seconds> [extra libFuzzer flags]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
build=${XGRAD_FUZZ_BUILD_DIR:-build-fuzz}
jobs=${XGRAD_JOBS:-$(nproc)}
cxx=${XGRAD_FUZZ_CXX:-clang++}
command -v "$cxx" >/dev/null || { echo "fuzz.sh: $cxx not found; run scripts/setup.sh sanitize" >&2; exit 1; }
[ -f "fuzz/fuzz_$name.cpp" ] || { echo "fuzz.sh: no harness fuzz/fuzz_$name.cpp" >&2; exit 2; }

quiet_init "$build/logs"
export CCACHE_SLOPPINESS=pch_defines,time_macros
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
quiet_step "configuring the fuzz build ($build, $cxx)" configure \
  cmake -S fuzz -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_FLAGS_RELEASE="-O2 -g1 -DNDEBUG -fdebug-prefix-map=$PWD=."
quiet_build "building fuzz_$name with ASan, UBSan and libFuzzer on $jobs cores" build \
  cmake --build "$build" -j"$jobs" --target "fuzz_$name"
[ "$seconds" -gt 0 ] || exit 0

work="$build/corpus/$name"
artifacts="$build/artifacts/$name"
mkdir -p "$work" "$artifacts"
seeds=()
[ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One process: the machine has 2 cores and other builds run next to it.
exec "$build/fuzz_$name" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
     -rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$artifacts/" "$@" "$work" "${seeds[@]}"
