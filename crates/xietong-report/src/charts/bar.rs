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
                let (step, t) = range_ticks(a, b, target);
                (a, b, step, t)
            }
            None => loose_ticks(lo, hi, target),
        };
        // bars grow from 0, or from the axis end nearer to 0 when 0 is off the axis
        let base = 0.0f64.clamp(v0, v1);
        let clampv = |v: f64| v.clamp(v0, v1);
        // the range ends may need more decimals than the step (a 0.5..4.5 axis)
        let label_step = match style.value_range {
            Some((a, b)) => step.min(precision(a)).min(precision(b)),
            None => step,
        };
        let vticks: Vec<(f64, String)> = vt.iter().map(|&v| (v, fmt_tick(v, label_step))).collect();
        if !self.horizontal && self.width == 0 {
            // many categories: an auto-sized vertical chart grows wider (as a horizontal one
            // grows taller) so bars keep their width and rotated labels never overprint
            let vlabels: Vec<String> = vticks.iter().map(|t| t.1.clone()).collect();
            let slot_need = (self.groups.len() as f32 * 8.0 + 8.0).max(ROTATED_SLOT) + 0.5;
            // room for the first label rotated to the left of its bar, as laid out below
            let first = text_width(&self.categories[0], TICK, false)
                .min((sc.height as f32 * 0.3).max(40.0));
            let left =
                left_margin(&vlabels, &self.y_label).max(PAD + first * 0.819 - slot_need / 2.0);
            let need = left + self.categories.len() as f32 * slot_need + PAD;
            if need > sc.width as f32 {
                sc.width = (need.ceil() as u32).min(crate::scene::MAX_SIDE);
            }
        }
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
            // labels wider than their slot are wrapped onto two lines when every word fits
            // the slot, otherwise rotated
            let wrapped = (cat_w > slot * 0.95)
                .then(|| wrap_all(&self.categories, slot * 0.95))
                .flatten();
            let rotate = cat_w > slot * 0.95 && wrapped.is_none();
            let label_lines = wrapped
                .as_ref()
                .map_or(1, |w| w.iter().map(Vec::len).max().unwrap_or(1));
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
            // rotated labels closer than a text line (a fixed width too small for the
            // categories): only every k-th is written
            let every = if rotate {
                ((ROTATED_SLOT / slot).ceil() as usize).max(1)
            } else {
                1
            };
            // vertical reach of a label rotated by 35 degrees, beyond the room already kept
            // for one horizontal line of tick labels
            let extra = if rotate {
                (6.0 + cat_w.min(max_rot_w) * 0.574 + TICK * 0.8 * 0.819 + 4.0
                    - (TICK * 1.4 + 10.0))
                    .max(0.0)
            } else {
                (label_lines - 1) as f32 * TICK * 1.2
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
                if rotate && ci % every != 0 {
                    // thinned out: tick only
                } else if rotate {
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
                } else if let Some(lines) = &wrapped {
                    for (k, l) in lines[ci].iter().enumerate() {
                        let y = plot.y1 + 8.0 + TICK + k as f32 * TICK * 1.2;
                        sc.text((cx, y), l, TICK, Anchor::Middle);
                    }
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

/// Ticks of a fixed value axis `a..b`, both ends always labelled (a reader of a Likert chart
/// must see where the scale starts). Whole-number ends (scales such as 1-5, or 4-20 for a sum
/// of four items) get whole-number steps counted from `a`: every point up to ten points, else
/// `ceil(span / target)`; the last tick is `b` itself, replacing a tick less than half a step
/// before it. Other ranges get the usual nice ticks plus both ends, dropping nice ticks closer
/// than 0.4 steps to an end.
fn range_ticks(a: f64, b: f64, target: usize) -> (f64, Vec<f64>) {
    let span = b - a;
    if a.fract() == 0.0 && b.fract() == 0.0 && span <= 1e6 {
        let target = if span <= 10.0 {
            target.max(span as usize)
        } else {
            target
        };
        let step = (span / target.max(1) as f64).ceil().max(1.0);
        let mut t: Vec<f64> = (0..)
            .map(|k| a + k as f64 * step)
            .take_while(|v| *v <= b)
            .collect();
        if let Some(&last) = t.last()
            && last < b
        {
            if b - last < step / 2.0 && t.len() > 1 {
                t.pop();
            }
            t.push(b);
        }
        return (step, t);
    }
    let (step, inner) = inner_ticks(a, b, target);
    let mut t = vec![a];
    t.extend(
        inner
            .into_iter()
            .filter(|v| v - a >= 0.4 * step && b - v >= 0.4 * step),
    );
    t.push(b);
    (step, t)
}

/// 10^-d for the fewest decimals d (at most 6) that write `v` exactly.
fn precision(v: f64) -> f64 {
    (0..6)
        .map(|d| 10f64.powi(-d))
        .find(|p| {
            let k = v / p;
            (k - k.round()).abs() < 1e-6
        })
        .unwrap_or(1e-6)
}

/// Slot width (px) at which labels rotated by 35 degrees are a text line apart
/// (`TICK * 1.15 / sin 35°`).
const ROTATED_SLOT: f32 = TICK * 1.15 / 0.574;

/// Every label wrapped onto at most two lines of at most `avail` px, or `None` when some word
/// (a Latin run or a character) is wider than `avail` or the text needs more than two lines:
/// such labels are rotated instead, since splitting words or cutting text would mislead.
fn wrap_all(labels: &[String], avail: f32) -> Option<Vec<Vec<String>>> {
    labels
        .iter()
        .map(|l| {
            let words_fit = break_units(l.trim())
                .iter()
                .all(|u| text_width(u.trim(), TICK, false) <= avail);
            let lines = wrap(l, TICK, avail, 2);
            let whole = !lines.last().is_some_and(|x| x.ends_with('…')) || l.trim().ends_with('…');
            (words_fit && whole).then_some(lines)
        })
        .collect()
}

impl_chart!(BarChart);
crate::impl_styled_chart!(BarChart);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_ranges_label_both_ends() {
        // Likert 1-5: every point
        assert_eq!(range_ticks(1.0, 5.0, 3).1, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        // a sum of three 1-5 items, 3..15: starts at 3, not at the first multiple of 2.5
        let (_, t) = range_ticks(3.0, 15.0, 5);
        assert_eq!(t.first(), Some(&3.0));
        assert_eq!(t.last(), Some(&15.0));
        assert_eq!(t, vec![3.0, 6.0, 9.0, 12.0, 15.0]);
        // 4..20 with a step that does not divide the span: the end replaces a close tick
        assert_eq!(range_ticks(4.0, 21.0, 3).1, vec![4.0, 10.0, 16.0, 21.0]);
        // non-integer ends are added to the nice ticks
        let (step, t) = range_ticks(0.5, 4.5, 4);
        assert_eq!(step, 1.0);
        assert_eq!(t, vec![0.5, 1.0, 2.0, 3.0, 4.0, 4.5]);
        // step 2: the nice tick 4 is within 0.4 steps of the end 4.7 and gives way to it
        let (step, t) = range_ticks(0.3, 4.7, 4);
        assert_eq!(step, 2.0);
        assert_eq!(t, vec![0.3, 2.0, 4.7]);
        assert_eq!(precision(0.5), 0.1);
        assert_eq!(precision(3.0), 1.0);
    }
}
