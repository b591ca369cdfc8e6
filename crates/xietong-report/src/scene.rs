//! Backend-neutral drawing primitives: charts lay out into a [`Scene`] once, and the SVG writer
//! and the PNG rasteriser draw the same scene, so both outputs always agree.
//!
//! Coordinates are pixels, origin top-left. Clipping is done geometrically by the charts
//! (see [`crate::axis::clip_polyline`]), so the scene needs no clip paths or ids, which keeps
//! several SVGs inlined in one HTML page free of id clashes.

use crate::error::ReportError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0, 0, 0);
    pub const WHITE: Rgb = Rgb(255, 255, 255);
    pub const TEXT: Rgb = Rgb(0x22, 0x22, 0x22);
    pub const AXIS: Rgb = Rgb(0x44, 0x44, 0x44);
    pub const GRID: Rgb = Rgb(0xe3, 0xe3, 0xe3);

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (sRGB, approximate) used to choose black or white label text.
    pub fn luminance(self) -> f64 {
        fn lin(c: u8) -> f64 {
            let c = c as f64 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Stroke {
    pub color: Rgb,
    pub width: f32,
    pub dash: Option<Vec<f32>>,
    pub opacity: f32,
}

impl Stroke {
    pub fn solid(color: Rgb, width: f32) -> Self {
        Stroke {
            color,
            width,
            dash: None,
            opacity: 1.0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Clone, Debug)]
pub(crate) enum Item {
    Line {
        a: (f32, f32),
        b: (f32, f32),
        stroke: Stroke,
    },
    Polyline {
        pts: Vec<(f32, f32)>,
        stroke: Stroke,
    },
    Polygon {
        pts: Vec<(f32, f32)>,
        fill: Rgb,
        opacity: f32,
        stroke: Option<Stroke>,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    },
    Circle {
        c: (f32, f32),
        r: f32,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    },
    /// `pos` is the baseline point of the anchor; `rotate` in degrees, clockwise, about `pos`.
    Text {
        pos: (f32, f32),
        text: String,
        size: f32,
        anchor: Anchor,
        rotate: f32,
        color: Rgb,
        bold: bool,
    },
}

/// A finished chart layout.
#[derive(Clone, Debug)]
pub(crate) struct Scene {
    pub width: u32,
    pub height: u32,
    pub title: String,
    pub items: Vec<Item>,
}

/// Smallest and largest side accepted, so layouts stay readable and allocations bounded.
pub(crate) const MIN_SIDE: u32 = 160;
pub(crate) const MAX_SIDE: u32 = 8000;

impl Scene {
    /// Resolves 0 to the defaults and checks the bounds.
    pub fn new(
        chart: &'static str,
        width: u32,
        height: u32,
        title: &str,
    ) -> Result<Scene, ReportError> {
        let w = if width == 0 {
            crate::DEFAULT_WIDTH
        } else {
            width
        };
        let h = if height == 0 {
            crate::charts::auto_height(w)
        } else {
            height
        };
        if !(MIN_SIDE..=MAX_SIDE).contains(&w) || !(MIN_SIDE..=MAX_SIDE).contains(&h) {
            return Err(ReportError::BadSize {
                chart,
                width: w,
                height: h,
                min: MIN_SIDE,
                max: MAX_SIDE,
            });
        }
        Ok(Scene {
            width: w,
            height: h,
            title: title.to_string(),
            items: Vec::new(),
        })
    }

    pub fn line(&mut self, a: (f32, f32), b: (f32, f32), stroke: Stroke) {
        self.items.push(Item::Line { a, b, stroke });
    }

    /// Adds a polyline, dropping points less than 0.5 px from the last kept one: long series
    /// (thousands of periods) then cost SVG bytes in proportion to the drawn length, not to the
    /// number of samples, with no visible change.
    pub fn polyline(&mut self, pts: Vec<(f32, f32)>, stroke: Stroke) {
        let pts = thin(pts, 0.5);
        if pts.len() >= 2 {
            self.items.push(Item::Polyline { pts, stroke });
        }
    }

    /// Adds a filled polygon, thinned like [`Scene::polyline`].
    pub fn polygon(&mut self, pts: Vec<(f32, f32)>, fill: Rgb, opacity: f32) {
        let pts = thin(pts, 0.5);
        if pts.len() >= 3 {
            self.items.push(Item::Polygon {
                pts,
                fill,
                opacity,
                stroke: None,
            });
        }
    }

    pub fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    ) {
        // Normalise negative extents so both backends see the same box.
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        self.items.push(Item::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        });
    }

    pub fn circle(&mut self, c: (f32, f32), r: f32, fill: Option<Rgb>, stroke: Option<Stroke>) {
        self.items.push(Item::Circle { c, r, fill, stroke });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text_full(
        &mut self,
        pos: (f32, f32),
        text: &str,
        size: f32,
        anchor: Anchor,
        rotate: f32,
        color: Rgb,
        bold: bool,
    ) {
        // one line per text item: line breaks and other control characters become spaces
        // (the font has no glyph for them and SVG would collapse them anyway)
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if text.trim().is_empty() {
            return;
        }
        self.items.push(Item::Text {
            pos,
            text,
            size,
            anchor,
            rotate,
            color,
            bold,
        });
    }

    pub fn text(&mut self, pos: (f32, f32), text: &str, size: f32, anchor: Anchor) {
        self.text_full(pos, text, size, anchor, 0.0, Rgb::TEXT, false);
    }
}

/// Keeps the first and last point and every point at least `min_dist` px from the previously
/// kept one.
pub(crate) fn thin(pts: Vec<(f32, f32)>, min_dist: f32) -> Vec<(f32, f32)> {
    if pts.len() <= 2 {
        return pts;
    }
    let last = *pts.last().unwrap();
    let mut out: Vec<(f32, f32)> = Vec::with_capacity(pts.len().min(4096));
    for p in pts {
        match out.last() {
            Some(q) if (p.0 - q.0).hypot(p.1 - q.1) < min_dist => {}
            _ => out.push(p),
        }
    }
    if out.last() != Some(&last) {
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_ends_and_shape() {
        let pts: Vec<(f32, f32)> = (0..=1000).map(|i| (i as f32 * 0.01, 0.0)).collect();
        let t = thin(pts, 0.3);
        assert_eq!(t.first(), Some(&(0.0, 0.0)));
        assert_eq!(t.last(), Some(&(10.0, 0.0)));
        assert!(t.len() <= 36 && t.len() >= 30, "{}", t.len());
        for w in t.windows(2) {
            assert!(w[1].0 - w[0].0 <= 0.31);
        }
        // a sharp corner survives
        let t = thin(vec![(0.0, 0.0), (5.0, 5.0), (10.0, 0.0)], 0.3);
        assert_eq!(t.len(), 3);
    }
}
