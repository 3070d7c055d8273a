//! SVG line plots of report figures (plotters, SVG backend, no system fonts needed).
//!
//! Every figure draws the computed truth in black, the paper's statement in red, a corrected
//! statement in blue and another reading in green; tick labels have at most four significant
//! digits; the error band of a curve is shaded where it is at least a pixel wide; the first
//! violation of the paper's statement is marked; the caption under the plot gives the verdict.

use crate::summary::num;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use theorems::check::{Figure, SeriesKind};

/// Plot size in pixels, and the height of the caption strip under the plot.
const SIZE: (u32, u32) = (800, 560);
const CAPTION_HEIGHT: u32 = 62;

/// Colours per kind of curve: the first curve of a kind gets the first colour, and so on.
fn colour(kind: SeriesKind, index: usize) -> RGBColor {
    let palette: &[RGBColor] = match kind {
        SeriesKind::Computed => &[RGBColor(0, 0, 0), RGBColor(110, 110, 110)],
        SeriesKind::Paper => &[RGBColor(200, 30, 30), RGBColor(230, 120, 150)],
        SeriesKind::Corrected => &[RGBColor(20, 90, 200), RGBColor(80, 170, 220)],
        SeriesKind::Reading => &[RGBColor(30, 140, 60), RGBColor(150, 170, 40)],
    };
    palette[index % palette.len()]
}

/// What the figure compares (its title; the file stem when it has none).
pub fn title(fig: &Figure) -> String {
    if fig.title.is_empty() {
        fig.name.clone()
    } else {
        fig.title.clone()
    }
}

/// One figure as SVG text with `caption` under it; empty when nothing is finite.
pub fn svg_text(fig: &Figure, caption: &str) -> Result<String, String> {
    let mut text = String::new();
    draw_svg(fig, caption, &mut text)?;
    Ok(text)
}

/// True when the point can be drawn on the figure's axes.
fn drawable(fig: &Figure, x: f64, y: f64) -> bool {
    x.is_finite() && y.is_finite() && (!fig.log_y || y > 0.0) && (!fig.log_x || x > 0.0)
}

/// A range padded for drawing (multiplicatively on a log axis).
fn padded(lo: f64, hi: f64, log: bool) -> (f64, f64) {
    if log {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo / 2.0, hi * 2.0) };
        let pad = (hi / lo).powf(0.05);
        (lo / pad, hi * pad)
    } else {
        let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
        (lo - 0.05 * span, hi + 0.05 * span)
    }
}

fn draw_svg(fig: &Figure, caption: &str, text: &mut String) -> Result<(), String> {
    let pts: Vec<(f64, f64)> = fig
        .series
        .iter()
        .flat_map(|s| s.x.iter().zip(&s.y).map(|(x, y)| (*x, *y)))
        .filter(|(x, y)| drawable(fig, *x, *y))
        .collect();
    if pts.is_empty() {
        return Ok(());
    }
    let (x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let root = SVGBackend::with_string(text, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (plot, strip) = root.split_vertically(SIZE.1 - CAPTION_HEIGHT);
    let (xa, xb) = padded(x0, x1, fig.log_x);
    let (ya, yb) = padded(y0, y1, fig.log_y);
    match (fig.log_x, fig.log_y) {
        (false, false) => draw(&plot, fig, xa..xb, ya..yb)?,
        (true, false) => draw(&plot, fig, (xa..xb).log_scale(), ya..yb)?,
        (false, true) => draw(&plot, fig, xa..xb, (ya..yb).log_scale())?,
        (true, true) => draw(&plot, fig, (xa..xb).log_scale(), (ya..yb).log_scale())?,
    }
    let style = ("sans-serif", 16).into_font().color(&RGBColor(40, 40, 40));
    for (i, line) in wrap(caption, 96).iter().take(3).enumerate() {
        strip.draw(&Text::new(line.clone(), (12, 4 + 18 * i as i32), style.clone())).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// `text` in lines of at most `width` characters, broken at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// Draws the curves of `fig` on axes `x` × `y` (each linear or logarithmic).
fn draw<X, Y>(root: &DrawingArea<SVGBackend<'_>, Shift>, fig: &Figure, x: X, y: Y) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(title(fig), ("sans-serif", 21))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(86)
        .build_cartesian_2d(x, y)
        .map_err(|e| e.to_string())?;
    let ticks = |v: &f64| num(*v, 4);
    chart
        .configure_mesh()
        .x_desc(&fig.x_label)
        .y_desc(&fig.y_label)
        .x_label_formatter(&ticks)
        .y_label_formatter(&ticks)
        .axis_desc_style(("sans-serif", 19))
        .label_style(("sans-serif", 16))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(|e| e.to_string())?;
    let plot_height = chart.plotting_area().dim_in_pixel().1 as i32;
    let mut seen = std::collections::BTreeMap::<u8, usize>::new();
    for s in &fig.series {
        let k = seen.entry(s.kind as u8).or_insert(0);
        let c = colour(s.kind, *k);
        *k += 1;
        let data: Vec<(f64, f64)> =
            s.x.iter().zip(&s.y).filter(|(x, y)| drawable(fig, **x, **y)).map(|(x, y)| (*x, *y)).collect();
        // The error band, where it is at least a pixel wide somewhere.
        if let Some(errors) = &s.error {
            let band: Vec<(f64, f64, f64)> =
                s.x.iter()
                    .zip(&s.y)
                    .zip(errors)
                    .filter(|((x, y), e)| drawable(fig, **x, **y) && e.is_finite())
                    .map(|((x, y), e)| {
                        let lo = if fig.log_y { (y - e).max(y * 1e-3) } else { y - e };
                        (*x, lo, y + e)
                    })
                    .collect();
            let visible = band.iter().any(|(x, lo, hi)| {
                let (a, b) = (chart.backend_coord(&(*x, *lo)), chart.backend_coord(&(*x, *hi)));
                (a.1 - b.1).abs() >= 1 && (a.1 - b.1).abs() < plot_height
            });
            if visible && band.len() > 1 {
                let mut outline: Vec<(f64, f64)> = band.iter().map(|(x, _, hi)| (*x, *hi)).collect();
                outline.extend(band.iter().rev().map(|(x, lo, _)| (*x, *lo)));
                chart.draw_series(std::iter::once(Polygon::new(outline, c.mix(0.18)))).map_err(|e| e.to_string())?;
            }
        }
        let width = if s.kind == SeriesKind::Computed { 3 } else { 2 };
        chart
            .draw_series(LineSeries::new(data.clone(), c.stroke_width(width)))
            .map_err(|e| e.to_string())?
            .label(&s.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
        if data.len() <= 12 {
            chart.draw_series(data.iter().map(|p| Circle::new(*p, 3, c.filled()))).map_err(|e| e.to_string())?;
        }
    }
    // The first violation of the paper's statement, on the computed curve.
    if let Some(t) = fig.first_violation {
        let computed = fig.series.iter().find(|s| s.kind == SeriesKind::Computed);
        let at = computed.and_then(|s| s.x.iter().zip(&s.y).find(|(x, _)| **x >= t).map(|(x, y)| (*x, *y)));
        if let Some((x, y)) = at.filter(|(x, y)| drawable(fig, *x, *y)) {
            let red = colour(SeriesKind::Paper, 0);
            chart
                .draw_series(std::iter::once(Circle::new((x, y), 7, red.stroke_width(3))))
                .map_err(|e| e.to_string())?
                .label(format!("first violation, {} = {}", fig.x_label, num(x, 4)))
                .legend(move |(lx, ly)| Circle::new((lx + 9, ly), 5, red.stroke_width(2)));
        }
    }
    // The legend goes into the corner the computed curve leaves empty: lower left under a decay,
    // upper left over a growth.
    let falling = fig.series.iter().find(|s| s.kind == SeriesKind::Computed).is_some_and(|s| {
        let pts: Vec<(f64, f64)> =
            s.x.iter().zip(&s.y).filter(|(x, y)| drawable(fig, **x, **y)).map(|(x, y)| (*x, *y)).collect();
        let left = pts.iter().min_by(|a, b| a.0.total_cmp(&b.0));
        let right = pts.iter().max_by(|a, b| a.0.total_cmp(&b.0));
        matches!((left, right), (Some(l), Some(r)) if r.1 < l.1)
    });
    let corner = if falling { SeriesLabelPosition::LowerLeft } else { SeriesLabelPosition::UpperLeft };
    chart
        .configure_series_labels()
        .position(corner)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(|e| e.to_string())
}
