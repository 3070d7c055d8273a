use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::*;
use fpspectral::kinetic::KineticParams;
use fpspectral::basis::IndexSet;
use fpspectral::Potential;
fn rss(key: &str) -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let l = s.lines().find(|l| l.starts_with(key)).unwrap();
    l.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() * 1024.0
}
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pot = Potential::parse(&a[1]).unwrap();
    let g: f64 = a[2].parse().unwrap();
    let dv: f64 = a[3].parse().unwrap();
    let n: usize = a[4].parse().unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(g, dv).unwrap()).unwrap();
    let axes = default_axes(&problem).unwrap();
    let ratios = axis_ratios(&problem, &axes).unwrap();
    let basis = study_basis(&problem, &axes, &ratios, n, IndexSet::TotalDegree).unwrap();
    let secs = sectors(&problem, &basis);
    let big = secs.iter().max_by_key(|b| b.len()).unwrap();
    let gm = problem.matrix(big).unwrap();
    let nnz = gm.compute_nnz();
    let bound = fpspectral::kinetic::plan::lu_fill_bound(&fpspectral::eigen::shifted(&gm, 0.05).unwrap()).unwrap();
    let before = rss("VmRSS:");
    let t = std::time::Instant::now();
    let lu = shifted_lu(&gm, 0.05).unwrap();
    let after = rss("VmRSS:");
    let hwm = rss("VmHWM:");
    println!("bound {:.3e} bytes/entry {:.1} ", bound, (after-before)/bound);
    println!("n {n} N {} sectors {} ns {} nnz {nnz} lu_rss {:.3e} hwm {:.3e} before {:.3e} t {:.2}s", basis.len(), secs.len(), big.len(), after - before, hwm, before, t.elapsed().as_secs_f64());
    drop(lu);
}
