#!/usr/bin/env bash
# Installs the built xgrad into a temporary prefix, then builds a project outside the tree
# against it and runs one of its programs:
#   run.sh BUILD_DIR [SOURCE_DIR EXECUTABLE]   (default: this consumer and its `consumer`)
set -euo pipefail
build=$1
src=${2:-$(cd "$(dirname "$0")" && pwd)}
exe=${3:-consumer}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/$exe"
echo "$exe built against the installed package and ran: OK"
# The default consumer also builds consumer_dist when the installed xgrad has xgrad::dist (MPI).
if [ "$exe" = consumer ]; then
  if [ -x "$work/build/consumer_dist" ]; then
    "$work/build/consumer_dist"
    echo "consumer_dist built against the installed xgrad::dist and ran: OK"
  else
    echo "xgrad::dist not installed (xgrad built without MPI): consumer_dist skipped"
  fi
fi
# The default consumer also proves xgrad::onnx when the build has it.
if [ "$exe" = consumer ]; then
  if [ -f "$build/src/libxgrad_onnx.a" ] && [ ! -x "$work/build/consumer_onnx" ]; then
    echo "xgrad_onnx was built but the installed package has no xgrad::onnx" >&2
    exit 1
  fi
  if [ -x "$work/build/consumer_onnx" ]; then
    "$work/build/consumer_onnx"
    echo "consumer_onnx (xgrad::onnx) built against the installed package and ran: OK"
  fi
fi
