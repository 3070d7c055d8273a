use fpspectral::basis::*;
use fpspectral::variable::*;
use fpspectral::Potential;
fn main() {
    let pot = Potential::parse("x^4/4 - x^2/2").unwrap();
    let m = VariableDiffusion::new(&pot, "0.2*(1 + 0.5*tanh(2*x))").unwrap();
    for s in [0.25, 0.3] {
        for n in [80usize, 110, 140, 170] {
            let b = HermiteBasis::new(vec![0.0], vec![s], vec![n], IndexSet::FullTensor).unwrap();
            let st = m.stationary(&b, 260).unwrap();
            let g = b.grid(&[260]);
            let a = &g.axes[0];
            let p: Vec<f64> = (0..a.x.len()).map(|i| (0..n).map(|k| st.coeffs[k] * a.phi[i][k]).sum()).collect();
            let i0 = a.x.iter().position(|x| *x > 1.0).unwrap();
            println!(
                "s {s} n {n} sv {:.2e} p(~1)={:.6} p(~-1)={:.6}",
                st.relative_singular_value,
                p[i0],
                p[a.x.iter().position(|x| *x > -1.0).unwrap()]
            );
        }
    }
}
