//! A parsed tree compiled to a flat stack program, so that evaluating an expression at many
//! points (quadrature nodes, grids) walks an array instead of chasing boxed nodes.
//!
//! The program performs exactly the floating-point operations of [`Node::value`], in the same
//! order, on the same operands: its values are bit-identical to the tree's (tested below on
//! every grammar construct and on random points).

use super::{integer_exponent, Func, Node};

/// The right operand of a binary operation: a number or variable read in place, or the value
/// the program pushed last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Arg {
    Num(f64),
    Var(usize),
    Pop,
}

/// acc ∘ b, with the acc the top of the stack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
    PushNum(f64),
    PushVar(usize),
    Neg,
    /// top ← top ∘ b (b popped first when [`Arg::Pop`]).
    Bin(BinOp, Arg),
    /// top ← top^n by `powi` (a constant integer exponent, as [`Node::value`]).
    PowI(i32),
    /// top ← top^b by `powf`.
    PowF(Arg),
    Call(Func),
}

/// Values kept on the machine stack before a heap stack is needed.
const SMALL_STACK: usize = 16;

/// The flat program of a tree and the stack depth it needs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Program {
    pub(super) ops: Vec<Op>,
    pub(super) depth: usize,
}

impl Program {
    /// Compiles a tree (at most [`super::MAX_DEPTH`] deep, so the recursion is bounded).
    pub(super) fn compile(root: &Node) -> Program {
        let mut ops = Vec::new();
        emit(root, &mut ops);
        let (mut depth, mut now) = (0usize, 0usize);
        for op in &ops {
            match op {
                Op::PushNum(_) | Op::PushVar(_) => now += 1,
                Op::Bin(_, Arg::Pop) | Op::PowF(Arg::Pop) => now -= 1,
                _ => {}
            }
            depth = depth.max(now);
        }
        Program { ops, depth }
    }

    /// The value at x (a missing coordinate reads as 0, as in [`Node::value`]).
    pub(super) fn value(&self, x: &[f64]) -> f64 {
        if self.depth <= SMALL_STACK {
            self.run(x, &mut [0.0; SMALL_STACK])
        } else {
            self.run(x, &mut vec![0.0; self.depth])
        }
    }

    /// Runs the program with the top of the stack held in `acc` (a register) and the values
    /// below it in `stack` (its first slot holds the unused initial `acc`).
    fn run(&self, x: &[f64], stack: &mut [f64]) -> f64 {
        let var = |i: usize| x.get(i).copied().unwrap_or(0.0);
        let (mut acc, mut below) = (0.0, 0usize);
        for op in &self.ops {
            match *op {
                Op::PushNum(c) => push(stack, &mut below, &mut acc, c),
                Op::PushVar(i) => push(stack, &mut below, &mut acc, var(i)),
                Op::Neg => acc = -acc,
                Op::Bin(f, a) => {
                    let b = read(a, x, stack, &mut below, &mut acc);
                    acc = match f {
                        BinOp::Add => acc + b,
                        BinOp::Sub => acc - b,
                        BinOp::Mul => acc * b,
                        BinOp::Div => acc / b,
                    };
                }
                Op::PowI(n) => acc = powi(acc, n),
                Op::PowF(a) => {
                    let b = read(a, x, stack, &mut below, &mut acc);
                    acc = acc.powf(b);
                }
                Op::Call(f) => acc = f.apply(acc),
            }
        }
        acc
    }
}

/// x^n by binary powering: the products, in order, of the runtime `powi` of the tree
/// (libgcc's and compiler-rt's `__powidf2`: y = x^(low bit); then x ← x², y ← y·x per set bit;
/// 1/y for n < 0), inline instead of a library call (tested equal bit for bit below).
pub(super) fn powi(mut x: f64, n: i32) -> f64 {
    let mut m = n.unsigned_abs();
    let mut y = if m % 2 == 1 { x } else { 1.0 };
    m >>= 1;
    while m != 0 {
        x *= x;
        if m % 2 == 1 {
            y *= x;
        }
        m >>= 1;
    }
    if n < 0 {
        1.0 / y
    } else {
        y
    }
}

/// Pushes v: `acc` goes below, v becomes `acc`.
fn push(stack: &mut [f64], below: &mut usize, acc: &mut f64, v: f64) {
    stack[*below] = *acc;
    *below += 1;
    *acc = v;
}

/// The operand b: in place, or popped (b is the top `acc`, and the value below becomes `acc`).
fn read(a: Arg, x: &[f64], stack: &[f64], below: &mut usize, acc: &mut f64) -> f64 {
    match a {
        Arg::Num(c) => c,
        Arg::Var(i) => x.get(i).copied().unwrap_or(0.0),
        Arg::Pop => {
            *below -= 1;
            std::mem::replace(acc, stack[*below])
        }
    }
}

/// The operand of a node read in place (a number or a variable), or `None`.
fn leaf(node: &Node) -> Option<Arg> {
    match *node {
        Node::Num(c) => Some(Arg::Num(c)),
        Node::Var(i) => Some(Arg::Var(i)),
        _ => None,
    }
}

/// The operand of `node` as a right operand: in place when a leaf, else its code, then `Pop`.
fn operand(node: &Node, ops: &mut Vec<Op>) -> Arg {
    leaf(node).unwrap_or_else(|| {
        emit(node, ops);
        Arg::Pop
    })
}

/// Appends the code that pushes the value of `node` (the evaluation order of [`Node::value`]).
fn emit(node: &Node, ops: &mut Vec<Op>) {
    match node {
        Node::Num(c) => ops.push(Op::PushNum(*c)),
        Node::Var(i) => ops.push(Op::PushVar(*i)),
        Node::Neg(a) => {
            emit(a, ops);
            ops.push(Op::Neg);
        }
        Node::Sum(items) | Node::Product(items) => {
            let sum = matches!(node, Node::Sum(_));
            for (k, (flag, t)) in items.iter().enumerate() {
                if k == 0 {
                    emit(t, ops);
                    continue;
                }
                let f = match (sum, *flag) {
                    (true, false) => BinOp::Add,
                    (true, true) => BinOp::Sub,
                    (false, false) => BinOp::Mul,
                    (false, true) => BinOp::Div,
                };
                let b = operand(t, ops);
                ops.push(Op::Bin(f, b));
            }
        }
        Node::Pow(a, b) => {
            emit(a, ops);
            match integer_exponent(b) {
                Some(n) => ops.push(Op::PowI(n)),
                None => {
                    let e = operand(b, ops);
                    ops.push(Op::PowF(e));
                }
            }
        }
        Node::Call(f, a) => {
            emit(a, ops);
            ops.push(Op::Call(*f));
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::Expr;

    /// Expressions covering every construct: sums, products, quotients, integer and real
    /// powers (constant and variable exponents), negation, every function, deep nesting.
    pub(in crate::expr) const CASES: &[&str] = &[
        "x^4/4 - x^2/2 + 0.1*x",
        "(x^2 + y^2 - 1)^2 + 0.3*x*y - y/7 + z^3",
        "-x^2.5 + x^y - (x*y)^(-2) / (1 + z^2)",
        "exp(-x^2) * log(1 + y^2) - sqrt(2 + sin(x)*cos(y)) + tanh(x*y*z)",
        "((((x + 1)*(y - 2) + 3)/(z + 4) - 5)^3 + 2^x)^(1/3)",
        "-(x - y)*-(y - z)/-(z - x + 0.5)",
        "x^(y^2) + (x + y)^(z - 1) + 3^(x/2)",
    ];

    pub(in crate::expr) fn points() -> Vec<[f64; 3]> {
        // A deterministic scatter of points, including negative and zero coordinates.
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 * 8.0 - 4.0
        };
        let mut out: Vec<[f64; 3]> = (0..500).map(|_| [next(), next(), next()]).collect();
        out.push([0.0, 0.0, 0.0]);
        out.push([-0.0, 1.0, -1.0]);
        out
    }

    #[test]
    fn the_program_matches_the_tree_bit_for_bit() {
        for text in CASES {
            let e = Expr::parse(text).unwrap();
            for p in points() {
                let (tree, program) = (e.root.value(&p), e.program.value(&p));
                assert!(tree.to_bits() == program.to_bits() || (tree.is_nan() && program.is_nan()), "{text} at {p:?}");
            }
        }
    }

    #[test]
    fn inline_powers_are_the_library_powers() {
        for p in points() {
            for x in p.into_iter().chain([1e-300, 1e300, -2.5e10, 0.0, -0.0, f64::INFINITY, f64::NAN]) {
                for n in (-64..=64).chain([-1024, -1023, 127, 1000, 1023, 1024]) {
                    let (lib, inline) = (x.powi(std::hint::black_box(n)), super::powi(x, n));
                    assert!(lib.to_bits() == inline.to_bits() || (lib.is_nan() && inline.is_nan()), "{x}^{n}");
                }
            }
        }
    }

    #[test]
    fn deep_expressions_use_a_heap_stack() {
        // Right-nested sums need one stack slot per level.
        let text = format!("{}x{}", "1 + (x + ".repeat(40), ")".repeat(40));
        let e = Expr::parse(&text).unwrap();
        assert!(e.program.depth > super::SMALL_STACK);
        for p in points() {
            assert_eq!(e.root.value(&p).to_bits(), e.program.value(&p).to_bits());
        }
    }
}
