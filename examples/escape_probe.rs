fn main() {
    for d in [0.1, 0.05] {
        let t = std::time::Instant::now();
        let v = theorems::escape_eval::eval_mfpt_to_ball("x^2/2 + y^2/2", d, &[1.0, 0.0], &[0.0, 0.0], 0.1).unwrap();
        println!("D={d} {v} exact {} {:?}", 10f64.ln(), t.elapsed());
    }
    let v = theorems::escape_eval::eval_mfpt_to_ball("x^4/4 - x^2/2", 0.1, &[-1.0], &[1.0], 0.1).unwrap();
    println!("{v}");
}
