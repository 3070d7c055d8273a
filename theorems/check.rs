//! Report records: a verdict and a check that ties computed quantities to a claim. Verdicts are
//! decided by comparing intervals, so a margin smaller than the error estimate yields
//! INCONCLUSIVE, never PASS or FAIL.

//!
//! Every row is typed: its [`Role`] (the claim as printed, another reading of ambiguous notation,
//! a negative control, or a corrected statement), a stable short `reading_id` beside the reading's
//! text, and the [`EvidenceKind`] its numbers rest on. Set all three with [`Check::typed`]; a
//! control also states its expected verdict ([`Check::control`]). The claim-level verdict is
//! computed from these rows in [`crate::findings`].
use fpspectral::quadrature::run_or_best_effort;
pub use fpspectral::quantity::Quantity;
use fpspectral::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The claim holds in this setting, by a margin larger than the error.
    #[serde(rename = "PASS")]
    Pass,
    /// The claim fails in this setting, by a margin larger than the error.
    #[serde(rename = "FAIL")]
    Fail,
    /// The computation cannot decide.
    #[serde(rename = "INCONCLUSIVE")]
    Inconclusive,
}

impl Verdict {
    /// Upper-case label.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Inconclusive => "INCONCLUSIVE",
        }
    }
    /// Combines per-setting verdicts: any FAIL fails, else any INCONCLUSIVE, else PASS.
    pub fn all(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let mut out = Verdict::Pass;
        for v in verdicts {
            match v {
                Verdict::Fail => return Verdict::Fail,
                Verdict::Inconclusive => out = Verdict::Inconclusive,
                Verdict::Pass => {}
            }
        }
        out
    }
}

/// What a row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The claim as the paper prints it.
    AsPrinted,
    /// Another reasonable reading of ambiguous notation (never chosen because it passes: every
    /// reading is reported).
    Reading,
    /// A negative (or null) control with a stated expected verdict: it shows the test has power.
    Control,
    /// The nearest true statement, computed and checked.
    Corrected,
}

impl Role {
    /// The label used in reports (`as-printed`, `reading`, `control`, `corrected`).
    pub fn label(&self) -> &'static str {
        match self {
            Role::AsPrinted => "as-printed",
            Role::Reading => "reading",
            Role::Control => "control",
            Role::Corrected => "corrected",
        }
    }
    /// Every role, in report order.
    pub const ALL: [Role; 4] = [Role::AsPrinted, Role::Reading, Role::Control, Role::Corrected];
}

/// What the numbers of a row rest on, weakest first (so `min` over rows is the weakest link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// Monte Carlo with a stated confidence level.
    Statistical,
    /// A resolution study (or a search refined until it stops moving) with an error bar.
    Converged,
    /// A closed form or exact algebra, up to rounding.
    Exact,
    /// An enclosure verified in rigorous arithmetic.
    Certified,
}

impl EvidenceKind {
    /// The label used in reports.
    pub fn label(&self) -> &'static str {
        match self {
            EvidenceKind::Statistical => "statistical",
            EvidenceKind::Converged => "converged",
            EvidenceKind::Exact => "exact",
            EvidenceKind::Certified => "certified",
        }
    }
}

/// The value a row's statement predicts against the computed truth, for the quantity its verdict
/// is about (e.g. the decay rate a bound uses against the true decay rate). Counterexamples are
/// ranked by the relative discrepancy [`Margin::relative`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Margin {
    /// What is compared, in words (with the paper's symbols).
    pub what: String,
    /// The value the row's statement predicts (the paper's, for an as-printed row), with the error
    /// of computing it when it has one.
    pub claimed: Quantity,
    /// The computed truth with its error.
    pub computed: Quantity,
}

impl Margin {
    /// (claimed − computed)/|computed| with its error (the plain difference when the computed
    /// value is 0).
    pub fn relative(&self) -> Quantity {
        let (c, t) = (self.claimed, self.computed);
        if t.value == 0.0 {
            return Quantity::new(c.value - t.value, c.error + t.error);
        }
        let scale = t.value.abs();
        // First-order bound: d[(c − t)/|t|] = dc/|t| + (c/t)·dt/|t|.
        let error = c.error / scale + (c.value / t.value).abs() * t.error / scale;
        Quantity::new((c.value - t.value) / scale, error)
    }
}

/// Verdict on "a ≤ b": PASS when a.hi < b.lo, FAIL when a.lo > b.hi, else INCONCLUSIVE.
pub fn verdict_le(a: Quantity, b: Quantity) -> Verdict {
    if a.hi() <= b.lo() {
        Verdict::Pass
    } else if a.lo() > b.hi() {
        Verdict::Fail
    } else {
        Verdict::Inconclusive
    }
}

/// Verdict on "a = b within relative tolerance `rel`": PASS when |a − b| + errors ≤ rel·|b|,
/// FAIL when |a − b| − errors > rel·|b|, else INCONCLUSIVE.
pub fn verdict_close(a: Quantity, b: Quantity, rel: f64) -> Verdict {
    let gap = (a.value - b.value).abs();
    let err = a.error + b.error;
    let allowed = rel * b.value.abs();
    if gap + err <= allowed {
        Verdict::Pass
    } else if gap - err > allowed {
        Verdict::Fail
    } else {
        Verdict::Inconclusive
    }
}

/// Runs `work`, a claim's rows resting on Gibbs integrals; when a refinement study runs out of
/// levels, runs it again in best-effort mode ([`run_or_best_effort`]: every study returns its
/// finest level with the last change as its error) and reports every row INCONCLUSIVE with that
/// best estimate, its honest error, and the studies that missed their target.
pub fn checks_or_best_effort(work: impl Fn() -> Result<Vec<Check>> + Sync) -> Result<Vec<Check>> {
    let (mut checks, missed) = run_or_best_effort(work)?;
    if !missed.is_empty() {
        checks.iter_mut().for_each(|c| c.mark_not_converged(&missed));
    }
    Ok(checks)
}

/// What a curve of a figure shows; every figure draws each kind in the same colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeriesKind {
    /// The computed truth.
    Computed,
    /// The paper's statement (a bound, a prediction).
    Paper,
    /// A corrected statement.
    Corrected,
    /// Another reading of the paper's statement.
    Reading,
}

/// A curve for a plot.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// What the curve shows.
    pub kind: SeriesKind,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates.
    pub y: Vec<f64>,
    /// Error estimate of each ordinate (drawn as a band where it is visible).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Vec<f64>>,
}

impl Series {
    /// A curve of `kind` without error band.
    pub fn new(kind: SeriesKind, label: &str, x: Vec<f64>, y: Vec<f64>) -> Self {
        Series { label: label.into(), kind, x, y, error: None }
    }
    /// With an error estimate per point.
    pub fn with_error(mut self, error: Vec<f64>) -> Self {
        self.error = Some(error);
        self
    }
}

/// A figure: what is compared (the title), axes with the paper's symbols, curves, and where the
/// paper's statement is first violated.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// File stem.
    pub name: String,
    /// What is compared, in words.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Curves.
    pub series: Vec<Series>,
    /// The abscissa of the first violation of the paper's statement (marked on the computed
    /// curve).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_violation: Option<f64>,
}

impl Figure {
    /// A figure with linear axes and no marked violation.
    pub fn new(name: &str, title: &str, x_label: &str, y_label: &str, series: Vec<Series>) -> Self {
        Figure {
            name: name.into(),
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            log_y: false,
            series,
            first_violation: None,
        }
    }
    /// Logarithmic axes.
    pub fn log(mut self, x: bool, y: bool) -> Self {
        self.log_x = x;
        self.log_y = y;
        self
    }
    /// Marks the first violation at abscissa `x`.
    pub fn violated_at(mut self, x: Option<f64>) -> Self {
        self.first_violation = x;
        self
    }
}

/// One report entry: a claim checked in one setting under one reading.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Claim id from the reading guide (`theorem1`, `lemma3`, …).
    pub id: String,
    /// What the row is for (see [`Role`]).
    pub role: Role,
    /// A stable short slug naming the reading (with `id`, what tests select rows by).
    pub reading_id: String,
    /// The reading of the claim that is tested, in words.
    pub reading: String,
    /// A control's expected verdict (None for every other role).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Verdict>,
    /// What the numbers rest on (None only before [`Check::typed`] is called, which the report
    /// refuses).
    pub evidence_kind: Option<EvidenceKind>,
    /// The setting: potential, parameters.
    pub setting: BTreeMap<String, serde_json::Value>,
    /// Computed quantities with their errors.
    pub quantities: BTreeMap<String, Quantity>,
    /// What the paper states, in words and numbers.
    pub claimed: String,
    /// Verdict.
    pub verdict: Verdict,
    /// One sentence of evidence.
    pub evidence: String,
    /// The statement's number against the computed one, where the verdict is about one quantity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<Margin>,
    /// Figures worth looking at.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
    /// A certificate re-checkable with the `certify` crate's interval arithmetic alone
    /// (`paper-checks verify`), where the verdict has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<certify::Certificate>,
    /// For a FAIL without a certificate: why it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_note: Option<String>,
    /// The refinement studies this row rests on that missed their target (empty: converged).
    /// Such a row is INCONCLUSIVE with its best estimate, and `run` exits 3.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_converged: Vec<String>,
}

impl Check {
    /// A new check with an empty setting and no quantities.
    pub fn new(id: &str, reading: &str) -> Self {
        Check {
            id: id.into(),
            role: Role::AsPrinted,
            reading_id: String::new(),
            reading: reading.into(),
            expected: None,
            evidence_kind: None,
            setting: BTreeMap::new(),
            quantities: BTreeMap::new(),
            claimed: String::new(),
            verdict: Verdict::Inconclusive,
            evidence: String::new(),
            margin: None,
            figures: Vec::new(),
            certificate: None,
            certificate_note: None,
            not_converged: Vec::new(),
        }
    }
    /// Marks the row as resting on studies that missed their target (`missed`, non-empty):
    /// INCONCLUSIVE, its evidence prefixed by the misses and "best estimate".
    pub fn mark_not_converged(&mut self, missed: &[String]) {
        self.verdict = Verdict::Inconclusive;
        self.evidence = format!("not converged ({}); best estimate: {}", missed.join("; "), self.evidence);
        self.not_converged = missed.to_vec();
    }
    /// Types the row: its role, a stable slug for its reading, and what its evidence rests on.
    /// A control also needs [`Check::control`].
    pub fn typed(mut self, role: Role, reading_id: &str, kind: EvidenceKind) -> Self {
        self.role = role;
        self.reading_id = reading_id.into();
        self.evidence_kind = Some(kind);
        self
    }
    /// Makes the row a control with the verdict it must come out with when the test has power.
    pub fn control(mut self, expected: Verdict) -> Self {
        self.role = Role::Control;
        self.expected = Some(expected);
        self
    }
    /// Records the value the statement predicts against the computed truth, for the quantity the
    /// verdict is about.
    pub fn set_margin(&mut self, what: &str, claimed: Quantity, computed: Quantity) {
        self.margin = Some(Margin { what: what.into(), claimed, computed });
    }
    /// For a control: whether it came out as expected (None for other roles).
    pub fn control_ok(&self) -> Option<bool> {
        self.expected.map(|e| e == self.verdict)
    }
    /// The row's outcome in words: the verdict, or for a control "control behaves as expected" /
    /// "control failed".
    pub fn outcome(&self) -> String {
        match self.control_ok() {
            Some(true) => "control behaves as expected".into(),
            Some(false) => "control failed".into(),
            None => self.verdict.label().into(),
        }
    }
    /// Why the row cannot enter a report: no reading id, no evidence kind, or a control without
    /// an expected verdict (None when the row is complete).
    pub fn untyped(&self) -> Option<String> {
        let what = if self.reading_id.is_empty() {
            "has no reading_id"
        } else if !self.reading_id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            "has a reading_id that is not a lower-case slug"
        } else if self.evidence_kind.is_none() {
            "has no evidence_kind"
        } else if (self.role == Role::Control) != self.expected.is_some() {
            "is a control without an expected verdict (or states one without being a control)"
        } else {
            return None;
        };
        Some(format!("a {} row ('{}') {what}: type it with Check::typed", self.id, self.reading))
    }
    /// Adds a setting entry.
    pub fn with_setting(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.setting.insert(key.into(), value.into());
        self
    }
    /// Adds a computed quantity.
    pub fn quantity(&mut self, name: &str, q: Quantity) {
        self.quantities.insert(name.into(), q);
    }
}
