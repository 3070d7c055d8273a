use fpspectral::quadrature::*;
fn main() {
    let spec = "(x^2 - 1)^2*(1 + 0.5*x + 0.5*x^2) + y^2*(1 + 0.3*x + 0.25*x^2)";
    let p = fpspectral::Potential::parse(spec).unwrap();
    let eta = 1000.0;
    let c = lowest_point(&p);
    let r = gibbs_radius(&p, eta, &c).unwrap();
    println!("centre {c:?} r {r}");
    let g = |w: &[f64]| -eta * p.value(w);
    println!("single {:?}", log_disc_integral(&g, &c, r));
    println!("partition {:?}", log_partition(&p, eta));
    let pts = fpspectral::critical::critical_points(&p, r, 25);
    for q in &pts {
        println!("{:?} {} {}", q.point, q.value, q.index);
    }
    for m in [[1.0, 0.0], [-1.0, 0.0]] {
        println!("disc at {m:?} {:?}", log_disc_integral(&g, &m, 0.5));
    }
}
#[allow(dead_code)]
fn unused() {}
