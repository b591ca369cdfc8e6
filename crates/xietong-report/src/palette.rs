//! Colours and line styles chosen to survive colour-blindness and greyscale printing.
//!
//! Categorical colours are Okabe & Ito (2008), ordered so that neighbours differ in lightness;
//! lines additionally cycle dash patterns so series stay apart in black-and-white print.
//! Ordered (Likert) levels use the ColorBrewer PuOr diverging scheme, also colour-blind safe.

use crate::scene::Rgb;

/// Okabe-Ito for lines, reordered so neighbours differ in lightness: blue, orange, bluish
/// green, sky blue, vermillion, reddish purple, a dark yellow (Okabe-Ito's own yellow is too
/// pale for a 2-px line on white, where a dotted yellow line all but disappears), black.
pub(crate) const CATEGORICAL: [Rgb; 8] = [
    Rgb(0x00, 0x72, 0xb2),
    Rgb(0xe6, 0x9f, 0x00),
    Rgb(0x00, 0x9e, 0x73),
    Rgb(0x56, 0xb4, 0xe9),
    Rgb(0xd5, 0x5e, 0x00),
    Rgb(0xcc, 0x79, 0xa7),
    Rgb(0x8a, 0x7a, 0x00),
    Rgb(0x00, 0x00, 0x00),
];

pub(crate) fn categorical(i: usize) -> Rgb {
    CATEGORICAL[i % CATEGORICAL.len()]
}

/// The same Okabe-Ito colours ordered for filled areas (bars, stacked shares): the first four
/// have well separated greyscale lightness (0.15, 0.42, 0.74, 0.26), so stacked categories stay
/// distinguishable in black-and-white print. Yellow is fine as a fill, unlike as a thin line.
pub(crate) const FILL: [Rgb; 8] = [
    Rgb(0x00, 0x72, 0xb2),
    Rgb(0xe6, 0x9f, 0x00),
    Rgb(0xf0, 0xe4, 0x42),
    Rgb(0x00, 0x9e, 0x73),
    Rgb(0xcc, 0x79, 0xa7),
    Rgb(0x56, 0xb4, 0xe9),
    Rgb(0xd5, 0x5e, 0x00),
    Rgb(0x00, 0x00, 0x00),
];

pub(crate) fn fill(i: usize) -> Rgb {
    FILL[i % FILL.len()]
}

/// Number of distinct dash patterns; with the 8 colours, `COLORS x DASHES` series get distinct
/// colour + dash pairs.
pub(crate) const DASHES: usize = 10;

/// Dash pattern (px) of series `i`; `None` is solid. Series `i = 8a + b` gets colour `b` and
/// pattern `(9a + b) mod 10`: neighbours differ in both colour and pattern, and since 9 and 10
/// are coprime the first 80 series all get different (colour, pattern) pairs. The first four
/// keep the solid, dashed, dotted, dash-dot order.
pub(crate) fn dash(i: usize) -> Option<Vec<f32>> {
    let (a, b) = (i / CATEGORICAL.len(), i % CATEGORICAL.len());
    match (9 * a + b) % DASHES {
        0 => None,
        1 => Some(vec![8.0, 4.0]),
        2 => Some(vec![2.5, 2.5]),
        3 => Some(vec![10.0, 3.0, 2.0, 3.0]),
        4 => Some(vec![16.0, 4.0]),
        5 => Some(vec![5.0, 2.5]),
        6 => Some(vec![10.0, 3.0, 2.0, 3.0, 2.0, 3.0]),
        7 => Some(vec![1.5, 4.0]),
        8 => Some(vec![16.0, 4.0, 4.0, 4.0]),
        _ => Some(vec![6.0, 3.0, 1.5, 3.0, 1.5, 3.0]),
    }
}

/// PuOr (ColorBrewer, 11 classes) from the "disagree" orange end to the "agree" purple end.
const PUOR: [Rgb; 11] = [
    Rgb(0x7f, 0x3b, 0x08),
    Rgb(0xb3, 0x58, 0x06),
    Rgb(0xe0, 0x82, 0x14),
    Rgb(0xfd, 0xb8, 0x63),
    Rgb(0xfe, 0xe0, 0xb6),
    Rgb(0xf7, 0xf7, 0xf7),
    Rgb(0xd8, 0xda, 0xeb),
    Rgb(0xb2, 0xab, 0xd2),
    Rgb(0x80, 0x73, 0xac),
    Rgb(0x54, 0x27, 0x88),
    Rgb(0x2d, 0x00, 0x4b),
];

/// Colour of level `i` of `n` ordered levels: symmetric around the neutral middle, darker
/// toward both ends. The neutral level is a light grey rather than white so it shows on paper.
pub(crate) fn diverging(i: usize, n: usize) -> Rgb {
    if n <= 1 {
        return Rgb(0xbd, 0xbd, 0xbd);
    }
    let half = n / 2; // levels on each side of the centre
    let odd = n % 2 == 1;
    if odd && i == half {
        return Rgb(0xcc, 0xcc, 0xcc);
    }
    // distance from the centre, 1..=half
    let (side_neg, d) = if i < half {
        (true, half - i)
    } else {
        (false, i - half + if odd { 0 } else { 1 })
    };
    // map d in 1..=half to PuOr steps 1..=5 from the middle, skipping the near-white step for
    // small scales so every level is visible
    let step = if half == 1 {
        3
    } else {
        let lo = 2.0;
        let hi = 5.0;
        let t = (d - 1) as f64 / (half - 1) as f64;
        (lo + t * (hi - lo)).round() as usize
    };
    let step = step.clamp(1, 5);
    if side_neg {
        PUOR[5 - step]
    } else {
        PUOR[5 + step]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_is_symmetric_and_centre_grey() {
        for n in 2..=9 {
            for i in 0..n {
                let a = diverging(i, n);
                let b = diverging(n - 1 - i, n);
                // mirrored levels have the same lightness step on opposite hues
                assert!((a.luminance() - b.luminance()).abs() < 0.25, "n={n} i={i}");
            }
        }
        assert_eq!(diverging(2, 5), Rgb(0xcc, 0xcc, 0xcc));
        assert_ne!(diverging(0, 5), diverging(1, 5));
    }

    #[test]
    fn first_four_fills_are_apart_in_greyscale() {
        for (i, a) in FILL[..4].iter().enumerate() {
            for (j, b) in FILL[..i].iter().enumerate() {
                let d = (a.luminance() - b.luminance()).abs();
                assert!(d > 0.1, "fills {i} and {j}: lightness difference {d}");
            }
        }
    }

    #[test]
    fn eighty_series_get_distinct_colour_and_dash() {
        let key = |i: usize| (categorical(i), format!("{:?}", dash(i)));
        for i in 0..80 {
            for j in 0..i {
                assert_ne!(key(i), key(j), "series {i} and {j} look the same");
            }
            if i > 0 {
                // neighbours differ in colour and in pattern
                assert_ne!(categorical(i), categorical(i - 1));
                assert_ne!(dash(i), dash(i - 1), "series {i}");
            }
        }
    }

    #[test]
    fn line_colours_are_dark_enough_on_white() {
        // WCAG contrast against white > 1.9 for every line colour (Okabe-Ito yellow is 1.3)
        for c in CATEGORICAL {
            let contrast = 1.05 / (c.luminance() + 0.05);
            assert!(contrast > 1.9, "{c:?}: contrast {contrast}");
        }
    }

    #[test]
    fn neighbouring_categorical_colours_differ_in_lightness() {
        for w in CATEGORICAL.windows(2) {
            assert!((w[0].luminance() - w[1].luminance()).abs() > 0.05);
        }
    }
}
