use fpspectral::confinement;
use fpspectral::Potential;
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list: Vec<String> = if args.is_empty() {
        std::io::stdin().lines().map(|l| l.unwrap()).filter(|l| !l.trim().is_empty()).collect()
    } else { args };
    for s in list {
        let t = Instant::now();
        let r = Potential::parse_periodic(&s).and_then(|p| confinement::check(&p));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        match r {
            Ok(c) => println!("{ms:8.1}ms ACCEPT {s:40} {:?} | {}", c.method, c.evidence),
            Err(e) => println!("{ms:8.1}ms REFUSE {s:40} | {e}"),
        }
    }
}
