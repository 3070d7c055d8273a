//! In-process wall-clock of the eigen-solves of the overdamped generator (5) at one fixed basis
//! (given centre, scale, sizes per axis), with `std::time::Instant`, minimum and median over
//! repeats; prints JSON. Used by `benches/peer/overdamped_peer.py` for the like-for-like
//! comparison with scipy. faer/rayon parallelism is left at its default.
//!
//! ```sh
//! cargo run --release --example eigen_solve_timing -- 'x^4/4 - x^2/2' 0.1 3 0.0 0.3 120 -0.01 5
//! ```
//! Arguments: potential, D, count (non-zero rates; count + 1 eigenpairs are computed),
//! centre per axis, scale per axis, sizes per axis (comma-separated), shift, repeats,
//! and optionally a comma-separated list of timings (default: all).
//!
//! Timings: `assemble_sparse` (exact banded H), `assemble_factor` (quadrature factor B),
//! `solve_dense_h` (`lowest_dense` on the dense copy of the banded H: symmetric eigen-solve, the
//! analogue of `scipy.linalg.eigh`), `solve_sparse` (`lowest_sparse`: sparse Cholesky of H − σI
//! and shift-invert Krylov–Schur, the analogue of `eigsh(sigma=…)`), `solve_factor`
//! (`lowest_from_factor`: QR + SVD of B), and `eigenpairs_dense` / `eigenpairs_sparse` /
//! `eigenpairs_auto` (`spectrum::eigenpairs`, assembly included, as the pipeline calls it).

use fpspectral::basis::HermiteBasis;
use fpspectral::eigen::{lowest_dense, lowest_from_factor, lowest_sparse, to_dense};
use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{default_index_set, eigenpairs, SolverPath};
use fpspectral::Expression;
use serde_json::{json, Map, Value};
use std::time::Instant;

fn list<T: std::str::FromStr>(s: &str) -> Vec<T>
where
    T::Err: std::fmt::Debug,
{
    s.split(',').map(|v| v.trim().parse().expect("number")).collect()
}

/// Minimum and median wall-clock seconds of `f` over `repeats` runs, and its last output.
fn time<F: FnMut() -> Vec<f64>>(repeats: usize, mut f: F) -> Value {
    let mut times = Vec::new();
    let mut values = Vec::new();
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        values = f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    json!({"min_s": times[0], "median_s": times[times.len() / 2], "repeats": times.len(), "values": values})
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 9 {
        eprintln!("usage: eigen_solve_timing POTENTIAL D COUNT CENTRE SCALE SIZES SHIFT REPEATS [WHICH]");
        std::process::exit(2);
    }
    let pot = Expression::from_spec(&args[1]).expect("potential");
    let op = Overdamped::new(&pot, args[2].parse().expect("D")).expect("operator");
    let count: usize = args[3].parse().expect("count");
    let centre: Vec<f64> = list(&args[4]);
    let scale: Vec<f64> = list(&args[5]);
    let sizes: Vec<usize> = list(&args[6]);
    let shift: f64 = args[7].parse().expect("shift");
    let repeats: usize = args[8].parse().expect("repeats");
    let all = "assemble_sparse,assemble_factor,solve_dense_h,solve_sparse,solve_factor,\
               eigenpairs_dense,eigenpairs_sparse,eigenpairs_auto";
    let which: Vec<String> = list(args.get(9).map_or(all, |s| s.as_str()));
    let kind = default_index_set(sizes.len());
    let basis = HermiteBasis::new(centre, scale, sizes.clone(), kind).expect("basis");
    let k = count + 1;
    let want = |name: &str| which.iter().any(|w| w == name);
    let mut out = Map::new();
    out.insert("basis_size".into(), json!(basis.len()));
    out.insert("sizes".into(), json!(sizes));
    out.insert("index_set".into(), json!(format!("{kind:?}")));
    let h = op.sparse_matrix(&basis).expect("sparse H");
    out.insert("nnz".into(), json!(h.compute_nnz()));
    let mut timings = Map::new();
    if want("assemble_sparse") {
        let t = time(repeats, || vec![op.sparse_matrix(&basis).expect("H").compute_nnz() as f64]);
        timings.insert("assemble_sparse".into(), t);
    }
    if want("assemble_factor") {
        let t = time(repeats, || vec![op.factor(&basis).expect("B").nrows() as f64]);
        timings.insert("assemble_factor".into(), t);
    }
    if want("solve_dense_h") {
        let hd = to_dense(&h);
        let t = time(repeats, || lowest_dense(hd.as_ref(), k).expect("dense").values);
        timings.insert("solve_dense_h".into(), t);
    }
    if want("solve_sparse") {
        let t = time(repeats, || lowest_sparse(&h, k, shift).expect("sparse").values);
        timings.insert("solve_sparse".into(), t);
    }
    if want("solve_factor") {
        let b = op.factor(&basis).expect("B");
        let t = time(repeats, || lowest_from_factor(b.as_ref(), k).expect("factor").values);
        timings.insert("solve_factor".into(), t);
    }
    for (name, path) in [
        ("eigenpairs_dense", SolverPath::Dense),
        ("eigenpairs_sparse", SolverPath::Sparse),
        ("eigenpairs_auto", SolverPath::Auto),
    ] {
        if want(name) {
            let t = time(repeats, || eigenpairs(&op, &basis, count, path, shift).expect("eigenpairs").values);
            timings.insert(name.into(), t);
        }
    }
    out.insert("timings".into(), Value::Object(timings));
    println!("{}", serde_json::to_string_pretty(&Value::Object(out)).expect("JSON"));
}
