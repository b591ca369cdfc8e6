//! Diverging stacked bars for Likert items, centred on the neutral level.

use super::*;
use crate::axis::{fmt_pct, nice_step};
use crate::palette;
use crate::{ReportError, impl_chart};

const CHART: &str = "diverging bar chart";

/// One bar per item; `shares[i][k]` is the share of answers at level `k` (rows are rescaled to
/// sum to 1). Levels before the middle extend left of 0, levels after it right; with an odd
/// number of levels the middle (neutral) level straddles 0. Rows containing NaN are left blank.
#[derive(Clone, Debug, Default)]
pub struct DivergingBarChart {
    pub title: String,
    pub items: Vec<String>,
    pub levels: Vec<String>,
    pub shares: Vec<Vec<f64>>,
    pub width: u32,
    pub height: u32,
}

impl DivergingBarChart {
    pub(crate) fn scene(&self) -> Result<Scene, ReportError> {
        if self.items.is_empty() {
            return Err(ReportError::empty(CHART, "`items` is empty"));
        }
        if self.levels.len() < 2 {
            return Err(ReportError::invalid(
                CHART,
                "levels",
                format!("need at least 2 levels, got {}", self.levels.len()),
            ));
        }
        if self.shares.len() != self.items.len() {
            return Err(ReportError::mismatch(
                CHART,
                "shares",
                self.items.len(),
                self.shares.len(),
                "one row of shares per item",
            ));
        }
        let rows = normalise_shares(
            CHART,
            "shares",
            &self.shares,
            &self.items,
            self.levels.len(),
        )?;
        if rows.iter().all(Option::is_none) {
            return Err(ReportError::empty(
                CHART,
                "every row of `shares` contains NaN",
            ));
        }
        let nl = self.levels.len();
        let half = nl / 2;
        let odd = nl % 2 == 1;
        // left extent of each row (negative levels plus half the neutral one)
        let left_of =
            |r: &[f64]| r[..half].iter().sum::<f64>() + if odd { r[half] / 2.0 } else { 0.0 };
        let mut m = 0.0f64;
        for r in rows.iter().flatten() {
            let l = left_of(r);
            m = m.max(l).max(1.0 - l);
        }
        let step = nice_step(2.0 * m, 6).max(0.05);
        let m = ((m / step) - 1e-9).ceil() * step;
        let ticks: Vec<(f64, String)> = {
            let k = (m / step).round() as i64;
            (-k..=k)
                .map(|i| {
                    let v = i as f64 * step;
                    (v, fmt_pct(v.abs()))
                })
                .collect()
        };

        let mut sc = Scene::new(CHART, self.width, self.height, &self.title)?;
        let auto_h = self.height == 0;
        let w = sc.width as f32;
        let top = draw_title(&mut sc, &self.title);
        let entries: Vec<LegendEntry> = self
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| LegendEntry {
                label: l.clone(),
                swatch: Swatch::Box(palette::diverging(i, nl)),
            })
            .collect();
        let top = draw_legend(&mut sc, &entries, PAD, w - PAD, top);
        // item labels wrap onto up to three lines; an auto-sized chart grows with the items
        let max_item = (w * 0.35).max(40.0).min(max_width(&self.items, TICK));
        let line_h = TICK * 1.2;
        let mut items: Vec<Vec<String>> = self
            .items
            .iter()
            .map(|s| wrap(s, TICK, max_item, 3))
            .collect();
        let max_lines = items.iter().map(Vec::len).max().unwrap_or(1) as f32;
        let slot_need = (max_lines * line_h + 6.0).max(22.0);
        let bottom = bottom_margin("");
        grow_to(
            &mut sc,
            auto_h,
            top + 6.0 + slot_need * items.len() as f32 + bottom,
        );
        let h = sc.height as f32;
        let slot = (h - bottom - top - 6.0) / items.len() as f32;
        let mut size = TICK;
        let mut every = 1usize;
        if slot < slot_need {
            let lines = (((slot - 4.0) / line_h).floor() as usize).max(1);
            items = self
                .items
                .iter()
                .map(|s| wrap(s, TICK, max_item, lines))
                .collect();
            if lines == 1 {
                size = ((slot - 2.0) / 1.2).clamp(7.0, TICK);
                every = ((size * 1.2 / slot).ceil() as usize).max(1);
            }
        }
        let label_w = items
            .iter()
            .flatten()
            .map(|l| text_width(l, size, false))
            .fold(0.0, f32::max);
        let plot = Rect {
            x0: PAD + label_w + 12.0,
            y0: top + 6.0,
            x1: w - PAD - text_width("100%", TICK, false) / 2.0,
            y1: h - bottom,
        };
        if plot.w() < 40.0 || plot.h() < 30.0 {
            return Err(too_small(CHART, &sc));
        }
        let xs = Scale {
            d0: -m,
            d1: m,
            r0: plot.x0,
            r1: plot.x1,
        };
        x_ticks(&mut sc, &plot, &xs, &ticks, true);
        let bar_h = (slot * 0.7).min(28.0);
        let first_item = sc.items.len();
        for (i, (lines, row)) in items.iter().zip(&rows).enumerate() {
            let cy = plot.y0 + slot * (i as f32 + 0.5);
            if i % every == 0 {
                draw_lines_right(&mut sc, lines, plot.x0 - 8.0, cy, size, size * 1.2);
            }
            let Some(r) = row else { continue };
            let mut start = -left_of(r);
            for (k, &s) in r.iter().enumerate() {
                let (xa, xb) = (xs.map(start), xs.map(start + s));
                start += s;
                if s <= 0.0 {
                    continue;
                }
                let color = palette::diverging(k, nl);
                sc.rect(
                    xa,
                    cy - bar_h / 2.0,
                    xb - xa,
                    bar_h,
                    Some(color),
                    Some(Stroke::solid(Rgb::WHITE, 0.8)),
                );
                let label = fmt_pct(s);
                let size = TICK.min(bar_h * 0.8);
                if text_width(&label, size, false) + 6.0 <= xb - xa {
                    let tc = if color.luminance() < 0.3 {
                        Rgb::WHITE
                    } else {
                        Rgb::TEXT
                    };
                    sc.text_full(
                        ((xa + xb) / 2.0, crate::font::centre_baseline(cy, size)),
                        &label,
                        size,
                        Anchor::Middle,
                        0.0,
                        tc,
                        false,
                    );
                }
            }
        }
        // the zero line goes over the bars but under the text, so the neutral level's
        // percentage (centred on 0) is not struck through
        let (texts, shapes): (Vec<_>, Vec<_>) = sc
            .items
            .drain(first_item..)
            .partition(|it| matches!(it, crate::scene::Item::Text { .. }));
        sc.items.extend(shapes);
        let zx = xs.map(0.0);
        sc.line((zx, plot.y0), (zx, plot.y1), Stroke::solid(Rgb::AXIS, 1.2));
        sc.items.extend(texts);
        sc.line(
            (plot.x0, plot.y1),
            (plot.x1, plot.y1),
            Stroke::solid(Rgb::AXIS, 1.0),
        );
        Ok(sc)
    }
}

impl_chart!(DivergingBarChart);
