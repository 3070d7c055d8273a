fn main() {
    let ids: Vec<String> = std::env::args().skip(1).collect();
    for c in theorems::registry() {
        if !ids.is_empty() && !ids.iter().any(|i| i == c.id) {
            continue;
        }
        let t = std::time::Instant::now();
        match (c.run)(&|_m: &str| {}) {
            Ok(checks) => {
                for ch in checks {
                    println!("{} [{}] {} :: {}", ch.id, ch.verdict.label(), ch.reading, ch.evidence);
                    if std::env::var("Q").is_ok() {
                        for (k, q) in &ch.quantities {
                            println!("    {k} = {} ± {:.1e}", q.value, q.error);
                        }
                    }
                }
            }
            Err(e) => println!("{} ERROR {e}", c.id),
        }
        println!("  ({} took {:?})", c.id, t.elapsed());
    }
}
