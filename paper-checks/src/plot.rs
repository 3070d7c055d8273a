//! SVG line plots of report figures (plotters, SVG backend, no system fonts needed).

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;
use theorems::check::Figure;

const COLORS: [RGBColor; 6] = [RED, BLUE, GREEN, BLACK, MAGENTA, CYAN];

/// One figure as SVG text (logarithmic y axis when `fig.log_y`); empty when nothing is finite.
pub fn svg_text(fig: &Figure) -> Result<String, String> {
    let mut text = String::new();
    draw_svg(fig, &mut text)?;
    Ok(text)
}

fn draw_svg(fig: &Figure, text: &mut String) -> Result<(), String> {
    let pts: Vec<(f64, f64)> = fig
        .series
        .iter()
        .flat_map(|s| s.x.iter().zip(&s.y).map(|(x, y)| (*x, *y)))
        .filter(|(x, y)| x.is_finite() && y.is_finite() && (!fig.log_y || *y > 0.0))
        .collect();
    if pts.is_empty() {
        return Ok(());
    }
    let (x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let root = SVGBackend::with_string(text, (720, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let x_range = x0..(if x1 > x0 { x1 } else { x0 + 1.0 });
    if fig.log_y {
        draw(&root, fig, x_range, (y0 * 0.8..y1 * 1.25).log_scale())?;
    } else {
        let pad = (y1 - y0).abs().max(1e-12) * 0.05;
        draw(&root, fig, x_range, y0 - pad..y1 + pad)?;
    }
    root.present().map_err(|e| e.to_string())
}

/// Draws the curves of `fig` on axes `x` × `y` (y linear or logarithmic).
fn draw<Y>(root: &DrawingArea<SVGBackend<'_>, Shift>, fig: &Figure, x: Range<f64>, y: Y) -> Result<(), String>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(&fig.name, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)
        .map_err(|e| e.to_string())?;
    chart.configure_mesh().x_desc(&fig.x_label).y_desc(&fig.y_label).draw().map_err(|e| e.to_string())?;
    for (i, s) in fig.series.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let data: Vec<(f64, f64)> =
            s.x.iter()
                .zip(&s.y)
                .filter(|(_, y)| y.is_finite() && (!fig.log_y || **y > 0.0))
                .map(|(x, y)| (*x, *y))
                .collect();
        chart
            .draw_series(LineSeries::new(data, c.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(&s.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c));
    }
    chart.configure_series_labels().border_style(BLACK).draw().map_err(|e| e.to_string())
}
