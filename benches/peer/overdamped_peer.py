#!/usr/bin/env python3
"""Peer comparison: the overdamped Fokker–Planck generator (5) solved by scipy/numpy and by
fpspectral, in the same run, with the ratios printed.

Setup (Python 3.11; nothing of it is committed):

    python3 -m venv /tmp/peer-venv && /tmp/peer-venv/bin/pip install numpy scipy
    cargo build --release -p paper-checks
    cargo build --release --examples -p fpspectral
    /tmp/peer-venv/bin/python benches/peer/overdamped_peer.py            # from the repo root

What it does, per problem:

1. runs our CLI `target/release/paper-checks eval fp-gap` (wall-clock of the subprocess, minimum
   over repeats) and `examples/fp_gap_details` (what the automatic pipeline chose: centre, scale,
   resolution-study levels; and the in-process time of `decay_rates`);
2. builds, independently in numpy, the same discretisation: H = −DΔ + |∇L|²/(4D) − ΔL/2 on the
   basis φ_α(x) = Π_j s_j^{−1/2} ψ_{α_j}((x_j − c_j)/s_j) (normalised Hermite functions, full
   index set in d = 1, total degree Σ α_j/n_j < 1 in d = 2, same ordering as the engine), Galerkin
   matrix by tensor Gauss–Hermite quadrature (numpy.polynomial.hermite.hermgauss, n_j + deg L + 1
   nodes per axis, exact for these polynomial L), Hermite functions by the three-term recurrence;
3. times, at the pipeline's final basis size: scipy.linalg.eigh on the dense H (LAPACK, all
   eigenpairs, and the 4 lowest via subset_by_index) and scipy.sparse.linalg.eigsh(H_sparse,
   k=4, sigma=-0.01) (ARPACK shift-invert, SuperLU), against our `lowest_dense` (faer symmetric
   eigen-solve of the same dense H), `lowest_sparse` (sparse Cholesky + shift-invert
   Krylov–Schur) and `lowest_from_factor` (QR + SVD of B, H = BᵀB: the engine's default dense
   path), timed in-process by `examples/eigen_solve_timing`;
4. times a peer "pipeline": assembly + solve at every level of our resolution study (given our
   centre and scale, which the peer does not have to search for), against our full pipeline;
5. prints the eigenvalue agreement peer vs us and each side's error against a high-resolution
   reference (our QR + SVD of B on a larger basis, cross-checked by scipy eigh on that basis).

Threads: OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = MKL_NUM_THREADS = 2 for the peer (set below,
before numpy is imported); our side runs at its default (faer/rayon global pool = all cores).
All times are wall-clock minima over --repeats runs measured in this process run; ratios are
peer time / our time (> 1: we are faster).
"""

from peer_common import best_time, fp_gap_command, hermite_at_nodes, run_json  # sets the BLAS threads first

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.sparse  # noqa: E402
import scipy.sparse.linalg  # noqa: E402

SHIFT = -0.01  # sigma of eigsh and the shift of our lowest_sparse at the fixed basis


def _grad_lap_a(x):
    (x0,) = x
    return [x0**3 - x0], 3.0 * x0**2 - 1.0


def _grad_lap_b(x):
    x0, x1 = x
    return [x0**3 - x0 + 0.3 * x1, x1 + 0.3 * x0], (3.0 * x0**2 - 1.0) + 1.0


PROBLEMS = [
    {
        "name": "(a) d=1 double well",
        "expr": "x^4/4 - x^2/2",
        "D": 0.1,
        "dim": 1,
        "deg_L": 4,
        "grad_lap": _grad_lap_a,
        # W = (x³ − x)²/(4D) − (3x² − 1)/2: monomials up to x^6; kinetic term: |Δα| ≤ 2
        "boxes": [(6,)],
    },
    {
        "name": "(b) d=2 coupled",
        "expr": "x^4/4 - x^2/2 + y^2/2 + 0.3*x*y",
        "D": 0.5,
        "dim": 2,
        "deg_L": 4,
        "grad_lap": _grad_lap_b,
        # W: x^6, x^4, x^2, x^3·y, x·y, y^2, 1; kinetic: (2, 0), (0, 2)
        "boxes": [(6, 0), (3, 1), (0, 2)],
    },
]


# ---------------------------------------------------------------- numpy discretisation


def hermite_rows(n, q, scale):
    """sqrt(w_i)·ψ_k(t_i)e^{t_i²/2} and the same for ψ_k', for k < n, at the q Gauss–Hermite
    nodes of weight e^{−t²}. With φ_k(x) = s^{-1/2}ψ_k((x−c)/s), ∫ g φ_a φ_b dx = Σ_i rows[i,a]
    rows[i,b] g(x_i) exactly when g·(φ_aφ_b e^{t²}) is a polynomial of degree ≤ 2q−1."""
    t, w, psi, dpsi = hermite_at_nodes(n, q)
    root = np.sqrt(w)[:, None]
    with np.errstate(invalid="ignore", over="ignore"):
        a = np.where(root > 0, root * psi[:, :n], 0.0)
        da = np.where(root > 0, root * dpsi / scale, 0.0)
    if not (np.isfinite(a).all() and np.isfinite(da).all()):
        raise RuntimeError(f"Hermite rows overflowed at q = {q} (this script handles q ≲ 600)")
    return t, a, da


def index_set(sizes):
    """The engine's multi-indices, in its order: full tensor in d = 1, Σ α_j/n_j < 1 in d ≥ 2."""
    if len(sizes) == 1:
        return np.arange(sizes[0])[:, None]
    n0, n1 = sizes
    return np.array([(a, b) for a in range(n0) for b in range(n1) if a / n0 + b / n1 < 1.0])


def assemble(problem, centre, scale, sizes):
    """Dense Galerkin H (symmetric) and its sparse copy (the engine's sparsity pattern)."""
    d, D = problem["dim"], problem["D"]
    axes = []
    for j in range(d):
        q = sizes[j] + problem["deg_L"] + 1
        t, a, da = hermite_rows(sizes[j], q, scale[j])
        axes.append((centre[j] + scale[j] * t, a, da))
    idx = index_set(sizes)
    if d == 1:
        x, a, da = axes[0]
        grad, lap = problem["grad_lap"]([x])
        wpot = grad[0] ** 2 / (4.0 * D) - lap / 2.0
        h = D * (da.T @ da) + a.T @ (wpot[:, None] * a)
    else:
        (x0, a0, da0), (x1, a1, da1) = axes
        g0, g1 = np.meshgrid(x0, x1, indexing="ij")  # last axis fastest
        grad, lap = problem["grad_lap"]([g0.ravel(), g1.ravel()])
        wpot = (grad[0] ** 2 + grad[1] ** 2) / (4.0 * D) - lap / 2.0
        i0, i1 = idx[:, 0], idx[:, 1]
        q0, q1 = len(x0), len(x1)

        def tensor(f0, f1):
            return (f0[:, None, i0] * f1[None, :, i1]).reshape(q0 * q1, len(idx))

        phi = tensor(a0, a1)
        phix = tensor(da0, a1)
        phiy = tensor(a0, da1)
        h = D * (phix.T @ phix + phiy.T @ phiy) + phi.T @ (wpot[:, None] * phi)
    h = 0.5 * (h + h.T)
    # Sparse pattern: union over the monomials x^i y^j of W (and the kinetic term) of the boxes
    # |Δα_0| ≤ i, |Δα_1| ≤ j — the pattern the engine stores, so both sides factor the same nnz.
    delta = [np.abs(idx[:, j][:, None] - idx[:, j][None, :]) for j in range(d)]
    mask = np.zeros(h.shape, dtype=bool)
    for box in problem["boxes"]:
        inside = np.ones(h.shape, dtype=bool)
        for j in range(d):
            inside &= delta[j] <= box[j]
        mask |= inside
    hs = scipy.sparse.csc_matrix(np.where(mask, h, 0.0))
    hs.eliminate_zeros()
    return h, hs


# ---------------------------------------------------------------- peer solvers


def eigh_all(h, k):
    return scipy.linalg.eigh(h)[0][:k]


def eigh_subset(h, k):
    return scipy.linalg.eigh(h, subset_by_index=[0, k - 1])[0]


def eigsh_si(hs, k):
    n = hs.shape[0]
    v0 = 1.0 + (np.arange(n) * 7919 % 101) / 101.0  # deterministic start, as the engine's
    vals = scipy.sparse.linalg.eigsh(hs, k=k, sigma=SHIFT, which="LM", v0=v0)[0]
    return np.sort(vals)


def timed(f, repeats):
    wall, _, out = best_time(f, repeats)
    return wall, out


# ---------------------------------------------------------------- our side


def ours_cli(repo, problem, tol, repeats):
    cmd = fp_gap_command(repo / "target/release/paper-checks", problem["expr"], problem["D"], tol)
    return timed(lambda: run_json(cmd), repeats)


def ours_details(repo, problem, tol, repeats):
    return run_json([str(repo / "target/release/examples/fp_gap_details"), problem["expr"],
                     str(problem["D"]), "3", str(tol), str(repeats)])


def ours_solve(repo, problem, centre, scale, sizes, repeats, which):
    csv = lambda v: ",".join(repr(float(x)) if isinstance(x, float) else str(x) for x in v)  # noqa: E731
    return run_json([str(repo / "target/release/examples/eigen_solve_timing"), problem["expr"],
                     str(problem["D"]), "3", csv(centre), csv(scale), csv(sizes), str(SHIFT),
                     str(repeats), ",".join(which)])


# ---------------------------------------------------------------- report


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b) / np.abs(b))


def fmt_t(s):
    return f"{s * 1e3:.2f} ms" if s < 1.0 else f"{s:.3f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tolerance", type=float, default=1e-10,
                    help="tolerance of our resolution study (CLI default 1e-10)")
    ap.add_argument("--problems", default="a,b", help="comma-separated subset of a,b")
    ap.add_argument("--json", type=Path, help="also write all numbers here")
    args = ap.parse_args()
    repo = args.repo
    for exe in ("paper-checks", "examples/fp_gap_details", "examples/eigen_solve_timing"):
        if not (repo / "target/release" / exe).exists():
            sys.exit(f"missing target/release/{exe}: cargo build --release -p paper-checks && "
                     "cargo build --release --examples -p fpspectral")

    print(f"numpy {np.__version__}, scipy {scipy.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores; peer threads OMP/OPENBLAS/MKL = 2; ours: default (faer/rayon)")
    print(f"repeats {args.repeats} (minimum wall-clock), tolerance {args.tolerance:g}, "
          f"eigsh/ours shift sigma = {SHIFT}\n")
    record = {"numpy": np.__version__, "scipy": scipy.__version__, "problems": []}
    chosen = {"a": PROBLEMS[0], "b": PROBLEMS[1]}
    for key in args.problems.split(","):
        p = chosen[key]
        k = 4  # ground state + 3 rates
        print(f"=== {p['name']}: L = {p['expr']}, D = {p['D']}, 3 lowest non-zero eigenvalues")
        # --- our pipeline
        cli_t, cli = ours_cli(repo, p, args.tolerance, args.repeats)
        det = ours_details(repo, p, args.tolerance, args.repeats)
        centre, scale = det["centre"], det["scale"]
        final = det["levels"][-1]["sizes"]
        n_final = det["basis_size"]
        assert n_final == cli["basis_size"], (n_final, cli["basis_size"])
        print(f"ours: centre {centre}, scale {[round(s, 6) for s in scale]}, "
              f"levels {[l['sizes'] for l in det['levels']]} -> basis {n_final}")
        # --- fixed basis: our solves
        ours_full = ours_solve(repo, p, centre, scale, final, args.repeats,
                               ["assemble_sparse", "assemble_factor", "solve_dense_h",
                                "solve_sparse", "solve_factor", "eigenpairs_auto"])
        ours = ours_full["timings"]
        # --- fixed basis: peer
        asm_t, (h, hs) = timed(lambda: assemble(p, centre, scale, final), args.repeats)
        assert h.shape[0] == n_final
        eigh_t, eigh_v = timed(lambda: eigh_all(h, k), args.repeats)
        sub_t, sub_v = timed(lambda: eigh_subset(h, k), args.repeats)
        si_t, si_v = timed(lambda: eigsh_si(hs, k), args.repeats)
        # --- reference: larger basis, our QR+SVD of B, cross-checked by scipy eigh there
        ref_sizes = [int(round(s * 1.4)) if p["dim"] == 1 else s + 12 for s in final]
        ref = ours_solve(repo, p, centre, scale, ref_sizes, 1, ["solve_factor"])
        ref_v = np.array(ref["timings"]["solve_factor"]["values"][1:])
        h_ref, _ = assemble(p, centre, scale, ref_sizes)
        ref_peer = eigh_all(h_ref, k)[1:]
        # --- peer pipeline over our levels (given our centre/scale)
        def peer_pipeline(solver, sparse):
            vals = None
            for lev in det["levels"]:
                hd, hsp = assemble(p, centre, scale, lev["sizes"])
                vals = solver(hsp if sparse else hd, k)
            return vals

        pipe_reps = max(1, min(args.repeats, 3))
        pipe_dense_t, pipe_dense_v = timed(lambda: peer_pipeline(eigh_subset, False), pipe_reps)
        pipe_sparse_t, pipe_sparse_v = timed(lambda: peer_pipeline(eigsh_si, True), pipe_reps)

        ours_cli_v = np.array(cli["eigenvalues"])
        rates = {
            "ours CLI pipeline (final level)": ours_cli_v,
            "ours lowest_from_factor (QR+SVD of B)": np.array(ours["solve_factor"]["values"][1:]),
            "ours lowest_dense (faer eigh of H)": np.array(ours["solve_dense_h"]["values"][1:]),
            "ours lowest_sparse (Cholesky + Krylov-Schur)": np.array(ours["solve_sparse"]["values"][1:]),
            "scipy.linalg.eigh (all)": eigh_v[1:],
            "scipy.linalg.eigh (subset 0..3)": sub_v[1:],
            "scipy eigsh sigma=-0.01": si_v[1:],
        }
        print(f"\nreference: ours QR+SVD of B at sizes {ref_sizes} (basis {ref['basis_size']}): "
              f"{np.array2string(ref_v, precision=14)}; scipy eigh there differs by "
              f"{rel(ref_peer, ref_v):.1e} (relative)")
        print(f"\neigenvalues at basis {n_final} (rel. diff vs ours CLI | rel. error vs reference):")
        for name, v in rates.items():
            print(f"  {name:46s} {np.array2string(v, precision=13)}  "
                  f"{rel(v, ours_cli_v):8.1e} | {rel(v, ref_v):8.1e}")
        print(f"  ours CLI error estimate (max relative): "
              f"{np.max(np.array(cli['errors']) / ours_cli_v):.1e}")

        rows = [
            ("assembly: numpy quadrature H (dense+sparse) vs ours banded H", asm_t,
             ours["assemble_sparse"]["min_s"]),
            ("dense eigh of H: scipy.linalg.eigh all vs ours lowest_dense", eigh_t,
             ours["solve_dense_h"]["min_s"]),
            ("dense: scipy.linalg.eigh subset 0..3 vs ours lowest_dense", sub_t,
             ours["solve_dense_h"]["min_s"]),
            ("dense: scipy.linalg.eigh subset 0..3 vs ours QR+SVD of B", sub_t,
             ours["solve_factor"]["min_s"]),
            ("sparse: eigsh shift-invert vs ours lowest_sparse", si_t,
             ours["solve_sparse"]["min_s"]),
            ("one level: peer assembly+eigsh vs ours eigenpairs(Auto)",
             asm_t + si_t, ours["eigenpairs_auto"]["min_s"]),
            ("pipeline: peer assembly+eigh(subset) per level vs ours CLI", pipe_dense_t, cli_t),
            ("pipeline: peer assembly+eigsh per level vs ours CLI", pipe_sparse_t, cli_t),
            ("pipeline: peer assembly+eigsh per level vs ours in-process",
             pipe_sparse_t, det["pipeline_seconds_min"]),
        ]
        print(f"\ntimes at basis {n_final} (nnz(H): peer {hs.nnz}, ours {ours_full['nnz']}); "
              "ratio = peer/ours:")
        print(f"  {'comparison':62s} {'peer':>10s} {'ours':>10s} {'ratio':>7s}")
        out_rows = []
        for name, tp, to in rows:
            print(f"  {name:62s} {fmt_t(tp):>10s} {fmt_t(to):>10s} {tp / to:7.2f}")
            out_rows.append({"comparison": name, "peer_s": tp, "ours_s": to, "ratio": tp / to})
        print(f"  (ours factor assembly {fmt_t(ours['assemble_factor']['min_s'])}; "
              f"peer pipeline eigsh values vs ours CLI {rel(pipe_sparse_v[1:], ours_cli_v):.1e}, "
              f"eigh {rel(pipe_dense_v[1:], ours_cli_v):.1e})\n")
        record["problems"].append({
            "name": p["name"], "expr": p["expr"], "D": p["D"], "centre": centre, "scale": scale,
            "levels": [l["sizes"] for l in det["levels"]], "basis_size": n_final,
            "reference_sizes": ref_sizes, "reference": ref_v.tolist(),
            "values": {n: v.tolist() for n, v in rates.items()}, "times": out_rows,
            "ours_cli_s": cli_t, "ours_pipeline_inprocess_s": det["pipeline_seconds_min"],
        })
    if args.json:
        args.json.write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
