#!/usr/bin/env bash
# Trains the MNIST MLP with examples/mnist, exports it to ONNX, runs the file in ONNX Runtime
# on the 10,000 test images and checks that both report the same test accuracy, to the last
# digit (the count of correct images). Extra arguments go to the example.
#   scripts/onnx_mnist_check.sh                   the ch. 2 MLP (examples/mnist), 5 epochs as the book
#   scripts/onnx_mnist_check.sh --epochs 1        quicker
#   scripts/onnx_mnist_check.sh --convnet [...]   the ch. 5 convnet (examples/mnist_convnet)
#   XGRAD_BUILD_DIR=dir scripts/onnx_mnist_check.sh
# Needs: the data (scripts/fetch_mnist.sh) and onnxruntime-node (scripts/install_onnxruntime.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${XGRAD_BUILD_DIR:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
example=mnist
if [ "${1:-}" = --convnet ]; then
  example=mnist_convnet
  shift
fi
model=${XGRAD_ONNX_FILE:-$work/$example.onnx}
"$build/examples/$example" --export-onnx "$model" "$@" | tee "$work/xgrad.log"
node scripts/onnx/mnist_accuracy.mjs "$model" | tee "$work/ort.log"
xgrad_acc=$(sed -n 's/^test_acc: //p' "$work/xgrad.log")
ort_hits=$(sed -n 's/.*(\([0-9]*\)\/\([0-9]*\))$/\1/p' "$work/ort.log")
ort_n=$(sed -n 's/.*(\([0-9]*\)\/\([0-9]*\))$/\2/p' "$work/ort.log")
# xgrad prints the accuracy with 6 significant digits: hits/10000 exactly.
xgrad_hits=$(awk -v a="$xgrad_acc" -v n="$ort_n" 'BEGIN { printf "%d", a * n + 0.5 }')
if [ "$xgrad_hits" = "$ort_hits" ]; then
  echo "onnx_mnist_check: $example: same test accuracy in xgrad and ONNX Runtime: $xgrad_acc ($ort_hits/$ort_n)"
else
  echo "onnx_mnist_check: MISMATCH: xgrad $xgrad_acc ($xgrad_hits/$ort_n), ONNX Runtime $ort_hits/$ort_n" >&2
  exit 1
fi
