//! Eigen-solve scaling of the overdamped generator (5): time to the lowest rates against basis
//! size, dense (QR + SVD of the factor B) and sparse (banded H, shift-invert Krylov–Schur),
//! d = 1, 2, 3; and the full automatic resolution search.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fpspectral::basis::{HermiteBasis, IndexSet};
use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{decay_rates, eigenpairs, RateOptions, SolverPath};
use fpspectral::Expression;
use std::time::Duration;

const POTENTIALS: [&str; 3] =
    ["x^4/4 - x^2/2", "x^4/4 - x^2/2 + y^2/2 + 0.3*x*y", "x^4/4 - x^2/2 + y^2/2 + 0.3*x*y + z^2/2 + 0.2*y*z"];

fn fixed_size(c: &mut Criterion) {
    faer::set_global_parallelism(faer::Par::Seq);
    let mut group = c.benchmark_group("fixed_basis");
    group.sample_size(10).measurement_time(Duration::from_secs(3));
    let cases: [(usize, &[usize]); 3] = [(0, &[64, 128, 256, 512]), (1, &[20, 40, 60]), (2, &[12, 20, 28])];
    for (d, sizes) in cases {
        let pot = Expression::parse(POTENTIALS[d]).unwrap();
        let op = Overdamped::new(&pot, 0.5).unwrap();
        let dim = d + 1;
        for &n in sizes {
            let kind = if dim == 1 { IndexSet::FullTensor } else { IndexSet::TotalDegree };
            let basis = HermiteBasis::new(vec![0.0; dim], vec![0.5; dim], vec![n; dim], kind).unwrap();
            for path in [SolverPath::Dense, SolverPath::Sparse] {
                if path == SolverPath::Dense && basis.len() > 3000 {
                    continue;
                }
                let id = BenchmarkId::new(format!("d{dim}-{path:?}"), basis.len());
                group.bench_with_input(id, &basis, |b, basis| {
                    b.iter(|| eigenpairs(&op, basis, 3, path, -0.01).unwrap())
                });
            }
        }
    }
    group.finish();
}

fn automatic(c: &mut Criterion) {
    faer::set_global_parallelism(faer::Par::Seq);
    let mut group = c.benchmark_group("converged_gap");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for (d, tol) in [(0, 1e-10), (1, 1e-8), (2, 1e-8)] {
        let pot = Expression::parse(POTENTIALS[d]).unwrap();
        let op = Overdamped::new(&pot, 0.5).unwrap();
        group.bench_function(format!("d{}", d + 1), |b| {
            b.iter(|| decay_rates(&op, &RateOptions { count: 3, tolerance: tol, ..Default::default() }).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, fixed_size, automatic);
criterion_main!(benches);
