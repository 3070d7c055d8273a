//! Bounded input (issue 8): regression tests for each limit of the expression parser and of the
//! polynomial expansion, for messages, `from_spec` and periodic potentials; and a proptest fuzz
//! of `Expr::parse` / `Expression::parse` / `Expression::parse_periodic` (never a panic, never a
//! stack overflow, only Ok or a Parse / NotConfining / InvalidParameter error of one printable
//! line, with bounded work: the expansion work is counted by
//! `polynomial::expansion_work_on_this_thread`, so "refused before expanding" is a count of 0;
//! no assertion here is on elapsed time).
//!
//! The generators live in `tests/common/expr_gen.rs`. A long fuzz run:
//! `EXPR_FUZZ_CASES=200000 cargo test --release --test expr_fuzz fuzz_`.

#[path = "common/expr_gen.rs"]
mod expr_gen;

use fpspectral::error::EngineError;
use fpspectral::expr::{Expr, MAX_DEPTH, MAX_LENGTH, MAX_NODES};
use fpspectral::polynomial::{expansion_work_on_this_thread, MAX_DEGREE, MAX_TERMS, MAX_WORK};
use fpspectral::{Expression, Potential};
use proptest::prelude::*;

fn parse_error(r: Result<Expression, EngineError>) -> String {
    match r {
        Err(EngineError::Parse(m)) => m,
        Err(e) => panic!("expected a Parse error, got {e}"),
        Ok(p) => panic!("expected a Parse error, got {}", p.describe()),
    }
}

/// One line, no control characters, of bounded length.
fn assert_one_clean_line(message: &str) {
    assert!(!message.chars().any(|c| c.is_control()), "control character in {message:?}");
    assert!(message.chars().count() <= 1000, "message of {} characters", message.chars().count());
}

/// The result of `f` and the polynomial expansion work (term operations) it did.
fn counted<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = expansion_work_on_this_thread();
    let out = f();
    (out, expansion_work_on_this_thread() - before)
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn twenty_thousand_nested_parentheses_are_refused_at_the_limit() {
    let text = format!("{}x^2{}", "(".repeat(20_000), ")".repeat(20_000));
    let (r, work) = counted(|| Expression::parse(&text));
    let m = parse_error(r);
    assert!(m.contains("nested") && m.contains(&MAX_DEPTH.to_string()), "{m}");
    assert_one_clean_line(&m);
    assert_eq!(work, 0, "expanded before refusing");
    // The parser stops at the parenthesis past the limit, not at the end of the text: the text cut
    // just after it (unbalanced, no operand) is refused for its depth, not for its end.
    let cut = "(".repeat(MAX_DEPTH + 1);
    let m = parse_error(Expression::parse(&cut));
    assert!(m.contains("nested more than"), "{m}");
    // Well inside the limit: fine.
    let ok = format!("{}x^2/2{}", "(".repeat(150), ")".repeat(150));
    assert_eq!(Expression::parse(&ok).unwrap().value(&[2.0]), 2.0);
}

#[test]
fn deep_function_calls_and_exponent_towers_are_refused() {
    for text in [
        format!("{}x{}", "exp(".repeat(5_000), ")".repeat(5_000)),
        format!("x{}", "^x".repeat(5_000)),
        format!("x{}", "^-x".repeat(5_000)),
        format!("x{}", "^2".repeat(5_000)),
    ] {
        let m = parse_error(Expression::parse(&text));
        assert!(m.contains("nested"), "{m}");
    }
}

#[test]
fn runs_of_unary_minus_collapse() {
    let even = format!("{}x^2/2", "-".repeat(20_000));
    assert_eq!(Expression::parse(&even).unwrap().value(&[3.0]), 4.5);
    let odd = format!("{}x^2/2", "-".repeat(20_001));
    assert!(matches!(Expression::parse(&odd), Err(EngineError::NotConfining(_))));
    let mixed = format!("x^2/2 + {}1", "-+".repeat(10_001));
    assert_eq!(Expression::parse(&mixed).unwrap().value(&[0.0]), -1.0);
}

#[test]
fn a_long_sum_is_flat_or_refused_by_the_node_limit() {
    // 15 000 terms: refused by the node limit, with a message naming it.
    let text = vec!["x^2"; 15_000].join(" + ");
    let (r, work) = counted(|| Expr::parse(&text));
    let m = match r {
        Err(EngineError::Parse(m)) => m,
        other => panic!("not refused by the parser: {other:?}"),
    };
    assert!(m.contains("nodes") && m.contains(&MAX_NODES.to_string()), "{m}");
    // Refused by `Expr::parse` itself (one linear pass over at most MAX_LENGTH bytes): nothing
    // was expanded or evaluated.
    assert_eq!(work, 0);
    // 4 000 terms (within the limit): stored flat, evaluated, differentiated and expanded
    // without deep recursion, with the left-to-right rounding of the written sum.
    let long = format!("x^2/2{}", " + x - x".repeat(2_000));
    let p = Expression::parse(&long).unwrap();
    assert_eq!(p.value(&[1.5]), 1.125);
    assert_eq!(p.jet(&[1.5]).g[0], 1.5);
    assert_eq!(p.poly().unwrap().terms.len(), 1);
}

#[test]
fn overlong_expressions_and_fixtures_are_refused() {
    let text = format!("x^2/2{}", " + 0".repeat(250_000)); // 1 MB
    let m = parse_error(Expression::parse(&text));
    assert!(m.contains(&MAX_LENGTH.to_string()) && m.contains("bytes"), "{m}");
    let dir = scratch_dir("fixture1mb");
    let path = dir.join("big.json");
    std::fs::write(&path, serde_json::json!({"kind": "expression", "expression": text}).to_string()).unwrap();
    let m = parse_error(Expression::from_spec(path.to_str().unwrap()));
    assert!(m.contains(&MAX_LENGTH.to_string()), "{m}");
    assert_one_clean_line(&m);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn polynomial_expansion_is_bounded_while_expanding() {
    let (r, work) = counted(|| Expression::parse("((x+y+z)^64)^64"));
    let m = parse_error(r);
    assert!(m.contains("degree 4096") && m.contains(&MAX_DEGREE.to_string()), "{m}");
    assert_eq!(work, 0, "refused after {work} term operations, not before expanding");
    let (r, work) = counted(|| Expression::parse("(1 + x + y + z)^40"));
    let m = parse_error(r);
    assert!(m.contains("monomials") && m.contains(&MAX_TERMS.to_string()), "{m}");
    assert!(work > 0 && work <= MAX_WORK, "{work} term operations");
    // The degree is decided from the structure of the whole expression, before expanding.
    for text in ["x^1e9", "x^(2^100)", "x^1024", "(x^8)^9", "x*x^64", "(x+y)^65 + 1", "1 + (x+y)^65"] {
        let (r, work) = counted(|| Expression::parse(text));
        let m = parse_error(r);
        assert!(m.contains("degree") && m.contains("limit is 64"), "{text}: {m}");
        assert_eq!(work, 0, "{text}: expanded before refusing");
    }
    // Not a polynomial as a whole (whatever the order of the terms): nothing is expanded, the
    // expression is evaluated as written.
    for text in ["exp(x) + (x+y)^65", "(x+y)^65 + exp(x)"] {
        assert!(Expression::parse_unchecked(text).unwrap().poly().is_none(), "{text}");
    }
    // Within the limits: expanded (a degree-64 polynomial, and a constant power of a zero one).
    assert_eq!(Expr::parse("(x+y+z)^64").unwrap().to_poly().unwrap().terms.len(), 2145);
    assert!(Expression::parse("x^64 + (x - x)^64").unwrap().poly().is_some());
    assert!(Expression::parse("x^64 + (x - x)^1e18").is_err()); // the bound is structural
                                                                // Exponents that are not non-negative integers are not polynomials: evaluated as powers.
    assert!(Expression::parse_unchecked("x^-1e9").unwrap().poly().is_none());
    assert!(Expression::parse_unchecked("x^2.5").unwrap().poly().is_none());
}

#[test]
fn non_finite_numbers_and_coefficients_are_refused() {
    let m = parse_error(Expression::parse("x^2/2 + 1e400"));
    assert!(m.contains("1e400") && m.contains("too large"), "{m}");
    let m = parse_error(Expression::parse("1e300*x^2*1e300"));
    assert!(m.contains("coefficient of x^2") && m.contains("inf"), "{m}");
    let m = parse_error(Expression::parse("x^2/0"));
    assert!(m.contains("not a finite number"), "{m}");
    // Tiny numbers underflow to zero, as typed.
    assert_eq!(Expression::parse("x^2/2 + 1e-400").unwrap().value(&[2.0]), 2.0);
}

/// A parsed tree of the deepest accepted nesting, for each way of nesting.
fn deepest_accepted() -> Vec<Expr> {
    let patterns: [(&str, &str, &str); 7] = [
        ("(", "x^2", ")"),
        ("exp(-", "x", ")"),
        ("x*(1+", "x", ")"),
        ("-(x-", "x^2", ")^2"),
        ("sin(x+2*", "y", "/3)^-1.5"),
        ("x^-", "x", ""),
        ("2^(", "x", "*y)"),
    ];
    patterns
        .iter()
        .map(|(open, core, close)| {
            let build = |n: usize| Expr::parse(&format!("{}{core}{}", open.repeat(n), close.repeat(n)));
            let n = (1..=MAX_DEPTH + 1).take_while(|&n| build(n).is_ok()).last().expect("depth 1 parses");
            assert!(build(n + 1).is_err());
            build(n).unwrap()
        })
        .collect()
}

#[test]
fn deepest_trees_are_safe_on_a_small_stack() {
    // Every recursion over a parsed tree (evaluation, jets, expansion, Clone, Debug, PartialEq,
    // Drop) stays within 1 MiB of stack, half the default of a spawned (rayon) thread.
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            for e in deepest_accepted() {
                let x = [0.3, -0.2, 0.1];
                let _ = (e.value(&x), e.jet(&x), e.grad(&x), e.to_poly());
                let copy = e.clone();
                assert_eq!(copy, e);
                assert!(!format!("{e:?}").is_empty());
                drop(copy);
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Messages

#[test]
fn control_characters_are_escaped_and_long_text_truncated() {
    for text in ["x^2\n+ \u{7}", "x^2 \u{1b}[31m", "x\u{202e}^2", "x^2 +\r", "exp(\u{0})"] {
        let m = parse_error(Expression::parse(text));
        assert_one_clean_line(&m);
    }
    let m = parse_error(Expression::parse("x^2 + \u{7}"));
    assert!(m.contains("\\u{7}"), "{m}");
    // Newlines and tabs are whitespace in an expression (a fixture may wrap one).
    assert_eq!(Expression::parse("x^2\n/2\t").unwrap().value(&[2.0]), 2.0);
    let long = format!("{} + $", vec!["x^2"; 3_000].join(" + "));
    let m = parse_error(Expression::parse(&long));
    assert!(m.len() < 300 && m.contains('$') && m.contains('…'), "{m}");
    let m = parse_error(Expression::parse(&format!("{}(", "x+".repeat(20_000))));
    assert!(m.len() < 300, "{m}");
    // A long number or name is cut as well.
    let m = parse_error(Expression::parse(&format!("x^2 + {}", "q".repeat(50_000))));
    assert!(m.len() < 300, "{m}");
}

// ---------------------------------------------------------------------------------------------
// from_spec

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fpspectral-expr-fuzz-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn from_spec_reads_json_files_only_and_names_directories() {
    let dir = scratch_dir("spec");
    let m = match Expression::from_spec(dir.to_str().unwrap()) {
        Err(EngineError::Io(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(m.contains("is a directory, not a fixture"), "{m}");
    let json_dir = dir.join("d.json");
    std::fs::create_dir_all(&json_dir).unwrap();
    assert!(
        matches!(Expression::from_spec(json_dir.to_str().unwrap()), Err(EngineError::Io(m)) if m.contains("directory"))
    );
    let file = dir.join("risk.txt");
    std::fs::write(&file, r#"{"kind": "expression", "expression": "x^2"}"#).unwrap();
    assert!(
        matches!(Expression::from_spec(file.to_str().unwrap()), Err(EngineError::Io(m)) if m.contains("end in .json"))
    );
    let missing = dir.join("missing.json");
    match Expression::from_spec(missing.to_str().unwrap()) {
        Err(EngineError::Io(m)) => assert_one_clean_line(&m),
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Periodic potentials

#[test]
fn periodic_potentials_are_checked() {
    for (text, expect) in [
        ("x", "not 2π-periodic"),
        ("cos(x/2)", "not 2π-periodic"),
        ("x^2/2", "not 2π-periodic"),
        ("sin(x) + 1e-6*x", "not 2π-periodic"),
        ("1/0", "not a finite number"),
        ("exp(1000*cos(x))", "not finite"),
        ("400*cos(x)", "limit is 700"),
        ("exp(700*cos(x))", "limit is 700"),
        ("log(1 + cos(x))", "not finite"),
        ("cos(x) + y", "x alone"),
    ] {
        // The checks evaluate L at PERIODIC_SAMPLES fixed points; an expansion is bounded by MAX_WORK.
        let (r, work) = counted(|| Expression::parse_periodic(text));
        let m = parse_error(r);
        assert!(m.contains(expect), "{text}: {m}");
        assert_one_clean_line(&m);
        assert!(work <= MAX_WORK, "{text}: {work} term operations");
    }
    for text in ["-cos(x)", "cos(x)+0.5*sin(2*x)", "0", "1e6 + cos(3*x)", "300*cos(x)", "exp(sin(x))"] {
        assert!(Expression::parse_periodic(text).is_ok(), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Fuzz

fn cases(default: u32) -> ProptestConfig {
    let scale = std::env::var("EXPR_FUZZ_CASES").ok().and_then(|s| s.parse::<u32>().ok());
    ProptestConfig { cases: scale.unwrap_or(default), failure_persistence: None, ..ProptestConfig::default() }
}

/// Parses `text` every way and checks the outcome: no panic, Ok or a refusal of the allowed
/// kinds with one printable line, in bounded time; an accepted potential evaluates.
fn check(text: &str) -> Result<(), TestCaseError> {
    // No time assertion here (machines are noisy): hangs are the fuzz harness's to catch.
    let outcomes = [Expression::parse(text), Expression::parse_periodic(text)];
    let _ = Expr::parse(text);
    for outcome in outcomes {
        match outcome {
            Ok(p) => {
                for x in [[0.0, 0.0, 0.0], [1.5, -0.5, 2.0], [-7.0, 3.0, 0.25]] {
                    let _ = (p.value(&x), p.jet(&x), p.gradient(&x));
                }
            }
            Err(EngineError::Parse(m) | EngineError::NotConfining(m) | EngineError::InvalidParameter(m)) => {
                prop_assert!(!m.chars().any(|c| c.is_control()), "control character in {m:?}");
                prop_assert!(m.chars().count() <= 1000, "message of {} characters", m.chars().count());
            }
            Err(e) => prop_assert!(false, "unexpected error kind: {e}"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(3000))]
    #[test]
    fn fuzz_wild_expressions(text in expr_gen::wild_expression()) {
        check(&text)?;
    }
}

proptest! {
    #![proptest_config(cases(500))]
    #[test]
    fn fuzz_deep_and_long_expressions(text in expr_gen::deep_or_long_expression()) {
        check(&text)?;
    }
}

proptest! {
    #![proptest_config(cases(2000))]
    #[test]
    fn fuzz_junk(text in expr_gen::junk_expression()) {
        check(&text)?;
    }
}

#[test]
fn the_largest_expansions_allowed_stay_within_the_work_limit() {
    let p = "(1 + x + y + z)^12";
    for text in [
        "(1 + x + y + z)^29".to_string(),
        format!("({p})*({p})*({p})"),
        "((1 + x + y + z)^20)*((1 + x + y + z)^20)".to_string(),
        "((1 + x + y + z)^19)*((1 + x + y + z)^19)".to_string(),
        format!("({p}){}", "/1.5".repeat(1_000)),
        format!("-({p})") + &" - x".repeat(1_000),
        format!("({})^2", (0..60).map(|k| format!("x^{k}*y^{}", 60 - k)).collect::<Vec<_>>().join(" + ")),
        format!("({})^3", (0..22).map(|k| format!("x^{k}*z^{}", 21 - k)).collect::<Vec<_>>().join(" + ")),
    ] {
        let (r, work) = counted(|| Expr::parse(&text).unwrap().polynomial());
        eprintln!(
            "{work:>8} term operations  {}: {}",
            &text[..text.len().min(40)],
            r.as_ref().map_or_else(|e| e.to_string(), |p| format!("{} terms", p.as_ref().map_or(0, |p| p.terms.len())))
        );
        // The work that bounds the time of any expansion (measured: 10⁶ term operations take a
        // fraction of a second; that is a benchmark, not asserted here).
        assert!(work <= MAX_WORK, "{work} term operations");
    }
}
