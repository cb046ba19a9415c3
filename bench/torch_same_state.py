#!/usr/bin/python3
"""The ch. 5 convnet's last step taken by PyTorch from xgrad's own state: is the step the same?

`build/bench/convnet_last_epoch SEED 100000 2 5 2 A DUMP` writes, from xgrad's run, the weights
and RMSprop state before and after the last step (xgrad weights files, docs/layers.md), the last
step's sample indices and A + A alternative batches (32 and 64 random images) with xgrad's change
in test accuracy for each. This script loads the state before the last step into
bench/torch_convnet.py's model and torch.optim.RMSprop, then takes the same steps on the same
images. It prints the test accuracy there (against xgrad's), how far PyTorch's weights after the
last step are from xgrad's (relative to the step's size), and PyTorch's change in test accuracy
for every alternative beside xgrad's: if the two frameworks take the same step from the same
state, the two columns agree up to a few test images that sit on a decision boundary.

  /usr/bin/python3 bench/torch_same_state.py /tmp/dump
"""
import argparse
import os
import struct
import sys
import zlib

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch_convnet import build_model  # noqa: E402  (shared)
from torch_mnist import default_data_dir, load_split  # noqa: E402  (shared)


def read_weights(path):
    """An xgrad weights file as {name: float32 array} (layout in docs/layers.md)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"XGRADWTS" or len(data) < 24:
        sys.exit(f"{path}: not an xgrad weights file")
    if struct.unpack("<I", data[-4:])[0] != zlib.crc32(data[:-4]):
        sys.exit(f"{path}: checksum mismatch")
    version, count = struct.unpack_from("<IQ", data, 8)
    if version != 1:
        sys.exit(f"{path}: version {version}, this reader knows 1")
    pos, out = 20, {}
    for _ in range(count):
        (length,) = struct.unpack_from("<I", data, pos)
        name = data[pos + 4:pos + 4 + length].decode()
        pos += 4 + length
        (rank,) = struct.unpack_from("<I", data, pos)
        dims = struct.unpack_from(f"<{rank}Q", data, pos + 4)
        pos += 4 + 8 * rank
        size = int(np.prod(dims, dtype=np.int64))
        out[name] = np.frombuffer(data, dtype="<f4", count=size, offset=pos).reshape(dims).copy()
        pos += 4 * size
    return out


def to_torch(name, a):
    """xgrad's layout (channels_last) to torch's: conv kernels (kh, kw, C, F) -> (F, C, kh, kw);
    dense kernels (in, out) -> (out, in), and the one after Flatten also reorders its inputs
    from (h, w, c) to torch's (c, h, w) flattening."""
    if a.ndim == 4:
        return a.transpose(3, 2, 0, 1)
    if a.ndim == 2 and a.shape[0] == 576:
        return a.reshape(3, 3, 64, a.shape[1]).transpose(3, 2, 0, 1).reshape(a.shape[1], 576)
    if a.ndim == 2:
        return a.T
    return a


def load_state(model, optimizer, state):
    """Weights and RMSprop's mean squares from an xgrad weights file into the torch pair."""
    layers = [m for m in model if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    names = sorted({k.rsplit(".", 1)[0] for k in state if not k.startswith("@")},
                   key=lambda n: (not n.startswith("conv2d"), int(n.rsplit("_", 1)[1])))
    if len(names) != len(layers):
        sys.exit(f"the dump has layers {names}, the torch model {len(layers)}")
    slots = {k.split("/")[1]: v for k, v in state.items() if k.startswith("@optimizer:") and k.count("/") == 2}
    with torch.no_grad():
        for name, layer in zip(names, layers):
            for xg, tp in (("kernel", layer.weight), ("bias", layer.bias)):
                key = f"{name}.{xg}"
                tp.copy_(torch.from_numpy(np.ascontiguousarray(to_torch(key, state[key]))))
                optimizer.state[tp] = {"step": torch.tensor(0.0),
                                       "square_avg": torch.from_numpy(np.ascontiguousarray(to_torch(key, slots[key])))}
    return names, layers


def test_accuracy(model, x_test, y_test):
    with torch.no_grad():
        return sum((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
                   for i in range(0, x_test.shape[0], 1000)) / x_test.shape[0]


def step(model, optimizer, x, y):
    loss = F.cross_entropy(model(x), y)  # softmax + categorical cross-entropy, fused (as xgrad's engine)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", help="the directory convnet_last_epoch wrote")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", default=default_data_dir(), help="directory of the four MNIST IDX files")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)

    before, after = read_weights(os.path.join(args.dump, "before.xgw")), read_weights(os.path.join(args.dump, "after.xgw"))
    last = torch.tensor([int(v) for v in open(os.path.join(args.dump, "last_batch.txt")).read().split()])
    alternatives = [line.split() for line in open(os.path.join(args.dump, "alternatives.txt")) if line.strip()]

    model = build_model()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    names, layers = load_state(model, optimizer, before)
    saved = {p: (p.detach().clone(), optimizer.state[p]["square_avg"].clone()) for p in model.parameters()}

    def restore():
        with torch.no_grad():
            for p, (w, v) in saved.items():
                p.copy_(w)
                optimizer.state[p] = {"step": torch.tensor(0.0), "square_avg": v.clone()}

    acc_before = test_accuracy(model, x_test, y_test)
    print(f"state before the last step (xgrad's): torch test_acc {acc_before:.4f}")
    loss = step(model, optimizer, x_train[last], y_train[last])
    acc_after = test_accuracy(model, x_test, y_test)
    print(f"the last step ({len(last)} images, loss {loss:.6f}): torch test_acc {acc_after:.4f} ({acc_after - acc_before:+.4f})")
    worst = 0.0
    for name, layer in zip(names, layers):
        for xg, tp in (("kernel", layer.weight), ("bias", layer.bias)):
            key = f"{name}.{xg}"
            x_after, x_before = to_torch(key, after[key]), to_torch(key, before[key])
            moved = np.abs(x_after - x_before).max()
            diff = np.abs(tp.detach().numpy() - x_after).max()
            worst = max(worst, diff / moved)
            print(f"  {key:18s} step size (max |change|) {moved:.3e}, torch vs xgrad after the step: max |diff| {diff:.3e}")
    print(f"largest difference relative to the step: {worst:.2e}")

    deltas = []
    for fields in alternatives:
        restore()
        idx = torch.tensor([int(v) for v in fields[1:]])
        step(model, optimizer, x_train[idx], y_train[idx])
        deltas.append((len(idx), float(fields[0]), test_accuracy(model, x_test, y_test) - acc_before))
    restore()
    for size in sorted({d[0] for d in deltas}):
        rows = [d for d in deltas if d[0] == size]
        xs, ts = np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
        print(f"alternatives on {size} images ({len(rows)}): change xgrad min {xs.min():+.4f} median {np.median(xs):+.4f} "
              f"max {xs.max():+.4f} | torch min {ts.min():+.4f} median {np.median(ts):+.4f} max {ts.max():+.4f} | "
              f"largest |xgrad - torch| {np.abs(xs - ts).max():.4f}, correlation {np.corrcoef(xs, ts)[0, 1]:.3f}")


if __name__ == "__main__":
    main()
