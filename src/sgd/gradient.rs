//! The gradient ∇L evaluated once per step and chain: a polynomial is flattened into one list of
//! monomials per partial derivative, evaluated from a small table of powers on the stack (no
//! allocation, no map traversal); any other risk goes through [`Potential::gradient`].

use crate::jet::MAX_DIM;
use crate::polynomial::Poly;
use crate::potential::Potential;

/// Largest degree in one variable handled by the flat path (powers tabled on the stack).
const MAX_FLAT_DEGREE: usize = 15;

/// One monomial c·x^a y^b z^c of a partial derivative.
#[derive(Debug, Clone, Copy)]
struct Term {
    coefficient: f64,
    powers: [usize; MAX_DIM],
}

/// ∇L ready for repeated evaluation.
#[derive(Debug, Clone)]
pub struct RiskGradient<'a>(Form<'a>);

#[derive(Debug, Clone)]
enum Form<'a> {
    /// d = 1: L'(x) = Σ_t c_t x^{a_t}, as (c_t, a_t) in the order of the flat form; `ascending`
    /// when the a_t never decrease (then the powers are formed on the way, [`line_sum`]).
    Line { terms: Vec<(f64, usize)>, degree: usize, ascending: bool },
    /// ∂L/∂x_i = Σ_t c_t x^α_t, one term list per coordinate; `degree` is the largest exponent.
    Flat { partials: Vec<Vec<Term>>, degree: usize },
    /// The engine's exact gradient of a non-polynomial risk.
    General(&'a dyn Potential),
}

impl<'a> RiskGradient<'a> {
    /// The fast flat form when L is a polynomial of moderate degree, else the general path.
    pub fn new(potential: &'a dyn Potential) -> Self {
        let d = potential.dim();
        match potential.poly() {
            Some(p) if p.terms.keys().flatten().all(|&k| (k as usize) <= MAX_FLAT_DEGREE + 1) => {
                let partials: Vec<Vec<Term>> = (0..d).map(|i| flat_terms(&p.derivative(i))).collect();
                let degree = partials.iter().flatten().flat_map(|t| t.powers).max().unwrap_or(0);
                if d == 1 {
                    let terms: Vec<(f64, usize)> = partials[0].iter().map(|t| (t.coefficient, t.powers[0])).collect();
                    let ascending = terms.windows(2).all(|p| p[0].1 <= p[1].1);
                    return RiskGradient(Form::Line { terms, degree, ascending });
                }
                RiskGradient(Form::Flat { partials, degree })
            }
            _ => RiskGradient(Form::General(potential)),
        }
    }

    /// Whether the flat polynomial path is used.
    pub fn is_flat(&self) -> bool {
        matches!(self.0, Form::Flat { .. } | Form::Line { .. })
    }

    /// Writes ∇L(w) into `out` (both of length d).
    #[inline]
    pub fn eval(&self, w: &[f64], out: &mut [f64]) {
        match &self.0 {
            Form::Line { terms, ascending: true, .. } => out[0] = line_sum(terms, w[0]),
            Form::Line { terms, degree, .. } => {
                // The flat form's arithmetic without the unit factors of absent variables.
                let mut powers = [1.0f64; MAX_FLAT_DEGREE + 1];
                for k in 1..=*degree {
                    powers[k] = powers[k - 1] * w[0];
                }
                out[0] = terms.iter().map(|&(c, a)| c * powers[a]).sum();
            }
            Form::Flat { partials, degree } if *degree < LOW_DEGREE => {
                flat_sum::<LOW_DEGREE>(partials, *degree, w, out)
            }
            Form::Flat { partials, degree } => flat_sum::<{ MAX_FLAT_DEGREE + 1 }>(partials, *degree, w, out),
            Form::General(p) => {
                let g = p.gradient(w);
                out.copy_from_slice(&g.g[..out.len()]);
            }
        }
    }
}

impl<'a> RiskGradient<'a> {
    /// ∇L at the points of `active` lanes side by side: w_i of lane l at `w[i][l]`, ∂L/∂w_i at
    /// `out[i][l]` (i < d). Each lane's value is [`RiskGradient::eval`]'s bit for bit: the polynomial
    /// forms do the same operations in the same order on every lane (lanes at and above `active`
    /// are computed too and not read); the general form evaluates the active lanes one by one.
    #[inline]
    pub(crate) fn eval_lanes<const L: usize>(
        &self,
        w: &[[f64; L]; MAX_DIM],
        active: usize,
        out: &mut [[f64; L]; MAX_DIM],
    ) {
        match &self.0 {
            Form::Line { terms, ascending: true, .. } => out[0] = line_sum_lanes(terms, &w[0]),
            Form::Flat { partials, degree } if *degree < LOW_DEGREE => {
                flat_sum_lanes::<LOW_DEGREE, L>(partials, *degree, w, out)
            }
            Form::Flat { partials, degree } => flat_sum_lanes::<{ MAX_FLAT_DEGREE + 1 }, L>(partials, *degree, w, out),
            _ => self.eval_lane_by_lane(w, active, out),
        }
    }

    /// [`RiskGradient::eval`] at each of the first `active` lanes' points.
    fn eval_lane_by_lane<const L: usize>(&self, w: &[[f64; L]; MAX_DIM], active: usize, out: &mut [[f64; L]; MAX_DIM]) {
        let d = match &self.0 {
            Form::Line { .. } => 1,
            Form::Flat { partials, .. } => partials.len(),
            Form::General(p) => p.dim(),
        };
        for l in 0..active.min(L) {
            let point: [f64; MAX_DIM] = std::array::from_fn(|i| w[i][l]);
            let mut g = [0.0; MAX_DIM];
            self.eval(&point[..d], &mut g[..d]);
            for (row, gi) in out.iter_mut().zip(&g[..d]) {
                row[l] = *gi;
            }
        }
    }
}

/// [`line_sum`] at every lane's x: the same products and sums, lane by lane.
#[inline]
fn line_sum_lanes<const L: usize>(terms: &[(f64, usize)], x: &[f64; L]) -> [f64; L] {
    let (mut sum, mut power, mut k) = ([-0.0; L], [1.0; L], 0);
    for &(c, a) in terms {
        while k < a {
            power.iter_mut().zip(x).for_each(|(p, x)| *p *= x);
            k += 1;
        }
        sum.iter_mut().zip(&power).for_each(|(s, p)| *s += c * p);
    }
    sum
}

/// [`flat_sum`] at every lane's point: powers tabled per coordinate and lane, each term's product
/// c·x^a·y^b·z^c in the same order, summed from −0.0 in term order (as `Iterator::sum`).
#[inline]
fn flat_sum_lanes<const K: usize, const L: usize>(
    partials: &[Vec<Term>],
    degree: usize,
    w: &[[f64; L]; MAX_DIM],
    out: &mut [[f64; L]; MAX_DIM],
) {
    let mut powers = [[[1.0f64; L]; K]; MAX_DIM];
    for (row, x) in powers.iter_mut().zip(w).take(partials.len()) {
        for k in 1..=degree {
            let (below, here) = row.split_at_mut(k);
            here[0].iter_mut().zip(&below[k - 1]).zip(x).for_each(|((p, q), x)| *p = q * x);
        }
    }
    for (o, terms) in out.iter_mut().zip(partials) {
        *o = [-0.0; L];
        for t in terms {
            let [a, b, c] = [&powers[0][t.powers[0]], &powers[1][t.powers[1]], &powers[2][t.powers[2]]];
            o.iter_mut().zip(a).zip(b).zip(c).for_each(|(((o, a), b), c)| *o += t.coefficient * a * b * c);
        }
    }
}

/// Table length of the powers when every exponent is below it (the common low-degree risks):
/// fewer entries to set per evaluation.
const LOW_DEGREE: usize = 4;

/// Σ_t c_t x^{a_t} with x^a = 1·x·…·x (a factors, in order), the value of the tabled powers,
/// formed on the way through terms of non-decreasing a_t; summed from −0.0 in term order as
/// `Iterator::sum` does.
#[inline]
fn line_sum(terms: &[(f64, usize)], x: f64) -> f64 {
    let (mut sum, mut power, mut k) = (-0.0, 1.0, 0);
    for &(c, a) in terms {
        while k < a {
            power *= x;
            k += 1;
        }
        sum += c * power;
    }
    sum
}

/// ∂L/∂x_i = Σ_t c_t x^α_t per coordinate from powers tabled up to `degree` < `K` (x^0 = 1).
#[inline]
fn flat_sum<const K: usize>(partials: &[Vec<Term>], degree: usize, w: &[f64], out: &mut [f64]) {
    let mut powers = [[1.0f64; K]; MAX_DIM];
    for (row, &x) in powers.iter_mut().zip(w) {
        for k in 1..=degree {
            row[k] = row[k - 1] * x;
        }
    }
    for (o, terms) in out.iter_mut().zip(partials) {
        *o = terms
            .iter()
            .map(|t| t.coefficient * powers[0][t.powers[0]] * powers[1][t.powers[1]] * powers[2][t.powers[2]])
            .sum();
    }
}

fn flat_terms(p: &Poly) -> Vec<Term> {
    p.terms
        .iter()
        .map(|(m, &c)| Term { coefficient: c, powers: [m[0] as usize, m[1] as usize, m[2] as usize] })
        .collect()
}
