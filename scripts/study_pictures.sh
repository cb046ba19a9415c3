#!/usr/bin/env bash
# Regenerates the pictures of docs/study.md, docs/tutorial.md and README from the REAL MNIST
# data: the training-step explorer (examples/mnist_step) at four steps, and the training
# report of a 5-epoch run (examples/mnist --report), screenshotted with headless Chromium.
#   scripts/study_pictures.sh [BUILD_DIR]    (default build; needs MNIST: scripts/fetch_mnist.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${XGRAD_PICTURES_OUT:-$build/docs/study_pictures}
mkdir -p "$out" docs/study
chromium=(timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run
          --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage
          --user-data-dir="$out/profile" --virtual-time-budget=3000 --hide-scrollbars)

"$build/examples/mnist_step" --sample 0 --out "$out/mnist_step.html" > "$out/mnist_step.txt"
page="file://$(realpath "$out/mnist_step.html")"
# forward (dense_1: x·W), loss (softmax against the label), backward (last step: dL/dW), update (W's line)
shots=(forward:"" loss:"PageDown" backward:"PageDown*3,ArrowLeft" update:"PageDown*3,ArrowRight")
for shot in "${shots[@]}"; do
  name=${shot%%:*} keys=${shot#*:}
  "${chromium[@]}" --window-size=1100,760 --screenshot="$out/step_$name.png" "$page#keys=$keys" 2>/dev/null
done

"$build/examples/mnist" --epochs 5 --report "$out/report.html" > "$out/mnist.txt"
"${chromium[@]}" --window-size=1200,1500 --screenshot="$out/report.png" "file://$(realpath "$out/report.html")" 2>/dev/null

cp "$out"/step_*.png docs/study/
cp "$out/report.png" docs/study/report.png
ls -la docs/study/
