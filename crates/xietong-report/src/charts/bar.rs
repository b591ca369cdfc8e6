//! Grouped bar chart (vertical or horizontal) with optional error bars.

use super::*;
use crate::axis::{fmt_tick, inner_ticks, loose_ticks};
use crate::palette;
use crate::style::Style;
use crate::{ReportError, impl_chart};

const CHART: &str = "bar chart";

/// One colour of bars, one value per category. Error bars are given as absolute ends
/// (`err_low[i] <= values[i] <= err_high[i]`), not as offsets.
#[derive(Clone, Debug, Default)]
pub struct BarGroup {
    pub name: String,
    pub values: Vec<f64>,
    pub err_low: Option<Vec<f64>>,
    pub err_high: Option<Vec<f64>>,
}

/// Bars for each category, groups side by side. NaN values leave the bar out.
///
/// `x_label` names the categories and `y_label` the values in both orientations. Horizontal
/// charts draw the value title under the value axis and the category title above the labels,
/// wrap long category labels onto up to three lines, and, when `height` is 0, grow taller
/// with the number of categories so labels never overprint. The value axis starts at 0
/// unless a range is given with [`BarChart::with_value_range`].
#[derive(Clone, Debug, Default)]
pub struct BarChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub categories: Vec<String>,
    pub groups: Vec<BarGroup>,
    pub horizontal: bool,
    pub width: u32,
    pub height: u32,
}

impl BarChart {
    fn validate(&self) -> Result<(), ReportError> {
        if self.categories.is_empty() {
            return Err(ReportError::empty(CHART, "`categories` is empty"));
        }
        if self.groups.is_empty() {
            return Err(ReportError::empty(CHART, "`groups` is empty"));
        }
        let n = self.categories.len();
        for (i, g) in self.groups.iter().enumerate() {
            let f = |name: &str| format!("groups[{i}] ({}).{name}", g.name);
            if g.values.len() != n {
                return Err(ReportError::mismatch(
                    CHART,
                    f("values"),
                    n,
                    g.values.len(),
                    "one value per category",
                ));
            }
            for (name, e) in [("err_low", &g.err_low), ("err_high", &g.err_high)] {
                if let Some(e) = e
                    && e.len() != n
                {
                    return Err(ReportError::mismatch(
                        CHART,
                        f(name),
                        n,
                        e.len(),
                        "one error-bar end per category",
                    ));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn scene(&self) -> Result<Scene, ReportError> {
        self.scene_with(&Style::default())
    }

    pub(crate) fn scene_with(&self, style: &Style) -> Result<Scene, ReportError> {
        self.validate()?;
        style.only(CHART, true, false)?;
        style.check_value_range(CHART)?;
        let mut sc = Scene::new(CHART, self.width, self.height, &self.title)?;
        let auto_h = self.height == 0;
        let mut lo = 0.0f64;
        let mut hi = 0.0f64;
        let mut any = false;
        for g in &self.groups {
            let mut vals: Vec<f64> = g.values.clone();
            vals.extend(g.err_low.iter().flatten());
            vals.extend(g.err_high.iter().flatten());
            for v in vals.into_iter().filter(|v| v.is_finite()) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
            any |= g.values.iter().any(|v| v.is_finite());
        }
        if !any {
            return Err(ReportError::empty(CHART, "no finite bar value (all NaN?)"));
        }
        let target = if self.horizontal {
            x_tick_target(sc.width)
        } else {
            y_tick_target(sc.height)
        };
        let (v0, v1, step, vt) = match style.value_range {
            Some((a, b)) => {
                // a short scale such as 1-5 gets every point labelled, so both ends show
                let span = b - a;
                let target = if span.fract() == 0.0 && span <= 10.0 {
                    target.max(span as usize)
                } else {
                    target
                };
                let (step, t) = inner_ticks(a, b, target);
                (a, b, step, t)
            }
            None => loose_ticks(lo, hi, target),
        };
        // bars grow from 0, or from the axis end nearer to 0 when 0 is off the axis
        let base = 0.0f64.clamp(v0, v1);
        let clampv = |v: f64| v.clamp(v0, v1);
        let vticks: Vec<(f64, String)> = vt.iter().map(|&v| (v, fmt_tick(v, step))).collect();
        let w = sc.width as f32;
        let mut h = sc.height as f32;
        let top = draw_title(&mut sc, &self.title);
        let entries: Vec<LegendEntry> = if self.groups.len() > 1 || !self.groups[0].name.is_empty()
        {
            self.groups
                .iter()
                .enumerate()
                .map(|(i, g)| LegendEntry {
                    label: g.name.clone(),
                    swatch: Swatch::Box(palette::fill(i)),
                })
                .collect()
        } else {
            Vec::new()
        };
        let top = draw_legend(&mut sc, &entries, PAD, w - PAD, top);
        let ncat = self.categories.len();
        let ng = self.groups.len();
        let bar_outline = Some(Stroke::solid(Rgb::AXIS, 0.6));
        let err_stroke = Stroke::solid(Rgb::BLACK, 1.2);

        if !self.horizontal {
            let vlabels: Vec<String> = vticks.iter().map(|t| t.1.clone()).collect();
            let mut x0 = left_margin(&vlabels, &self.y_label);
            let mut slot = (w - PAD - x0) / ncat as f32;
            let cat_w = max_width(&self.categories, TICK);
            // rotate category labels when they do not fit their slot
            let rotate = cat_w > slot * 0.95;
            let max_rot_w = (h * 0.3).max(40.0);
            if rotate {
                // the first rotated label reaches left of its bar: keep it inside the image
                let first = text_width(&self.categories[0], TICK, false).min(max_rot_w);
                let need = PAD + first * 0.819 - slot / 2.0;
                if need > x0 {
                    x0 = need.min(w * 0.4);
                    slot = (w - PAD - x0) / ncat as f32;
                }
            }
            // vertical reach of a label rotated by 35 degrees, beyond the room already kept
            // for one horizontal line of tick labels
            let extra = if rotate {
                (6.0 + cat_w.min(max_rot_w) * 0.574 + TICK * 0.8 * 0.819 + 4.0
                    - (TICK * 1.4 + 10.0))
                    .max(0.0)
            } else {
                0.0
            };
            let plot = Rect {
                x0,
                y0: top + 6.0,
                x1: w - PAD,
                y1: h - bottom_margin(&self.x_label) - extra,
            };
            if plot.h() < 40.0 || plot.w() < 40.0 {
                return Err(too_small(CHART, &sc));
            }
            let vs = Scale {
                d0: v0,
                d1: v1,
                r0: plot.y1,
                r1: plot.y0,
            };
            y_ticks(&mut sc, &plot, &vs, &vticks, true);
            let group_w = slot * 0.8;
            let bw = group_w / ng as f32;
            let zero = vs.map(base);
            for (ci, cat) in self.categories.iter().enumerate() {
                let cx = plot.x0 + slot * (ci as f32 + 0.5);
                sc.line(
                    (cx, plot.y1),
                    (cx, plot.y1 + 5.0),
                    Stroke::solid(Rgb::AXIS, 1.0),
                );
                if rotate {
                    let label = ellipsize(cat, TICK, max_rot_w);
                    // anchor the baseline end so the text's upper right corner (cap height
                    // rotated by -35 degrees) sits just below the tick mark
                    let cap = TICK * 0.8;
                    sc.text_full(
                        (cx + cap * 0.574, plot.y1 + 6.0 + cap * 0.819),
                        &label,
                        TICK,
                        Anchor::End,
                        -35.0,
                        Rgb::TEXT,
                        false,
                    );
                } else {
                    sc.text((cx, plot.y1 + 8.0 + TICK), cat, TICK, Anchor::Middle);
                }
                for (gi, g) in self.groups.iter().enumerate() {
                    let v = g.values[ci];
                    let bx = cx - group_w / 2.0 + bw * gi as f32;
                    if v.is_finite() {
                        let y = vs.map(clampv(v));
                        sc.rect(
                            bx + 0.5,
                            y.min(zero),
                            (bw - 1.0).max(0.5),
                            (zero - y).abs(),
                            Some(palette::fill(gi)),
                            bar_outline.clone(),
                        );
                    }
                    if let (Some(l), Some(u)) = (
                        g.err_low.as_ref().map(|e| e[ci]),
                        g.err_high.as_ref().map(|e| e[ci]),
                    ) {
                        let mid = bx + bw / 2.0;
                        let cap = (bw * 0.35).min(8.0);
                        if l.is_finite() && u.is_finite() {
                            let (yl, yu) = (vs.map(clampv(l)), vs.map(clampv(u)));
                            sc.line((mid, yl), (mid, yu), err_stroke.clone());
                            sc.line((mid - cap, yl), (mid + cap, yl), err_stroke.clone());
                            sc.line((mid - cap, yu), (mid + cap, yu), err_stroke.clone());
                        }
                    }
                }
            }
            sc.line(
                (plot.x0, zero),
                (plot.x1, zero),
                Stroke::solid(Rgb::AXIS, 1.0),
            );
            sc.line(
                (plot.x0, plot.y0),
                (plot.x0, plot.y1),
                Stroke::solid(Rgb::AXIS, 1.0),
            );
            axis_titles(&mut sc, &plot, &self.x_label, &self.y_label);
        } else {
            // categories down the left (wrapped), values along the bottom
            let max_cat = (w * 0.35).max(40.0);
            let natural = max_width(&self.categories, TICK);
            let cat_avail = natural.min(max_cat);
            let line_h = TICK * 1.2;
            let mut size = TICK;
            let mut cats: Vec<Vec<String>> = self
                .categories
                .iter()
                .map(|c| wrap(c, TICK, cat_avail, 3))
                .collect();
            let max_lines = cats.iter().map(Vec::len).max().unwrap_or(1) as f32;
            let slot_need = (max_lines * line_h + 6.0)
                .max(ng as f32 * 7.0 + 8.0)
                .max(20.0);
            let cat_title = !self.x_label.trim().is_empty();
            let y0 = top + 6.0 + if cat_title { LABEL * 1.5 } else { 0.0 };
            let bottom = bottom_margin(&self.y_label);
            grow_to(&mut sc, auto_h, y0 + ncat as f32 * slot_need + bottom);
            h = sc.height as f32;
            let slot = (h - bottom - y0) / ncat as f32;
            // a fixed height too small for the wrapped labels: fewer lines, then smaller text,
            // then only every k-th label, so labels never overprint
            let mut every = 1usize;
            if slot < slot_need {
                let lines = (((slot - 4.0) / line_h).floor() as usize).max(1);
                cats = self
                    .categories
                    .iter()
                    .map(|c| wrap(c, TICK, cat_avail, lines))
                    .collect();
                if lines == 1 {
                    size = ((slot - 2.0) / 1.2).clamp(7.0, TICK);
                    every = ((size * 1.2 / slot).ceil() as usize).max(1);
                }
            }
            let cat_w = cats
                .iter()
                .flatten()
                .map(|l| text_width(l, size, false))
                .fold(0.0, f32::max);
            let x0 = PAD + cat_w + 12.0;
            let last = vticks
                .last()
                .map(|t| text_width(&t.1, TICK, false) / 2.0)
                .unwrap_or(0.0);
            let plot = Rect {
                x0,
                y0,
                x1: w - PAD - last.max(4.0),
                y1: h - bottom,
            };
            if plot.h() < 20.0 || plot.w() < 40.0 {
                return Err(too_small(CHART, &sc));
            }
            let vs = Scale {
                d0: v0,
                d1: v1,
                r0: plot.x0,
                r1: plot.x1,
            };
            x_ticks(&mut sc, &plot, &vs, &vticks, true);
            let group_h = slot * 0.8;
            let bh = group_h / ng as f32;
            let zero = vs.map(base);
            for (ci, lines) in cats.iter().enumerate() {
                let cy = plot.y0 + slot * (ci as f32 + 0.5);
                sc.line(
                    (plot.x0 - 5.0, cy),
                    (plot.x0, cy),
                    Stroke::solid(Rgb::AXIS, 1.0),
                );
                if ci % every == 0 {
                    draw_lines_right(&mut sc, lines, plot.x0 - 8.0, cy, size, size * 1.2);
                }
                for (gi, g) in self.groups.iter().enumerate() {
                    let v = g.values[ci];
                    let by = cy - group_h / 2.0 + bh * gi as f32;
                    if v.is_finite() {
                        let x = vs.map(clampv(v));
                        sc.rect(
                            x.min(zero),
                            by + 0.5,
                            (x - zero).abs(),
                            (bh - 1.0).max(0.5),
                            Some(palette::fill(gi)),
                            bar_outline.clone(),
                        );
                    }
                    if let (Some(l), Some(u)) = (
                        g.err_low.as_ref().map(|e| e[ci]),
                        g.err_high.as_ref().map(|e| e[ci]),
                    ) {
                        let mid = by + bh / 2.0;
                        let cap = (bh * 0.35).min(8.0);
                        if l.is_finite() && u.is_finite() {
                            let (xl, xu) = (vs.map(clampv(l)), vs.map(clampv(u)));
                            sc.line((xl, mid), (xu, mid), err_stroke.clone());
                            sc.line((xl, mid - cap), (xl, mid + cap), err_stroke.clone());
                            sc.line((xu, mid - cap), (xu, mid + cap), err_stroke.clone());
                        }
                    }
                }
            }
            sc.line(
                (zero, plot.y0),
                (zero, plot.y1),
                Stroke::solid(Rgb::AXIS, 1.0),
            );
            axis_lines(&mut sc, &plot);
            // value title under the value axis, horizontal; category title above the labels
            axis_titles(&mut sc, &plot, &self.y_label, "");
            if cat_title {
                let t = ellipsize(&self.x_label, LABEL, w - 2.0 * PAD);
                sc.text((PAD, plot.y0 - 8.0), &t, LABEL, Anchor::Start);
            }
        }
        Ok(sc)
    }
}

impl_chart!(BarChart);
crate::impl_styled_chart!(BarChart);
