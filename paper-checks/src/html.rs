//! report.html: one self-contained page (inline SVG and CSS, no script, no network). One section
//! per claim: the statement as printed, the verdict and what it rests on, the counterexample, the
//! corrected statement, the figures with captions, and (collapsible) every row with its numbers ±
//! errors and the command that reproduces it.

use crate::summary::{err, num, percent, pm, setting_line, short_finding, verdict_label};
use theorems::check::{Check, Role};
use theorems::findings::{row_ids, ClaimFinding, Group};

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:Georgia,'DejaVu Serif',serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.3em;border-top:2px solid #ccc;padding-top:.8em;margin-top:2em}
code,pre,.mono{font-family:'DejaVu Sans Mono',Menlo,monospace;font-size:.88em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f2f2f2}.badge{display:inline-block;padding:.05em .5em;border-radius:.3em;font-family:sans-serif;font-size:.85em;font-weight:bold;color:#fff}
.holds,.PASS{background:#2e7d32}.false,.FAIL{background:#c62828}.holds-under-reading{background:#1565c0}.inconclusive,.INCONCLUSIVE{background:#757575}
.ok{background:#2e7d32}.bad{background:#c62828}
blockquote.statement{margin:.6em 0;padding:.6em 1em;background:#f7f7f2;border-left:4px solid #999;font-style:italic}
dl.facts dt{font-weight:bold;margin-top:.6em}dl.facts dd{margin-left:1.5em}
figure{margin:1em 0;border:1px solid #ddd;padding:.5em;background:#fff}figure svg{max-width:100%;height:auto}
figcaption{font-size:.9em;color:#333;margin-top:.3em}details{margin:.8em 0}summary{cursor:pointer;font-weight:bold}
.rows td.q{white-space:nowrap}.small{font-size:.85em;color:#444}nav table td:first-child a{font-family:monospace}
";

fn badge(label: &str, class: &str) -> String {
    format!("<span class=\"badge {class}\">{}</span>", esc(label))
}

/// The command that reproduces a row (every row of a claim comes from one run of the claim, with
/// the run's `--set` arguments `set_args`).
fn command(c: &Check, set_args: &str) -> String {
    crate::report::reproduce(&c.id, set_args)
}

fn group_table(groups: &[Group]) -> String {
    let mut s = String::from(
        "<table><tr><th>role</th><th>reading id</th><th>reading</th><th>rows</th><th>outcome</th><th>evidence</th></tr>",
    );
    for g in groups {
        let outcome = match g.controls_failed {
            Some(0) => badge("controls behave as expected", "ok"),
            Some(n) => badge(&format!("{n} control(s) failed"), "bad"),
            None => format!(
                "{} <span class=\"small\">{} PASS, {} FAIL, {} INCONCLUSIVE</span>",
                badge(g.verdict.label(), g.verdict.label()),
                g.pass,
                g.fail,
                g.inconclusive
            ),
        };
        s += &format!(
            "<tr><td>{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{outcome}</td><td>{}</td></tr>",
            g.role.label(),
            esc(&g.reading_id),
            esc(&g.reading),
            g.rows,
            g.evidence_kind.label()
        );
    }
    s + "</table>"
}

fn facts(f: &ClaimFinding) -> String {
    let mut s = String::from("<dl class=\"facts\">");
    let reading = f
        .reading
        .as_ref()
        .map_or(String::new(), |r| format!(" under reading <code>{}</code> ({})", esc(&r.id), esc(&r.text)));
    s += &format!(
        "<dt>Verdict</dt><dd>{}{reading}. It rests on: {}. Evidence: {}.</dd>",
        badge(f.verdict.label(), f.verdict.label()),
        esc(&f.rests_on),
        f.evidence_kind.label()
    );
    s += "<dt>Counterexample</dt><dd>";
    match &f.counterexample {
        Some(ce) => {
            s += &format!("row <code>{}</code>: {}", esc(&ce.row), esc(&setting_line(&ce.setting)));
            if let (Some(w), Some(c), Some(t), Some(m)) = (&ce.what, &ce.claimed, &ce.computed, &ce.margin) {
                s += &format!(
                    "<br>{}: claimed {}, computed {}; relative discrepancy {} ± {}",
                    esc(w),
                    esc(&pm(c)),
                    esc(&pm(t)),
                    esc(&percent(m.value)),
                    esc(&num(100.0 * m.error, 2)) + "%"
                );
            }
            s += &format!("<br><span class=\"small\">{}</span>", esc(&ce.evidence));
        }
        None => s += "none",
    }
    s += "</dd><dt>Corrected statement</dt><dd>";
    match (&f.corrected, &f.corrected_reason) {
        (Some(c), _) => {
            s += &format!(
                "{} <span class=\"small\">(verified by the {} rows <code>{}</code>, all PASS)</span>",
                esc(&c.statement),
                c.rows,
                esc(&c.row)
            )
        }
        (None, Some(why)) => s += &format!("none: {}", esc(why)),
        (None, None) => s += "none",
    }
    s += "</dd><dt>Rows by reading</dt><dd>";
    s += &group_table(&f.groups);
    s + "</dd></dl>"
}

fn quantities(c: &Check) -> String {
    let mut s = String::new();
    if let Some(m) = &c.margin {
        let rel = m.relative();
        s += &format!(
            "<b>{}</b>: claimed {} ± {}, computed {} ± {} ({} ± {}%)<br>",
            esc(&m.what),
            num(m.claimed.value, 8),
            err(m.claimed.error),
            num(m.computed.value, 8),
            err(m.computed.error),
            percent(rel.value),
            num(100.0 * rel.error, 2)
        );
    }
    for (k, q) in &c.quantities {
        s += &format!("{} = {} ± {}<br>", esc(k), num(q.value, 10), err(q.error));
    }
    s
}

fn rows_table(checks: &[(&Check, String)], set_args: &str) -> String {
    let mut s = String::from(
        "<table class=\"rows\"><tr><th>row</th><th>role</th><th>outcome</th><th>setting</th><th>numbers ± errors</th>\
         <th>evidence</th><th>reproduce</th></tr>",
    );
    for (c, row) in checks {
        let class = match c.control_ok() {
            Some(true) => "ok",
            Some(false) => "bad",
            None => c.verdict.label(),
        };
        s += &format!(
            "<tr id=\"{}\"><td class=\"mono\">{}</td><td>{}<br><span class=\"small\">{}</span></td><td>{}</td><td>{}</td>\
             <td class=\"q mono\">{}</td><td>{}<br><span class=\"small\">claimed: {}</span></td><td><code>{}</code></td></tr>",
            esc(&row.replace([':', '#'], "-")),
            esc(row),
            c.role.label(),
            esc(&c.reading),
            badge(&c.outcome(), class),
            esc(&setting_line(&c.setting)),
            quantities(c),
            esc(&c.evidence),
            esc(&c.claimed),
            esc(&command(c, set_args))
        );
    }
    s + "</table>"
}

/// The figures of a claim's rows, each with a caption naming its row and the row's outcome.
fn figures(rows: &[(&Check, String)], svgs: &[(String, String)]) -> String {
    let mut s = String::new();
    for (c, row) in rows {
        for f in &c.figures {
            let Some((_, svg)) = svgs.iter().find(|(name, _)| *name == f.name) else { continue };
            s += &format!(
                "<figure>{}<figcaption><b>{}</b>. Row <code>{}</code> ({}, {}): {}. {}</figcaption></figure>",
                strip_xml_prolog(svg),
                esc(&crate::plot::title(f)),
                esc(row),
                c.role.label(),
                esc(&c.reading),
                esc(&c.outcome()),
                esc(&c.evidence)
            );
        }
    }
    s
}

fn strip_xml_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// The page: the claim table, then one section per claim.
/// The page; `set_args` are the run's `--set KEY=VALUE` arguments (empty for the built-in
/// settings), repeated in every row's reproduce command.
pub fn page(findings: &[ClaimFinding], checks: &[Check], svgs: &[(String, String)], set_args: &str) -> String {
    let ids = row_ids(checks);
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Dai &amp; Zhu: computed verdicts</title><style>{STYLE}</style></head><body>\
         <h1>Dai &amp; Zhu, <i>On Large Batch Training and Sharp Minima: A Fokker–Planck Perspective</i>: \
         computed verdicts</h1><p class=\"small\">Generated by paper-checks {}. Every verdict is computed from \
         the rows below; reproduce everything with <code>paper-checks run</code>, one claim with \
         <code>paper-checks run CLAIM --verbose</code>. Rows are <i>as-printed</i> (the claim as the paper \
         prints it), <i>reading</i> (another reading of ambiguous notation), <i>control</i> (a negative \
         control with its expected outcome) or <i>corrected</i> (the nearest true statement). Numbers are \
         value ± error estimate.</p>",
        env!("CARGO_PKG_VERSION")
    );
    s += "<nav><table><tr><th>claim</th><th>verdict</th><th>finding</th></tr>";
    for f in findings {
        s += &format!(
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            esc(&f.id),
            esc(&f.id),
            badge(&verdict_label(f), f.verdict.label()),
            esc(&short_finding(f))
        );
    }
    s += "</table></nav>";
    for f in findings {
        let rows: Vec<(&Check, String)> =
            checks.iter().zip(&ids).filter(|(c, _)| c.id == f.id).map(|(c, r)| (c, r.clone())).collect();
        s += &format!(
            "<section class=\"claim\" id=\"{}\"><h2>{} — {} {}</h2><blockquote class=\"statement\">{}</blockquote>",
            esc(&f.id),
            esc(&f.id),
            esc(&f.title),
            badge(&verdict_label(f), f.verdict.label()),
            esc(&f.statement)
        );
        s += &facts(f);
        s += &figures(&rows, svgs);
        let roles: Vec<String> = Role::ALL
            .iter()
            .map(|r| (r, rows.iter().filter(|(c, _)| c.role == *r).count()))
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| format!("{n} {}", r.label()))
            .collect();
        s += &format!(
            "<details><summary>All {} rows ({})</summary>{}</details></section>",
            rows.len(),
            roles.join(", "),
            rows_table(&rows, set_args)
        );
    }
    s + "</body></html>\n"
}
