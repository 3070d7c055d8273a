//! The engine's own [`Potential`]: an expression in x, y, z (see [`crate::expr`]), parsed from
//! text or from a JSON fixture `{"kind": "expression", "expression": "..."}`.

use super::{confinement, Potential};
use crate::error::{short, EngineError, Result};
use crate::expr::{printable, quote, Expr};
use crate::jet::{Grad, Jet};
use crate::polynomial::Poly;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::io::Read;
use std::path::Path;

/// Points on which [`Expression::parse_periodic`] checks a periodic potential.
pub const PERIODIC_SAMPLES: usize = 400;
/// Largest max L − min L of a periodic potential: the spectral method on the circle works with
/// e^{∓L}, which overflows beyond about e^{709}.
pub const MAX_PERIODIC_SPREAD: f64 = 700.0;
/// Largest fixture file read.
pub const MAX_FIXTURE_BYTES: u64 = 64 << 20;

/// A library error message (serde's) made one printable line of bounded length.
fn excerpt_message(message: &str) -> String {
    let line = printable(message);
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line
    }
}

/// A potential given by an expression in x, y, z; `poly` is set when it is a polynomial, with
/// `term_sizes` its [`TermSizes`] (empty otherwise).
#[derive(Debug, Clone)]
pub struct Expression {
    text: String,
    expr: Expr,
    poly: Option<Poly>,
    dim: usize,
    term_sizes: TermSizes,
}

/// The JSON form of an expression fixture.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Fixture {
    Expression { expression: String },
}

impl Expression {
    /// Parses an expression in x, y, z and checks that it is confining (e^{−L} integrable, see
    /// [`crate::potential::confinement`]).
    pub fn parse(text: &str) -> Result<Self> {
        let p = Expression::parse_unchecked(text)?;
        p.check_confining()?;
        Ok(p)
    }

    /// Parses an expression (within the limits of [`crate::expr`], its polynomial within those of
    /// [`crate::polynomial`]) without checking confinement or periodicity: for tests and for
    /// callers that check the potential themselves.
    pub fn parse_unchecked(text: &str) -> Result<Self> {
        let expr = Expr::parse(text)?;
        let dim = expr.dim();
        let poly = expr.polynomial()?;
        let term_sizes = poly.as_ref().map(TermSizes::of).unwrap_or_default();
        Ok(Expression { text: text.to_string(), expr, poly, dim, term_sizes })
    }

    /// Parses a 2π-periodic potential of x alone, for the kinetic problem on the circle
    /// (`Kinetic::periodic`, d = 1), where confinement is replaced by compactness (e.g. `-cos(x)`).
    /// Checked on a grid of [`PERIODIC_SAMPLES`] points: L and L' finite, L(x + 2π) = L(x) to
    /// 1e-9 of max |L| (at least 1e-9), and max L − min L at most [`MAX_PERIODIC_SPREAD`].
    pub fn parse_periodic(text: &str) -> Result<Self> {
        let p = Expression::parse_unchecked(text)?;
        p.check_periodic()?;
        Ok(p)
    }

    /// The checks of [`Expression::parse_periodic`].
    fn check_periodic(&self) -> Result<()> {
        let bad = |m: String| Err(EngineError::Parse(m));
        if self.dim() != 1 {
            return bad(format!(
                "a periodic potential is a function of x alone (w lives on the circle, d = 1), got d = {}",
                self.dim()
            ));
        }
        let two_pi = 2.0 * std::f64::consts::PI;
        // The grid 2πk/n (where the spectral method samples) and the same grid shifted.
        let xs = (0..PERIODIC_SAMPLES).map(|k| {
            let shift = if k % 2 == 0 { 0.0 } else { 0.381966 };
            two_pi * ((k / 2) as f64 + shift) / (PERIODIC_SAMPLES / 2) as f64
        });
        let mut samples = Vec::with_capacity(PERIODIC_SAMPLES);
        for x in xs {
            let j = self.jet(&[x]);
            let shifted = self.value(&[x + two_pi]);
            if !j.v.is_finite() {
                return bad(format!(
                    "L({}) = {} is not finite; a periodic potential is finite on the circle",
                    short(x),
                    j.v
                ));
            }
            if !j.g[0].is_finite() {
                return bad(format!(
                    "L'({}) = {} is not finite; a periodic potential is smooth on the circle",
                    short(x),
                    j.g[0]
                ));
            }
            samples.push((x, j.v, shifted));
        }
        let scale = samples.iter().fold(1.0f64, |m, s| m.max(s.1.abs()));
        for &(x, v, shifted) in &samples {
            if !(shifted - v).abs().le(&(1e-9 * scale)) {
                return bad(format!(
                    "L is not 2π-periodic in x: L({}) = {} but L({} + 2π) = {}",
                    short(x),
                    short(v),
                    short(x),
                    short(shifted)
                ));
            }
        }
        let lo = samples.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
        let hi = samples.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
        if hi - lo > MAX_PERIODIC_SPREAD {
            return bad(format!(
                "max L − min L = {} over the circle; the limit is {MAX_PERIODIC_SPREAD} (e^{{−L}} would \
                 over- or underflow in the spectral method)",
                short(hi - lo)
            ));
        }
        Ok(())
    }

    /// Reads a potential from a SPEC: a JSON fixture when SPEC ends in `.json`, an expression
    /// otherwise (a file that happens to be named like an expression is never read).
    pub fn from_spec(spec: &str) -> Result<Self> {
        if spec.ends_with(".json") {
            return Expression::from_fixture(Path::new(spec));
        }
        match Expression::parse(spec) {
            Err(EngineError::Parse(message)) => {
                // Not an expression: say so plainly when it names a directory or another file.
                let path = Path::new(spec);
                if path.is_dir() {
                    Err(EngineError::Io(format!("{} is a directory, not a fixture (a .json file)", quote(spec))))
                } else if path.is_file() {
                    Err(EngineError::Io(format!(
                        "{} is a file but not a fixture: fixture names end in .json",
                        quote(spec)
                    )))
                } else if spec.contains(['/', std::path::MAIN_SEPARATOR]) && !spec.contains(['+', '*', '^', '(', ' ']) {
                    // Looks like a path rather than an expression.
                    Err(EngineError::Parse(format!(
                        "{message}; and there is no file {} (fixture names end in .json)",
                        quote(spec)
                    )))
                } else {
                    Err(EngineError::Parse(message))
                }
            }
            other => other,
        }
    }

    /// Reads a JSON fixture `{"kind": "expression", "expression": "..."}` (see [`read_fixture`]).
    pub fn from_fixture(path: &Path) -> Result<Self> {
        let Fixture::Expression { expression } = read_fixture(path)?;
        Expression::parse(&expression)
    }

    /// Builds the potential from a JSON value of the fixture form (see [`fixture_from_json`]).
    pub fn from_json(value: &serde_json::Value) -> Result<Self> {
        let Fixture::Expression { expression } = fixture_from_json(value)?;
        Expression::parse(&expression)
    }

    /// The parsed expression tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Checks that L is confining ([`super::check_confining`]).
    pub fn check_confining(&self) -> Result<()> {
        confinement::confirm(self)
    }
}

impl Potential for Expression {
    fn dim(&self) -> usize {
        self.dim
    }

    fn describe(&self) -> String {
        self.text.clone()
    }

    fn value(&self, w: &[f64]) -> f64 {
        self.expr.value(w)
    }

    /// The expanded polynomial's gradient where its terms do not cancel (cheaper), the
    /// expression tree's otherwise ([`TermSizes`]).
    fn gradient(&self, w: &[f64]) -> Grad {
        match &self.poly {
            Some(p) => {
                let g = p.grad(w);
                if self.term_sizes.well_conditioned(w, g.v) {
                    g
                } else {
                    self.expr.grad(w)
                }
            }
            None => self.expr.grad(w),
        }
    }

    fn jet(&self, w: &[f64]) -> Jet {
        self.expr.jet(w)
    }

    fn poly(&self) -> Option<Poly> {
        self.poly.clone()
    }

    /// The expression's batch program.
    fn values(&self, columns: &[&[f64]], out: &mut [f64]) {
        self.expr.values(columns, out)
    }

    fn nan_from_overflow(&self, w: &[f64]) -> bool {
        self.expr.value_with_overflow_nan(w).1
    }

    fn pole(&self) -> Option<String> {
        confinement::vanishing_divisor(&self.expr, self.dim)
    }
}

/// Reads a JSON fixture file of at most [`MAX_FIXTURE_BYTES`] as a `T` (its `"potential"` member
/// when it has one, the whole document otherwise), with one-line errors naming the file. Other
/// kinds of potential than [`Expression`] read their fixtures through it too.
pub fn read_fixture<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let name = quote(&path.display().to_string());
    if path.is_dir() {
        return Err(EngineError::Io(format!("{name} is a directory, not a fixture (a .json file)")));
    }
    let cannot =
        |e: std::io::Error| EngineError::Io(format!("cannot read fixture {name}: {}", printable(&e.to_string())));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_FIXTURE_BYTES + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > MAX_FIXTURE_BYTES {
        return Err(EngineError::Parse(format!("fixture {name} is larger than {MAX_FIXTURE_BYTES} bytes (the limit)")));
    }
    let text = String::from_utf8(bytes).map_err(|_| EngineError::Parse(format!("fixture {name} is not UTF-8 text")))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| EngineError::Parse(format!("fixture {name} is not valid JSON: {}", printable(&e.to_string()))))?;
    let body = value.get("potential").cloned().unwrap_or(value);
    serde_json::from_value(body)
        .map_err(|e| EngineError::Parse(format!("fixture {name}: {}", excerpt_message(&e.to_string()))))
}

/// A JSON value of a fixture's form as a `T`, with a one-line error.
pub fn fixture_from_json<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| EngineError::Parse(format!("potential: {}", excerpt_message(&e.to_string()))))
}

/// Largest ratio Σ|c_α x^α| / (1 + |L(x)|) at which the expanded polynomial is trusted for
/// [`Potential::gradient`]: its sum then loses at most about 6 bits more than the expression.
const MAX_CANCELLATION: f64 = 64.0;

/// The sizes s_k = Σ_{|α| = k} |c_α| of an expanded polynomial's terms by total degree k.
///
/// At a point with max |x_i| ≤ r the terms the expansion sums obey Σ |c_α x^α| ≤ P̄(r) = Σ_k s_k r^k,
/// and the rounding of the sum is about ε·P̄(r). Far from where the user's expression is centred
/// (((x − 50)² − 1)² near x = 50: P̄ ≈ 1e7 where L ≈ 1) the expansion cancels many digits that
/// the expression tree keeps, so [`Potential::gradient`] falls back to the tree there.
#[derive(Debug, Clone, Default)]
pub struct TermSizes(Vec<f64>);

impl TermSizes {
    /// The term sizes of p.
    pub fn of(p: &Poly) -> TermSizes {
        let mut sizes = vec![0.0; p.degree() as usize + 1];
        for (m, c) in &p.terms {
            sizes[m.iter().sum::<u32>() as usize] += c.abs();
        }
        TermSizes(sizes)
    }

    /// P̄(max |x_i|) by Horner.
    pub fn bound(&self, x: &[f64]) -> f64 {
        let r = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        self.0.iter().rev().fold(0.0, |acc, s| acc * r + s)
    }

    /// Whether the expansion's sum at x (value `value`) cancels at most `MAX_CANCELLATION`.
    pub fn well_conditioned(&self, x: &[f64], value: f64) -> bool {
        self.bound(x) <= MAX_CANCELLATION * (1.0 + value.abs())
    }
}
