"""Pieces shared by the peer scripts (`ratio.py`, `overdamped_peer.py`): the BLAS thread setting,
Hermite functions at Gauss–Hermite nodes, timing (wall-clock and CPU minima) and running our CLI.

Import this module before numpy: it sets OMP/OPENBLAS/MKL_NUM_THREADS = 2 (the machine's cores)."""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "2"

import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from numpy.polynomial.hermite import hermgauss  # noqa: E402


def hermite_at_nodes(n, q):
    """Nodes t, weights w of the q-point Gauss–Hermite rule (weight e^{−t²}), and the Hermite
    functions ψ_0..ψ_n(t)e^{t²/2} (n + 1 columns, three-term recurrence) and ψ_0'..ψ_{n−1}'(t)e^{t²/2}
    (ψ_k' = √(k/2)ψ_{k−1} − √((k+1)/2)ψ_{k+1})."""
    t, w = hermgauss(q)
    psi = np.zeros((q, n + 1))
    psi[:, 0] = np.pi**-0.25
    if n >= 1:
        psi[:, 1] = np.sqrt(2.0) * t * psi[:, 0]
    for k in range(1, n):
        psi[:, k + 1] = np.sqrt(2.0 / (k + 1)) * t * psi[:, k] - np.sqrt(k / (k + 1)) * psi[:, k - 1]
    dpsi = np.zeros((q, n))
    for k in range(n):
        lower = np.sqrt(k / 2.0) * psi[:, k - 1] if k > 0 else 0.0
        dpsi[:, k] = lower - np.sqrt((k + 1) / 2.0) * psi[:, k + 1]
    return t, w, psi, dpsi


def cpu_seconds():
    """User + system CPU seconds of this process and its waited-for children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best_time(f, repeats):
    """Minimum wall-clock and minimum CPU time (user + system of this process and its waited-for
    children: our subprocess, or scipy with its BLAS threads) over `repeats` runs, and the last
    value. On a loaded machine the CPU time is the steadier figure: it does not count the waits
    for a core."""
    best, best_cpu, value = float("inf"), float("inf"), None
    for _ in range(max(repeats, 1)):
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        value = f()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, cpu_seconds() - c0)
    return best, best_cpu, value


def run_json(cmd, accept=(0,)):
    """Runs `cmd` and parses its stdout as JSON; exits with its stderr on another exit code (our
    CLI prints an unconverged answer with exit code 3: pass accept=(0, 3) to take it)."""
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False)
    if res.returncode not in accept:
        sys.exit(f"failed ({res.returncode}): {' '.join(map(str, cmd))}\n{res.stderr}")
    return json.loads(res.stdout)


def fp_gap_command(binary, expr, diffusion, tolerance, count=3):
    """`paper-checks eval fp-gap` for the `count` lowest rates."""
    return [binary, "eval", "fp-gap", "--potential", expr, "--diffusion", str(diffusion), "--count", str(count),
            "--tolerance", str(tolerance)]
