//! The interleaved simulator against the obviously correct one-chain loop (each chain's
//! generator, [`BatchSampler::draw`], the recursion written out): every record bit-identical,
//! for SGD and momentum SGD, d = 1 and d = 2, fixed-length runs and runs whose chains stop at
//! different steps (passage times), and for 1 and 2 threads.

use fpspectral::sgd::chain::{chain_rng, simulate, Algorithm, ChainState, Method, Observer, Problem};
use fpspectral::sgd::noise::BatchSampler;
use fpspectral::sgd::observe::{Passage, Snapshots};
use fpspectral::sgd::{ChainRng, RiskGradient, SampleShifts, Sampling};
use fpspectral::Expression;
use rand::Rng;

/// The reference: one chain, step by step, as the recursions (2) and Section 4's are written.
fn reference<O: Observer>(
    problem: &Problem,
    initial: &dyn Fn(usize, &mut ChainRng) -> ChainState,
    chain: usize,
    steps: usize,
    seed: u64,
    observer: &O,
) -> O::Record {
    let mut rng = chain_rng(seed, chain);
    let mut s = initial(chain, &mut rng);
    let mut sampler = BatchSampler::new(problem.shifts, problem.algorithm.batch, problem.algorithm.sampling);
    let mut record = observer.start(chain);
    let d = problem.shifts.dim;
    let lr = problem.algorithm.lr;
    for step in 1..=steps {
        let mut grad = [0.0; 3];
        problem.gradient.eval(&s.w[..d], &mut grad[..d]);
        let mut noise = [0.0; 3];
        sampler.draw(&mut rng, &mut noise);
        for i in 0..d {
            let g = grad[i] + noise[i];
            match problem.algorithm.method {
                Method::Sgd => s.w[i] -= lr * g,
                Method::Momentum { momentum } => {
                    s.z[i] = momentum * s.z[i] - lr * g;
                    s.w[i] += s.z[i];
                }
            }
        }
        if !observer.observe(&mut record, step, &s) {
            break;
        }
    }
    record
}

fn start(c: usize, r: &mut ChainRng) -> ChainState {
    ChainState { w: [r.random::<f64>() - 1.0 + 0.01 * c as f64, 0.1 * r.random::<f64>(), 0.0], z: [0.0; 3] }
}

fn cases() -> Vec<(&'static str, Algorithm, usize)> {
    let alg = |lr, batch, method| Algorithm { lr, batch, sampling: Sampling::WithReplacement, method };
    vec![
        ("x^4/4 - x^2/2", alg(0.1, 64, Method::Sgd), 1),
        ("0.1*(x^2-1)^2*((x-1)^2+0.25)", alg(0.1, 7, Method::Momentum { momentum: 0.9 }), 1),
        ("x^4/4 - x^2/2 + y^2/2", alg(0.05, 13, Method::Sgd), 2),
        ("x^4/4 - x^2/2 + x*y + y^2", alg(0.05, 32, Method::Momentum { momentum: 0.5 }), 2),
    ]
}

#[test]
fn snapshots_are_bit_identical_to_the_one_chain_loop() {
    for (text, algorithm, dim) in cases() {
        let p = Expression::parse(text).unwrap();
        let g = RiskGradient::new(&p);
        let shifts = SampleShifts::new(1024, dim, 2.0, 3).unwrap();
        let problem = Problem { gradient: &g, shifts: &shifts, algorithm };
        let observer = Snapshots { at: vec![1, 17, 300] };
        let want: Vec<_> = (0..45).map(|c| reference(&problem, &start, c, 300, 9, &observer)).collect();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let got = pool.install(|| simulate(&problem, &start, 45, 300, 9, &observer, None).unwrap());
            assert_eq!(got, want, "{text}, {threads} threads");
        }
    }
}

/// The lane-wise gradient and recursion on the forms the cases above do not reach: a polynomial
/// with an exponent ≥ 4 in d = 2 (the wide power table), a non-polynomial risk (the gradient
/// lane by lane), d = 3 (the general batch sum) and N not a power of two (the one-chain loop).
#[test]
fn other_forms_are_bit_identical_to_the_one_chain_loop() {
    let alg = |lr, batch, method| Algorithm { lr, batch, sampling: Sampling::WithReplacement, method };
    let cases = [
        ("x^6/6 - x^4/2 + x^2*y^2/4 + y^4/4", alg(0.02, 9, Method::Momentum { momentum: 0.7 }), 2, 1024),
        ("x^2/2 + 2*exp(-x^2)", alg(0.05, 11, Method::Sgd), 1, 1024),
        ("x^2/2 + y^2/2 + exp(-(x - y)^2/2)/2", alg(0.05, 5, Method::Momentum { momentum: 0.5 }), 2, 1024),
        ("x^2 + y^2/2 + z^4/4 + x*z", alg(0.05, 6, Method::Sgd), 3, 1024),
        ("x^4/4 - x^2/2", alg(0.1, 16, Method::Sgd), 1, 1000),
    ];
    for (text, algorithm, dim, samples) in cases {
        let p = Expression::parse(text).unwrap();
        let g = RiskGradient::new(&p);
        let shifts = SampleShifts::new(samples, dim, 2.0, 3).unwrap();
        let problem = Problem { gradient: &g, shifts: &shifts, algorithm };
        let observer = Snapshots { at: vec![1, 17, 200] };
        let want: Vec<_> = (0..21).map(|c| reference(&problem, &start, c, 200, 4, &observer)).collect();
        let got = simulate(&problem, &start, 21, 200, 4, &observer, None).unwrap();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn passage_times_are_bit_identical_to_the_one_chain_loop() {
    for (text, algorithm, dim) in cases() {
        let p = Expression::parse(text).unwrap();
        let g = RiskGradient::new(&p);
        let shifts = SampleShifts::new(1024, dim, 64.0, 5).unwrap();
        let problem = Problem { gradient: &g, shifts: &shifts, algorithm };
        let (from, to) = ([-1.0, 0.0], [0.0, 0.0]);
        let observer = Passage::new(&from[..dim], &to[..dim], 0.5);
        let begin = |_c: usize, _r: &mut ChainRng| ChainState { w: [-1.0, 0.0, 0.0], z: [0.0; 3] };
        let want: Vec<_> = (0..70).map(|c| reference(&problem, &begin, c, 4000, 2, &observer)).collect();
        assert!(want.iter().flatten().count() > 10, "{text}: too few passages to compare");
        let got = simulate(&problem, &begin, 70, 4000, 2, &observer, None).unwrap();
        assert_eq!(got, want, "{text}");
    }
}
