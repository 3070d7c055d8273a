//! Cost and width of the d = 2 enclosures: `cargo run --release -p certify --example enclosure_2d`.

use certify::hermite2d::Poly2;
use certify::spectrum2d::{enclose_2d, Options2};

fn main() {
    let separable = Poly2(vec![(4, 0, 0.25), (2, 0, -0.5), (0, 2, 0.5)]);
    let coupled = Poly2(vec![(4, 0, 0.25), (2, 0, -0.5), (0, 2, 0.5), (1, 1, 0.3)]);
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<[usize; 2]> = if args.len() > 1 {
        args[1..].chunks(2).map(|c| [c[0].parse().unwrap(), c[1].parse().unwrap()]).collect()
    } else {
        vec![[24, 16], [32, 20], [40, 24], [48, 32]]
    };
    let t = std::time::Instant::now();
    let e = enclose_2d(&separable, 0.5, 3, Options2::default());
    println!("separable D=0.5: {:?} in {:.2?}", e.map(|v| widths(&v)), t.elapsed());
    for basis in sizes {
        let t = std::time::Instant::now();
        let e = enclose_2d(&coupled, 0.5, 3, Options2 { basis, ..Options2::default() });
        println!("coupled D=0.5 basis {basis:?}: {:?} in {:.2?}", e.map(|v| widths(&v)), t.elapsed());
    }
}

fn widths(e: &[certify::spectrum::Enclosure]) -> Vec<(f64, f64, f64)> {
    e.iter().map(|x| (x.lower, x.upper, (x.upper - x.lower) / x.upper)).collect()
}
