//! Stage ribbon: how shares of categories (e.g. collaboration stages) change across periods,
//! drawn as a 100% stacked strip.

use super::*;
use crate::axis::fmt_pct;
use crate::palette;
use crate::{ReportError, impl_chart};

const CHART: &str = "stage ribbon";

/// Per period a row of shares, one per category (rescaled to sum to 1). Rows containing NaN
/// are left blank. With many periods the bars touch and read as a stacked area. `height` is
/// a minimum: the chart grows so the strip itself is at least 140 px tall.
#[derive(Clone, Debug, Default)]
pub struct StageRibbon {
    pub title: String,
    pub periods: Vec<String>,
    pub categories: Vec<String>,
    pub shares: Vec<Vec<f64>>,
    pub width: u32,
    pub height: u32,
}

impl StageRibbon {
    pub(crate) fn scene(&self) -> Result<Scene, ReportError> {
        if self.periods.is_empty() {
            return Err(ReportError::empty(CHART, "`periods` is empty"));
        }
        if self.categories.is_empty() {
            return Err(ReportError::empty(CHART, "`categories` is empty"));
        }
        if self.shares.len() != self.periods.len() {
            return Err(ReportError::mismatch(
                CHART,
                "shares",
                self.periods.len(),
                self.shares.len(),
                "one row of shares per period",
            ));
        }
        let rows = normalise_shares(
            CHART,
            "shares",
            &self.shares,
            &self.periods,
            self.categories.len(),
        )?;
        if rows.iter().all(Option::is_none) {
            return Err(ReportError::empty(
                CHART,
                "every row of `shares` contains NaN",
            ));
        }
        let mut sc = Scene::new(CHART, self.width, self.height, &self.title)?;
        let w = sc.width as f32;
        let top = draw_title(&mut sc, &self.title);
        let entries: Vec<LegendEntry> = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| LegendEntry {
                label: c.clone(),
                swatch: Swatch::Box(palette::fill(i)),
            })
            .collect();
        let top = draw_legend(&mut sc, &entries, PAD, w - PAD, top);
        let ticks: Vec<(f64, String)> = (0..=4)
            .map(|i| (i as f64 * 0.25, fmt_pct(i as f64 * 0.25)))
            .collect();
        let labels: Vec<String> = ticks.iter().map(|t| t.1.clone()).collect();
        // the strip keeps at least 140 px however much the legend takes: the chart grows
        // (`height` is a minimum here) rather than squeezing the strip to a sliver
        grow_to(&mut sc, true, top + 6.0 + 140.0 + bottom_margin(""));
        let h = sc.height as f32;
        let plot = Rect {
            x0: left_margin(&labels, ""),
            y0: top + 6.0,
            x1: w - PAD,
            y1: h - bottom_margin(""),
        };
        if plot.w() < 40.0 || plot.h() < 40.0 {
            return Err(too_small(CHART, &sc));
        }
        let ys = Scale {
            d0: 0.0,
            d1: 1.0,
            r0: plot.y1,
            r1: plot.y0,
        };
        y_ticks(&mut sc, &plot, &ys, &ticks, true);
        let n = self.periods.len();
        let slot = plot.w() / n as f32;
        let nc = self.categories.len();
        // Each category is painted as a block from 0 up to its cumulative top, last category
        // first; later (lower) categories cover the rest. Shared edges therefore always have
        // solid colour underneath and anti-aliasing leaves no light seams.
        let cum: Vec<Option<Vec<f64>>> = rows
            .iter()
            .map(|r| {
                r.as_ref().map(|r| {
                    r.iter()
                        .scan(0.0, |acc, v| {
                            *acc += v;
                            Some(*acc)
                        })
                        .collect()
                })
            })
            .collect();
        if slot >= 12.0 {
            // separate bars with white dividers and share labels
            let bw = slot * 0.82;
            for (pi, (row, c)) in rows.iter().zip(&cum).enumerate() {
                let (Some(r), Some(c)) = (row, c) else {
                    continue;
                };
                let x = plot.x0 + slot * pi as f32 + (slot - bw) / 2.0;
                for k in (0..nc).rev() {
                    let top = ys.map(c[k]);
                    sc.rect(
                        x,
                        top,
                        bw,
                        plot.y1 - top,
                        Some(palette::fill(k)),
                        Some(Stroke::solid(Rgb::WHITE, 0.8)),
                    );
                }
                for k in 0..nc {
                    let (ya, yb) = (ys.map(c[k] - r[k]), ys.map(c[k]));
                    let label = fmt_pct(r[k]);
                    if text_width(&label, TICK, false) + 6.0 <= bw && ya - yb >= TICK + 4.0 {
                        let color = palette::fill(k);
                        let tc = if color.luminance() < 0.3 {
                            Rgb::WHITE
                        } else {
                            Rgb::TEXT
                        };
                        sc.text_full(
                            (
                                x + bw / 2.0,
                                crate::font::centre_baseline((ya + yb) / 2.0, TICK),
                            ),
                            &label,
                            TICK,
                            Anchor::Middle,
                            0.0,
                            tc,
                            false,
                        );
                    }
                }
            }
        } else {
            // many periods: a stacked area through the period centres, broken at NaN rows
            let cx = |i: usize| plot.x0 + slot * (i as f32 + 0.5);
            for (a, b) in super::line::runs(n, |i| cum[i].is_some()) {
                for k in (0..nc).rev() {
                    let top = |i: usize| ys.map(cum[i].as_ref().map_or(0.0, |c| c[k]));
                    let (xa, xb) = if b - a == 1 {
                        (cx(a) - slot / 2.0, cx(a) + slot / 2.0)
                    } else {
                        (cx(a), cx(b - 1))
                    };
                    let mut pts = vec![(xa, plot.y1)];
                    if b - a == 1 {
                        pts.push((xa, top(a)));
                        pts.push((xb, top(a)));
                    } else {
                        pts.extend((a..b).map(|i| (cx(i), top(i))));
                    }
                    pts.push((xb, plot.y1));
                    sc.polygon(pts, palette::fill(k), 1.0);
                }
            }
        }
        // period labels, thinned so they never overlap
        let lw = max_width(&self.periods, TICK) + 8.0;
        let every = ((lw / slot).ceil() as usize).max(1);
        for (pi, p) in self.periods.iter().enumerate() {
            let cx = plot.x0 + slot * (pi as f32 + 0.5);
            if pi % every == 0 {
                sc.line(
                    (cx, plot.y1),
                    (cx, plot.y1 + 5.0),
                    Stroke::solid(Rgb::AXIS, 1.0),
                );
                sc.text((cx, plot.y1 + 8.0 + TICK), p, TICK, Anchor::Middle);
            }
        }
        axis_lines(&mut sc, &plot);
        Ok(sc)
    }
}

impl_chart!(StageRibbon);
