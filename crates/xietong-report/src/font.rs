//! The one font used for measuring (SVG and PNG) and drawing (PNG) text.
//!
//! WenQuanYi Micro Hei covers Latin, digits and CJK in one face, so no glyph fallback is
//! needed. The Debian file is a TrueType collection (`.ttc`, faces "Micro Hei" and "Micro Hei
//! Mono"); `ab_glyph` opens a collection member by index, so face 0 is used directly without
//! extracting it. See `fonts/README.md` for provenance and licence.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use std::sync::OnceLock;

pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../fonts/wqy-microhei.ttc");

/// Face 0 of the collection: the proportional "WenQuanYi Micro Hei".
pub(crate) fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        // The bytes are compiled in and checked by a unit test, so failure here is a build
        // defect rather than a user error.
        FontRef::try_from_slice_and_index(FONT_BYTES, 0)
            .expect("vendored WenQuanYi Micro Hei face 0 must parse")
    })
}

/// `ab_glyph` scales by the font's ascent-descent height, SVG/CSS by the em square; convert a
/// CSS font size (px per em) to the matching `PxScale` so both outputs agree.
pub(crate) fn px_scale(size: f32) -> PxScale {
    let f = font();
    let upem = f.units_per_em().unwrap_or(1000.0);
    PxScale::from(size * f.height_unscaled() / upem)
}

/// Advance width of `text` at CSS font size `size`, including kerning. Bold text is drawn with
/// a stroke-widened outline, so it gets a small allowance.
pub(crate) fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let sf = font().as_scaled(px_scale(size));
    let mut w = 0.0;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            w += sf.kern(p, id);
        }
        w += sf.h_advance(id);
        prev = Some(id);
    }
    if bold {
        w += 0.04 * size * text.chars().count() as f32;
    }
    w
}

/// Baseline offset that centres a line of text vertically on `y` (cap-height-ish centring).
pub(crate) fn centre_baseline(y: f32, size: f32) -> f32 {
    y + 0.36 * size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_covers_latin_digits_and_cjk() {
        let f = font();
        for c in "Cooperation 0123456789 合作率协同成渝经济圈".chars() {
            if c == ' ' {
                continue;
            }
            assert_ne!(f.glyph_id(c).0, 0, "glyph missing for {c:?}");
            assert!(f.outline(f.glyph_id(c)).is_some(), "no outline for {c:?}");
        }
    }

    #[test]
    fn widths_scale_and_cjk_is_full_width() {
        let w12 = text_width("合作率", 12.0, false);
        let w24 = text_width("合作率", 24.0, false);
        assert!((w24 / w12 - 2.0).abs() < 1e-3);
        // CJK ideographs are one em wide
        assert!((w12 - 36.0).abs() < 1.5, "got {w12}");
        assert!(text_width("i", 12.0, false) < text_width("W", 12.0, false));
    }
}
