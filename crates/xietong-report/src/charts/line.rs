//! Line chart with optional shaded bands (e.g. 5-95% envelopes over Monte Carlo runs).

use super::*;
use crate::axis::{clip_polygon, clip_polyline, fmt_tick, inner_ticks, loose_ticks};
use crate::palette;
use crate::style::Style;
use crate::{ReportError, impl_chart};

const CHART: &str = "line chart";

/// One line; `lower`/`upper` (same length as `x`) draw a shaded band around it.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub name: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub lower: Option<Vec<f64>>,
    pub upper: Option<Vec<f64>>,
}

/// Lines over a shared x axis. NaN values leave gaps. `y_range` fixes the value axis (data
/// outside it is clipped); `x_ticks` replaces automatic x ticks with labelled positions.
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub y_range: Option<(f64, f64)>,
    pub x_ticks: Option<Vec<(f64, String)>>,
    pub width: u32,
    pub height: u32,
}

/// Maximal index runs where `ok(i)` holds.
pub(crate) fn runs(n: usize, ok: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..=n {
        let good = i < n && ok(i);
        match (good, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    out
}

impl LineChart {
    fn validate(&self) -> Result<(), ReportError> {
        if self.series.is_empty() {
            return Err(ReportError::empty(CHART, "`series` is empty"));
        }
        for (i, s) in self.series.iter().enumerate() {
            let f = |name: &str| format!("series[{i}] ({}).{name}", s.name);
            if s.x.is_empty() {
                return Err(ReportError::empty(
                    CHART,
                    format!("{} has no points", f("x")),
                ));
            }
            if s.y.len() != s.x.len() {
                return Err(ReportError::mismatch(
                    CHART,
                    f("y"),
                    s.x.len(),
                    s.y.len(),
                    "one y per x",
                ));
            }
            for (name, band) in [("lower", &s.lower), ("upper", &s.upper)] {
                if let Some(b) = band
                    && b.len() != s.x.len()
                {
                    return Err(ReportError::mismatch(
                        CHART,
                        f(name),
                        s.x.len(),
                        b.len(),
                        "one band value per x",
                    ));
                }
            }
            if s.lower.is_some() != s.upper.is_some() {
                return Err(ReportError::invalid(
                    CHART,
                    f("lower/upper"),
                    "a band needs both `lower` and `upper`",
                ));
            }
        }
        if let Some((lo, hi)) = self.y_range
            && !(lo.is_finite() && hi.is_finite() && lo < hi)
        {
            return Err(ReportError::invalid(
                CHART,
                "y_range",
                format!("need finite lo < hi, got ({lo}, {hi})"),
            ));
        }
        if let Some(t) = &self.x_ticks
            && let Some((v, l)) = t.iter().find(|(v, _)| !v.is_finite())
        {
            return Err(ReportError::invalid(
                CHART,
                "x_ticks",
                format!("tick {l:?} has position {v}"),
            ));
        }
        Ok(())
    }

    pub(crate) fn scene(&self) -> Result<Scene, ReportError> {
        self.scene_with(&Style::default())
    }

    pub(crate) fn scene_with(&self, style: &Style) -> Result<Scene, ReportError> {
        self.validate()?;
        style.only(CHART, false, true)?;
        if let Some(&i) = style.highlight.iter().find(|&&i| i >= self.series.len()) {
            return Err(ReportError::invalid(
                CHART,
                "style.highlight",
                format!(
                    "series index {i} but there are {} series",
                    self.series.len()
                ),
            ));
        }
        if let Some((i, b)) = style
            .x_bands
            .iter()
            .enumerate()
            .find(|(_, b)| !(b.from.is_finite() && b.to.is_finite()))
        {
            return Err(ReportError::invalid(
                CHART,
                format!("style.x_bands[{i}] ({})", b.label),
                format!("need finite from and to, got ({}, {})", b.from, b.to),
            ));
        }
        let strong = |i: usize| style.highlight.contains(&i);
        let muted = !style.highlight.is_empty();
        let mut sc = Scene::new(CHART, self.width, self.height, &self.title)?;
        let auto_h = self.height == 0;

        // data extent over finite values only
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for s in &self.series {
            for i in 0..s.x.len() {
                if !s.x[i].is_finite() {
                    continue;
                }
                let mut ys = vec![s.y[i]];
                if let (Some(l), Some(u)) = (&s.lower, &s.upper) {
                    ys.push(l[i]);
                    ys.push(u[i]);
                }
                let mut any = false;
                for y in ys.into_iter().filter(|y| y.is_finite()) {
                    y0 = y0.min(y);
                    y1 = y1.max(y);
                    any = true;
                }
                if any {
                    x0 = x0.min(s.x[i]);
                    x1 = x1.max(s.x[i]);
                }
            }
        }
        if !x0.is_finite() {
            return Err(ReportError::empty(
                CHART,
                "no point has finite x and y (all NaN?)",
            ));
        }
        if let Some(t) = &self.x_ticks {
            for (v, _) in t {
                x0 = x0.min(*v);
                x1 = x1.max(*v);
            }
        }
        let (x0, x1) = crate::axis::widen(x0, x1);
        let (y0, y1, ystep, yt) = match self.y_range {
            Some((lo, hi)) => {
                let (step, t) = inner_ticks(lo, hi, y_tick_target(sc.height));
                (lo, hi, step, t)
            }
            None => loose_ticks(y0, y1, y_tick_target(sc.height)),
        };
        let y_ticks_l: Vec<(f64, String)> = yt.iter().map(|&v| (v, fmt_tick(v, ystep))).collect();
        let x_ticks_l: Vec<(f64, String)> = match &self.x_ticks {
            Some(t) => t.clone(),
            None => {
                let (step, t) = inner_ticks(x0, x1, x_tick_target(sc.width));
                t.iter().map(|&v| (v, fmt_tick(v, step))).collect()
            }
        };

        // layout
        let w = sc.width as f32;
        let top = draw_title(&mut sc, &self.title);
        let entries: Vec<LegendEntry> = if self.series.len() > 1 || !self.series[0].name.is_empty()
        {
            self.series
                .iter()
                .enumerate()
                .map(|(i, s)| LegendEntry {
                    label: s.name.clone(),
                    swatch: Swatch::Line {
                        color: palette::categorical(i),
                        dash: if strong(i) { None } else { palette::dash(i) },
                        band: s.lower.is_some(),
                        marker: (marked(s) <= MARK_MAX).then_some(i),
                    },
                })
                .collect()
        } else {
            Vec::new()
        };
        let top = draw_legend(&mut sc, &entries, PAD, w - PAD, top);
        // a long legend (many series) makes an auto-sized chart taller, not the plot smaller
        let bottom = bottom_margin(&self.x_label);
        let min_plot = (w * 0.4).clamp(160.0, 300.0);
        grow_to(&mut sc, auto_h, top + 6.0 + min_plot + bottom);
        let h = sc.height as f32;
        let labels: Vec<String> = y_ticks_l.iter().map(|t| t.1.clone()).collect();
        let last_x_label = x_ticks_l
            .last()
            .map(|t| text_width(&t.1, TICK, false) / 2.0)
            .unwrap_or(0.0);
        // band labels get their own row above the plot, so they never cover data
        let band_labels = style.x_bands.iter().any(|b| !b.label.trim().is_empty());
        let plot = Rect {
            x0: left_margin(&labels, &self.y_label),
            y0: top + 6.0 + if band_labels { TICK * 1.5 } else { 0.0 },
            x1: w - PAD - last_x_label.max(6.0),
            y1: h - bottom_margin(&self.x_label),
        };
        if plot.w() < 40.0 || plot.h() < 40.0 {
            return Err(too_small(CHART, &sc));
        }
        let xs = Scale {
            d0: x0,
            d1: x1,
            r0: plot.x0,
            r1: plot.x1,
        };
        let ys = Scale {
            d0: y0,
            d1: y1,
            r0: plot.y1,
            r1: plot.y0,
        };
        draw_x_bands(&mut sc, &plot, &xs, &style.x_bands);
        y_ticks(&mut sc, &plot, &ys, &y_ticks_l, true);
        x_ticks(&mut sc, &plot, &xs, &x_ticks_l, false);

        // bands first so every line stays on top of every band
        for (si, s) in self.series.iter().enumerate() {
            let (Some(lo), Some(up)) = (&s.lower, &s.upper) else {
                continue;
            };
            let ok = |i: usize| s.x[i].is_finite() && lo[i].is_finite() && up[i].is_finite();
            for (a, b) in runs(s.x.len(), ok) {
                let mut pts: Vec<(f32, f32)> =
                    (a..b).map(|i| (xs.map(s.x[i]), ys.map(up[i]))).collect();
                pts.extend((a..b).rev().map(|i| (xs.map(s.x[i]), ys.map(lo[i]))));
                if b - a == 1 {
                    // a lone band value: show it as a short vertical whisker
                    for run in clip_polyline(&pts, &plot) {
                        sc.polyline(
                            run,
                            Stroke {
                                color: palette::categorical(si),
                                width: 3.0,
                                dash: None,
                                opacity: 0.5,
                            },
                        );
                    }
                    continue;
                }
                let pts = clip_polygon(&pts, &plot);
                sc.polygon(pts, palette::categorical(si), BAND_OPACITY);
            }
        }
        axis_lines(&mut sc, &plot);
        // highlighted series last, so they are drawn on top of the others
        let mut order: Vec<usize> = (0..self.series.len()).filter(|&i| !strong(i)).collect();
        order.extend((0..self.series.len()).filter(|&i| strong(i)));
        for si in order {
            let s = &self.series[si];
            let color = palette::categorical(si);
            let stroke = if strong(si) {
                Stroke::solid(color, 3.5)
            } else {
                Stroke {
                    color,
                    width: if muted { 1.3 } else { 2.0 },
                    dash: palette::dash(si),
                    opacity: if muted { 0.55 } else { 1.0 },
                }
            };
            let ok = |i: usize| s.x[i].is_finite() && s.y[i].is_finite();
            let finite = marked(s);
            for (a, b) in runs(s.x.len(), ok) {
                let pts: Vec<(f32, f32)> =
                    (a..b).map(|i| (xs.map(s.x[i]), ys.map(s.y[i]))).collect();
                if pts.len() == 1 {
                    if in_rect(pts[0], &plot) {
                        sc.circle(pts[0], 3.0, Some(color), None);
                    }
                    continue;
                }
                for run in clip_polyline(&pts, &plot) {
                    sc.polyline(run, stroke.clone());
                }
                // few points: mark them so the series stays identifiable in greyscale
                if finite <= MARK_MAX {
                    for p in pts.iter().filter(|p| in_rect(**p, &plot)) {
                        draw_marker(&mut sc, si, *p, color);
                    }
                }
            }
        }
        axis_titles(&mut sc, &plot, &self.x_label, &self.y_label);
        Ok(sc)
    }
}

/// Fill of a shaded x range: a neutral grey, lighter than every categorical colour and band,
/// so it reads as background in colour and in greyscale print.
pub(crate) const X_BAND_FILL: Rgb = Rgb(0xea, 0xea, 0xea);

/// Shaded x ranges under everything else (clipped to the plot), each with its label centred
/// above the plot; a label that would overlap the previous one is left out.
fn draw_x_bands(sc: &mut Scene, plot: &Rect, xs: &Scale, bands: &[crate::XBand]) {
    let mut last_right = f32::NEG_INFINITY;
    for b in bands {
        let (a, z) = (xs.map(b.from.min(b.to)), xs.map(b.from.max(b.to)));
        let (a, z) = (a.max(plot.x0), z.min(plot.x1));
        if z <= a {
            continue;
        }
        sc.rect(a, plot.y0, z - a, plot.h(), Some(X_BAND_FILL), None);
        let label = b.label.trim();
        if label.is_empty() {
            continue;
        }
        let label = ellipsize(label, TICK, plot.w());
        let lw = text_width(&label, TICK, false);
        // centred over the band, kept inside the plot's width
        let cx = ((a + z) / 2.0).clamp(
            plot.x0 + lw / 2.0,
            (plot.x1 - lw / 2.0).max(plot.x0 + lw / 2.0),
        );
        if cx - lw / 2.0 < last_right + 6.0 {
            continue;
        }
        sc.text_full(
            (cx, plot.y0 - 5.0),
            &label,
            TICK,
            Anchor::Middle,
            0.0,
            Rgb::AXIS,
            false,
        );
        last_right = cx + lw / 2.0;
    }
}

/// Series with at most this many finite points get point markers.
const MARK_MAX: usize = 24;

/// Number of drawable (finite x and y) points of a series.
fn marked(s: &Series) -> usize {
    s.x.iter()
        .zip(&s.y)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .count()
}

pub(crate) fn in_rect(p: (f32, f32), r: &Rect) -> bool {
    p.0 >= r.x0 - 0.5 && p.0 <= r.x1 + 0.5 && p.1 >= r.y0 - 0.5 && p.1 <= r.y1 + 0.5
}

impl_chart!(LineChart);
crate::impl_styled_chart!(LineChart);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_gaps() {
        let v = [1.0, f64::NAN, 2.0, 3.0, f64::NAN];
        assert_eq!(runs(v.len(), |i| v[i].is_finite()), vec![(0, 1), (2, 4)]);
        assert!(runs(0, |_| true).is_empty());
    }
}
