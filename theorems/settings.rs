//! Claims on the reviewer's own settings (`paper-checks run CLAIM --set KEY=VALUE …`): the keys a
//! claim accepts ([`SettingSpec`]: meaning, kind and range, default), and the parsed, validated
//! values ([`Settings`]). Every refusal is one line naming the key; nothing is computed before
//! every value has been parsed and checked (a potential is parsed and its confinement checked by
//! the engine here, before any claim runs).

use fpspectral::error::short;
use fpspectral::kinetic::KineticParams;
use fpspectral::{EngineError, Expression, Potential, Result};
use std::collections::BTreeMap;

/// What a key's value is, with its admissible range.
#[derive(Debug, Clone, Copy)]
pub enum SetKind {
    /// A finite real number in the open interval (min, max) (an infinite end: unbounded).
    Open(f64, f64),
    /// A finite real number in the closed interval [min, max].
    Closed(f64, f64),
    /// An integer in [min, max].
    Integer(i64, i64),
    /// A potential L(w): an expression in x (d = 1), or x, y (d ≤ 2), … up to `max_dim`
    /// variables, confining (e^{−L} integrable) as the engine checks it.
    Potential {
        /// Largest dimension d the claim's computation handles.
        max_dim: usize,
    },
    /// A point w: `dim` comma-separated finite coordinates, each of size at most 1e6.
    Point,
}

impl SetKind {
    /// The range in words, as `list --settings` prints it.
    pub fn describe(&self) -> String {
        let end = |v: f64| if v.is_infinite() { "∞".to_string() } else { short(v) };
        match self {
            SetKind::Open(lo, hi) => {
                format!("real in ({}, {})", if lo.is_infinite() { "-∞".into() } else { end(*lo) }, end(*hi))
            }
            SetKind::Closed(lo, hi) => format!("real in [{}, {}]", short(*lo), short(*hi)),
            SetKind::Integer(lo, hi) => format!("integer in [{lo}, {hi}]"),
            SetKind::Potential { max_dim: 1 } => "confining expression in x".into(),
            SetKind::Potential { max_dim: 2 } => "confining expression in x (or x, y)".into(),
            SetKind::Potential { max_dim } => format!("confining expression in up to {max_dim} variables"),
            SetKind::Point => "point, comma-separated coordinates (one per variable of the potential)".into(),
        }
    }
}

/// Whether a claim runs on the reviewer's settings.
#[derive(Clone, Copy)]
pub enum Settable {
    /// The keys it accepts, a check of the keys together (cheap: run before any computation), and
    /// the run on one setting.
    Keys {
        /// The accepted keys.
        specs: &'static [SettingSpec],
        /// Refuses combinations of values the claim's computation cannot take (one line).
        check: fn(&Settings) -> Result<()>,
        /// Runs the claim's checks on the given setting.
        run: fn(&Settings, crate::Progress) -> Result<Vec<crate::check::Check>>,
    },
    /// No meaningful setting, and why.
    Fixed(&'static str),
}

/// A check of the keys together that accepts every combination.
pub fn any(_: &Settings) -> Result<()> {
    Ok(())
}

/// One key a claim accepts.
#[derive(Debug, Clone, Copy)]
pub struct SettingSpec {
    /// The key, as written in `--set KEY=VALUE`.
    pub key: &'static str,
    /// What it sets, with the paper's symbol.
    pub meaning: &'static str,
    /// Its kind and range.
    pub kind: SetKind,
    /// The value used when the key is not given (parsed and checked like a given one).
    pub default: &'static str,
}

/// One parsed value.
#[derive(Debug, Clone)]
pub enum Value {
    /// A real number.
    Real(f64),
    /// A potential with the text it was parsed from.
    Potential(String, Box<Expression>),
    /// A point.
    Point(Vec<f64>),
}

impl Value {
    /// The value as JSON, as a row's setting and report.json record it.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Value::Real(v) => serde_json::json!(v),
            Value::Potential(text, _) => serde_json::json!(text),
            Value::Point(p) => serde_json::json!(p),
        }
    }
}

/// The values of every key of a claim: given by the user or the default.
#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<&'static str, Value>,
    given: Vec<(String, String)>,
}

fn refuse<T>(message: String) -> Result<T> {
    Err(EngineError::InvalidParameter(message))
}

/// Splits `KEY=VALUE` at the first `=`.
pub fn split_pair(pair: &str) -> Result<(&str, &str)> {
    match pair.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => Ok((k.trim(), v.trim())),
        _ => refuse(format!("--set takes KEY=VALUE, got '{pair}'")),
    }
}

fn real(spec: &SettingSpec, text: &str) -> Result<f64> {
    let v: f64 = text.parse().map_err(|_| {
        EngineError::InvalidParameter(format!(
            "--set {}: '{text}' is not a number ({})",
            spec.key,
            spec.kind.describe()
        ))
    })?;
    let inside = match spec.kind {
        SetKind::Open(lo, hi) => v > lo && v < hi,
        SetKind::Closed(lo, hi) => v >= lo && v <= hi,
        _ => true,
    };
    if !v.is_finite() || !inside {
        return refuse(format!(
            "--set {}={text} is out of range: {} must be a {}",
            spec.key,
            spec.key,
            spec.kind.describe()
        ));
    }
    Ok(v)
}

fn parse_value(spec: &SettingSpec, text: &str) -> Result<Value> {
    let wrap = |e: EngineError| EngineError::InvalidParameter(format!("--set {}: {e}", spec.key));
    match spec.kind {
        SetKind::Open(..) | SetKind::Closed(..) => Ok(Value::Real(real(spec, text)?)),
        SetKind::Integer(lo, hi) => match text.parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(Value::Real(n as f64)),
            _ => refuse(format!("--set {}={text}: {} must be an integer in [{lo}, {hi}]", spec.key, spec.key)),
        },
        SetKind::Potential { max_dim } => {
            let p = Expression::parse(text).map_err(wrap)?;
            if p.dim() > max_dim {
                return refuse(format!(
                    "--set {}: '{text}' has d = {} variables; this claim handles d ≤ {max_dim}",
                    spec.key,
                    p.dim()
                ));
            }
            Ok(Value::Potential(text.to_string(), Box::new(p)))
        }
        SetKind::Point => {
            let coords: std::result::Result<Vec<f64>, _> = text.split(',').map(|c| c.trim().parse::<f64>()).collect();
            match coords {
                Ok(c) if c.iter().all(|v| v.is_finite() && v.abs() <= 1e6) => Ok(Value::Point(c)),
                _ => {
                    refuse(format!("--set {}: '{text}' is not a point (comma-separated finite coordinates)", spec.key))
                }
            }
        }
    }
}

impl Settings {
    /// Parses `KEY=VALUE` pairs against `specs`: unknown, repeated or malformed keys and
    /// unparsable or out-of-range values are refused in one line; keys not given take their
    /// defaults. A point must have one coordinate per variable of the claim's potential.
    pub fn parse(claim: &str, specs: &[SettingSpec], pairs: &[String]) -> Result<Settings> {
        let mut given = Vec::new();
        for pair in pairs {
            let (key, value) = split_pair(pair)?;
            if !specs.iter().any(|s| s.key == key) {
                let known: Vec<&str> = specs.iter().map(|s| s.key).collect();
                return refuse(format!("{claim} has no setting '{key}' (it accepts: {})", known.join(", ")));
            }
            if given.iter().any(|(k, _): &(String, String)| k == key) {
                return refuse(format!("--set {key} is given twice"));
            }
            given.push((key.to_string(), value.to_string()));
        }
        let mut values = BTreeMap::new();
        for spec in specs {
            let text = given.iter().find(|(k, _)| k == spec.key).map_or(spec.default, |(_, v)| v.as_str());
            values.insert(spec.key, parse_value(spec, text)?);
        }
        let settings = Settings { values, given };
        settings.check_points()?;
        Ok(settings)
    }

    /// Every point has as many coordinates as the potential has variables.
    fn check_points(&self) -> Result<()> {
        let dim = self.values.values().find_map(|v| match v {
            Value::Potential(_, p) => Some(p.dim()),
            _ => None,
        });
        for (key, v) in &self.values {
            if let (Value::Point(p), Some(d)) = (v, dim) {
                if p.len() != d {
                    return refuse(format!(
                        "--set {key}: the point has {} coordinates, the potential {d} variables",
                        p.len()
                    ));
                }
            }
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Result<&Value> {
        self.values.get(key).ok_or_else(|| {
            EngineError::Numerical(format!("no setting '{key}' (a claim asked for a key it does not declare)"))
        })
    }

    /// The real number under `key`.
    pub fn real(&self, key: &str) -> Result<f64> {
        match self.get(key)? {
            Value::Real(v) => Ok(*v),
            _ => Err(EngineError::Numerical(format!("setting '{key}' is not a number"))),
        }
    }

    /// The potential under `key`, with its text.
    pub fn potential(&self, key: &str) -> Result<(&str, &dyn Potential)> {
        match self.get(key)? {
            Value::Potential(text, p) => Ok((text, p.as_ref())),
            _ => Err(EngineError::Numerical(format!("setting '{key}' is not a potential"))),
        }
    }

    /// The point under `key`.
    pub fn point(&self, key: &str) -> Result<&[f64]> {
        match self.get(key)? {
            Value::Point(p) => Ok(p),
            _ => Err(EngineError::Numerical(format!("setting '{key}' is not a point"))),
        }
    }

    /// Every key with its value (given or default), as report.json records it.
    pub fn json(&self) -> serde_json::Value {
        let given = |k: &str| self.given.iter().any(|(g, _)| g == k);
        self.values
            .iter()
            .map(|(k, v)| {
                let source = if given(k) { "given" } else { "default" };
                (k.to_string(), serde_json::json!({"value": v.json(), "source": source}))
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    }

    /// The `--set KEY=VALUE` arguments that reproduce these settings (the given keys, as given;
    /// shell-quoted where needed).
    pub fn arguments(&self) -> String {
        self.given.iter().map(|(k, v)| format!(" --set {}", shell_quote(&format!("{k}={v}")))).collect()
    }
}

/// `text` quoted for a POSIX shell when it holds anything but safe characters.
fn shell_quote(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "=.,_-+/:".contains(c);
    if text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The friction g of the kinetic equation (9), shared by its claims.
pub const FRICTION: SettingSpec = SettingSpec {
    key: "friction",
    meaning: "friction g = (1 − ξ)/√γ of (9)",
    kind: SetKind::Closed(0.05, 20.0),
    default: "1",
};

/// The velocity diffusion D_v of (9).
pub const DIFFUSION_V: SettingSpec = SettingSpec {
    key: "diffusion_v",
    meaning: "velocity diffusion D_v = √γβ/(2M) of (9)",
    kind: SetKind::Closed(0.05, 20.0),
    default: "0.5",
};

/// C_L of (A.4).
pub const CL: SettingSpec = SettingSpec {
    key: "cl",
    meaning: "C_L of (A.4) (L̃ = L − ½C_L²|w|²)",
    kind: SetKind::Closed(0.1, 10.0),
    default: "1",
};

/// (g, D_v) of a setting with the keys [`FRICTION`] and [`DIFFUSION_V`].
pub fn kinetic_params(s: &Settings) -> Result<KineticParams> {
    KineticParams::new(s.real("friction")?, s.real("diffusion_v")?)
}

/// Refuses (g, D_v) outside double precision before anything runs.
pub fn check_kinetic(s: &Settings) -> Result<()> {
    kinetic_params(s).map(|_| ())
}
