#!/usr/bin/env python3
"""numpy peer of the SGD simulator: the same work, vectorised over chains.

Mini-batch SGD (2) (or momentum SGD with --momentum) on L(w) = w^4/4 - w^2/2 + c_n w (d = 1):
per step, M indices per chain drawn with replacement from N shifts c_n, the batch mean of the
shifts, the gradient w^3 - w, and the update. Prints one JSON line with chain-steps per second.
Run by `cargo bench --bench sgd_throughput`, or alone:
    python benches/sgd_numpy.py --chains 4096 --steps 500 --batch 64
"""
import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chains", type=int, default=4096)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--samples", type=int, default=1024)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--beta", type=float, default=128.0)
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    c = rng.standard_normal(a.samples)
    c -= c.mean()
    c *= np.sqrt(a.beta / np.mean(c * c))
    best = float("inf")
    best_cpu = float("inf")
    for _ in range(a.repeats):
        w = -np.ones(a.chains)
        z = np.zeros(a.chains)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(a.steps):
            idx = rng.integers(0, a.samples, size=(a.chains, a.batch))
            g = w * w * w - w + c[idx].mean(axis=1)
            if a.momentum > 0.0:
                z = a.momentum * z - a.lr * g
                w = w + z
            else:
                w = w - a.lr * g
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(json.dumps({"chain_steps_per_second": a.chains * a.steps / best, "seconds": best,
                      "chain_steps_per_cpu_second": a.chains * a.steps / best_cpu,
                      "numpy": np.__version__, "check_mean_w2": float(np.mean(w * w))}))


if __name__ == "__main__":
    main()
