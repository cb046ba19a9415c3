#!/usr/bin/env bash
# The second main job: the convnet of Deep Learning with Python, ch. 5 (installs what is missing,
# builds, fetches MNIST on first use, trains 5 epochs at batch 64, prints test_acc). Arguments go
# to the example: scripts/run_mnist_convnet.sh --epochs 1 --threads 2 ; ... --help
set -euo pipefail
XGRAD_EXAMPLE=mnist_convnet exec "$(dirname "$0")/run_mnist.sh" "$@"
