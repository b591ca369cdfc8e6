//! Axis arithmetic: "nice" tick steps (1, 2, 2.5, 5 x 10^k), tick label formatting, linear
//! scales and geometric clipping of lines and polygons to the plot rectangle.

/// Tick step near `span / target` rounded to 1, 2, 2.5 or 5 times a power of ten.
pub(crate) fn nice_step(span: f64, target: usize) -> f64 {
    let raw = span / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Widens a degenerate or non-finite range so it can be drawn.
pub(crate) fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi > lo {
        return (lo, hi);
    }
    let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
    (lo - d, hi + d)
}

/// Range extended outward to whole steps, with the ticks: for value axes.
pub(crate) fn loose_ticks(lo: f64, hi: f64, target: usize) -> (f64, f64, f64, Vec<f64>) {
    let (lo, hi) = widen(lo, hi);
    let step = nice_step(hi - lo, target);
    // tolerance toward the inside, so a bound already on a step (such as 0) stays put
    let a = (lo / step + 1e-9).floor() * step;
    let b = (hi / step - 1e-9).ceil() * step;
    (a, b, step, ticks_between(a, b, step))
}

/// Ticks at whole steps inside `[lo, hi]`, range unchanged: for data-bounded axes (time).
pub(crate) fn inner_ticks(lo: f64, hi: f64, target: usize) -> (f64, Vec<f64>) {
    let step = nice_step(hi - lo, target);
    (step, ticks_between(lo, hi, step))
}

fn ticks_between(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    if last < first || last - first > 1000 {
        return Vec::new();
    }
    (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            // snap values such as 0.30000000000000004
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect()
}

/// Formats a tick value with just enough decimals for `step`; very large or very small
/// magnitudes use scientific notation.
pub(crate) fn fmt_tick(v: f64, step: f64) -> String {
    let mag = v.abs().max(step.abs());
    if mag >= 1e7 || (step.abs() < 1e-4 && step != 0.0) {
        if v.abs() < step.abs() * 1e-6 {
            return "0".to_string();
        }
        let s = format!("{:.2e}", v);
        return tidy_sci(&s);
    }
    let mut dec = 0usize;
    while dec < 6 {
        let scaled = step * 10f64.powi(dec as i32);
        if (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0) {
            break;
        }
        dec += 1;
    }
    let s = format!("{:.*}", dec, v);
    // "-0.0" after rounding is just zero
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

fn tidy_sci(s: &str) -> String {
    // "1.50e6" -> "1.5e6", "2.00e-5" -> "2e-5"
    match s.split_once('e') {
        Some((m, e)) => {
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            format!("{m}e{e}")
        }
        None => s.to_string(),
    }
}

/// Formats a share in [0, 1] as a whole percentage.
pub(crate) fn fmt_pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// Linear map from data `[d0, d1]` to pixels `[r0, r1]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f32,
    pub r1: f32,
}

impl Scale {
    pub fn map(&self, v: f64) -> f32 {
        let t = (v - self.d0) / (self.d1 - self.d0);
        self.r0 + (t as f32) * (self.r1 - self.r0)
    }
}

/// Axis-aligned rectangle in pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn w(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn h(&self) -> f32 {
        self.y1 - self.y0
    }
}

/// Liang-Barsky: the part of segment `a`-`b` inside `r`, if any.
fn clip_segment(a: (f32, f32), b: (f32, f32), r: &Rect) -> Option<((f32, f32), (f32, f32))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut t0 = 0.0f32;
    let mut t1 = 1.0f32;
    for (p, q) in [
        (-dx, a.0 - r.x0),
        (dx, r.x1 - a.0),
        (-dy, a.1 - r.y0),
        (dy, r.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                if t > t1 {
                    return None;
                }
                t0 = t0.max(t);
            } else {
                if t < t0 {
                    return None;
                }
                t1 = t1.min(t);
            }
        }
    }
    Some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

/// Clips a polyline (no NaN inside) to `r`, returning the visible runs.
pub(crate) fn clip_polyline(pts: &[(f32, f32)], r: &Rect) -> Vec<Vec<(f32, f32)>> {
    let mut runs: Vec<Vec<(f32, f32)>> = Vec::new();
    let mut cur: Vec<(f32, f32)> = Vec::new();
    for w in pts.windows(2) {
        match clip_segment(w[0], w[1], r) {
            Some((p, q)) => {
                let joins = cur
                    .last()
                    .is_some_and(|l| (l.0 - p.0).abs() < 1e-3 && (l.1 - p.1).abs() < 1e-3);
                if !joins {
                    if cur.len() >= 2 {
                        runs.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                    cur.push(p);
                }
                cur.push(q);
            }
            None => {
                if cur.len() >= 2 {
                    runs.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() >= 2 {
        runs.push(cur);
    }
    runs
}

/// Sutherland-Hodgman clipping of a polygon to `r`.
pub(crate) fn clip_polygon(pts: &[(f32, f32)], r: &Rect) -> Vec<(f32, f32)> {
    type Edge = fn(&(f32, f32), &Rect) -> bool;
    let inside: [Edge; 4] = [
        |p, r| p.0 >= r.x0,
        |p, r| p.0 <= r.x1,
        |p, r| p.1 >= r.y0,
        |p, r| p.1 <= r.y1,
    ];
    let cross = |a: (f32, f32), b: (f32, f32), k: usize, r: &Rect| -> (f32, f32) {
        let (t, vertical) = match k {
            0 => ((r.x0 - a.0) / (b.0 - a.0), true),
            1 => ((r.x1 - a.0) / (b.0 - a.0), true),
            2 => ((r.y0 - a.1) / (b.1 - a.1), false),
            _ => ((r.y1 - a.1) / (b.1 - a.1), false),
        };
        let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
        if vertical {
            (if k == 0 { r.x0 } else { r.x1 }, p.1)
        } else {
            (p.0, if k == 2 { r.y0 } else { r.y1 })
        }
    };
    let mut out: Vec<(f32, f32)> = pts.to_vec();
    for (k, ins) in inside.iter().enumerate() {
        if out.is_empty() {
            break;
        }
        let input = std::mem::take(&mut out);
        let mut prev = *input.last().unwrap();
        for &cur in &input {
            let (ci, pi) = (ins(&cur, r), ins(&prev, r));
            if ci {
                if !pi {
                    out.push(cross(prev, cur, k, r));
                }
                out.push(cur);
            } else if pi {
                out.push(cross(prev, cur, k, r));
            }
            prev = cur;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(1.0, 5), 0.2);
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(12.0, 5), 2.5);
        assert_eq!(nice_step(7.0, 5), 2.0);
        let (a, b, s, t) = loose_ticks(0.03, 0.97, 5);
        assert_eq!((a, b, s), (0.0, 1.0, 0.2));
        assert_eq!(t.len(), 6);
        let (a, b, _, _) = loose_ticks(-3.2, 17.0, 5);
        assert_eq!((a, b), (-5.0, 20.0));
        // bounds on a step are not widened by one more step
        let (a, b, _, _) = loose_ticks(0.0, 0.8, 4);
        assert_eq!((a, b), (0.0, 0.8));
    }

    #[test]
    fn tick_labels_are_rounded() {
        assert_eq!(fmt_tick(0.30000000000000004, 0.1), "0.3");
        assert_eq!(fmt_tick(0.25, 0.25), "0.25");
        assert_eq!(fmt_tick(20.0, 5.0), "20");
        assert_eq!(fmt_tick(-0.0, 0.5), "0.0");
        assert_eq!(fmt_tick(2.5, 2.5), "2.5");
        assert_eq!(fmt_tick(15_000_000.0, 5_000_000.0), "1.5e7");
        assert_eq!(fmt_tick(0.00002, 0.00001), "2e-5");
        assert_eq!(fmt_tick(0.0, 0.00001), "0");
        assert_eq!(fmt_tick(-2.5e-7, 2.5e-7), "-2.5e-7");
        let (_, t) = inner_ticks(0.0, 1.0, 5);
        let labels: Vec<String> = t.iter().map(|&v| fmt_tick(v, 0.2)).collect();
        assert_eq!(labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    }

    #[test]
    fn clipping() {
        let r = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        let runs = clip_polyline(
            &[
                (-5.0, 5.0),
                (5.0, 5.0),
                (5.0, 15.0),
                (8.0, 15.0),
                (8.0, 5.0),
            ],
            &r,
        );
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0], vec![(0.0, 5.0), (5.0, 5.0), (5.0, 10.0)]);
        assert_eq!(runs[1], vec![(8.0, 10.0), (8.0, 5.0)]);
        let poly = clip_polygon(&[(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)], &r);
        let area: f32 = poly
            .iter()
            .zip(poly.iter().cycle().skip(1))
            .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
            .sum::<f32>()
            / 2.0;
        assert!((area.abs() - 25.0).abs() < 1e-3);
    }
}
