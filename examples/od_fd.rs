//! scratch: independent finite-difference reference for 1D rates
use fpspectral::Potential;
fn count_below(diag: &[f64], off: f64, x: f64) -> usize {
    // Sturm count for symmetric tridiagonal with constant off-diagonal
    let mut c = 0; let mut q = diag[0] - x; if q < 0.0 { c += 1; }
    for i in 1..diag.len() { let qq = if q == 0.0 { 1e-300 } else { q }; q = diag[i] - x - off*off/qq; if q < 0.0 { c += 1; } }
    c
}
fn eig(diag: &[f64], off: f64, k: usize, hi: f64) -> f64 {
    let (mut a, mut b) = (-1e-3*hi.abs().max(1.0), hi);
    for _ in 0..200 { let m = 0.5*(a+b); if count_below(diag, off, m) > k { b = m } else { a = m } if b-a <= 1e-15*b.abs() {break} }
    0.5*(a+b)
}
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pot = Potential::from_spec(&a[1]).unwrap();
    let d: f64 = a[2].parse().unwrap();
    let half: f64 = a[3].parse().unwrap();
    let centre: f64 = a.get(4).map(|s| s.parse().unwrap()).unwrap_or(0.0);
    let mut prev: Vec<Vec<f64>> = vec![];
    for &n in &[20000usize, 40000, 80000, 160000] {
        let h = 2.0*half/(n as f64 + 1.0);
        let l: Vec<f64> = (0..n+2).map(|i| pot.value(&[centre - half + h*i as f64])).collect();
        let diag: Vec<f64> = (1..=n).map(|i| d/(h*h)*(((l[i]-l[i+1])/(2.0*d)).exp() + ((l[i]-l[i-1])/(2.0*d)).exp())).collect();
        let off = -d/(h*h);
        let vals: Vec<f64> = (0..4).map(|k| eig(&diag, off, k, 1e6)).collect();
        println!("n={n} {:?}", vals);
        prev.push(vals);
    }
    let k = prev.len();
    let r1: Vec<f64> = (0..4).map(|j| (4.0*prev[k-1][j]-prev[k-2][j])/3.0).collect();
    let r0: Vec<f64> = (0..4).map(|j| (4.0*prev[k-2][j]-prev[k-3][j])/3.0).collect();
    let r2: Vec<f64> = (0..4).map(|j| (16.0*r1[j]-r0[j])/15.0).collect();
    println!("richardson h^2: {:?}\nrichardson h^4: {:?}", r1, r2);
}
