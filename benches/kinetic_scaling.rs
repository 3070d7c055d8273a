//! Kinetic eigen-solve time against basis size: d = 1 (2D phase space) and d = 2 (4D), dense
//! (all eigenvalues) and sparse (shift-invert Krylov–Schur over a sparse LU), for the double
//! well x^4/4 − x^2/2 (+ y^2/2), g = 1, D_v = 0.5. Assembly is included in each timing.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fpspectral::basis::IndexSet;
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{basis_of_size, default_axes, rates_on, KineticPath};
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;
use std::time::Duration;

fn solve(c: &mut Criterion, spec: &str, label: &str, sizes: &[(usize, KineticPath)]) {
    faer::set_global_parallelism(faer::Par::Seq);
    let pot = Expression::parse(spec).unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let axes = default_axes(&problem).unwrap();
    let mut group = c.benchmark_group(label);
    group.sample_size(10).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_millis(500));
    for &(n, path) in sizes {
        let basis = basis_of_size(&problem, &axes, n, IndexSet::TotalDegree).unwrap();
        let id = BenchmarkId::new(format!("{path:?}"), basis.len());
        group.bench_with_input(id, &basis, |b, basis| b.iter(|| rates_on(&problem, basis, 2, path, 0.05).unwrap()));
    }
    group.finish();
}

fn kinetic_d1(c: &mut Criterion) {
    use KineticPath::{Dense, Sparse};
    let sizes =
        [(24, Dense), (35, Dense), (50, Dense), (24, Sparse), (35, Sparse), (50, Sparse), (100, Sparse), (200, Sparse)];
    solve(c, "x^4/4 - x^2/2", "kinetic_d1", &sizes);
}

fn kinetic_d2(c: &mut Criterion) {
    use KineticPath::{Dense, Sparse};
    let sizes = [(10, Dense), (12, Dense), (10, Sparse), (12, Sparse), (17, Sparse), (24, Sparse)];
    solve(c, "x^4/4 - x^2/2 + y^2/2", "kinetic_d2", &sizes);
}

criterion_group!(benches, kinetic_d1, kinetic_d2);
criterion_main!(benches);
