use fpspectral::{critical, quadrature, Potential};
fn main() {
    let p = Potential::parse("(x^2 - 1)^2*(1 + 0.5*x + 0.5*x^2)").unwrap();
    println!("{:?} {:?}", critical::basin_interval(&p, -1.0), critical::basin_interval(&p, 1.0));
    for eta in [30.0, 1000.0] {
        println!(
            "{:?} {:?}",
            quadrature::basin_probability(&p, eta, &[-1.0]),
            quadrature::basin_probability(&p, eta, &[1.0])
        );
        println!("{:?}", quadrature::log_partition(&p, eta));
    }
}
