#!/usr/bin/env python3
"""The scaling model of docs/distributed.md: predicted speed-up of data-parallel training on N
nodes linked at B Gb/s, from one node's measured step time and the model's gradient size.

    t_step(N) = t_compute / N + t_allreduce(N)          (no overlap: the MLP case)
    t_allreduce(N) = 2 (N-1)/N * bytes / B + 2 (N-1) * latency     (ring allreduce; MPI picks
                     tree algorithms with log2(N) latency terms for small messages, so this is
                     pessimistic at large N)
    speed-up(N) = t_compute / t_step(N)                           (strong: global batch fixed)
    weak: every node keeps the whole batch, speed-up = N t_compute / (t_compute + t_allreduce(N))

t_compute is one global batch on one node; splitting it N ways assumes the per-sample cost stays
the same at 1/N of the batch (optimistic for small shares: sgemm slows down on thin matrices).

    bench/dist_scaling.py --mlp-step-ms 1.5 --conv-step-ms 17
"""
import argparse

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--mlp-step-ms", type=float, required=True, help="MLP step on one node, batch 128")
p.add_argument("--conv-step-ms", type=float, required=True, help="ch. 5 convnet step on one node, batch 64")
p.add_argument("--latency-us", type=float, nargs=3, default=[25.0, 15.0, 3.0],
               help="latency per message step at 10, 25 and 100 Gb/s (TCP Ethernet, TCP, RDMA)")
a = p.parse_args()

models = [("MNIST MLP (407,050 params, batch 128)", 407050 * 4, a.mlp_step_ms * 1e-3, 128),
          ("ch. 5 convnet (93,322 params, batch 64)", 93322 * 4, a.conv_step_ms * 1e-3, 64)]
nodes = [2, 4, 8, 16, 32, 64]
for name, nbytes, t1, batch in models:
    print(f"\n{name}: {nbytes / 1e6:.2f} MB per allreduce, {t1 * 1e3:.2f} ms compute per step on one node")
    print(f"{'Gb/s':>5} " + " ".join(f"{'N=' + str(n):>7}" for n in nodes) + "   local batch needed for 50% efficiency")
    for gbps, lat_us in zip((10, 25, 100), a.latency_us):
        bw = gbps * 1e9 / 8
        row, need = [], []
        for n in nodes:
            comm = 2 * (n - 1) / n * nbytes / bw + 2 * (n - 1) * lat_us * 1e-6
            row.append(t1 / (t1 / n + comm))
        # efficiency 50%: compute per node (local_batch * t1 / batch) equals comm at large N
        comm_inf = 2 * nbytes / bw + 2 * 63 * lat_us * 1e-6
        local = comm_inf / (t1 / batch)
        print(f"{gbps:>5} " + " ".join(f"{s:7.2f}" for s in row) +
              f"   >= {local:,.0f} samples/node (global {64 * local:,.0f} at N=64)")
    print(f"  weak scaling: each node keeps the batch of {batch} (global batch {batch}N), speed-up in samples/s")
    for gbps, lat_us in zip((10, 25, 100), a.latency_us):
        bw = gbps * 1e9 / 8
        row = [n * t1 / (t1 + 2 * (n - 1) / n * nbytes / bw + 2 * (n - 1) * lat_us * 1e-6) for n in nodes]
        print(f"{gbps:>5} " + " ".join(f"{s:7.1f}" for s in row))
