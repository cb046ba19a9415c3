# Shared by the bench/*.sh scripts (sourced from the checkout's root): building the programs
# they time and reading their RESULT lines.

# build_targets TARGET...: configures the Release build in $XGRAD_BUILD_DIR (default build),
# builds TARGET... quietly, and sets $build.
build_targets() {
  build=${XGRAD_BUILD_DIR:-build}
  export CCACHE_SLOPPINESS=pch_defines,time_macros
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target "$@" >/dev/null
}

# field NAME FILE: the value of the last NAME=value in FILE.
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$2" | tail -1; }

# median: the median of the numbers on standard input, one a line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# minimum: the smallest of the numbers on standard input, one a line.
minimum() { sort -g | head -1; }
