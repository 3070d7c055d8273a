//! Potentials written as expressions in x, y, z: a small recursive-descent parser, evaluation
//! over jets (value, gradient, Hessian), and recognition of polynomials.
//!
//! Grammar (usual precedence, `^` right-associative and binding tighter than unary minus):
//! numbers, `x y z`, `pi`, `+ - * / ^`, parentheses, and `exp log sqrt sin cos tanh`.

use crate::error::{EngineError, Result};
use crate::jet::{Dual, Grad, Jet};
use crate::polynomial::Poly;

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

/// Abstract syntax tree of a potential.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(usize),
    Neg(Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Mul(Box<Expr>, Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
    Pow(Box<Expr>, Box<Expr>),
    Call(Func, Box<Expr>),
}

impl Expr {
    /// Parses an expression such as `"x^4/4 - x^2/2 + 0.1*x"`.
    pub fn parse(text: &str) -> Result<Expr> {
        let tokens = tokenize(text)?;
        let mut p = Parser { tokens, pos: 0 };
        let e = p.expr()?;
        if p.pos != p.tokens.len() {
            return Err(EngineError::Parse(format!("unexpected '{}' in \"{text}\"", p.tokens[p.pos].describe())));
        }
        Ok(e)
    }

    /// Number of variables used: 1 + the largest variable index (x=0, y=1, z=2), at least 1.
    pub fn dim(&self) -> usize {
        fn max_var(e: &Expr) -> usize {
            match e {
                Expr::Num(_) => 0,
                Expr::Var(i) => i + 1,
                Expr::Neg(a) | Expr::Call(_, a) => max_var(a),
                Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) | Expr::Pow(a, b) => {
                    max_var(a).max(max_var(b))
                }
            }
        }
        max_var(self).max(1)
    }

    /// Value at a point.
    pub fn value(&self, x: &[f64]) -> f64 {
        match self {
            Expr::Num(c) => *c,
            Expr::Var(i) => x.get(*i).copied().unwrap_or(0.0),
            Expr::Neg(a) => -a.value(x),
            Expr::Add(a, b) => a.value(x) + b.value(x),
            Expr::Sub(a, b) => a.value(x) - b.value(x),
            Expr::Mul(a, b) => a.value(x) * b.value(x),
            Expr::Div(a, b) => a.value(x) / b.value(x),
            Expr::Pow(a, b) => match integer_exponent(b) {
                Some(n) => a.value(x).powi(n),
                None => a.value(x).powf(b.value(x)),
            },
            Expr::Call(f, a) => {
                let u = a.value(x);
                match f {
                    Func::Exp => u.exp(),
                    Func::Log => u.ln(),
                    Func::Sqrt => u.sqrt(),
                    Func::Sin => u.sin(),
                    Func::Cos => u.cos(),
                    Func::Tanh => u.tanh(),
                }
            }
        }
    }

    /// Value, gradient and Hessian at a point (forward-mode, exact to rounding).
    pub fn jet(&self, x: &[f64]) -> Jet {
        self.forward(x)
    }

    /// Value and gradient at a point (first-order forward mode, exact to rounding; the same
    /// operations as [`Expr::jet`] without the Hessian).
    pub fn grad(&self, x: &[f64]) -> Grad {
        self.forward(x)
    }

    /// Forward-mode evaluation in any [`Dual`] number type.
    fn forward<T: Dual>(&self, x: &[f64]) -> T {
        match self {
            Expr::Num(c) => T::constant(*c),
            Expr::Var(i) => T::variable(*i, x.get(*i).copied().unwrap_or(0.0)),
            Expr::Neg(a) => -a.forward::<T>(x),
            Expr::Add(a, b) => a.forward::<T>(x) + b.forward(x),
            Expr::Sub(a, b) => a.forward::<T>(x) - b.forward(x),
            Expr::Mul(a, b) => a.forward::<T>(x) * b.forward(x),
            Expr::Div(a, b) => a.forward::<T>(x) / b.forward(x),
            Expr::Pow(a, b) => match integer_exponent(b) {
                Some(n) => a.forward::<T>(x).powi(n),
                None => {
                    let base: T = a.forward(x);
                    if b.dim_free() {
                        base.powf(b.value(x))
                    } else {
                        (b.forward::<T>(x) * base.ln()).exp()
                    }
                }
            },
            Expr::Call(f, a) => {
                let u: T = a.forward(x);
                match f {
                    Func::Exp => u.exp(),
                    Func::Log => u.ln(),
                    Func::Sqrt => u.sqrt(),
                    Func::Sin => u.sin(),
                    Func::Cos => u.cos(),
                    Func::Tanh => u.tanh(),
                }
            }
        }
    }

    /// True when the expression contains no variable.
    fn dim_free(&self) -> bool {
        match self {
            Expr::Num(_) => true,
            Expr::Var(_) => false,
            Expr::Neg(a) | Expr::Call(_, a) => a.dim_free(),
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) | Expr::Pow(a, b) => {
                a.dim_free() && b.dim_free()
            }
        }
    }

    /// The expression as a polynomial, when it is one (`+ - *`, division by constants, and
    /// non-negative integer powers only).
    pub fn to_poly(&self) -> Option<Poly> {
        match self {
            Expr::Num(c) => Some(Poly::constant(*c)),
            Expr::Var(i) => Some(Poly::variable(*i)),
            Expr::Neg(a) => Some(a.to_poly()?.scale(-1.0)),
            Expr::Add(a, b) => Some(a.to_poly()?.add(&b.to_poly()?)),
            Expr::Sub(a, b) => Some(a.to_poly()?.add(&b.to_poly()?.scale(-1.0))),
            Expr::Mul(a, b) => Some(a.to_poly()?.mul(&b.to_poly()?)),
            Expr::Div(a, b) => {
                let d = b.to_poly()?.as_constant()?;
                if d == 0.0 {
                    return None;
                }
                Some(a.to_poly()?.scale(1.0 / d))
            }
            Expr::Pow(a, b) => {
                let n = integer_exponent(b)?;
                if !(0..=64).contains(&n) {
                    return None;
                }
                Some(a.to_poly()?.pow(n as u32))
            }
            Expr::Call(..) => None,
        }
    }
}

/// The exponent as an integer when it is a constant integer.
fn integer_exponent(e: &Expr) -> Option<i32> {
    let v = match e {
        Expr::Num(c) => *c,
        Expr::Neg(a) => match **a {
            Expr::Num(c) => -c,
            _ => return None,
        },
        _ => return None,
    };
    (v.fract() == 0.0 && v.abs() <= 1024.0).then_some(v as i32)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Ident(String),
    Op(char),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Num(v) => v.to_string(),
            Token::Ident(s) => s.clone(),
            Token::Op(c) => c.to_string(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
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
            let v: f64 = s.parse().map_err(|_| EngineError::Parse(format!("bad number '{s}' in \"{text}\"")))?;
            out.push(Token::Num(v));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if "+-*/^()".contains(c) {
            out.push(Token::Op(c));
            i += 1;
        } else {
            return Err(EngineError::Parse(format!("unexpected character '{c}' in \"{text}\"")));
        }
    }
    if out.is_empty() {
        return Err(EngineError::Parse("empty expression".into()));
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }
    fn eat_op(&mut self, c: char) -> bool {
        if self.peek() == Some(&Token::Op(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expr(&mut self) -> Result<Expr> {
        let mut lhs = self.term()?;
        loop {
            if self.eat_op('+') {
                lhs = Expr::Add(Box::new(lhs), Box::new(self.term()?));
            } else if self.eat_op('-') {
                lhs = Expr::Sub(Box::new(lhs), Box::new(self.term()?));
            } else {
                return Ok(lhs);
            }
        }
    }
    fn term(&mut self) -> Result<Expr> {
        let mut lhs = self.unary()?;
        loop {
            if self.eat_op('*') {
                lhs = Expr::Mul(Box::new(lhs), Box::new(self.unary()?));
            } else if self.eat_op('/') {
                lhs = Expr::Div(Box::new(lhs), Box::new(self.unary()?));
            } else {
                return Ok(lhs);
            }
        }
    }
    fn unary(&mut self) -> Result<Expr> {
        if self.eat_op('-') {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat_op('+') {
            return self.unary();
        }
        self.power()
    }
    fn power(&mut self) -> Result<Expr> {
        let base = self.atom()?;
        if self.eat_op('^') {
            let exponent = self.unary()?;
            return Ok(Expr::Pow(Box::new(base), Box::new(exponent)));
        }
        Ok(base)
    }
    fn atom(&mut self) -> Result<Expr> {
        let tok = self.peek().cloned().ok_or_else(|| EngineError::Parse("expression ends too early".into()))?;
        self.pos += 1;
        match tok {
            Token::Num(v) => Ok(Expr::Num(v)),
            Token::Op('(') => {
                let e = self.expr()?;
                if !self.eat_op(')') {
                    return Err(EngineError::Parse("missing ')'".into()));
                }
                Ok(e)
            }
            Token::Ident(name) => self.identifier(&name),
            Token::Op(c) => Err(EngineError::Parse(format!("unexpected '{c}'"))),
        }
    }
    fn identifier(&mut self, name: &str) -> Result<Expr> {
        match name {
            "x" => return Ok(Expr::Var(0)),
            "y" => return Ok(Expr::Var(1)),
            "z" => return Ok(Expr::Var(2)),
            "pi" => return Ok(Expr::Num(std::f64::consts::PI)),
            _ => {}
        }
        let f = match name {
            "exp" => Func::Exp,
            "log" | "ln" => Func::Log,
            "sqrt" => Func::Sqrt,
            "sin" => Func::Sin,
            "cos" => Func::Cos,
            "tanh" => Func::Tanh,
            _ => return Err(EngineError::Parse(format!("unknown name '{name}' (variables are x, y, z)"))),
        };
        if !self.eat_op('(') {
            return Err(EngineError::Parse(format!("'{name}' must be followed by '('")));
        }
        let arg = self.expr()?;
        if !self.eat_op(')') {
            return Err(EngineError::Parse(format!("missing ')' after {name}(...")));
        }
        Ok(Expr::Call(f, Box::new(arg)))
    }
}
