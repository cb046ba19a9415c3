#!/usr/bin/python3
"""PyTorch reference for the xgrad convnet benchmark (Deep Learning with Python, ch. 5).

Same network, data and optimizer settings as examples/mnist_convnet.cpp:
  Conv2D(32, 3x3, relu) -> MaxPool 2x2 -> Conv2D(64, 3x3, relu) -> MaxPool 2x2 ->
  Conv2D(64, 3x3, relu) -> Flatten -> Dense(64, relu) -> Dense(10, softmax),
  categorical cross-entropy, RMSprop with Keras defaults (lr 1e-3, rho 0.9, eps 1e-7),
  Glorot-uniform kernels (torch's fans for a (F, C, kh, kw) weight equal Keras' for
  (kh, kw, C, F)), zero biases, batch 64, shuffled every epoch. PyTorch runs in its native
  NCHW layout.

Run with Debian's interpreter (python3-torch), one thread pool that does not spin:
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_convnet.py --epochs 5 --threads 2
The last line is machine-readable:
  RESULT epoch_seconds_median=... test_acc=... peak_rss_mb=... epochs=... threads=...
"""
import argparse
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from torch_mnist import default_data_dir, setup_and_load, train_and_report  # noqa: E402  (shared)


def build_model():
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(),
        nn.Flatten(), nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", default=default_data_dir(), help="directory of the four MNIST IDX files")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--subset", type=int, default=0, help="train on the first N images only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    x_train, y_train, x_test, y_test = setup_and_load(args)
    if args.subset:
        x_train, y_train = x_train[:args.subset], y_train[:args.subset]
    x_train = x_train.reshape(-1, 1, 28, 28).contiguous()
    x_test = x_test.reshape(-1, 1, 28, 28).contiguous()
    model = build_model()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)

    train_and_report(model, optimizer, x_train, y_train, x_test, y_test, args)

if __name__ == "__main__":
    main()
