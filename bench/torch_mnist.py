#!/usr/bin/python3
"""PyTorch reference for the xgrad MNIST benchmark (Deep Learning with Python, ch. 2).

Same network, data and optimizer settings as examples/mnist.cpp:
  Dense(512, relu, input 784) -> Dense(10, softmax), categorical cross-entropy,
  RMSprop with Keras defaults (lr 1e-3, rho 0.9, eps 1e-7 added outside the sqrt, as Keras 2
  and torch both do), Glorot-uniform kernels, zero biases, batch 128, shuffled every epoch.

Run with Debian's interpreter (python3-torch), one thread pool that does not spin:
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_mnist.py --epochs 5 --threads 2
(OMP_WAIT_POLICY defaults to PASSIVE here if unset; spinning OpenMP threads made torch 3-4x
slower on these machines.) Data: the same IDX files as xgrad (scripts/fetch_mnist.sh).
The last line is machine-readable:
  RESULT epoch_seconds_median=... test_acc=... peak_rss_mb=... epochs=... threads=...
"""
import argparse
import gzip
import os
import resource
import statistics
import struct
import sys
import time

# libgomp reads this when torch loads it, so it must be set before the import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def default_data_dir():
    """Same rule as xgrad::data::default_mnist_dir() and scripts/fetch_mnist.sh."""
    if os.environ.get("XGRAD_DATA_DIR"):
        return os.environ["XGRAD_DATA_DIR"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.environ.get("HOME", ""), ".cache")
    return os.path.join(cache, "xgrad", "mnist")


def read_idx(path):
    """Reads an IDX file, raw or gzip (by its 1f 8b magic), as a numpy array."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES or not 1 <= data[3] <= 4:
        sys.exit(f"idx: {path}: bad magic {data[:4].hex()}")
    rank = data[3]
    header = 4 + 4 * rank
    if len(data) < header:
        sys.exit(f"idx: {path}: truncated header")
    dims = struct.unpack(f">{rank}I", data[4:header])
    dtype = np.dtype(IDX_TYPES[data[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(data) - header != expected:
        sys.exit(f"idx: {path}: header says {expected} payload bytes {dims}, file has {len(data) - header}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)


def load_split(data_dir, prefix):
    arrays = []
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        path = os.path.join(data_dir, f"{prefix}-{kind}")
        if not os.path.exists(path) and os.path.exists(path + ".gz"):
            path += ".gz"
        if not os.path.exists(path):
            sys.exit(f"{path} not found: run scripts/fetch_mnist.sh '{data_dir}'")
        arrays.append(read_idx(path))
    images, labels = arrays
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28) or labels.max() >= 10:
        sys.exit(f"{data_dir}: {prefix} files are not MNIST-shaped")
    x = torch.from_numpy(images.reshape(-1, 784).astype(np.float32) / np.float32(255))
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def build_model():
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    for layer in (model[0], model[2]):
        # Glorot uniform is symmetric in fan_in/fan_out, so torch's (out, in) layout is fine.
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    return model


def train_and_report(model, optimizer, x_train, y_train, x_test, y_test, args):
    """The Keras fit loop (shuffled batches, softmax + categorical cross-entropy), one line per
    epoch, then the test accuracy and the RESULT line. Shared with bench/torch_convnet.py."""
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
            # softmax + categorical cross-entropy == log_softmax + NLL (cross_entropy fuses them).
            loss = F.cross_entropy(logits, yb)
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

    with torch.no_grad():  # in chunks: a convnet's activations for 10000 images are large
        test_acc = sum((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
                       for i in range(0, x_test.shape[0], 1000)) / x_test.shape[0]
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(f"test_acc: {test_acc:.4f}")
    print(f"RESULT epoch_seconds_median={statistics.median(epoch_seconds):.4f} test_acc={test_acc:.4f} "
          f"peak_rss_mb={peak_rss_mb:.1f} epochs={args.epochs} threads={args.threads}")


def setup_and_load(args):
    """Threads and seed as the command line says; returns (x_train, y_train, x_test, y_test)."""
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, data {args.data}", flush=True)
    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    return x_train, y_train, x_test, y_test


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", default=default_data_dir(), help="directory of the four MNIST IDX files")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    x_train, y_train, x_test, y_test = setup_and_load(args)
    model = build_model()
    # torch's RMSprop: v = alpha v + (1 - alpha) g^2; w -= lr g / (sqrt(v) + eps), as Keras 2.
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)

    train_and_report(model, optimizer, x_train, y_train, x_test, y_test, args)

if __name__ == "__main__":
    main()
