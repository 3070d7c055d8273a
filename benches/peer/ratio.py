#!/usr/bin/env python3
"""Peer ratios in one run: the same overdamped problems solved whole-process by this project
(`paper-checks eval fp-gap`, automatic resolution, wall-clock of the subprocess) and by a
scipy Hermite–Galerkin solve at a hand-tuned per-axis resolution (full tensor, centre 0, a
hand-chosen scale per axis; assembly + scipy.linalg.eigh of the 4 lowest, timed in-process).

Setup (nothing of it is committed):

    python3 -m venv /tmp/peer-venv && /tmp/peer-venv/bin/pip install numpy scipy
    cargo build --release -p paper-checks
    /tmp/peer-venv/bin/python benches/peer/ratio.py          # from the repo root

Prints, per problem: both answers, their largest relative difference, both times (minimum over
--repeats runs) and the ratio ours / scipy, against the target max(2 × scipy, 10 ms).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "2"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from numpy.polynomial.hermite import hermgauss  # noqa: E402
from scipy.linalg import eigh  # noqa: E402

# name, expression, D, per-axis (n, scale) hand-tuned (smallest n on a grid of scales) so that the
# 3 rates agree with the converged answer to 1e-10 relative (the y scale 0.5 is the exact
# Ornstein–Uhlenbeck one), and the 1D pieces W = |L'|²/(4D) − L''/2 per axis
# (both problems are separable: W is a sum of one-axis terms).
PROBLEMS = [
    {
        "name": "1D double well, D = 0.5, 3 rates, 1e-10",
        "expr": "x^4/4 - x^2/2",
        "D": 0.5,
        "axes": [(36, 0.4, lambda x: x**3 - x, lambda x: 3 * x**2 - 1)],
    },
    {
        "name": "2D x^4/4 - x^2/2 + y^2, D = 0.25, 3 rates, 1e-10",
        "expr": "x^4/4 - x^2/2 + y^2",
        "D": 0.25,
        "axes": [
            (40, 0.35, lambda x: x**3 - x, lambda x: 3 * x**2 - 1),
            (4, 0.5, lambda y: 2 * y, lambda y: 2 + 0 * y),
        ],
    },
]


def axis_tables(n, scale, grad, lap, D):
    """Exact 1D Galerkin pieces on ψ_0..ψ_{n−1}((x)/s): stiffness K/s² and the W term (W is a
    polynomial of degree 6 at most: n + 4 Gauss–Hermite nodes are exact)."""
    q = n + 4
    t, w = hermgauss(q)
    psi = np.zeros((q, n + 1))
    psi[:, 0] = np.pi**-0.25
    psi[:, 1] = np.sqrt(2.0) * t * psi[:, 0]
    for k in range(1, n):
        psi[:, k + 1] = np.sqrt(2.0 / (k + 1)) * t * psi[:, k] - np.sqrt(k / (k + 1)) * psi[:, k - 1]
    dpsi = np.zeros((q, n))
    for k in range(n):
        lower = np.sqrt(k / 2.0) * psi[:, k - 1] if k > 0 else 0.0
        dpsi[:, k] = lower - np.sqrt((k + 1) / 2.0) * psi[:, k + 1]
    root = np.sqrt(w)[:, None]
    a, da = root * psi[:, :n], root * dpsi / scale
    x = scale * t
    wx = grad(x) ** 2 / (4 * D) - lap(x) / 2
    return D * da.T @ da, a.T @ (wx[:, None] * a)


def scipy_rates(problem):
    """Assembly (tensor sum of 1D pieces) and the 4 lowest eigenvalues; the 3 lowest rates."""
    pieces = [axis_tables(n, s, g, lp, problem["D"]) for (n, s, g, lp) in problem["axes"]]
    h = None
    for k, w in pieces:
        block = k + w
        if h is None:
            h = block
        else:
            h = np.kron(h, np.eye(block.shape[0])) + np.kron(np.eye(h.shape[0]), block)
    values = eigh(h, subset_by_index=[0, 3], eigvals_only=True)
    return list(values[1:4])


def ours(binary, problem, tolerance):
    args = [str(binary), "eval", "fp-gap", "--potential", problem["expr"], "--diffusion", str(problem["D"]),
            "--count", "3", "--tolerance", str(tolerance)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    return json.loads(out.stdout)


def best_time(f, repeats):
    best, value = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = f()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tolerance", type=float, default=1e-10)
    args = ap.parse_args()
    binary = args.repo / "target/release/paper-checks"
    print("| problem | ours (whole process) | scipy (tuned, in-process) | ratio | target | max rel. diff | our plan |")
    print("|---|---|---|---|---|---|---|")
    for p in PROBLEMS:
        t_ours, answer = best_time(lambda: ours(binary, p, args.tolerance), args.repeats)
        t_peer, peer = best_time(lambda: scipy_rates(p), args.repeats)
        diff = max(abs(a - b) / abs(b) for a, b in zip(answer["eigenvalues"], peer))
        target = max(2 * t_peer, 0.010)
        sizes = "×".join(str(n) for (n, *_) in p["axes"])
        print(f"| {p['name']} | {1e3 * t_ours:.1f} ms | {1e3 * t_peer:.1f} ms ({sizes}) | "
              f"{t_ours / t_peer:.1f} | {1e3 * target:.0f} ms {'met' if t_ours <= target else 'missed'} | "
              f"{diff:.1e} | {answer['method']} (converged {answer['converged']}) |")


if __name__ == "__main__":
    main()
