//! Phase portrait on the unit square: direction field, trajectories and equilibria.

use super::*;
use crate::axis::{clip_polyline, fmt_tick};
use crate::palette;
use crate::{ReportError, impl_chart};

const CHART: &str = "phase portrait";

/// An equilibrium or other point of interest; `filled` marks a stable point, hollow an
/// unstable point or saddle.
#[derive(Clone, Debug, Default)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub filled: bool,
}

/// Phase plane over [0, 1] x [0, 1] (e.g. shares of cooperating governments in two
/// populations). `arrows` are (point, direction) pairs drawn with a common length so the field
/// shows direction only; zero or NaN directions are skipped.
#[derive(Clone, Debug, Default)]
pub struct PhasePortrait {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub arrows: Vec<((f64, f64), (f64, f64))>,
    pub trajectories: Vec<Vec<(f64, f64)>>,
    pub markers: Vec<Marker>,
    pub width: u32,
    pub height: u32,
}

fn finite(p: (f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

impl PhasePortrait {
    pub(crate) fn scene(&self) -> Result<Scene, ReportError> {
        let has_arrow = self
            .arrows
            .iter()
            .any(|(p, d)| finite(*p) && finite(*d) && (d.0 != 0.0 || d.1 != 0.0));
        let has_traj = self
            .trajectories
            .iter()
            .any(|t| t.iter().any(|p| finite(*p)));
        let has_marker = self.markers.iter().any(|m| finite((m.x, m.y)));
        if !(has_arrow || has_traj || has_marker) {
            return Err(ReportError::empty(
                CHART,
                "no finite arrow, trajectory point or marker",
            ));
        }
        let mut sc = Scene::new(CHART, self.width, self.height, &self.title)?;
        let w = sc.width as f32;
        let h = sc.height as f32;
        let top = draw_title(&mut sc, &self.title);
        let ticks: Vec<(f64, String)> = (0..=5)
            .map(|i| (i as f64 * 0.2, fmt_tick(i as f64 * 0.2, 0.2)))
            .collect();
        let labels: Vec<String> = ticks.iter().map(|t| t.1.clone()).collect();
        let x0 = left_margin(&labels, &self.y_label);
        let y1 = h - bottom_margin(&self.x_label);
        let avail_w = w - PAD - 12.0 - x0;
        let avail_h = y1 - (top + 6.0);
        let side = avail_w.min(avail_h);
        if side < 60.0 {
            return Err(too_small(CHART, &sc));
        }
        // square plot, centred horizontally in the free space
        let px0 = x0 + (avail_w - side) / 2.0;
        let plot = Rect {
            x0: px0,
            y0: y1 - side,
            x1: px0 + side,
            y1,
        };
        let xs = Scale {
            d0: 0.0,
            d1: 1.0,
            r0: plot.x0,
            r1: plot.x1,
        };
        let ys = Scale {
            d0: 0.0,
            d1: 1.0,
            r0: plot.y1,
            r1: plot.y0,
        };
        y_ticks(&mut sc, &plot, &ys, &ticks, true);
        x_ticks(&mut sc, &plot, &xs, &ticks, true);
        sc.rect(
            plot.x0,
            plot.y0,
            plot.w(),
            plot.h(),
            None,
            Some(Stroke::solid(Rgb::AXIS, 1.0)),
        );

        let arrow_len = (side * 0.045).clamp(8.0, 26.0);
        let arrow_c = Rgb(0x88, 0x88, 0x88);
        for &(p, d) in &self.arrows {
            if !(finite(p) && finite(d)) {
                continue;
            }
            // direction in pixel space (y grows downward)
            let (dx, dy) = (d.0 as f32, -(d.1 as f32));
            let len = (dx * dx + dy * dy).sqrt();
            if len == 0.0 || !len.is_finite() {
                continue;
            }
            let (ux, uy) = (dx / len, dy / len);
            let c = (xs.map(p.0), ys.map(p.1));
            if !super::line::in_rect(c, &plot) {
                continue;
            }
            let tail = (c.0 - ux * arrow_len / 2.0, c.1 - uy * arrow_len / 2.0);
            let tip = (c.0 + ux * arrow_len / 2.0, c.1 + uy * arrow_len / 2.0);
            arrow(&mut sc, tail, tip, arrow_c, 1.0, arrow_len * 0.35);
        }
        let traj_c = palette::categorical(0);
        for t in &self.trajectories {
            let ok = |i: usize| finite(t[i]);
            for (a, b) in super::line::runs(t.len(), ok) {
                let pts: Vec<(f32, f32)> =
                    (a..b).map(|i| (xs.map(t[i].0), ys.map(t[i].1))).collect();
                let clipped = clip_polyline(&pts, &plot);
                for run in &clipped {
                    sc.polyline(run.clone(), Stroke::solid(traj_c, 1.6));
                    // direction arrows along the way (every ~90 px of path, at least one),
                    // so crossing or overlapping trajectories still show where each goes
                    mid_arrows(&mut sc, run, traj_c);
                }
                // start dot and a head at the end show the direction of travel
                if let Some(first) = pts.first().filter(|p| super::line::in_rect(**p, &plot)) {
                    sc.circle(*first, 2.2, Some(traj_c), None);
                }
                if let Some(run) = clipped.last() {
                    let n = run.len();
                    if n >= 2 {
                        let (p, q) = (run[n - 2], run[n - 1]);
                        if (q.0 - p.0).hypot(q.1 - p.1) > 0.01 {
                            arrow_head(&mut sc, p, q, traj_c, 7.0);
                        }
                    }
                }
            }
        }
        for m in &self.markers {
            if !finite((m.x, m.y)) {
                continue;
            }
            let c = (xs.map(m.x), ys.map(m.y));
            let (fill, stroke) = if m.filled {
                (Rgb::BLACK, Stroke::solid(Rgb::WHITE, 1.2))
            } else {
                (Rgb::WHITE, Stroke::solid(Rgb::BLACK, 1.8))
            };
            sc.circle(c, 5.5, Some(fill), Some(stroke));
            if !m.label.is_empty() {
                let lw = text_width(&m.label, TICK, false);
                let (x, anchor) = if c.0 + 9.0 + lw > plot.x1 - 2.0 {
                    (c.0 - 9.0, Anchor::End)
                } else {
                    (c.0 + 9.0, Anchor::Start)
                };
                let y = if c.1 - 8.0 - TICK < plot.y0 {
                    c.1 + 8.0 + TICK
                } else {
                    c.1 - 8.0
                };
                // white halo keeps labels legible over arrows and lines
                let bx = match anchor {
                    Anchor::End => x - lw,
                    _ => x,
                };
                sc.rect(
                    bx - 2.0,
                    y - TICK,
                    lw + 4.0,
                    TICK * 1.3,
                    Some(Rgb::WHITE),
                    None,
                );
                sc.text((x, y), &m.label, TICK, anchor);
            }
        }
        axis_titles_at(
            &mut sc,
            &plot,
            &self.x_label,
            &self.y_label,
            (avail_w - side) / 2.0,
        );
        Ok(sc)
    }
}

/// Arrowheads placed along a polyline at equal path-length intervals (not at the ends, which
/// get a start dot and an end head).
fn mid_arrows(sc: &mut Scene, run: &[(f32, f32)], c: Rgb) {
    let seg: Vec<f32> = run
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
        .collect();
    let total: f32 = seg.iter().sum();
    if total < 50.0 {
        return;
    }
    let n = ((total / 90.0).floor() as usize).clamp(1, 6);
    let mut targets = (1..=n)
        .map(|k| total * k as f32 / (n + 1) as f32)
        .peekable();
    let mut acc = 0.0;
    for (i, &l) in seg.iter().enumerate() {
        while let Some(&t) = targets.peek() {
            if t > acc + l || l <= 0.0 {
                break;
            }
            let f = (t - acc) / l;
            let (a, b) = (run[i], run[i + 1]);
            let p = (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f);
            // head pointing along the segment, tip slightly ahead of the point
            let (ux, uy) = ((b.0 - a.0) / l, (b.1 - a.1) / l);
            arrow_head(
                sc,
                (p.0 - ux, p.1 - uy),
                (p.0 + ux * 3.5, p.1 + uy * 3.5),
                c,
                7.0,
            );
            targets.next();
        }
        acc += l;
    }
}

/// Filled triangular head at `tip`, pointing away from `from`.
fn arrow_head(sc: &mut Scene, from: (f32, f32), tip: (f32, f32), c: Rgb, size: f32) {
    let (dx, dy) = (tip.0 - from.0, tip.1 - from.1);
    let len = dx.hypot(dy);
    if len == 0.0 {
        return;
    }
    let (ux, uy) = (dx / len, dy / len);
    let base = (tip.0 - ux * size, tip.1 - uy * size);
    let (nx, ny) = (-uy * size * 0.45, ux * size * 0.45);
    sc.items.push(crate::scene::Item::Polygon {
        pts: vec![tip, (base.0 + nx, base.1 + ny), (base.0 - nx, base.1 - ny)],
        fill: c,
        opacity: 1.0,
        stroke: None,
    });
}

fn arrow(sc: &mut Scene, tail: (f32, f32), tip: (f32, f32), c: Rgb, width: f32, head: f32) {
    let (dx, dy) = (tip.0 - tail.0, tip.1 - tail.1);
    let len = dx.hypot(dy);
    let shaft_end = (tip.0 - dx / len * head * 0.8, tip.1 - dy / len * head * 0.8);
    sc.line(tail, shaft_end, Stroke::solid(c, width));
    arrow_head(sc, tail, tip, c, head);
}

impl_chart!(PhasePortrait);
