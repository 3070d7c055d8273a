//! Choice of the Hermite basis axes: the centre from the mean of p_∞ ∝ e^{−L/D}, and the scales
//! by minimising, with argmin, the sum of the lowest Ritz values at a probe size. Rayleigh–Ritz
//! values are upper bounds of the true eigenvalues, so the smaller the sum the better the basis.

use crate::basis::{HermiteBasis, IndexSet};
use crate::eigen::{lowest_eigenvalues_dense, lowest_eigenvalues_from_factor};
use crate::error::{short, EngineError, Result};
use crate::operator::Overdamped;
use crate::polynomial::Poly;
use crate::potential::{Expression, Potential};
use argmin::core::{CostFunction, Executor};
use argmin::solver::brent::BrentOpt;
use argmin::solver::neldermead::NelderMead;

/// Mean and variance per axis of e^{−ηL}, by a Riemann sum on a box holding its mass: boxes
/// around the origin of half-width 2, 4, …, 4096, then (when the mass lies elsewhere) the same
/// boxes around the lowest point of L ([`crate::potential::confinement::landscape`]). The potential has
/// passed the confinement test, so a box that never holds the mass means that η is too small
/// (the temperature 1/η, e.g. the diffusion D, too large) for the scale of L.
pub fn gibbs_moments(potential: &dyn Potential, eta: f64) -> Result<(Vec<f64>, Vec<f64>)> {
    let d = potential.dim();
    let rise = match moments_in_box(potential, eta, &vec![0.0; d]) {
        Ok(moments) => return Ok(moments),
        Err(rise) => rise,
    };
    let centre = crate::potential::confinement::landscape(potential)?.minimum;
    let rise = match moments_in_box(potential, eta, &centre) {
        Ok(moments) => return Ok(moments),
        Err(r) => r.max(rise),
    };
    Err(EngineError::InvalidParameter(format!(
        "the temperature 1/η = {} (D; D_v/g if kinetic) is too large: L rises by only {} within {} \
         of its minimum, short of the 40/η that confines e^(−ηL)",
        short(1.0 / eta),
        short(rise),
        short(MAX_HALF)
    )))
}

/// Largest half-width of the moment boxes.
const MAX_HALF: f64 = 4096.0;

/// Moments on boxes of half-width 2, 4, …, [`MAX_HALF`] around `centre`; Err(rise of L from its
/// lowest sample to its lowest edge sample on the largest box) when none holds the mass.
fn moments_in_box(
    potential: &dyn Potential,
    eta: f64,
    centre: &[f64],
) -> std::result::Result<(Vec<f64>, Vec<f64>), f64> {
    let d = potential.dim();
    let m = match d {
        1 => 801,
        2 => 121,
        _ => 41,
    };
    let mut half = 2.0f64;
    let (mut mean, mut var) = (vec![0.0; d], vec![0.0; d]);
    let mut rise = f64::NAN;
    while half <= MAX_HALF {
        let (lmin, edge_min, pts) = sample_box(potential, centre, half, m, d);
        rise = edge_min - lmin;
        if rise * eta > 40.0 {
            let weights: Vec<f64> = pts.iter().map(|(_, l)| (-(l - lmin) * eta).exp()).collect();
            let total: f64 = weights.iter().sum();
            for j in 0..d {
                mean[j] = pts.iter().zip(&weights).map(|((x, _), w)| w * x[j]).sum::<f64>() / total;
                var[j] = pts.iter().zip(&weights).map(|((x, _), w)| w * (x[j] - mean[j]).powi(2)).sum::<f64>() / total;
            }
            let h = 2.0 * half / (m - 1) as f64;
            var.iter_mut().for_each(|v| *v = v.max(h * h));
            return Ok((mean, var));
        }
        half *= 2.0;
    }
    Err(rise)
}

type Samples = Vec<(Vec<f64>, f64)>;

fn sample_box(potential: &dyn Potential, centre: &[f64], half: f64, m: usize, d: usize) -> (f64, f64, Samples) {
    let total = m.pow(d as u32);
    let mut pts = Vec::with_capacity(total);
    let mut lmin = f64::INFINITY;
    let mut edge_min = f64::INFINITY;
    for k in 0..total {
        let mut rem = k;
        let mut x = vec![0.0; d];
        let mut on_edge = false;
        for (j, xj) in x.iter_mut().enumerate() {
            let i = rem % m;
            rem /= m;
            *xj = centre[j] - half + 2.0 * half * i as f64 / (m - 1) as f64;
            on_edge |= i == 0 || i == m - 1;
        }
        let l = potential.value(&x);
        if l.is_finite() {
            lmin = lmin.min(l);
            if on_edge {
                edge_min = edge_min.min(l);
            }
            pts.push((x, l));
        }
    }
    (lmin, edge_min, pts)
}

struct RitzSum<'a> {
    op: &'a Overdamped<'a>,
    centre: Vec<f64>,
    scale0: Vec<f64>,
    sizes: Vec<usize>,
    kind: IndexSet,
    count: usize,
    /// Axes whose scale is searched; the others keep `scale0`.
    free: Vec<usize>,
}

impl RitzSum<'_> {
    fn eval(&self, log_factors: &[f64]) -> f64 {
        let mut scale = self.scale0.clone();
        for (&j, f) in self.free.iter().zip(log_factors) {
            scale[j] *= f.exp();
        }
        let Ok(basis) = HermiteBasis::new(self.centre.clone(), scale, self.sizes.clone(), self.kind) else {
            return f64::INFINITY;
        };
        // A polynomial L has the exact banded H (the same Galerkin matrix as BᵀB, whose
        // quadrature is exact for it), far cheaper than the QR of B at the probe size. The sum
        // needs the Ritz values only: no eigenvectors.
        let k = self.count + 1;
        let values = match self.op.potential.poly() {
            Some(_) => self.op.sparse_matrix(&basis).and_then(|h| lowest_eigenvalues_dense(h.to_dense().as_ref(), k)),
            None => self.op.factor(&basis).and_then(|b| lowest_eigenvalues_from_factor(b, k)),
        };
        match values {
            Ok(v) => v.iter().sum(),
            Err(_) => f64::INFINITY,
        }
    }
}

impl CostFunction for RitzSum<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.eval(p))
    }
}

struct RitzSum1<'a>(RitzSum<'a>);

impl CostFunction for RitzSum1<'_> {
    type Param = f64;
    type Output = f64;
    fn cost(&self, p: &f64) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.0.eval(&[*p]))
    }
}

/// Centre and scale per axis for the Hermite basis of the operator.
pub fn choose_axes(op: &Overdamped, count: usize, probe: usize, kind: IndexSet) -> Result<(Vec<f64>, Vec<f64>)> {
    let (centre, var) = gibbs_moments(op.potential, 1.0 / op.diffusion)?;
    let scale0: Vec<f64> = var.iter().map(|v| (2.0 * v).sqrt()).collect();
    let free = (0..op.potential.dim()).collect();
    search_scales(RitzSum { op, centre, scale0, sizes: vec![probe; op.potential.dim()], kind, count, free }, 1e-4)
}

/// Minimises the Ritz sum over the log-factors of the free axes' scales (Brent for one axis,
/// Nelder–Mead for more; `abs_tol` is Brent's absolute tolerance on the log-factor).
fn search_scales(objective: RitzSum, abs_tol: f64) -> Result<(Vec<f64>, Vec<f64>)> {
    let d = objective.free.len();
    let (centre, scale0, free) = (objective.centre.clone(), objective.scale0.clone(), objective.free.clone());
    if d == 0 {
        return Ok((centre, scale0));
    }
    let best: Vec<f64> = if d == 1 {
        let solver = BrentOpt::new(-1.5, 1.5).set_tolerance(1e-3, abs_tol);
        let res = Executor::new(RitzSum1(objective), solver)
            .configure(|s| s.param(0.0).max_iters(40))
            .run()
            .map_err(|e| EngineError::Numerical(format!("scale search failed: {e}")))?;
        vec![res.state().best_param.unwrap_or(0.0)]
    } else {
        let mut simplex = vec![vec![0.0; d]];
        for j in 0..d {
            let mut v = vec![0.0; d];
            v[j] = 0.4;
            simplex.push(v);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(1e-3)
            .map_err(|e| EngineError::Numerical(format!("scale search: {e}")))?;
        let res = Executor::new(objective, solver)
            .configure(|s| s.max_iters(40))
            .run()
            .map_err(|e| EngineError::Numerical(format!("scale search failed: {e}")))?;
        res.state().best_param.clone().unwrap_or_else(|| vec![0.0; d])
    };
    let mut scale = scale0;
    for (&j, f) in free.iter().zip(&best) {
        scale[j] *= f.exp();
    }
    Ok((centre, scale))
}

/// Absolute tolerance on the log-factor of a scale found by a one-axis search (1 % in the scale:
/// the resolution study, not the scale, decides the accuracy).
const AXIS_LOG_TOL: f64 = 1e-2;

/// Probe size of the one-axis scale search of a separable axis.
const AXIS_PROBE: usize = 32;

/// The axes of a Hermite basis: centre and scale per axis, and which axes are exact (an
/// Ornstein–Uhlenbeck axis at its exact centre and scale, whose one-dimensional eigenfunctions
/// are the basis functions themselves).
#[derive(Debug, Clone, PartialEq)]
pub struct Axes {
    /// Centre per axis.
    pub centre: Vec<f64>,
    /// Scale per axis.
    pub scale: Vec<f64>,
    /// Per axis: exact Ornstein–Uhlenbeck axis.
    pub exact: Vec<bool>,
}

impl Axes {
    fn searched((centre, scale): (Vec<f64>, Vec<f64>)) -> Self {
        let exact = vec![false; centre.len()];
        Axes { centre, scale, exact }
    }
}

/// Smallest scale of an exact Ornstein–Uhlenbeck axis relative to |centre|. On the basis, the
/// drift L' = 2a(x − c) is expanded around c, where its constant term 2ac + b cancels to a
/// rounding ε|b|: relative to the drift 2a·s·ξ that is ε|c|/s, at most 2.2e-13 here. Below it (an
/// extreme η or small D: x²/2 + 0.02x at η = 1e50 has s = 1e-25, c = −0.02) the drift is rounding
/// noise and the exact axis is not used.
pub const OU_MIN_SCALE_OVER_CENTRE: f64 = 1e-3;

/// Centre and scale per axis for the Hermite basis of the overdamped Fokker–Planck operator, using the
/// separable structure of a polynomial L: an axis j that no monomial couples to another axis
/// (L = L_j(x_j) + rest) has its own one-dimensional problem. When L_j = a x_j² + b x_j (a > 0)
/// that problem is the Ornstein–Uhlenbeck one, whose eigenfunctions are exactly the Hermite
/// functions centred at c = −b/(2a) with scale s = √(D/a) (the ground state √p_∞ ∝
/// exp(−a(x − c)²/(2D)) = ψ_0((x − c)/s)); otherwise its centre and scale come from
/// [`choose_axes`] on L_j alone. The coupled axes are searched jointly by [`choose_axes`]'s Ritz
/// sum with the separable ones held fixed. A non-polynomial L is searched as a whole.
///
/// Guard: the exact axis is used only where the basis can carry it, s ≥
/// [`OU_MIN_SCALE_OVER_CENTRE`]·|c| and s² a normal number; otherwise every axis is searched by
/// [`choose_axes`] (whose answers at such extremes are refused or carry an error bar that covers
/// the truth; with the exact scale, x²/2 + 0.02x at η = 1e50 gave 2.5e47 ± 2.5e47 for 1e50).
pub fn overdamped_axes(op: &Overdamped, count: usize, probe: usize, kind: IndexSet) -> Result<Axes> {
    let searched = || choose_axes(op, count, probe, kind).map(Axes::searched);
    let Some(poly) = op.potential.poly() else {
        return searched();
    };
    let d = op.potential.dim();
    let parts: Vec<Option<Vec<(u32, f64)>>> = (0..d).map(|j| separable_part(&poly, j)).collect();
    if parts.iter().all(Option::is_none) {
        return searched();
    }
    let free: Vec<usize> = (0..d).filter(|&j| parts[j].is_none()).collect();
    let eta = 1.0 / op.diffusion;
    let axis_potentials: Vec<Option<Expression>> =
        parts.iter().map(|p| p.as_deref().map(axis_potential).transpose()).collect::<Result<_>>()?;
    // The Gibbs moments also refuse a temperature too large for L's scale (an exact
    // Ornstein–Uhlenbeck axis would otherwise accept D = 1e300 and overflow at the nodes). With
    // every axis separable, e^{−ηL} is the product of the axes' e^{−ηL_j} and the rise of L from
    // its lowest point to a box's edge is the least rise of the parts (L_j at the edge, the others
    // at their lowest), so the test of L is that of every part on its own: d one-dimensional grids
    // instead of one d-dimensional grid.
    let mut axis_moments: Vec<Option<(Vec<f64>, Vec<f64>)>> = vec![None; d];
    let joint = if free.is_empty() {
        for (j, axis) in axis_potentials.iter().enumerate() {
            axis_moments[j] = axis.as_ref().map(|p| gibbs_moments(p, eta)).transpose()?;
        }
        None
    } else {
        Some(gibbs_moments(op.potential, eta)?)
    };
    let mut axes = Axes { centre: vec![0.0; d], scale: vec![1.0; d], exact: vec![false; d] };
    for (j, part) in parts.iter().enumerate() {
        let (Some(part), Some(axis)) = (part, &axis_potentials[j]) else { continue };
        let (c, s) = match ornstein_uhlenbeck_axis(part, op.diffusion) {
            Some((c, s)) if representable(c, s) => {
                axes.exact[j] = true;
                (c, s)
            }
            Some(_) => return searched(),
            None => {
                let moments = match axis_moments[j].take() {
                    Some(m) => m,
                    None => gibbs_moments(axis, eta)?,
                };
                one_axis(axis, moments, op.diffusion, count)?
            }
        };
        (axes.centre[j], axes.scale[j]) = (c, s);
    }
    let Some((mean, var)) = joint else {
        return Ok(axes);
    };
    for &j in &free {
        (axes.centre[j], axes.scale[j]) = (mean[j], (2.0 * var[j]).sqrt());
    }
    let objective = RitzSum {
        op,
        centre: axes.centre.clone(),
        scale0: axes.scale.clone(),
        sizes: vec![probe; d],
        kind,
        count,
        free,
    };
    let (centre, scale) = search_scales(objective, 1e-4)?;
    Ok(Axes { centre, scale, ..axes })
}

/// Whether an exact axis of centre c and scale s is carried by the basis: s ≥
/// [`OU_MIN_SCALE_OVER_CENTRE`]·|c|, and s⁴, s⁻⁴ finite and normal (the Galerkin entries hold
/// powers of s up to the degree of |L'|²).
fn representable(c: f64, s: f64) -> bool {
    s.is_finite() && s.powi(4).is_normal() && s >= OU_MIN_SCALE_OVER_CENTRE * c.abs() && s.powi(-4).is_finite()
}

/// The terms (power, coefficient) of L in x_j alone when no monomial couples x_j to another
/// axis, else None.
pub(crate) fn separable_part(poly: &Poly, j: usize) -> Option<Vec<(u32, f64)>> {
    let mut part = Vec::new();
    for (m, &c) in &poly.terms {
        let others = (0..3).any(|k| k != j && m[k] > 0);
        match (m[j] > 0, others) {
            (true, true) => return None,
            (true, false) => part.push((m[j], c)),
            _ => {}
        }
    }
    Some(part)
}

/// (c, s) = (−b/(2a), √(D/a)) when the axis part is a x² + b x with a > 0.
fn ornstein_uhlenbeck_axis(part: &[(u32, f64)], diffusion: f64) -> Option<(f64, f64)> {
    let coefficient = |k: u32| part.iter().filter(|(p, _)| *p == k).map(|(_, c)| c).sum::<f64>();
    let (a, b) = (coefficient(2), coefficient(1));
    (part.iter().all(|(p, _)| *p <= 2) && a > 0.0).then(|| (-b / (2.0 * a), (diffusion / a).sqrt()))
}

/// The one-dimensional potential L_j(x) of a separable axis's terms (power, coefficient).
fn axis_potential(part: &[(u32, f64)]) -> Result<Expression> {
    let text: Vec<String> = part.iter().map(|(p, c)| format!("({c:?})*x^{p}")).collect();
    Expression::parse_unchecked(&text.join(" + "))
}

/// Centre and scale of a separable axis from the Ritz-sum search of [`choose_axes`] on its
/// one-dimensional potential, started from its Gibbs moments (mean, variance).
fn one_axis(
    potential: &dyn Potential,
    (mean, var): (Vec<f64>, Vec<f64>),
    diffusion: f64,
    count: usize,
) -> Result<(f64, f64)> {
    let op = Overdamped::new(potential, diffusion)?;
    let objective = RitzSum {
        op: &op,
        centre: mean,
        scale0: vec![(2.0 * var[0]).sqrt()],
        sizes: vec![AXIS_PROBE],
        kind: IndexSet::FullTensor,
        count,
        free: vec![0],
    };
    let (c, s) = search_scales(objective, AXIS_LOG_TOL)?;
    Ok((c[0], s[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poly(expr: &str) -> Poly {
        Expression::parse(expr).unwrap().poly().unwrap()
    }

    #[test]
    fn separable_axes_and_the_exact_ornstein_uhlenbeck_axis() {
        let p = poly("x^4/4 - x^2/2 + 2*y^2 + 0.4*y + z^2 + 0.1*x*z");
        assert!(separable_part(&p, 0).is_none() && separable_part(&p, 2).is_none());
        // √p_∞ ∝ exp(−(2y² + 0.4y)/(2·0.5)) = e^0.02 · exp(−2(y + 0.1)²) = ψ_0((y + 0.1)/0.5) up to a constant.
        let (c, s) = ornstein_uhlenbeck_axis(&separable_part(&p, 1).unwrap(), 0.5).unwrap();
        assert!((c + 0.1).abs() < 1e-15 && (s - 0.5).abs() < 1e-15, "{c} {s}");
        assert!(ornstein_uhlenbeck_axis(&separable_part(&poly("x^4 + x^2"), 0).unwrap(), 1.0).is_none());
    }
}
