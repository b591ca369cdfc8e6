//! Hand-written SVG output. Kept separate from the rasteriser so text stays real `<text>`
//! (searchable, selectable, translatable) with a CJK font fallback list, and so the document
//! has no ids, scripts or external references.

use crate::scene::{Anchor, Item, Scene, Stroke};
use std::fmt::Write;

/// Escapes text for XML character data and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // control characters are not allowed in XML 1.0
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Compact number: at most two decimals, no trailing zeros.
fn n(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn stroke_attrs(s: &Stroke) -> String {
    let mut a = format!(
        " stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\" stroke-linecap=\"butt\"",
        s.color.hex(),
        n(s.width)
    );
    if let Some(d) = &s.dash {
        let d: Vec<String> = d.iter().map(|&x| n(x)).collect();
        let _ = write!(a, " stroke-dasharray=\"{}\"", d.join(" "));
    }
    if s.opacity < 1.0 {
        let _ = write!(a, " stroke-opacity=\"{}\"", n(s.opacity));
    }
    a
}

fn points(pts: &[(f32, f32)]) -> String {
    let v: Vec<String> = pts
        .iter()
        .map(|&(x, y)| format!("{},{}", n(x), n(y)))
        .collect();
    v.join(" ")
}

/// Writes a standalone SVG 1.1 document for `scene`.
pub(crate) fn write(scene: &Scene) -> String {
    write_sized(scene, None)
}

/// As [`write`], with the document's `width`/`height` in millimetres when `mm` is given (the
/// `viewBox` stays in layout px), so the figure is placed at its printed size.
pub(crate) fn write_sized(scene: &Scene, mm: Option<(f64, f64)>) -> String {
    let mut o = String::with_capacity(16 * 1024);
    let (ws, hs) = match mm {
        Some((w, h)) => (format!("{w:.2}mm"), format!("{h:.2}mm")),
        None => (scene.width.to_string(), scene.height.to_string()),
    };
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{ws}\" height=\"{hs}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\" font-family=\"{f}\">",
        w = scene.width,
        h = scene.height,
        t = escape(&scene.title),
        f = crate::FONT_FAMILY
    );
    if !scene.title.is_empty() {
        let _ = writeln!(o, "<title>{}</title>", escape(&scene.title));
    }
    o.push_str("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    for item in &scene.items {
        match item {
            Item::Line { a, b, stroke } => {
                let _ = writeln!(
                    o,
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"{}/>",
                    n(a.0),
                    n(a.1),
                    n(b.0),
                    n(b.1),
                    stroke_attrs(stroke)
                );
            }
            Item::Polyline { pts, stroke } => {
                let _ = writeln!(
                    o,
                    "<polyline points=\"{}\" fill=\"none\"{}/>",
                    points(pts),
                    stroke_attrs(stroke)
                );
            }
            Item::Polygon {
                pts,
                fill,
                opacity,
                stroke,
            } => {
                let _ = write!(
                    o,
                    "<polygon points=\"{}\" fill=\"{}\"",
                    points(pts),
                    fill.hex()
                );
                if *opacity < 1.0 {
                    let _ = write!(o, " fill-opacity=\"{}\"", n(*opacity));
                }
                if let Some(s) = stroke {
                    o.push_str(&stroke_attrs(s));
                }
                o.push_str("/>\n");
            }
            Item::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                let _ = write!(
                    o,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"",
                    n(*x),
                    n(*y),
                    n(*w),
                    n(*h),
                    fill.map(|c| c.hex()).unwrap_or_else(|| "none".into())
                );
                if let Some(s) = stroke {
                    o.push_str(&stroke_attrs(s));
                }
                o.push_str("/>\n");
            }
            Item::Circle { c, r, fill, stroke } => {
                let _ = write!(
                    o,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"",
                    n(c.0),
                    n(c.1),
                    n(*r),
                    fill.map(|c| c.hex()).unwrap_or_else(|| "none".into())
                );
                if let Some(s) = stroke {
                    o.push_str(&stroke_attrs(s));
                }
                o.push_str("/>\n");
            }
            Item::Text {
                pos,
                text,
                size,
                anchor,
                rotate,
                color,
                bold,
            } => {
                let anchor = match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let _ = write!(
                    o,
                    "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{}\"",
                    n(pos.0),
                    n(pos.1),
                    n(*size),
                    anchor,
                    color.hex()
                );
                if *bold {
                    o.push_str(" font-weight=\"bold\"");
                }
                if *rotate != 0.0 {
                    let _ = write!(
                        o,
                        " transform=\"rotate({} {} {})\"",
                        n(*rotate),
                        n(pos.0),
                        n(pos.1)
                    );
                }
                let _ = writeln!(o, ">{}</text>", escape(text));
            }
        }
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_formats_numbers() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(n(1.0), "1");
        assert_eq!(n(-0.001), "0");
        assert_eq!(n(2.346), "2.35");
        assert_eq!(n(f32::NAN), "0");
    }
}
