//! Multivariate polynomials in up to three variables, used for the exact banded Galerkin path.

use crate::error::{EngineError, Result};
use crate::jet::{Grad, MAX_DIM};
use crate::rounding::Bounded;
use std::collections::BTreeMap;

/// Largest total degree an expression may expand to (the banded Galerkin path and the tables of
/// powers are built for moderate degrees; a higher one is refused, not expanded).
pub const MAX_DEGREE: u32 = 64;
/// Largest number of monomials of an expanded polynomial (and of every intermediate result).
pub const MAX_TERMS: usize = 5_000;
/// Largest number of monomial products (and additions) one expansion may perform: with the two
/// limits above, the expansion of any expression ends within a fraction of a second.
pub const MAX_WORK: u64 = 1_000_000;

/// Exponent vector of a monomial x^a y^b z^c.
pub type Monomial = [u32; 3];

/// A polynomial Σ c_α x^α with real coefficients.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Poly {
    /// Non-zero coefficients by exponent vector.
    pub terms: BTreeMap<Monomial, f64>,
}

impl Poly {
    /// The constant polynomial c.
    pub fn constant(c: f64) -> Self {
        let mut p = Poly::default();
        if c != 0.0 {
            p.terms.insert([0, 0, 0], c);
        }
        p
    }
    /// The coordinate x_i.
    pub fn variable(i: usize) -> Self {
        let mut m = [0; 3];
        m[i] = 1;
        let mut p = Poly::default();
        p.terms.insert(m, 1.0);
        p
    }
    /// The value when the polynomial is constant.
    pub fn as_constant(&self) -> Option<f64> {
        match self.terms.len() {
            0 => Some(0.0),
            1 => self.terms.get(&[0, 0, 0]).copied(),
            _ => None,
        }
    }
    /// c·p
    pub fn scale(&self, c: f64) -> Self {
        let mut p = self.clone();
        p.terms.values_mut().for_each(|v| *v *= c);
        p.prune()
    }
    /// p + q
    pub fn add(&self, q: &Poly) -> Self {
        let mut p = self.clone();
        for (m, c) in &q.terms {
            *p.terms.entry(*m).or_insert(0.0) += c;
        }
        p.prune()
    }
    /// p·q
    pub fn mul(&self, q: &Poly) -> Self {
        let mut p = Poly::default();
        for (a, ca) in &self.terms {
            for (b, cb) in &q.terms {
                let m = [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
                *p.terms.entry(m).or_insert(0.0) += ca * cb;
            }
        }
        p.prune()
    }
    /// p^n
    pub fn pow(&self, n: u32) -> Self {
        (0..n).fold(Poly::constant(1.0), |acc, _| acc.mul(self))
    }
    /// ∂p/∂x_i
    pub fn derivative(&self, i: usize) -> Self {
        let mut p = Poly::default();
        for (m, c) in &self.terms {
            if m[i] > 0 {
                let mut d = *m;
                d[i] -= 1;
                *p.terms.entry(d).or_insert(0.0) += c * m[i] as f64;
            }
        }
        p.prune()
    }
    /// Total degree (0 for the zero polynomial).
    pub fn degree(&self) -> u32 {
        self.terms.keys().map(|m| m.iter().sum()).max().unwrap_or(0)
    }
    /// Degree in variable i.
    pub fn degree_in(&self, i: usize) -> u32 {
        self.terms.keys().map(|m| m[i]).max().unwrap_or(0)
    }
    /// Substitutes x_i = c_i + s_i t_i and expands, giving the polynomial in t.
    #[allow(clippy::needless_range_loop)]
    pub fn affine_substitute(&self, centre: &[f64], scale: &[f64]) -> Self {
        let mut out = Poly::default();
        for (m, c) in &self.terms {
            let mut term = Poly::constant(*c);
            for i in 0..3 {
                if m[i] == 0 {
                    continue;
                }
                let ci = centre.get(i).copied().unwrap_or(0.0);
                let si = scale.get(i).copied().unwrap_or(1.0);
                let lin = Poly::constant(ci).add(&Poly::variable(i).scale(si));
                term = term.mul(&lin.pow(m[i]));
            }
            out = out.add(&term);
        }
        out
    }
    /// Substitutes x_i = c_i + Σ_j Q_ij t_j (a linear change of variables, Q row-major d×d) and
    /// expands, giving the polynomial in t (the monomials of x_i taken as powers of that sum).
    pub fn linear_substitute(&self, centre: &[f64], q: &[Vec<f64>]) -> Self {
        let linear: Vec<Poly> = (0..q.len())
            .map(|i| {
                let row = q[i].iter().enumerate().map(|(j, qij)| Poly::variable(j).scale(*qij));
                row.fold(Poly::constant(centre.get(i).copied().unwrap_or(0.0)), |acc, t| acc.add(&t))
            })
            .collect();
        let mut powers: Vec<Vec<Poly>> = linear.iter().map(|l| vec![Poly::constant(1.0), l.clone()]).collect();
        let mut out = Poly::default();
        for (m, c) in &self.terms {
            let mut term = Poly::constant(*c);
            for (i, table) in powers.iter_mut().enumerate() {
                while table.len() <= m[i] as usize {
                    let next = table[table.len() - 1].mul(&linear[i]);
                    table.push(next);
                }
                if m[i] > 0 {
                    term = term.mul(&table[m[i] as usize]);
                }
            }
            out = out.add(&term);
        }
        out
    }
    /// Value at a point.
    pub fn value(&self, x: &[f64]) -> f64 {
        self.terms
            .iter()
            .map(|(m, c)| c * (0..3).map(|i| x.get(i).copied().unwrap_or(0.0).powi(m[i] as i32)).product::<f64>())
            .sum()
    }
    /// Value and gradient at a point from tables of powers (no derivative polynomials built).
    pub fn grad(&self, x: &[f64]) -> Grad {
        const STACK: usize = 16;
        let degree = self.terms.keys().flat_map(|m| m.iter().copied()).max().unwrap_or(0) as usize;
        let fill = |row: &mut [f64], i: usize| {
            let xi = x.get(i).copied().unwrap_or(0.0);
            row[0] = 1.0;
            for k in 1..row.len() {
                row[k] = row[k - 1] * xi;
            }
        };
        if degree < STACK {
            let mut powers = [[0.0; STACK]; MAX_DIM];
            powers.iter_mut().enumerate().for_each(|(i, row)| fill(&mut row[..=degree], i));
            self.grad_from_powers(&powers.each_ref().map(|r| &r[..]))
        } else {
            let mut powers = [vec![0.0; degree + 1], vec![0.0; degree + 1], vec![0.0; degree + 1]];
            powers.iter_mut().enumerate().for_each(|(i, row)| fill(row, i));
            self.grad_from_powers(&powers.each_ref().map(|r| &r[..]))
        }
    }

    /// Σ c_α x^α and its gradient given powers[i][k] = x_i^k.
    fn grad_from_powers(&self, powers: &[&[f64]; MAX_DIM]) -> Grad {
        let mut out = Grad::constant(0.0);
        for (m, c) in &self.terms {
            let [a, b, e] = m.map(|k| k as usize);
            let (pa, pb, pe) = (powers[0][a], powers[1][b], powers[2][e]);
            out.v += c * pa * pb * pe;
            if a > 0 {
                out.g[0] += c * a as f64 * powers[0][a - 1] * pb * pe;
            }
            if b > 0 {
                out.g[1] += c * b as f64 * pa * powers[1][b - 1] * pe;
            }
            if e > 0 {
                out.g[2] += c * e as f64 * pa * pb * powers[2][e - 1];
            }
        }
        out
    }

    /// Drops zero coefficients.
    pub(crate) fn prune(mut self) -> Self {
        self.terms.retain(|_, c| *c != 0.0);
        self
    }
}

thread_local! {
    static WORK_ON_THIS_THREAD: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The term operations performed (charged and allowed) by every [`Expansion`] on the calling
/// thread so far (a counter for
/// tests: the difference across a call is the expansion work that call did, so a refusal
/// "before expanding" is a difference of 0, and any expansion is at most [`MAX_WORK`]).
pub fn expansion_work_on_this_thread() -> u64 {
    WORK_ON_THIS_THREAD.with(|w| w.get())
}

/// Polynomial arithmetic under the limits [`MAX_DEGREE`], [`MAX_TERMS`] and [`MAX_WORK`], checked
/// before each operation, so that an expansion like `((x+y+z)^64)^64` is refused at once instead
/// of running for minutes. The results are those of [`Poly::add`], [`Poly::mul`] and
/// [`Poly::pow`] (the same operations in the same order).
#[derive(Debug, Clone)]
pub struct Expansion {
    work: u64,
}

impl Default for Expansion {
    fn default() -> Self {
        Expansion::new()
    }
}

impl Expansion {
    /// A fresh budget of [`MAX_WORK`] operations.
    pub fn new() -> Self {
        Expansion { work: 0 }
    }

    fn charge(&mut self, n: u64) -> Result<()> {
        self.work = self.work.saturating_add(n);
        if self.work > MAX_WORK {
            return Err(EngineError::Parse(format!(
                "expanding the polynomial needs more than {MAX_WORK} term operations (the limit); \
                 write it with fewer or smaller powers"
            )));
        }
        WORK_ON_THIS_THREAD.with(|w| w.set(w.get().saturating_add(n)));
        Ok(())
    }

    fn check_terms(p: Poly) -> Result<Poly> {
        if p.terms.len() > MAX_TERMS {
            return Err(EngineError::Parse(format!(
                "the expanded polynomial has more than {MAX_TERMS} monomials (the limit)"
            )));
        }
        Ok(p)
    }

    /// Refuses a degree above [`MAX_DEGREE`], naming it.
    pub fn check_degree(degree: f64) -> Result<()> {
        if degree.is_nan() || degree > MAX_DEGREE as f64 {
            return Err(EngineError::Parse(format!(
                "the expanded polynomial would have degree {}; the limit is {MAX_DEGREE}",
                crate::error::short(degree)
            )));
        }
        Ok(())
    }

    /// acc ± q in place (coefficients as in [`Poly::add`]; zeros are kept until `Poly::prune`).
    pub fn add_assign(&mut self, acc: &mut Poly, q: &Poly, subtract: bool) -> Result<()> {
        self.charge(q.terms.len() as u64)?;
        for (m, c) in &q.terms {
            *acc.terms.entry(*m).or_insert(0.0) += if subtract { -c } else { *c };
        }
        if acc.terms.len() > MAX_TERMS {
            return Err(EngineError::Parse(format!(
                "the expanded polynomial has more than {MAX_TERMS} monomials (the limit)"
            )));
        }
        Ok(())
    }

    /// c·p
    pub fn scale(&mut self, p: &Poly, c: f64) -> Result<Poly> {
        self.charge(p.terms.len() as u64)?;
        Ok(p.scale(c))
    }

    /// p·q
    pub fn mul(&mut self, p: &Poly, q: &Poly) -> Result<Poly> {
        Expansion::check_degree(p.degree() as f64 + q.degree() as f64)?;
        self.charge((p.terms.len() as u64).saturating_mul(q.terms.len() as u64).max(1))?;
        Expansion::check_terms(p.mul(q))
    }

    /// p^n, by n multiplications as [`Poly::pow`].
    pub fn pow(&mut self, p: &Poly, n: u64) -> Result<Poly> {
        if let Some(c) = p.as_constant() {
            // A constant (e.g. the zero polynomial of `(x - x)^1e18`): no loop over n.
            return Ok(Poly::constant(if n == 0 { 1.0 } else { c.powf(n as f64) }));
        }
        Expansion::check_degree(p.degree() as f64 * n as f64)?;
        let mut acc = Poly::constant(1.0);
        for _ in 0..n {
            acc = self.mul(&acc, p)?;
        }
        Ok(acc)
    }
}

/// A polynomial whose coefficients carry a bound on their rounding error ([`Bounded`]): the same
/// operations as [`Poly`] in the same order, so the values equal those of [`Poly`], each
/// coefficient's error bound following the rules of [`crate::rounding`]. A coefficient is dropped
/// only when both its value and its error are zero.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoundedPoly {
    /// Coefficients by exponent vector.
    pub terms: BTreeMap<Monomial, Bounded>,
}

impl BoundedPoly {
    /// A polynomial whose coefficients are exact.
    pub fn exact(p: &Poly) -> Self {
        BoundedPoly { terms: p.terms.iter().map(|(m, c)| (*m, Bounded::exact(*c))).collect() }
    }
    fn constant(c: Bounded) -> Self {
        let mut p = BoundedPoly::default();
        p.terms.insert([0, 0, 0], c);
        p.prune()
    }
    /// c·p
    pub fn scale(&self, c: Bounded) -> Self {
        BoundedPoly { terms: self.terms.iter().map(|(m, v)| (*m, v.mul(c))).collect() }.prune()
    }
    /// p + q
    pub fn add(&self, q: &BoundedPoly) -> Self {
        let mut p = self.clone();
        for (m, c) in &q.terms {
            let e = p.terms.entry(*m).or_insert(Bounded::exact(0.0));
            *e = e.add(*c);
        }
        p.prune()
    }
    /// p·q
    pub fn mul(&self, q: &BoundedPoly) -> Self {
        let mut p = BoundedPoly::default();
        for (a, ca) in &self.terms {
            for (b, cb) in &q.terms {
                let e = p.terms.entry([a[0] + b[0], a[1] + b[1], a[2] + b[2]]).or_insert(Bounded::exact(0.0));
                *e = e.add(ca.mul(*cb));
            }
        }
        p.prune()
    }
    /// ∂p/∂x_i (the exponent, an integer, is exact).
    pub fn derivative(&self, i: usize) -> Self {
        let mut p = BoundedPoly::default();
        for (m, c) in &self.terms {
            if m[i] > 0 {
                let mut d = *m;
                d[i] -= 1;
                let e = p.terms.entry(d).or_insert(Bounded::exact(0.0));
                *e = e.add(c.mul(Bounded::exact(m[i] as f64)));
            }
        }
        p.prune()
    }
    /// Substitutes x_i = c_i + s_i t_i and expands, as [`Poly::affine_substitute`] (c_i and s_i
    /// are exact: they define the variable t).
    #[allow(clippy::needless_range_loop)]
    pub fn affine_substitute(&self, centre: &[f64], scale: &[f64]) -> Self {
        let mut out = BoundedPoly::default();
        for (m, c) in &self.terms {
            let mut term = BoundedPoly::constant(*c);
            for i in 0..3 {
                if m[i] == 0 {
                    continue;
                }
                let ci = BoundedPoly::exact(&Poly::constant(centre.get(i).copied().unwrap_or(0.0)));
                let si = Bounded::exact(scale.get(i).copied().unwrap_or(1.0));
                let lin = ci.add(&BoundedPoly::exact(&Poly::variable(i)).scale(si));
                let power = (0..m[i]).fold(BoundedPoly::constant(Bounded::exact(1.0)), |acc, _| acc.mul(&lin));
                term = term.mul(&power);
            }
            out = out.add(&term);
        }
        out
    }
    /// Degree in variable i.
    pub fn degree_in(&self, i: usize) -> u32 {
        self.terms.keys().map(|m| m[i]).max().unwrap_or(0)
    }
    fn prune(mut self) -> Self {
        self.terms.retain(|_, c| c.value != 0.0 || c.error != 0.0);
        self
    }
}
