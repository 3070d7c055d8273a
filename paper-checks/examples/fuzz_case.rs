//! Prints the argument vector of fuzz case `INDEX` of run `SEED`, one argument per line, to
//! replay it: `target/release/examples/fuzz_case SEED INDEX [STRATUM]` (`all`, the default;
//! `truths`; `input`, whose `--out` paths point into a sandbox made for the occasion).

use paper_checks::fuzz::{input, Stratum};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().take(2).filter_map(|a| a.parse().ok()).collect();
    let stratum = args.get(2).map_or(Some(Stratum::All), |s| Stratum::parse(s));
    let (&[seed, index], Some(stratum)) = (&numbers[..], stratum) else {
        eprintln!("usage: fuzz_case SEED INDEX [all|truths|input]");
        std::process::exit(2);
    };
    let (arguments, truth) = match stratum {
        Stratum::All => {
            let case = paper_checks::fuzz::case(seed, index);
            (case.args, format!("{:?}", case.truth))
        }
        Stratum::Truths => {
            let case = paper_checks::fuzz::truth_case(seed, index);
            (case.args, format!("{:?}", case.truth))
        }
        Stratum::Input => match input::input_case(seed, index) {
            input::InputCase::Eval(case) => (case.args, format!("{:?}", case.truth)),
            input::InputCase::Run(case) => (case.args, format!("valid: {:?}", case.valid)),
        },
    };
    for arg in &arguments {
        println!("{arg}");
    }
    eprintln!("truth: {truth}");
    if stratum == Stratum::Input {
        input::remove_sandbox();
    }
}
