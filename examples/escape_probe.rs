fn main() {
    for eta in [2.0, 10.0, 20.0, 50.0] {
        let t = std::time::Instant::now();
        let v = theorems::escape_eval::eval_basin_prob("(x^2-1)^2 + y^2", eta, &[1.0, 0.0]);
        let w = theorems::escape_eval::eval_basin_prob(
            "(x^2 - 1)^2*(1 + 0.5*x + 0.5*x^2) + y^2*(1 + 0.3*x + 0.25*x^2)",
            eta,
            &[1.0, 0.0],
        );
        println!("eta={eta} {v:?} {w:?} {:?}", t.elapsed());
    }
}
