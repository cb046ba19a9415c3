#!/usr/bin/python3
"""PyTorch twin of bench/convnet_last_epoch.cpp: the ch. 5 convnet's test accuracy through its last epoch.

Trains bench/torch_convnet.py's recipe (same seed, same draws: its final figure equals
`torch_convnet.py --seed S --epochs 5`'s test_acc at the same thread count) and evaluates the
test set after every EVERY-th step of the last epoch and after each of its last LAST steps.
With --alternatives A, the state before the very last step is also tried against A other steps
on random batches of 32 and of 64 training images (model and optimizer state put back after
each, the draws from a generator of their own): how far one step can move the test accuracy.

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_convnet_last_epoch.py --seed 1 --every 94 --last 2
"""
import argparse
import copy
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch_convnet import build_model  # noqa: E402  (shared)
from torch_mnist import default_data_dir, setup_and_load  # noqa: E402  (shared)


def test_accuracy(model, x_test, y_test):
    with torch.no_grad():
        return sum((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
                   for i in range(0, x_test.shape[0], 1000)) / x_test.shape[0]


def train_step(model, optimizer, xb, yb):
    loss = F.cross_entropy(model(xb), yb)  # softmax + categorical cross-entropy, fused
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


def try_alternatives(model, optimizer, x_train, y_train, x_test, y_test, args, step):
    before = test_accuracy(model, x_test, y_test)
    saved_model, saved_optimizer = copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict())
    rng = torch.Generator().manual_seed(1000 + args.seed)  # not torch's global generator: the run's draws stay
    for size in (32, 64):
        deltas = []
        for _ in range(args.alternatives):
            idx = torch.randperm(x_train.shape[0], generator=rng)[:size]
            train_step(model, optimizer, x_train[idx], y_train[idx])
            deltas.append(test_accuracy(model, x_test, y_test) - before)
            model.load_state_dict(saved_model)
            optimizer.load_state_dict(saved_optimizer)
        deltas.sort()
        print(f"alternatives: {args.alternatives} steps on random batches of {size} from the state after step {step} "
              f"(test_acc {before:.4f}): change min {deltas[0]:+.4f} median {deltas[len(deltas) // 2]:+.4f} "
              f"mean {sum(deltas) / len(deltas):+.4f} max {deltas[-1]:+.4f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--every", type=int, default=47)
    parser.add_argument("--last", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--alternatives", type=int, default=0)
    parser.add_argument("--data", default=default_data_dir(), help="directory of the four MNIST IDX files")
    args = parser.parse_args()
    if args.every < 1 or args.last < 0 or args.epochs < 1 or args.threads < 1 or args.alternatives < 0:
        parser.error("every, epochs and threads must be >= 1; last and alternatives >= 0")

    x_train, y_train, x_test, y_test = setup_and_load(args)
    x_train = x_train.reshape(-1, 1, 28, 28).contiguous()
    x_test = x_test.reshape(-1, 1, 28, 28).contiguous()
    model = build_model()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    n, batch = x_train.shape[0], 64
    steps = (n + batch - 1) // batch
    for epoch in range(1, args.epochs + 1):
        perm = torch.randperm(n)  # as bench/torch_mnist.py's train_and_report
        for k, first in enumerate(range(0, n, batch)):
            idx = perm[first:first + batch]
            train_step(model, optimizer, x_train[idx], y_train[idx])
            step = k + 1
            if epoch != args.epochs:
                continue
            if step % args.every == 0 or step > steps - args.last:
                print(f"epoch {epoch} step {step:4d}/{steps} test_acc {test_accuracy(model, x_test, y_test):.4f}", flush=True)
            if step == steps - 1 and args.alternatives > 0:
                try_alternatives(model, optimizer, x_train, y_train, x_test, y_test, args, step)
    print(f"RESULT seed={args.seed} test_acc={test_accuracy(model, x_test, y_test):.4f}")


if __name__ == "__main__":
    main()
