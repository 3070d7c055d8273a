//! Report records: a verdict and a check that ties computed quantities to a claim. Verdicts are
//! decided by comparing intervals, so a margin smaller than the error estimate yields
//! INCONCLUSIVE, never PASS or FAIL.

pub use fpspectral::quantity::Quantity;
use serde::Serialize;
use std::collections::BTreeMap;

/// Outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// A curve for a plot.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates.
    pub y: Vec<f64>,
}

/// A figure: curves with axis labels; `log_y` for decays.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// File stem and title.
    pub name: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Curves.
    pub series: Vec<Series>,
}

/// One report entry: a claim checked in one setting under one reading.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Claim id from the reading guide (`theorem1`, `lemma3`, …).
    pub id: String,
    /// The reading of the claim that is tested.
    pub reading: String,
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
}

impl Check {
    /// A new check with an empty setting and no quantities.
    pub fn new(id: &str, reading: &str) -> Self {
        Check {
            id: id.into(),
            reading: reading.into(),
            setting: BTreeMap::new(),
            quantities: BTreeMap::new(),
            claimed: String::new(),
            verdict: Verdict::Inconclusive,
            evidence: String::new(),
            figures: Vec::new(),
            certificate: None,
            certificate_note: None,
        }
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
