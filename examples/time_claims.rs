fn main() {
    let t = std::time::Instant::now();
    let last = std::sync::Mutex::new(std::time::Instant::now());
    let progress = |m: &str| {
        let mut l = last.lock().unwrap();
        eprintln!("{:>7.2}s (+{:.2}) {m}", t.elapsed().as_secs_f64(), l.elapsed().as_secs_f64());
        *l = std::time::Instant::now();
    };
    for id in std::env::args().skip(1) {
        let c = theorems::registry().into_iter().find(|c| c.id == id).unwrap();
        (c.run)(&progress).unwrap();
        progress("done");
    }
}
