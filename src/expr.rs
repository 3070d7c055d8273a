//! Potentials written as expressions in x, y, z: a small recursive-descent parser, evaluation
//! over jets (value, gradient, Hessian), and recognition of polynomials.
//!
//! Grammar (usual precedence, `^` right-associative and binding tighter than unary minus):
//! numbers, `x y z`, `pi`, `+ - * / ^`, parentheses, and `exp log sqrt sin cos tanh`.
//!
//! Input is bounded, so that no expression can crash or stall the engine: at most
//! [`MAX_LENGTH`] bytes, nesting (parentheses, function calls, exponents) and tree depth at most
//! [`MAX_DEPTH`], at most [`MAX_NODES`] nodes, and a polynomial expands within the limits of
//! [`crate::polynomial`]. Each limit is refused with one line naming it. Sums and products are
//! stored flat (a 5 000-term sum is one node with 5 000 children, not a tree 5 000 deep) and
//! runs of unary signs collapse, so every recursion over a parsed tree (evaluation, expansion,
//! `Clone`, `Debug`, `Drop`) is at most [`MAX_DEPTH`] deep. Sub-expressions without a variable
//! are folded into one number when parsed (with the same floating-point operations that
//! evaluation would perform).

use crate::error::{EngineError, Result};
use crate::jet::{Dual, Grad, Jet};
use crate::polynomial::{Expansion, Poly};
use program::Program;

mod batch;
mod program;

/// Longest expression accepted, in bytes.
pub const MAX_LENGTH: usize = 100_000;
/// Deepest nesting of parentheses, function calls and exponents, and deepest parsed tree.
pub const MAX_DEPTH: usize = 200;
/// Most nodes (numbers, variables, operations) of a parsed expression, after constant folding.
pub const MAX_NODES: usize = 5_000;

/// Characters of an expression quoted in a message.
const QUOTE_CHARS: usize = 60;

/// Elementary functions the grammar accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tanh,
}

impl Func {
    fn apply(self, u: f64) -> f64 {
        match self {
            Func::Exp => u.exp(),
            Func::Log => u.ln(),
            Func::Sqrt => u.sqrt(),
            Func::Sin => u.sin(),
            Func::Cos => u.cos(),
            Func::Tanh => u.tanh(),
        }
    }

    fn apply_dual<T: Dual>(self, u: T) -> T {
        match self {
            Func::Exp => u.exp(),
            Func::Log => u.ln(),
            Func::Sqrt => u.sqrt(),
            Func::Sin => u.sin(),
            Func::Cos => u.cos(),
            Func::Tanh => u.tanh(),
        }
    }
}

/// A parsed potential: a syntax tree within the limits of this module (only [`Expr::parse`]
/// builds one, so every tree is at most [`MAX_DEPTH`] deep).
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    root: Node,
    /// The tree compiled for evaluation ([`program`]): the same operations, flat.
    program: Program,
    dim: usize,
    nodes: usize,
}

/// Abstract syntax tree. Sums and products are flat lists evaluated left to right, which gives
/// exactly the results of the left-leaning binary tree they replace.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Num(f64),
    Var(usize),
    Neg(Box<Node>),
    /// t₀ ± t₁ ± …: (subtract, term); the first flag is always false.
    Sum(Vec<(bool, Node)>),
    /// f₀ ·/ f₁ ·/ …: (divide, factor); the first flag is always false.
    Product(Vec<(bool, Node)>),
    Pow(Box<Node>, Box<Node>),
    Call(Func, Box<Node>),
}

impl Expr {
    /// Parses an expression such as `"x^4/4 - x^2/2 + 0.1*x"`, within the limits of this module.
    pub fn parse(text: &str) -> Result<Expr> {
        if text.len() > MAX_LENGTH {
            return Err(EngineError::Parse(format!(
                "expression is {} bytes long; the limit is {MAX_LENGTH} bytes",
                text.len()
            )));
        }
        let chars: Vec<char> = text.chars().collect();
        let tokens = tokenize(&chars)?;
        let mut p = Parser { chars: &chars, tokens, pos: 0, depth: 0 };
        let root = p.expr()?;
        if let Some(&(_, at)) = p.tokens.get(p.pos) {
            return Err(EngineError::Parse(format!("unexpected {}", p.locate(at))));
        }
        let (depth, nodes, dim) = root.shape();
        if depth > MAX_DEPTH {
            return Err(EngineError::Parse(format!(
                "expression is nested {depth} levels deep; the limit is {MAX_DEPTH} ({})",
                quote(text)
            )));
        }
        if nodes > MAX_NODES {
            return Err(EngineError::Parse(format!(
                "expression has {nodes} nodes (numbers, variables and operations); the limit is {MAX_NODES}"
            )));
        }
        Ok(Expr::new(root, dim.max(1), nodes))
    }

    fn new(root: Node, dim: usize, nodes: usize) -> Expr {
        Expr { program: Program::compile(&root), root, dim, nodes }
    }

    /// Number of variables used: 1 + the largest variable index (x=0, y=1, z=2), at least 1.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of nodes of the tree (numbers, variables and operations).
    pub fn nodes(&self) -> usize {
        self.nodes
    }

    /// Value at a point (the compiled program: bit-identical to the tree's value).
    pub fn value(&self, x: &[f64]) -> f64 {
        self.program.value(x)
    }

    /// Values at a batch of points given by coordinate columns (`columns[k][j]` is coordinate k
    /// of point j; a missing column reads as 0), into `out`: each bit-identical to
    /// [`Expr::value`], with the interpreter's dispatch paid once per instruction per batch.
    pub fn values(&self, columns: &[&[f64]], out: &mut [f64]) {
        self.program.values(columns, out)
    }

    /// Value, gradient and Hessian at a point (forward-mode, exact to rounding).
    pub fn jet(&self, x: &[f64]) -> Jet {
        self.root.forward(x)
    }

    /// Value at a point, and whether a NaN value was first made from an infinite operand (an
    /// overflow, such as ∞·0 or ∞ − ∞) rather than from finite ones (a domain error).
    pub fn value_with_overflow_nan(&self, x: &[f64]) -> (f64, bool) {
        self.root.overflow_nan(x)
    }

    /// Value and gradient at a point (first-order forward mode, exact to rounding; the same
    /// operations as [`Expr::jet`] without the Hessian).
    pub fn grad(&self, x: &[f64]) -> Grad {
        self.root.forward(x)
    }

    /// The divisors of the expression: every f in a quotient `… / f` and every base of a constant
    /// negative power `f^(−c)`, nested ones included. Where a divisor vanishes, L has a pole.
    pub fn divisors(&self) -> Vec<Expr> {
        let mut found = Vec::new();
        self.root.collect_divisors(&mut found);
        found
            .into_iter()
            .map(|root| {
                let (_, nodes, _) = root.shape();
                Expr::new(root, self.dim, nodes)
            })
            .collect()
    }

    /// The expression as a polynomial, when it is one (`+ - *`, division by constants, and
    /// non-negative integer powers only); `None` also when the expansion exceeds a limit (see
    /// [`Expr::polynomial`], which says which).
    pub fn to_poly(&self) -> Option<Poly> {
        self.polynomial().ok().flatten()
    }

    /// The expression as a polynomial: `Ok(None)` when it is not one, an error when it is one
    /// whose expansion would exceed [`crate::polynomial::MAX_DEGREE`] (decided before expanding,
    /// from the structure), [`crate::polynomial::MAX_TERMS`] or [`crate::polynomial::MAX_WORK`],
    /// or whose coefficients overflow.
    pub fn polynomial(&self) -> Result<Option<Poly>> {
        let Some(degree) = self.root.degree_bound() else { return Ok(None) };
        Expansion::check_degree(degree)?;
        let p = self.root.expand(&mut Expansion::new())?;
        if let Some((m, c)) = p.terms.iter().find(|(_, c)| !c.is_finite()) {
            let name: Vec<String> = ["x", "y", "z"]
                .iter()
                .zip(m)
                .filter(|(_, &k)| k > 0)
                .map(|(v, &k)| if k == 1 { v.to_string() } else { format!("{v}^{k}") })
                .collect();
            let which = if name.is_empty() {
                "the constant term".to_string()
            } else {
                format!("the coefficient of {}", name.join("*"))
            };
            return Err(EngineError::Parse(format!("{which} of the expanded polynomial is {c} (not a finite number)")));
        }
        Ok(Some(p))
    }
}

impl Node {
    /// (depth, number of nodes, 1 + largest variable index).
    fn shape(&self) -> (usize, usize, usize) {
        match self {
            Node::Num(_) => (1, 1, 0),
            Node::Var(i) => (1, 1, i + 1),
            Node::Neg(a) | Node::Call(_, a) => {
                let (d, n, v) = a.shape();
                (d + 1, n + 1, v)
            }
            Node::Pow(a, b) => {
                let (da, na, va) = a.shape();
                let (db, nb, vb) = b.shape();
                (da.max(db) + 1, na + nb + 1, va.max(vb))
            }
            Node::Sum(items) | Node::Product(items) => items.iter().fold((0, 1, 0), |(d, n, v), (_, t)| {
                let (dt, nt, vt) = t.shape();
                (d.max(dt + 1), n + nt, v.max(vt))
            }),
        }
    }

    /// Pushes the divisors of this tree (see [`Expr::divisors`]), inner ones first.
    fn collect_divisors(&self, found: &mut Vec<Node>) {
        match self {
            Node::Num(_) | Node::Var(_) => {}
            Node::Neg(a) | Node::Call(_, a) => a.collect_divisors(found),
            Node::Pow(a, b) => {
                a.collect_divisors(found);
                b.collect_divisors(found);
                if matches!(**b, Node::Num(e) if e < 0.0) && !matches!(**a, Node::Num(_)) {
                    found.push((**a).clone());
                }
            }
            Node::Sum(items) => items.iter().for_each(|(_, t)| t.collect_divisors(found)),
            Node::Product(items) => {
                for (divide, factor) in items {
                    factor.collect_divisors(found);
                    if *divide && !matches!(factor, Node::Num(_)) {
                        found.push(factor.clone());
                    }
                }
            }
        }
    }

    fn value(&self, x: &[f64]) -> f64 {
        match self {
            Node::Num(c) => *c,
            Node::Var(i) => x.get(*i).copied().unwrap_or(0.0),
            Node::Neg(a) => -a.value(x),
            Node::Sum(items) => {
                let mut acc = 0.0;
                for (k, (subtract, t)) in items.iter().enumerate() {
                    let v = t.value(x);
                    acc = if k == 0 {
                        v
                    } else if *subtract {
                        acc - v
                    } else {
                        acc + v
                    };
                }
                acc
            }
            Node::Product(items) => {
                let mut acc = 1.0;
                for (k, (divide, f)) in items.iter().enumerate() {
                    let v = f.value(x);
                    acc = if k == 0 {
                        v
                    } else if *divide {
                        acc / v
                    } else {
                        acc * v
                    };
                }
                acc
            }
            Node::Pow(a, b) => match integer_exponent(b) {
                Some(n) => a.value(x).powi(n),
                None => a.value(x).powf(b.value(x)),
            },
            Node::Call(f, a) => f.apply(a.value(x)),
        }
    }

    /// [`Node::value`], and whether a NaN was first made from an infinite operand.
    fn overflow_nan(&self, x: &[f64]) -> (f64, bool) {
        let made = |v: f64, operands: &[(f64, bool)]| -> (f64, bool) {
            if !v.is_nan() {
                return (v, false);
            }
            if let Some(&(_, o)) = operands.iter().find(|(a, _)| a.is_nan()) {
                return (v, o);
            }
            (v, operands.iter().any(|(a, _)| a.is_infinite()))
        };
        let fold = |items: &[(bool, Node)], start: f64, op: &dyn Fn(f64, bool, f64) -> f64| {
            let mut acc = (start, false);
            for (k, (flag, t)) in items.iter().enumerate() {
                let r = t.overflow_nan(x);
                acc = if k == 0 { made(r.0, &[r]) } else { made(op(acc.0, *flag, r.0), &[acc, r]) };
            }
            acc
        };
        match self {
            Node::Num(c) => (*c, false),
            Node::Var(i) => (x.get(*i).copied().unwrap_or(0.0), false),
            Node::Neg(a) => {
                let (v, o) = a.overflow_nan(x);
                (-v, o)
            }
            Node::Sum(items) => fold(items, 0.0, &|acc, sub, v| if sub { acc - v } else { acc + v }),
            Node::Product(items) => fold(items, 1.0, &|acc, div, v| if div { acc / v } else { acc * v }),
            Node::Pow(a, b) => {
                let (ra, rb) = (a.overflow_nan(x), b.overflow_nan(x));
                let v = match integer_exponent(b) {
                    Some(n) => ra.0.powi(n),
                    None => ra.0.powf(rb.0),
                };
                made(v, &[ra, rb])
            }
            Node::Call(f, a) => {
                let r = a.overflow_nan(x);
                made(f.apply(r.0), &[r])
            }
        }
    }

    fn forward<T: Dual>(&self, x: &[f64]) -> T {
        match self {
            Node::Num(c) => T::constant(*c),
            Node::Var(i) => T::variable(*i, x.get(*i).copied().unwrap_or(0.0)),
            Node::Neg(a) => -a.forward::<T>(x),
            Node::Sum(items) => {
                let mut acc = T::constant(0.0);
                for (k, (subtract, t)) in items.iter().enumerate() {
                    let v = t.forward::<T>(x);
                    acc = if k == 0 {
                        v
                    } else if *subtract {
                        acc - v
                    } else {
                        acc + v
                    };
                }
                acc
            }
            Node::Product(items) => {
                let mut acc = T::constant(1.0);
                for (k, (divide, f)) in items.iter().enumerate() {
                    let v = f.forward::<T>(x);
                    acc = if k == 0 {
                        v
                    } else if *divide {
                        acc / v
                    } else {
                        acc * v
                    };
                }
                acc
            }
            Node::Pow(a, b) => match integer_exponent(b) {
                Some(n) => a.forward::<T>(x).powi(n),
                None => {
                    let base: T = a.forward(x);
                    match **b {
                        Node::Num(p) => base.powf(p),
                        _ => (b.forward::<T>(x) * base.ln()).exp(),
                    }
                }
            },
            Node::Call(f, a) => f.apply_dual(a.forward::<T>(x)),
        }
    }

    /// An upper bound of the degree when the node is a polynomial, from the structure alone
    /// (no expansion); `None` when it is not one. Constants are folded, so a node without a
    /// variable is a number.
    fn degree_bound(&self) -> Option<f64> {
        match self {
            Node::Num(_) => Some(0.0),
            Node::Var(_) => Some(1.0),
            Node::Neg(a) => a.degree_bound(),
            Node::Sum(items) => items.iter().try_fold(0.0, |d: f64, (_, t)| Some(d.max(t.degree_bound()?))),
            Node::Product(items) => items.iter().try_fold(0.0, |d, (divide, f)| {
                if *divide {
                    matches!(f, Node::Num(_)).then_some(d)
                } else {
                    Some(d + f.degree_bound()?)
                }
            }),
            Node::Pow(a, b) => {
                let Node::Num(n) = **b else { return None };
                if !(n >= 0.0 && n.fract() == 0.0) {
                    return None;
                }
                Some(a.degree_bound()? * n)
            }
            Node::Call(..) => None,
        }
    }

    /// The polynomial of a node whose [`Node::degree_bound`] is `Some`, under the limits of
    /// `budget` (the operations, in order, of the former binary-tree expansion).
    fn expand(&self, budget: &mut Expansion) -> Result<Poly> {
        let not_polynomial = || EngineError::Parse("internal: expanding a non-polynomial".into());
        match self {
            Node::Num(c) => Ok(Poly::constant(*c)),
            Node::Var(i) => Ok(Poly::variable(*i)),
            Node::Neg(a) => {
                let p = a.expand(budget)?;
                budget.scale(&p, -1.0)
            }
            Node::Sum(items) => {
                let mut acc = Poly::default();
                for (k, (subtract, t)) in items.iter().enumerate() {
                    let p = t.expand(budget)?;
                    if k == 0 {
                        acc = p;
                    } else {
                        budget.add_assign(&mut acc, &p, *subtract)?;
                    }
                }
                Ok(acc.prune())
            }
            Node::Product(items) => {
                let mut acc = Poly::default();
                for (k, (divide, f)) in items.iter().enumerate() {
                    if k == 0 {
                        acc = f.expand(budget)?;
                    } else if *divide {
                        let Node::Num(d) = *f else { return Err(not_polynomial()) };
                        acc = budget.scale(&acc, 1.0 / d)?;
                    } else {
                        let p = f.expand(budget)?;
                        acc = budget.mul(&acc, &p)?;
                    }
                }
                Ok(acc)
            }
            Node::Pow(a, b) => {
                let Node::Num(n) = **b else { return Err(not_polynomial()) };
                let p = a.expand(budget)?;
                budget.pow(&p, n as u64)
            }
            Node::Call(..) => Err(not_polynomial()),
        }
    }

    /// The node itself, or its value when every child is a number (constant folding with the
    /// operations of [`Node::value`]).
    fn fold(self) -> Node {
        let constant = match &self {
            Node::Num(_) | Node::Var(_) => false,
            Node::Neg(a) | Node::Call(_, a) => matches!(**a, Node::Num(_)),
            Node::Pow(a, b) => matches!((&**a, &**b), (Node::Num(_), Node::Num(_))),
            Node::Sum(items) | Node::Product(items) => items.iter().all(|(_, t)| matches!(t, Node::Num(_))),
        };
        if constant {
            Node::Num(self.value(&[]))
        } else {
            self
        }
    }
}

/// The exponent as an integer when it is a constant integer.
fn integer_exponent(e: &Node) -> Option<i32> {
    let Node::Num(v) = *e else { return None };
    (v.fract() == 0.0 && v.abs() <= 1024.0).then_some(v as i32)
}

/// `text` made safe for a one-line message: control characters and invisible formatting
/// characters escaped (`\n`, `\u{7}`, `\u{202e}`), everything else as typed.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else if c.is_ascii() {
            out.extend(c.escape_default());
        } else {
            // Leaves printable characters (λ, ², …) alone and escapes the non-printable ones.
            out.extend(c.escape_debug());
        }
    }
    out
}

/// An expression quoted for a message: [`printable`], and cut to its first characters with
/// "…" when long.
pub fn quote(text: &str) -> String {
    excerpt(&text.chars().collect::<Vec<_>>(), 0)
}

/// The quoted window of at most [`QUOTE_CHARS`] characters around character `at`.
fn excerpt(chars: &[char], at: usize) -> String {
    let n = chars.len();
    let (start, end) = if n <= QUOTE_CHARS {
        (0, n)
    } else {
        let start = at.saturating_sub(QUOTE_CHARS / 2).min(n - QUOTE_CHARS);
        (start, start + QUOTE_CHARS)
    };
    let body: String = chars[start..end].iter().collect();
    let more = if n > QUOTE_CHARS { format!(" ({n} characters)") } else { String::new() };
    format!("\"{}{}{}\"{more}", if start > 0 { "…" } else { "" }, printable(&body), if end < n { "…" } else { "" })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Ident(String),
    Op(char),
}

/// Tokens with the index of their first character.
fn tokenize(chars: &[char]) -> Result<Vec<(Token, usize)>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let s: String = chars[start..i].iter().collect();
            let v: f64 = match s.parse() {
                Ok(v) if f64::is_finite(v) => v,
                Ok(_) => {
                    return Err(EngineError::Parse(format!(
                        "number {} is too large (beyond ±1.8e308) at character {} of {}",
                        quote(&s),
                        start + 1,
                        excerpt(chars, start)
                    )))
                }
                Err(_) => {
                    return Err(EngineError::Parse(format!(
                        "bad number {} at character {} of {}",
                        quote(&s),
                        start + 1,
                        excerpt(chars, start)
                    )))
                }
            };
            out.push((Token::Num(v), start));
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Token::Ident(chars[start..i].iter().collect()), start));
        } else if "+-*/^()".contains(c) {
            out.push((Token::Op(c), start));
            i += 1;
        } else {
            return Err(EngineError::Parse(format!(
                "unexpected character '{}' at character {} of {}",
                printable(&c.to_string()),
                start + 1,
                excerpt(chars, start)
            )));
        }
    }
    if out.is_empty() {
        return Err(EngineError::Parse("empty expression".into()));
    }
    Ok(out)
}

struct Parser<'a> {
    chars: &'a [char],
    tokens: Vec<(Token, usize)>,
    pos: usize,
    /// Current nesting of parentheses, function calls and exponents.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }
    fn eat_op(&mut self, c: char) -> bool {
        if self.peek() == Some(&Token::Op(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    /// Character index of the current token (the end of the text past the last one).
    fn here(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.chars.len(), |&(_, at)| at)
    }
    /// "'tok' at character n of "…"" for the token starting at character `at`.
    fn locate(&self, at: usize) -> String {
        let token = self.tokens.iter().find(|(_, a)| *a == at);
        let shown = match token {
            Some((Token::Op(c), _)) => c.to_string(),
            Some((Token::Ident(s), _)) => s.clone(),
            _ => {
                // A number: as typed.
                let end = (at..self.chars.len())
                    .find(|&k| !(self.chars[k].is_ascii_alphanumeric() || "._+-".contains(self.chars[k])))
                    .unwrap_or(self.chars.len());
                self.chars[at..end].iter().collect()
            }
        };
        let shown = if shown.chars().count() > 20 {
            format!("{}…", shown.chars().take(20).collect::<String>())
        } else {
            shown
        };
        format!("'{}' at character {} of {}", printable(&shown), at + 1, excerpt(self.chars, at))
    }
    fn error_here(&self, what: &str) -> EngineError {
        let at = self.here();
        if at >= self.chars.len() {
            EngineError::Parse(format!("{what} at the end of {}", excerpt(self.chars, at)))
        } else {
            EngineError::Parse(format!("{what}: found {}", self.locate(at)))
        }
    }
    /// Enters one level of nesting, refusing more than [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(EngineError::Parse(format!(
                "expression is nested more than {MAX_DEPTH} levels deep (parentheses, function calls and \
                 exponents); the limit is {MAX_DEPTH} ({})",
                excerpt(self.chars, self.here())
            )));
        }
        Ok(())
    }
    fn leave(&mut self) {
        self.depth -= 1;
    }
    fn expr(&mut self) -> Result<Node> {
        let mut items = vec![(false, self.term()?)];
        loop {
            if self.eat_op('+') {
                items.push((false, self.term()?));
            } else if self.eat_op('-') {
                items.push((true, self.term()?));
            } else if items.len() == 1 {
                return Ok(items.pop().expect("one term").1);
            } else {
                return Ok(Node::Sum(items).fold());
            }
        }
    }
    fn term(&mut self) -> Result<Node> {
        let mut items = vec![(false, self.unary()?)];
        loop {
            if self.eat_op('*') {
                items.push((false, self.unary()?));
            } else if self.eat_op('/') {
                items.push((true, self.unary()?));
            } else if items.len() == 1 {
                return Ok(items.pop().expect("one factor").1);
            } else {
                return Ok(Node::Product(items).fold());
            }
        }
    }
    /// A run of signs collapses: `--x` is `x` (negation is exact), `---x` is `-x`.
    fn unary(&mut self) -> Result<Node> {
        let mut negative = false;
        loop {
            if self.eat_op('-') {
                negative = !negative;
            } else if !self.eat_op('+') {
                break;
            }
        }
        let p = self.power()?;
        Ok(if negative { Node::Neg(Box::new(p)).fold() } else { p })
    }
    fn power(&mut self) -> Result<Node> {
        let base = self.atom()?;
        if self.eat_op('^') {
            self.enter()?;
            let exponent = self.unary()?;
            self.leave();
            return Ok(Node::Pow(Box::new(base), Box::new(exponent)).fold());
        }
        Ok(base)
    }
    fn atom(&mut self) -> Result<Node> {
        let Some((tok, at)) = self.tokens.get(self.pos).cloned() else {
            return Err(self.error_here("expression ends too early"));
        };
        self.pos += 1;
        match tok {
            Token::Num(v) => Ok(Node::Num(v)),
            Token::Op('(') => {
                self.enter()?;
                let e = self.expr()?;
                if !self.eat_op(')') {
                    return Err(self.error_here("missing ')'"));
                }
                self.leave();
                Ok(e)
            }
            Token::Ident(name) => self.identifier(&name, at),
            Token::Op(_) => Err(EngineError::Parse(format!("unexpected {}", self.locate(at)))),
        }
    }
    fn identifier(&mut self, name: &str, at: usize) -> Result<Node> {
        match name {
            "x" => return Ok(Node::Var(0)),
            "y" => return Ok(Node::Var(1)),
            "z" => return Ok(Node::Var(2)),
            "pi" => return Ok(Node::Num(std::f64::consts::PI)),
            _ => {}
        }
        let f = match name {
            "exp" => Func::Exp,
            "log" | "ln" => Func::Log,
            "sqrt" => Func::Sqrt,
            "sin" => Func::Sin,
            "cos" => Func::Cos,
            "tanh" => Func::Tanh,
            _ => return Err(EngineError::Parse(format!("unknown name {} (variables are x, y, z)", self.locate(at)))),
        };
        if !self.eat_op('(') {
            return Err(self.error_here(&format!("'{name}' must be followed by '('")));
        }
        self.enter()?;
        let arg = self.expr()?;
        if !self.eat_op(')') {
            return Err(self.error_here(&format!("missing ')' after {name}(...")));
        }
        self.leave();
        Ok(Node::Call(f, Box::new(arg)).fold())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_sums_match_the_binary_tree() {
        let e = Expr::parse("x - 2*y + z/3 - x*y/7 + 1").unwrap();
        let (x, y, z) = (0.3f64, -1.7f64, 2.9f64);
        let direct = (((x - 2.0 * y) + z / 3.0) - x * y / 7.0) + 1.0;
        assert_eq!(e.value(&[x, y, z]), direct);
        assert_eq!(e.jet(&[x, y, z]).v, direct);
    }

    #[test]
    fn constants_fold_and_signs_collapse() {
        let e = Expr::parse("(1 + 2)*x^(1+1) - --3").unwrap();
        assert_eq!(e.nodes(), 7); // Sum[Product[3, Pow[x, 2]], 3]
        assert_eq!(Expr::parse("---x").unwrap(), Expr::parse("-x").unwrap());
        assert_eq!(Expr::parse("2^10").unwrap().value(&[]), 1024.0);
    }

    #[test]
    fn messages_escape_and_truncate() {
        let err = Expr::parse("x^2 +\u{7}").unwrap_err().to_string();
        assert!(err.contains("\\u{7}") && !err.contains('\u{7}'), "{err}");
        let long = format!("{}$", "x+".repeat(5000));
        let err = Expr::parse(&long).unwrap_err().to_string();
        assert!(err.len() < 300 && err.contains("10001 characters"), "{err}");
    }
}
