//! Second-order forward-mode dual numbers ("jets") in up to three variables.
//!
//! A [`Jet`] carries a value, its gradient and its Hessian, so evaluating an expression once
//! over jets gives L, ∇L and ∇²L exactly (to rounding), never by finite differences.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// ln(1 + e^u), computed without overflow (the value of [`Jet::softplus`] and [`Grad::softplus`]).
pub fn softplus(u: f64) -> f64 {
    if u > 0.0 {
        u + (-u).exp().ln_1p()
    } else {
        u.exp().ln_1p()
    }
}

/// Maximum number of variables (x, y, z).
pub const MAX_DIM: usize = 3;

/// Value, gradient and Hessian of a scalar function of up to three variables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Jet {
    /// f(x)
    pub v: f64,
    /// ∇f(x)
    pub g: [f64; MAX_DIM],
    /// ∇²f(x)
    pub h: [[f64; MAX_DIM]; MAX_DIM],
}

impl Jet {
    /// A constant.
    pub fn constant(v: f64) -> Self {
        Jet { v, g: [0.0; MAX_DIM], h: [[0.0; MAX_DIM]; MAX_DIM] }
    }

    /// The coordinate function x_i evaluated at `value`.
    pub fn variable(i: usize, value: f64) -> Self {
        let mut j = Jet::constant(value);
        j.g[i] = 1.0;
        j
    }

    /// Composition f(u) given f(u), f'(u), f''(u) (chain rule to second order).
    pub fn chain(self, f: f64, df: f64, d2f: f64) -> Self {
        let mut out = Jet::constant(f);
        for i in 0..MAX_DIM {
            out.g[i] = df * self.g[i];
            for k in 0..MAX_DIM {
                out.h[i][k] = df * self.h[i][k] + d2f * self.g[i] * self.g[k];
            }
        }
        out
    }

    /// e^u
    pub fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e, e)
    }
    /// ln u
    pub fn ln(self) -> Self {
        self.chain(self.v.ln(), 1.0 / self.v, -1.0 / (self.v * self.v))
    }
    /// √u
    pub fn sqrt(self) -> Self {
        let s = self.v.sqrt();
        self.chain(s, 0.5 / s, -0.25 / (s * self.v))
    }
    /// sin u
    pub fn sin(self) -> Self {
        self.chain(self.v.sin(), self.v.cos(), -self.v.sin())
    }
    /// cos u
    pub fn cos(self) -> Self {
        self.chain(self.v.cos(), -self.v.sin(), -self.v.cos())
    }
    /// tanh u
    pub fn tanh(self) -> Self {
        let t = self.v.tanh();
        let d = 1.0 - t * t;
        self.chain(t, d, -2.0 * t * d)
    }
    /// u^n for an integer n (exact at u = 0 for n >= 0).
    pub fn powi(self, n: i32) -> Self {
        let u = self.v;
        let nf = n as f64;
        let f = u.powi(n);
        let df = if n == 0 { 0.0 } else { nf * u.powi(n - 1) };
        let d2f = if n == 0 || n == 1 { 0.0 } else { nf * (nf - 1.0) * u.powi(n - 2) };
        self.chain(f, df, d2f)
    }
    /// u^p for a real p (u > 0).
    pub fn powf(self, p: f64) -> Self {
        let u = self.v;
        self.chain(u.powf(p), p * u.powf(p - 1.0), p * (p - 1.0) * u.powf(p - 2.0))
    }
    /// ln(1 + e^u), computed without overflow.
    pub fn softplus(self) -> Self {
        let u = self.v;
        let f = softplus(u);
        let s = 1.0 / (1.0 + (-u).exp());
        self.chain(f, s, s * (1.0 - s))
    }
    /// Trace of the Hessian over the first `dim` variables.
    pub fn laplacian(&self, dim: usize) -> f64 {
        (0..dim).map(|i| self.h[i][i]).sum()
    }
    /// |∇f|² over the first `dim` variables.
    pub fn grad_norm2(&self, dim: usize) -> f64 {
        (0..dim).map(|i| self.g[i] * self.g[i]).sum()
    }
}

impl Add for Jet {
    type Output = Jet;
    fn add(self, o: Jet) -> Jet {
        let mut r = self;
        r.v += o.v;
        for i in 0..MAX_DIM {
            r.g[i] += o.g[i];
            for k in 0..MAX_DIM {
                r.h[i][k] += o.h[i][k];
            }
        }
        r
    }
}

impl Neg for Jet {
    type Output = Jet;
    fn neg(self) -> Jet {
        self * Jet::constant(-1.0)
    }
}

impl Sub for Jet {
    type Output = Jet;
    fn sub(self, o: Jet) -> Jet {
        self + (-o)
    }
}

impl Mul for Jet {
    type Output = Jet;
    fn mul(self, o: Jet) -> Jet {
        let mut r = Jet::constant(self.v * o.v);
        for i in 0..MAX_DIM {
            r.g[i] = self.g[i] * o.v + self.v * o.g[i];
            for k in 0..MAX_DIM {
                r.h[i][k] = self.h[i][k] * o.v + self.v * o.h[i][k] + self.g[i] * o.g[k] + self.g[k] * o.g[i];
            }
        }
        r
    }
}

impl Div for Jet {
    type Output = Jet;
    fn div(self, o: Jet) -> Jet {
        let inv = o.chain(1.0 / o.v, -1.0 / (o.v * o.v), 2.0 / (o.v * o.v * o.v));
        self * inv
    }
}

/// Value and gradient only (first-order forward mode): a quarter of the work of a [`Jet`] where
/// the Hessian is not needed (gradient flows, SDE drifts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grad {
    /// f(x)
    pub v: f64,
    /// ∇f(x)
    pub g: [f64; MAX_DIM],
}

impl Grad {
    /// A constant.
    pub fn constant(v: f64) -> Self {
        Grad { v, g: [0.0; MAX_DIM] }
    }

    /// The coordinate function x_i evaluated at `value`.
    pub fn variable(i: usize, value: f64) -> Self {
        let mut j = Grad::constant(value);
        j.g[i] = 1.0;
        j
    }

    /// Composition f(u) given f(u) and f'(u) (chain rule).
    pub fn chain(self, f: f64, df: f64) -> Self {
        Grad { v: f, g: self.g.map(|gi| df * gi) }
    }

    /// e^u
    pub fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e)
    }
    /// ln u
    pub fn ln(self) -> Self {
        self.chain(self.v.ln(), 1.0 / self.v)
    }
    /// √u
    pub fn sqrt(self) -> Self {
        let s = self.v.sqrt();
        self.chain(s, 0.5 / s)
    }
    /// sin u
    pub fn sin(self) -> Self {
        self.chain(self.v.sin(), self.v.cos())
    }
    /// cos u
    pub fn cos(self) -> Self {
        self.chain(self.v.cos(), -self.v.sin())
    }
    /// tanh u
    pub fn tanh(self) -> Self {
        let t = self.v.tanh();
        self.chain(t, 1.0 - t * t)
    }
    /// u^n for an integer n (exact at u = 0 for n >= 0).
    pub fn powi(self, n: i32) -> Self {
        let u = self.v;
        let df = if n == 0 { 0.0 } else { n as f64 * u.powi(n - 1) };
        self.chain(u.powi(n), df)
    }
    /// u^p for a real p (u > 0).
    pub fn powf(self, p: f64) -> Self {
        let u = self.v;
        self.chain(u.powf(p), p * u.powf(p - 1.0))
    }
    /// ln(1 + e^u), computed without overflow.
    pub fn softplus(self) -> Self {
        let u = self.v;
        self.chain(softplus(u), 1.0 / (1.0 + (-u).exp()))
    }
    /// |∇f|² over the first `dim` variables.
    pub fn grad_norm2(&self, dim: usize) -> f64 {
        (0..dim).map(|i| self.g[i] * self.g[i]).sum()
    }
}

impl Add for Grad {
    type Output = Grad;
    fn add(self, o: Grad) -> Grad {
        Grad { v: self.v + o.v, g: std::array::from_fn(|i| self.g[i] + o.g[i]) }
    }
}

impl Neg for Grad {
    type Output = Grad;
    fn neg(self) -> Grad {
        Grad { v: -self.v, g: self.g.map(|x| -x) }
    }
}

impl Sub for Grad {
    type Output = Grad;
    fn sub(self, o: Grad) -> Grad {
        Grad { v: self.v - o.v, g: std::array::from_fn(|i| self.g[i] - o.g[i]) }
    }
}

impl Mul for Grad {
    type Output = Grad;
    /// The product rule (hence the `+`).
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn mul(self, o: Grad) -> Grad {
        Grad { v: self.v * o.v, g: std::array::from_fn(|i| self.g[i] * o.v + self.v * o.g[i]) }
    }
}

impl Div for Grad {
    type Output = Grad;
    fn div(self, o: Grad) -> Grad {
        self * o.chain(1.0 / o.v, -1.0 / (o.v * o.v))
    }
}

/// The forward-mode number types ([`Jet`], [`Grad`]) as one interface, so that an expression is
/// differentiated by one generic evaluation ([`crate::expr::Expr::jet`], [`crate::expr::Expr::grad`]).
pub trait Dual:
    Sized + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + Neg<Output = Self>
{
    /// A constant.
    fn constant(v: f64) -> Self;
    /// The coordinate x_i at the value `value`.
    fn variable(i: usize, value: f64) -> Self;
    /// e^u.
    fn exp(self) -> Self;
    /// ln u.
    fn ln(self) -> Self;
    /// √u.
    fn sqrt(self) -> Self;
    /// sin u.
    fn sin(self) -> Self;
    /// cos u.
    fn cos(self) -> Self;
    /// tanh u.
    fn tanh(self) -> Self;
    /// uⁿ.
    fn powi(self, n: i32) -> Self;
    /// uᵖ.
    fn powf(self, p: f64) -> Self;
}

/// Implements [`Dual`] by the type's own methods of the same names.
macro_rules! dual_by_inherent_methods {
    ($t:ty) => {
        impl Dual for $t {
            fn constant(v: f64) -> Self {
                <$t>::constant(v)
            }
            fn variable(i: usize, value: f64) -> Self {
                <$t>::variable(i, value)
            }
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            fn sin(self) -> Self {
                <$t>::sin(self)
            }
            fn cos(self) -> Self {
                <$t>::cos(self)
            }
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            fn powi(self, n: i32) -> Self {
                <$t>::powi(self, n)
            }
            fn powf(self, p: f64) -> Self {
                <$t>::powf(self, p)
            }
        }
    };
}

dual_by_inherent_methods!(Jet);
dual_by_inherent_methods!(Grad);
