//! Proptest generators of potential expressions for fuzzing the parser and `Expression::parse`:
//! well-formed but numerically wild expressions (huge and tiny constants, nested exp/log, towers
//! of powers), very deep or very long ones, broken ones and plain junk.
//!
//! Reusable from any test target with
//! `#[path = "common/expr_gen.rs"] mod expr_gen;` and `expr_gen::any_expression()`; a long fuzz
//! run is `EXPR_FUZZ_CASES=200000 cargo test --release --test expr_fuzz` (see `tests/expr_fuzz.rs`).

#![allow(dead_code)]

use proptest::prelude::*;

/// A number as typed: ordinary, integer, huge, tiny, zero, overflowing, or malformed.
pub fn number() -> BoxedStrategy<String> {
    prop_oneof![
        4 => (-100.0f64..100.0).prop_map(|v| format!("{v}")),
        3 => (0u32..70).prop_map(|n| n.to_string()),
        1 => (-320i32..320).prop_map(|e| format!("1e{e}")),
        1 => (1.0f64..10.0, 290i32..330).prop_map(|(m, e)| format!("{m:.3}e{e}")),
        1 => (1.0f64..10.0, 290i32..330).prop_map(|(m, e)| format!("{m:.3}e-{e}")),
        1 => Just("0".to_string()),
        1 => Just("pi".to_string()),
        1 => prop::sample::select(vec!["1e", "1.2.3", ".", "1e+", "00.5e-3"]).prop_map(String::from),
    ]
    .boxed()
}

/// A variable x, y or z.
pub fn variable() -> BoxedStrategy<String> {
    prop::sample::select(vec!["x", "y", "z"]).prop_map(String::from).boxed()
}

/// A well-formed expression of bounded size: numbers, variables, `+ - * / ^`, unary minus and
/// the six functions, with numerically wild constants and exponents.
pub fn wild_expression() -> BoxedStrategy<String> {
    let leaf = prop_oneof![3 => variable(), 2 => number()];
    leaf.prop_recursive(6, 48, 3, |inner| {
        prop_oneof![
            3 => (inner.clone(), prop::sample::select(vec!["+", "-", "*", "/"]), inner.clone())
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            2 => (inner.clone(), number()).prop_map(|(a, n)| format!("({a})^{n}")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})^({b})")),
            1 => inner.clone().prop_map(|a| format!("-{a}")),
            2 => (prop::sample::select(vec!["exp", "log", "ln", "sqrt", "sin", "cos", "tanh"]), inner.clone())
                .prop_map(|(f, a)| format!("{f}({a})")),
            1 => inner.clone().prop_map(|a| format!("({a})")),
            1 => (inner.clone(), 1u32..4).prop_map(|(a, n)| {
                // exp(exp(…)) and log(log(…)) towers.
                let f = if n % 2 == 0 { "exp" } else { "log" };
                format!("{}{a}{}", format!("{f}(").repeat(n as usize), ")".repeat(n as usize))
            }),
        ]
    })
    .boxed()
}

/// A deep or long expression around the limits: nested parentheses, function calls, exponent
/// towers, runs of unary minus, long flat sums and products (up to a few times the limits).
pub fn deep_or_long_expression() -> BoxedStrategy<String> {
    let core = prop_oneof![Just("x^2/2".to_string()), Just("x^2 + y^2".to_string()), wild_expression()];
    prop_oneof![
        (0usize..1000, core.clone()).prop_map(|(n, e)| format!("{}{e}{}", "(".repeat(n), ")".repeat(n))),
        (0usize..30_000, core.clone()).prop_map(|(n, e)| format!("{}{e}{}", "(".repeat(n), ")".repeat(n))),
        (0usize..400, core.clone()).prop_map(|(n, e)| format!("{}{e}{}", "exp(".repeat(n), ")".repeat(n))),
        (0usize..30_000, core.clone()).prop_map(|(n, e)| format!("{}{e}", "-".repeat(n))),
        (1usize..20_000, core.clone()).prop_map(|(n, e)| vec![e; n].join(" + ")),
        (1usize..6_000, variable()).prop_map(|(n, v)| format!("x^2/2 + {}", vec![v; n].join(" - "))),
        (1usize..20_000).prop_map(|n| vec!["x"; n].join("*")),
        (1usize..500, number()).prop_map(|(n, k)| format!("x{}", format!("^{k}").repeat(n))),
        (1usize..300).prop_map(|n| format!("x{}", "^-x".repeat(n))),
        (0u32..200, 0u32..200).prop_map(|(a, b)| format!("((x+y+z)^{a})^{b}")),
        (0u32..100, 1u32..100).prop_map(|(a, b)| format!("(1 + x + y + z)^{a} * (x - y)^{b}")),
        (0usize..3_000).prop_map(|n| format!("x^2/2{}", " + 0.001*exp(-x^2)".repeat(n))),
    ]
    .boxed()
}

/// Malformed or hostile text: random printable and control characters, unbalanced
/// parentheses, mutations of well-formed expressions, non-ASCII.
pub fn junk_expression() -> BoxedStrategy<String> {
    prop_oneof![
        ".{0,40}",
        "[-+*/^() xyz0-9.e]{0,60}",
        "[\\x00-\\x1f\\x7f\\u{202e}\\u{200b}λ² xyz()+]{0,20}",
        (wild_expression(), any::<prop::sample::Index>(), ".{1,3}").prop_map(|(e, at, s)| {
            let chars: Vec<char> = e.chars().collect();
            let k = at.index(chars.len() + 1);
            chars[..k].iter().copied().chain(s.chars()).chain(chars[k..].iter().copied()).collect()
        }),
        (wild_expression(), any::<prop::sample::Index>()).prop_map(|(e, at)| {
            let chars: Vec<char> = e.chars().collect();
            chars[..at.index(chars.len() + 1)].iter().collect()
        }),
    ]
    .boxed()
}

/// Any of the above: the generator of the fuzz test.
pub fn any_expression() -> BoxedStrategy<String> {
    prop_oneof![5 => wild_expression(), 2 => deep_or_long_expression(), 2 => junk_expression()].boxed()
}
