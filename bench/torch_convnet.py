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
import resource
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch_mnist import default_data_dir, load_split  # noqa: E402  (the IDX reader, shared)


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

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, data {args.data}", flush=True)

    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    if args.subset:
        x_train, y_train = x_train[:args.subset], y_train[:args.subset]
    x_train = x_train.reshape(-1, 1, 28, 28).contiguous()
    x_test = x_test.reshape(-1, 1, 28, 28).contiguous()
    model = build_model()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)

    n = x_train.shape[0]
    epoch_seconds = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        perm = torch.randperm(n)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for first in range(0, n, args.batch_size):
            idx = perm[first:first + args.batch_size]
            xb, yb = x_train[idx], y_train[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)  # softmax + categorical cross-entropy, fused
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                loss_sum += loss.detach() * len(idx)
                correct += (logits.argmax(1) == yb).sum()
        seconds = time.perf_counter() - start
        epoch_seconds.append(seconds)
        print(f"epoch {epoch}/{args.epochs}: {seconds:.3f} s, loss {loss_sum.item() / n:.4f}, "
              f"accuracy {correct.item() / n:.4f}", flush=True)

    with torch.no_grad():
        test_acc = sum((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
                       for i in range(0, x_test.shape[0], 1000)) / x_test.shape[0]
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"test_acc: {test_acc:.4f}")
    print(f"RESULT epoch_seconds_median={statistics.median(epoch_seconds):.4f} test_acc={test_acc:.4f} "
          f"peak_rss_mb={peak_rss_mb:.1f} epochs={args.epochs} threads={args.threads}")


if __name__ == "__main__":
    main()
