//! PNG output: the scene is rasterised with `tiny-skia` (anti-aliased paths) and text glyphs
//! are drawn from the vendored font with `ab_glyph`.

use crate::error::ReportError;
use crate::font::{self, px_scale};
use crate::scene::{Anchor, Item, Rgb, Scene, Stroke};
use ab_glyph::{Font, GlyphId, ScaleFont, point};
use tiny_skia::{
    FillRule, FilterQuality, LineCap, LineJoin, Paint, PathBuilder, Pixmap, PixmapPaint,
    PremultipliedColorU8, StrokeDash, Transform,
};

fn paint(c: Rgb, opacity: f32) -> Paint<'static> {
    let mut p = Paint::default();
    let a = (opacity.clamp(0.0, 1.0) * 255.0).round() as u8;
    p.set_color_rgba8(c.0, c.1, c.2, a);
    p.anti_alias = true;
    p
}

fn sk_stroke(s: &Stroke) -> tiny_skia::Stroke {
    tiny_skia::Stroke {
        width: s.width,
        line_cap: LineCap::Butt,
        line_join: LineJoin::Round,
        dash: s
            .dash
            .as_ref()
            .and_then(|d| StrokeDash::new(d.clone(), 0.0)),
        ..Default::default()
    }
}

fn poly_path(pts: &[(f32, f32)], close: bool) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    let mut it = pts.iter().filter(|p| p.0.is_finite() && p.1.is_finite());
    let first = it.next()?;
    pb.move_to(first.0, first.1);
    for p in it {
        pb.line_to(p.0, p.1);
    }
    if close {
        pb.close();
    }
    pb.finish()
}

/// Largest accepted `scale` for [`render_png`]; with the 8000 px side limit of scenes the
/// pixel count stays bounded anyway, this just rejects nonsense early.
pub(crate) const MAX_SCALE: f32 = 8.0;

/// Renders `scene` to PNG bytes of `scene.width * scale` x `scene.height * scale` pixels
/// (rounded). The whole drawing, text included, is magnified, so `scale = 2` or `3` gives a
/// sharp print version of the same layout; the PNG records 96 x `scale` dpi.
pub(crate) fn render_png(scene: &Scene, scale: f32) -> Result<Vec<u8>, ReportError> {
    if !(scale.is_finite() && (0.25..=MAX_SCALE).contains(&scale)) {
        return Err(ReportError::InvalidValue {
            chart: "PNG",
            field: "scale".into(),
            reason: format!("must be between 0.25 and {MAX_SCALE}, got {scale}"),
        });
    }
    let pm = render_pixmap(scene, scale)?;
    encode_rgb_png(&pm, 96.0 * scale as f64)
        .map_err(|e| ReportError::Drawing(format!("PNG encoding: {e}")))
}

/// Renders `scene` magnified `scale` times onto an image of exactly `pw` x `ph` pixels (the
/// caller's rounding of the printed size) and records `dpi` in the file.
pub(crate) fn render_png_px(
    scene: &Scene,
    scale: f32,
    pw: u32,
    ph: u32,
    dpi: u32,
) -> Result<Vec<u8>, ReportError> {
    let pm = render_pixmap_px(scene, scale, pw, ph)?;
    encode_rgb_png(&pm, dpi as f64).map_err(|e| ReportError::Drawing(format!("PNG encoding: {e}")))
}

/// The pixmap's RGB bytes. Opaque pixels (all of them, on the white background) are copied four at
/// a time as three words, a loop the compiler keeps to a few instructions per pixel (an iterator
/// per pixel measured a fifth of the encoding time); any other pixel is demultiplied.
fn opaque_rgb(pm: &Pixmap) -> Vec<u8> {
    let data = pm.data();
    // Filled as it goes (zeroing it first measured 3% of a report's instructions).
    let mut rgb = Vec::with_capacity(data.len() / 4 * 3);
    // Whole groups of four pixels, then the last one to three; the alpha bytes are and-ed
    // together on the way, to tell afterwards whether every pixel was opaque.
    let mut alpha = u32::MAX;
    let (groups, rest) = data.as_chunks::<16>();
    for s in groups {
        let p: [u32; 4] = std::array::from_fn(|i| {
            u32::from_le_bytes([s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3]])
        });
        alpha &= p[0] & p[1] & p[2] & p[3];
        let w = [
            (p[0] & 0x00ff_ffff) | (p[1] << 24),
            ((p[1] >> 8) & 0xffff) | (p[2] << 16),
            ((p[2] >> 16) & 0xff) | (p[3] << 8),
        ];
        let mut bytes = [0u8; 12];
        for (k, x) in w.iter().enumerate() {
            bytes[4 * k..4 * k + 4].copy_from_slice(&x.to_le_bytes());
        }
        rgb.extend_from_slice(&bytes);
    }
    for s in rest.chunks_exact(4) {
        alpha &= u32::from(s[3]) << 24;
        rgb.extend_from_slice(&s[..3]);
    }
    if alpha >> 24 != 0xff {
        for (out, p) in rgb.chunks_exact_mut(3).zip(pm.pixels()) {
            let c = p.demultiply();
            out.copy_from_slice(&[c.red(), c.green(), c.blue()]);
        }
    }
    rgb
}

/// Encodes the (always opaque) pixmap as 8-bit RGB without row filters, at zlib level 3: flat
/// chart graphics compress better unfiltered, giving files about half the size of tiny-skia's
/// default RGBA encoding in well under half the time (measured in docs/performance/report.md).
fn encode_rgb_png(pm: &Pixmap, dpi: f64) -> Result<Vec<u8>, png::EncodingError> {
    // the background is opaque white and every draw composites over it, so alpha is 255 and
    // the premultiplied channels equal the straight ones
    let rgb = opaque_rgb(pm);
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut enc = png::Encoder::new(&mut out, pm.width(), pm.height());
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // zlib level 3: on the seven figures of a run's report.docx, 23% fewer instructions
        // than the default level 6 for files 6% larger (docs/performance/report.md).
        enc.set_deflate_compression(png::DeflateCompression::Level(3));
        enc.set_filter(png::Filter::NoFilter);
        enc.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
        // CSS pixels are 1/96 inch; record the matching resolution so print layouts size the
        // figure as on screen
        let ppm = (dpi / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut w = enc.write_header()?;
        w.write_image_data(&rgb)?;
        w.finish()?;
    }
    Ok(out)
}

pub(crate) fn render_pixmap(scene: &Scene, scale: f32) -> Result<Pixmap, ReportError> {
    let pw = ((scene.width as f32 * scale).round() as u32).max(1);
    let ph = ((scene.height as f32 * scale).round() as u32).max(1);
    render_pixmap_px(scene, scale, pw, ph)
}

fn render_pixmap_px(scene: &Scene, scale: f32, pw: u32, ph: u32) -> Result<Pixmap, ReportError> {
    // Opaque white from the start (premultiplied, every byte 255): one pass over the image
    // instead of zeroing it and then filling it.
    let size = tiny_skia::IntSize::from_wh(pw, ph);
    let bytes = size.and_then(|s| (s.width() as usize).checked_mul(s.height() as usize * 4));
    let mut pm = size
        .zip(bytes)
        .and_then(|(size, n)| Pixmap::from_vec(vec![255; n], size))
        .ok_or_else(|| ReportError::Drawing(format!("cannot allocate a {pw}x{ph} image")))?;
    // paths are drawn in scene coordinates and magnified by the transform (stroke widths
    // included); text is laid out again at the magnified size so glyphs stay sharp
    let id = Transform::from_scale(scale, scale);
    for item in &scene.items {
        match item {
            Item::Line { a, b, stroke } => {
                if let Some(p) = poly_path(&[*a, *b], false) {
                    pm.stroke_path(
                        &p,
                        &paint(stroke.color, stroke.opacity),
                        &sk_stroke(stroke),
                        id,
                        None,
                    );
                }
            }
            Item::Polyline { pts, stroke } => {
                if let Some(p) = poly_path(pts, false) {
                    pm.stroke_path(
                        &p,
                        &paint(stroke.color, stroke.opacity),
                        &sk_stroke(stroke),
                        id,
                        None,
                    );
                }
            }
            Item::Polygon {
                pts,
                fill,
                opacity,
                stroke,
            } => {
                if let Some(p) = poly_path(pts, true) {
                    pm.fill_path(&p, &paint(*fill, *opacity), FillRule::Winding, id, None);
                    if let Some(s) = stroke {
                        pm.stroke_path(&p, &paint(s.color, s.opacity), &sk_stroke(s), id, None);
                    }
                }
            }
            Item::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                if let Some(r) = tiny_skia::Rect::from_xywh(*x, *y, w.max(0.01), h.max(0.01)) {
                    let p = PathBuilder::from_rect(r);
                    if let Some(f) = fill {
                        pm.fill_path(&p, &paint(*f, 1.0), FillRule::Winding, id, None);
                    }
                    if let Some(s) = stroke {
                        pm.stroke_path(&p, &paint(s.color, s.opacity), &sk_stroke(s), id, None);
                    }
                }
            }
            Item::Circle { c, r, fill, stroke } => {
                if let Some(p) = PathBuilder::from_circle(c.0, c.1, *r) {
                    if let Some(f) = fill {
                        pm.fill_path(&p, &paint(*f, 1.0), FillRule::Winding, id, None);
                    }
                    if let Some(s) = stroke {
                        pm.stroke_path(&p, &paint(s.color, s.opacity), &sk_stroke(s), id, None);
                    }
                }
            }
            Item::Text {
                pos,
                text,
                size,
                anchor,
                rotate,
                color,
                bold,
            } => draw_text(
                &mut pm,
                (pos.0 * scale, pos.1 * scale),
                text,
                *size * scale,
                *anchor,
                *rotate,
                *color,
                *bold,
            ),
        }
    }
    Ok(pm)
}

/// Draws one line of text: glyphs are rasterised into a small premultiplied buffer that is then
/// composited with a translation (and rotation, for vertical axis titles).
#[allow(clippy::too_many_arguments)]
fn draw_text(
    pm: &mut Pixmap,
    pos: (f32, f32),
    text: &str,
    size: f32,
    anchor: Anchor,
    rotate: f32,
    color: Rgb,
    bold: bool,
) {
    let f = font::font();
    let sf = f.as_scaled(px_scale(size));
    let width = font::text_width(text, size, bold);
    let ascent = sf.ascent();
    let descent = sf.descent();
    let pad = 2.0_f32;
    let bw = (width + 2.0 * pad).ceil() as u32 + 1;
    let bh = (ascent - descent + 2.0 * pad).ceil() as u32 + 1;
    let Some(mut buf) = Pixmap::new(bw.max(1), bh.max(1)) else {
        return;
    };
    let x_off = match anchor {
        Anchor::Start => 0.0,
        Anchor::Middle => -width / 2.0,
        Anchor::End => -width,
    };
    // Place the buffer at whole pixels; keep the fractional part inside the buffer so glyph
    // positions stay exact.
    let ox = pos.0 + x_off - pad;
    let oy = pos.1 - ascent - pad;
    let (ix, iy) = if rotate == 0.0 {
        (ox.floor(), oy.floor())
    } else {
        (ox, oy)
    };
    let fx = ox - ix;
    let fy = oy - iy;
    let baseline = pad + ascent + fy;
    let passes: &[f32] = if bold { &[0.0, 0.045] } else { &[0.0] };
    let stride = bw as usize;
    for &dx in passes {
        let mut caret = pad + fx + dx * size;
        let mut prev: Option<GlyphId> = None;
        for c in text.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                caret += sf.kern(p, id);
            }
            let glyph = id.with_scale_and_position(sf.scale(), point(caret, baseline));
            caret += sf.h_advance(id);
            prev = Some(id);
            let Some(outlined) = f.outline_glyph(glyph) else {
                continue;
            };
            let b = outlined.px_bounds();
            let pixels = buf.pixels_mut();
            outlined.draw(|gx, gy, cov| {
                let x = b.min.x as i32 + gx as i32;
                let y = b.min.y as i32 + gy as i32;
                if x < 0 || y < 0 || x >= bw as i32 || y >= bh as i32 {
                    return;
                }
                let a = (cov.clamp(0.0, 1.0) * 255.0).round() as u16;
                if a == 0 {
                    // Writing would store the pixel as it is (most of a glyph's box is empty).
                    return;
                }
                let i = y as usize * stride + x as usize;
                let old = pixels[i];
                let na = a.max(old.alpha() as u16) as u8;
                let pre = |ch: u8| ((ch as u16 * na as u16 + 127) / 255) as u8;
                if let Some(px) =
                    PremultipliedColorU8::from_rgba(pre(color.0), pre(color.1), pre(color.2), na)
                {
                    pixels[i] = px;
                }
            });
        }
    }
    let mut pp = PixmapPaint::default();
    let tf = if rotate == 0.0 {
        pp.quality = FilterQuality::Nearest;
        Transform::from_translate(ix, iy)
    } else {
        pp.quality = FilterQuality::Bilinear;
        Transform::from_translate(ix, iy)
            .post_concat(Transform::from_rotate_at(rotate, pos.0, pos.1))
    };
    pm.draw_pixmap(0, 0, buf.as_ref(), &pp, tf, None);
}

#[cfg(test)]
mod tests {
    use crate::charts::line::{LineChart, Series};

    /// The fast copy of opaque pixels gives the demultiplied channels, at every remainder of
    /// four pixels, and a pixmap with a translucent pixel takes the general path.
    #[test]
    fn opaque_rgb_is_the_demultiplied_pixels() {
        use tiny_skia::{Color, Paint, Pixmap, Rect, Transform};
        let expected = |pm: &Pixmap| -> Vec<u8> {
            pm.pixels()
                .iter()
                .flat_map(|p| {
                    let c = p.demultiply();
                    [c.red(), c.green(), c.blue()]
                })
                .collect()
        };
        for (w, h) in [(1, 1), (2, 1), (3, 1), (4, 1), (5, 3), (7, 7), (33, 2)] {
            let mut pm = Pixmap::new(w, h).unwrap();
            pm.fill(Color::from_rgba8(250, 251, 252, 255));
            let mut paint = Paint::default();
            paint.set_color_rgba8(10, 120, 230, 255);
            let r = Rect::from_xywh(0.0, 0.0, w as f32 / 2.0 + 0.3, h as f32).unwrap();
            pm.fill_rect(r, &paint, Transform::identity(), None);
            pm.pixels_mut()[(w * h - 1) as usize] =
                tiny_skia::PremultipliedColorU8::from_rgba(1, 2, 3, 255).unwrap();
            assert_eq!(super::opaque_rgb(&pm), expected(&pm), "{w}x{h} opaque");
            pm.pixels_mut()[0] =
                tiny_skia::PremultipliedColorU8::from_rgba(40, 20, 10, 128).unwrap();
            assert_eq!(super::opaque_rgb(&pm), expected(&pm), "{w}x{h} translucent");
        }
    }

    /// Splits the PNG cost into layout, rasterising and encoding (run with --ignored
    /// --nocapture in release mode); used for docs/performance/report.md.
    #[test]
    #[ignore]
    fn png_cost_breakdown() {
        let x: Vec<f64> = (0..=60).map(|i| i as f64).collect();
        let s = |k: f64| Series {
            name: format!("series {k}"),
            x: x.clone(),
            y: x.iter()
                .map(|t| 1.0 / (1.0 + (-(t - 25.0) * k).exp()))
                .collect(),
            lower: Some(
                x.iter()
                    .map(|t| 0.9 / (1.0 + (-(t - 25.0) * k).exp()))
                    .collect(),
            ),
            upper: Some(
                x.iter()
                    .map(|t| 1.1 / (1.0 + (-(t - 25.0) * k).exp()))
                    .collect(),
            ),
        };
        let c = LineChart {
            title: "合作率随时间变化 (Cooperation rate)".into(),
            x_label: "时期 t".into(),
            y_label: "合作率".into(),
            series: vec![s(0.1), s(0.2), s(0.3)],
            ..Default::default()
        };
        let n = 50;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(c.scene().unwrap());
        }
        eprintln!("layout  {:?}", t.elapsed() / n);
        let sc = c.scene().unwrap();
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(super::render_pixmap(&sc, 1.0).unwrap());
        }
        eprintln!("raster  {:?}", t.elapsed() / n);
        let pm = super::render_pixmap(&sc, 1.0).unwrap();
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(super::encode_rgb_png(&pm, 96.0).unwrap());
        }
        eprintln!(
            "encode  {:?} ({} bytes)",
            t.elapsed() / n,
            super::encode_rgb_png(&pm, 96.0).unwrap().len()
        );
        // what tiny-skia's own `encode_png` does: RGBA with the png crate's default settings
        let rgba = |pm: &tiny_skia::Pixmap| -> Vec<u8> {
            let mut out = Vec::new();
            let mut enc = png::Encoder::new(&mut out, pm.width(), pm.height());
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().unwrap();
            w.write_image_data(pm.data()).unwrap();
            w.finish().unwrap();
            out
        };
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(rgba(&pm));
        }
        eprintln!(
            "default RGBA encode  {:?} ({} bytes)",
            t.elapsed() / n,
            rgba(&pm).len()
        );
    }
}
