//! The flat program of [`super::program`] run over a batch of points, one instruction at a time
//! across the batch: the interpreter's dispatch is paid once per instruction per batch instead of
//! once per instruction per point, and each instruction is a plain loop over the batch.
//!
//! Every point sees exactly the floating-point operations of [`Program::value`], in the same
//! order, on the same operands: the values are bit-identical (tested below on every grammar
//! construct and on random points).

use super::program::{powi, Arg, BinOp, Op, Program};

/// Points per pass: the stack of columns (depth × CHUNK values) stays in the first-level cache.
const CHUNK: usize = 64;

/// A right operand across the batch: one number, or one value per point.
#[derive(Clone, Copy)]
enum Operand<'a> {
    Scalar(f64),
    Column(&'a [f64]),
}

impl Program {
    /// The values at the points whose coordinates are `columns` (`columns[k][j]` is coordinate k
    /// of point j; a missing column reads as 0, as in [`Program::value`]), written into `out`
    /// (one per point; every column at least `out.len()` long).
    pub(super) fn values(&self, columns: &[&[f64]], out: &mut [f64]) {
        let mut slots = vec![0.0; self.depth.max(1) * CHUNK];
        for (c, chunk) in out.chunks_mut(CHUNK).enumerate() {
            let start = c * CHUNK;
            let cols: Vec<&[f64]> = columns.iter().map(|col| &col[start..start + chunk.len()]).collect();
            self.run_chunk(&cols, &mut slots, chunk);
        }
    }

    /// Runs the program on one chunk: slot t (values t·CHUNK …) holds the t-th live value of
    /// the stack for every point of the chunk.
    fn run_chunk(&self, cols: &[&[f64]], slots: &mut [f64], out: &mut [f64]) {
        let n = out.len();
        let var = |i: usize| cols.get(i).map_or(Operand::Scalar(0.0), |c| Operand::Column(c));
        let mut top = 0usize;
        for op in &self.ops {
            match *op {
                Op::PushNum(c) => {
                    slots[top * CHUNK..top * CHUNK + n].fill(c);
                    top += 1;
                }
                Op::PushVar(i) => {
                    let slot = &mut slots[top * CHUNK..top * CHUNK + n];
                    match var(i) {
                        Operand::Column(c) => slot.copy_from_slice(c),
                        Operand::Scalar(v) => slot.fill(v),
                    }
                    top += 1;
                }
                Op::Neg => slots[(top - 1) * CHUNK..(top - 1) * CHUNK + n].iter_mut().for_each(|a| *a = -*a),
                Op::Bin(f, a) => {
                    top = binary(slots, top, n, a, &var, |acc, b| match f {
                        BinOp::Add => apply(acc, b, |x, y| x + y),
                        BinOp::Sub => apply(acc, b, |x, y| x - y),
                        BinOp::Mul => apply(acc, b, |x, y| x * y),
                        BinOp::Div => apply(acc, b, |x, y| x / y),
                    })
                }
                Op::PowI(p) => {
                    slots[(top - 1) * CHUNK..(top - 1) * CHUNK + n].iter_mut().for_each(|a| *a = powi(*a, p))
                }
                Op::PowF(a) => top = binary(slots, top, n, a, &var, |acc, b| apply(acc, b, f64::powf)),
                Op::Call(f) => {
                    slots[(top - 1) * CHUNK..(top - 1) * CHUNK + n].iter_mut().for_each(|a| *a = f.apply(*a))
                }
            }
        }
        out.copy_from_slice(&slots[..n]);
    }
}

/// top ← top ∘ b over the batch, b read in place or popped; returns the new stack height.
fn binary<'a>(
    slots: &mut [f64],
    top: usize,
    n: usize,
    a: Arg,
    var: &dyn Fn(usize) -> Operand<'a>,
    f: impl FnOnce(&mut [f64], Operand),
) -> usize {
    match a {
        Arg::Num(c) => {
            f(&mut slots[(top - 1) * CHUNK..(top - 1) * CHUNK + n], Operand::Scalar(c));
            top
        }
        Arg::Var(i) => {
            f(&mut slots[(top - 1) * CHUNK..(top - 1) * CHUNK + n], var(i));
            top
        }
        Arg::Pop => {
            let (below, above) = slots.split_at_mut((top - 1) * CHUNK);
            f(&mut below[(top - 2) * CHUNK..(top - 2) * CHUNK + n], Operand::Column(&above[..n]));
            top - 1
        }
    }
}

/// acc_j ← op(acc_j, b_j) for every point j.
#[inline(always)]
fn apply(acc: &mut [f64], b: Operand, op: impl Fn(f64, f64) -> f64) {
    match b {
        Operand::Scalar(v) => acc.iter_mut().for_each(|a| *a = op(*a, v)),
        Operand::Column(c) => acc.iter_mut().zip(c).for_each(|(a, &v)| *a = op(*a, v)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::program::tests::{points, CASES};
    use super::super::Expr;

    /// The batch values are the one-point values bit for bit, for batches of every length
    /// around the chunk size and for points with fewer coordinates than variables.
    #[test]
    fn batch_values_are_the_point_values_bit_for_bit() {
        let pts = points();
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        for text in CASES.iter().copied().chain(["1 + (x + 1 + (y + 2 + (z + 3 + (x*y + 4))))", "2.5"]) {
            let e = Expr::parse(text).unwrap();
            for dims in [1usize, 2, 3] {
                for len in [0usize, 1, 63, 64, 65, 200, pts.len()] {
                    let columns: Vec<Vec<f64>> = (0..dims).map(|k| pts[..len].iter().map(|p| p[k]).collect()).collect();
                    let refs: Vec<&[f64]> = columns.iter().map(|c| &c[..]).collect();
                    let mut out = vec![f64::NAN; len];
                    e.values(&refs, &mut out);
                    for (j, p) in pts[..len].iter().enumerate() {
                        let one = e.value(&p[..dims]);
                        assert!(same(one, out[j]), "{text} at {:?}: {one} vs {}", &p[..dims], out[j]);
                    }
                }
            }
        }
    }

    #[test]
    fn deep_expressions_evaluate_in_batches() {
        let text = format!("{}x{}", "1 + (x + ".repeat(40), ")".repeat(40));
        let e = Expr::parse(&text).unwrap();
        let xs: Vec<f64> = points().iter().map(|p| p[0]).collect();
        let mut out = vec![0.0; xs.len()];
        e.values(&[&xs], &mut out);
        for (x, v) in xs.iter().zip(&out) {
            assert_eq!(e.value(&[*x]).to_bits(), v.to_bits());
        }
    }
}
