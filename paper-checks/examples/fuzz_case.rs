//! Prints the argument vector of fuzz case `INDEX` of run `SEED`, one argument per line, to
//! replay it: `target/release/examples/fuzz_case SEED INDEX`.

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (Some(&seed), Some(&index)) = (args.first(), args.get(1)) else {
        eprintln!("usage: fuzz_case SEED INDEX");
        std::process::exit(2);
    };
    let case = paper_checks::fuzz::case(seed, index);
    for arg in &case.args {
        println!("{arg}");
    }
    eprintln!("truth: {:?}", case.truth);
}
