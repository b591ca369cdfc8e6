//! The five chart types and the layout pieces they share (title, legend, axes).
//!
//! Legends are always placed between the title and the plot area, never on top of data.

pub(crate) mod bar;
pub(crate) mod diverging;
pub(crate) mod line;
pub(crate) mod phase;
pub(crate) mod ribbon;

use crate::axis::{Rect, Scale};
use crate::font::{centre_baseline, text_width};
use crate::scene::{Anchor, Rgb, Scene, Stroke};

pub(crate) const TITLE: f32 = 18.0;
pub(crate) const LABEL: f32 = 14.0;
pub(crate) const TICK: f32 = 12.0;
pub(crate) const LEGEND: f32 = 13.0;
pub(crate) const PAD: f32 = 14.0;

/// What a legend entry shows next to its text.
#[derive(Clone, Debug)]
pub(crate) enum Swatch {
    Line {
        color: Rgb,
        dash: Option<Vec<f32>>,
        band: bool,
        /// Point-marker shape drawn on the series, shown mid-swatch too.
        marker: Option<usize>,
    },
    Box(Rgb),
}

#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub swatch: Swatch,
}

/// Font size at which `text` fits in `avail` px, at most `size` and at least 60% of it.
pub(crate) fn fit_size(text: &str, size: f32, bold: bool, avail: f32) -> f32 {
    let w = text_width(text, size, bold);
    if w <= avail || w <= 0.0 {
        size
    } else {
        (size * avail / w).max(size * 0.6)
    }
}

/// Shortens `text` with an ellipsis so it fits in `avail` px at `size`.
pub(crate) fn ellipsize(text: &str, size: f32, avail: f32) -> String {
    if text_width(text, size, false) <= avail {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let s: String = chars.iter().collect::<String>() + "…";
        if text_width(&s, size, false) <= avail {
            return s;
        }
    }
    "…".to_string()
}

/// Draws the chart title centred at the top; returns the y where content may start.
pub(crate) fn draw_title(scene: &mut Scene, title: &str) -> f32 {
    if title.trim().is_empty() {
        return PAD;
    }
    let w = scene.width as f32;
    let size = fit_size(title, TITLE, true, w - 2.0 * PAD);
    scene.text_full(
        (w / 2.0, PAD + size),
        title,
        size,
        Anchor::Middle,
        0.0,
        Rgb::TEXT,
        true,
    );
    PAD + size * 1.3 + 8.0
}

const SWATCH_W: f32 = 26.0;
const ENTRY_GAP: f32 = 18.0;

/// Lays out legend entries in centred rows between `x0` and `x1` starting at `y`; returns the y
/// below the legend (unchanged when there are no entries).
pub(crate) fn draw_legend(
    scene: &mut Scene,
    entries: &[LegendEntry],
    x0: f32,
    x1: f32,
    y: f32,
) -> f32 {
    if entries.is_empty() {
        return y;
    }
    let avail = (x1 - x0).max(40.0);
    let max_label = if entries.len() > 8 {
        // grid: at least two columns
        ((avail - ENTRY_GAP) / 2.0 - SWATCH_W - 6.0).max(40.0)
    } else {
        avail - SWATCH_W - 6.0
    };
    let items: Vec<(String, f32, &Swatch)> = entries
        .iter()
        .map(|e| {
            let label = ellipsize(&e.label, LEGEND, max_label);
            let w = SWATCH_W + 6.0 + text_width(&label, LEGEND, false);
            (label, w, &e.swatch)
        })
        .collect();
    // Few entries: greedy rows, each centred. Many entries (a sweep over 27 starting points,
    // 80 series): a grid of equal columns, read row by row, which stays scannable.
    let mut rows: Vec<Vec<(usize, f32)>> = Vec::new();
    if items.len() > 8 {
        let colw = items.iter().map(|it| it.1).fold(0.0, f32::max).min(avail);
        let ncols = (((avail + ENTRY_GAP) / (colw + ENTRY_GAP)).floor() as usize).max(1);
        let used = ncols as f32 * colw + (ncols as f32 - 1.0) * ENTRY_GAP;
        let left = x0 + ((avail - used) / 2.0).max(0.0);
        for (i, _) in items.iter().enumerate() {
            if i % ncols == 0 {
                rows.push(Vec::new());
            }
            let col = (i % ncols) as f32;
            rows.last_mut()
                .unwrap()
                .push((i, left + col * (colw + ENTRY_GAP)));
        }
    } else {
        let mut greedy: Vec<Vec<usize>> = vec![Vec::new()];
        let mut row_w = 0.0;
        for (i, it) in items.iter().enumerate() {
            let add = if greedy.last().unwrap().is_empty() {
                it.1
            } else {
                ENTRY_GAP + it.1
            };
            if row_w + add > avail && !greedy.last().unwrap().is_empty() {
                greedy.push(vec![i]);
                row_w = it.1;
            } else {
                greedy.last_mut().unwrap().push(i);
                row_w += add;
            }
        }
        for row in greedy {
            let total: f32 =
                row.iter().map(|&i| items[i].1).sum::<f32>() + ENTRY_GAP * (row.len() as f32 - 1.0);
            let mut x = x0 + (avail - total) / 2.0;
            rows.push(
                row.iter()
                    .map(|&i| {
                        let at = x;
                        x += items[i].1 + ENTRY_GAP;
                        (i, at)
                    })
                    .collect(),
            );
        }
    }
    let line_h = LEGEND * 1.6;
    let mut cy = y + line_h / 2.0;
    for row in &rows {
        for &(i, x) in row {
            let (label, _, swatch) = &items[i];
            match swatch {
                Swatch::Line {
                    color,
                    dash,
                    band,
                    marker,
                } => {
                    if *band {
                        scene.items.push(crate::scene::Item::Polygon {
                            pts: vec![
                                (x, cy - 6.0),
                                (x + SWATCH_W, cy - 6.0),
                                (x + SWATCH_W, cy + 6.0),
                                (x, cy + 6.0),
                            ],
                            fill: *color,
                            opacity: BAND_OPACITY,
                            stroke: None,
                        });
                    }
                    scene.line(
                        (x, cy),
                        (x + SWATCH_W, cy),
                        Stroke {
                            color: *color,
                            width: 2.5,
                            dash: dash.clone(),
                            opacity: 1.0,
                        },
                    );
                    if let Some(shape) = marker {
                        draw_marker(scene, *shape, (x + SWATCH_W / 2.0, cy), *color);
                    }
                }
                Swatch::Box(c) => {
                    scene.rect(
                        x + 4.0,
                        cy - 7.0,
                        SWATCH_W - 8.0,
                        14.0,
                        Some(*c),
                        Some(Stroke::solid(Rgb::AXIS, 0.6)),
                    );
                }
            }
            scene.text(
                (x + SWATCH_W + 6.0, centre_baseline(cy, LEGEND)),
                label,
                LEGEND,
                Anchor::Start,
            );
        }
        cy += line_h;
    }
    y + line_h * rows.len() as f32 + 4.0
}

pub(crate) const BAND_OPACITY: f32 = 0.2;

/// Width of the widest string at `size`.
pub(crate) fn max_width(labels: &[String], size: f32) -> f32 {
    labels
        .iter()
        .map(|l| text_width(l, size, false))
        .fold(0.0, f32::max)
}

/// How many ticks a vertical axis of a `height` px chart should aim for (about one per 55 px
/// of plot), so small charts do not get crowded labels.
pub(crate) fn y_tick_target(height: u32) -> usize {
    (((height as f32 - 150.0) / 55.0).round() as usize).clamp(2, 6)
}

/// How many ticks a horizontal axis of a `width` px chart should aim for.
pub(crate) fn x_tick_target(width: u32) -> usize {
    ((width as f32 / 100.0).round() as usize).clamp(3, 8)
}

/// Horizontal grid lines and left-hand tick labels for a vertical value axis; labels closer
/// than a line height to the previous one are skipped.
pub(crate) fn y_ticks(
    scene: &mut Scene,
    plot: &Rect,
    scale: &Scale,
    ticks: &[(f64, String)],
    grid: bool,
) {
    let mut last_y = f32::INFINITY;
    for (v, label) in ticks {
        let y = scale.map(*v);
        if !(plot.y0 - 0.5..=plot.y1 + 0.5).contains(&y) {
            continue;
        }
        if grid {
            scene.line((plot.x0, y), (plot.x1, y), Stroke::solid(Rgb::GRID, 1.0));
        }
        scene.line(
            (plot.x0 - 5.0, y),
            (plot.x0, y),
            Stroke::solid(Rgb::AXIS, 1.0),
        );
        if (last_y - y).abs() >= TICK * 1.2 {
            scene.text(
                (plot.x0 - 8.0, centre_baseline(y, TICK)),
                label,
                TICK,
                Anchor::End,
            );
            last_y = y;
        }
    }
}

/// Vertical grid lines and tick labels below a horizontal axis, thinning labels that would
/// overlap.
pub(crate) fn x_ticks(
    scene: &mut Scene,
    plot: &Rect,
    scale: &Scale,
    ticks: &[(f64, String)],
    grid: bool,
) {
    let mut last_right = f32::NEG_INFINITY;
    for (v, label) in ticks {
        let x = scale.map(*v);
        if !(plot.x0 - 0.5..=plot.x1 + 0.5).contains(&x) {
            continue;
        }
        if grid {
            scene.line((x, plot.y0), (x, plot.y1), Stroke::solid(Rgb::GRID, 1.0));
        }
        scene.line(
            (x, plot.y1),
            (x, plot.y1 + 5.0),
            Stroke::solid(Rgb::AXIS, 1.0),
        );
        let w = text_width(label, TICK, false);
        if x - w / 2.0 > last_right + 6.0 {
            scene.text((x, plot.y1 + 8.0 + TICK), label, TICK, Anchor::Middle);
            last_right = x + w / 2.0;
        }
    }
}

/// Space needed left of the plot for tick labels and a rotated y-axis title.
pub(crate) fn left_margin(tick_labels: &[String], y_label: &str) -> f32 {
    PAD + max_width(tick_labels, TICK)
        + 12.0
        + if y_label.trim().is_empty() {
            0.0
        } else {
            LABEL * 1.4 + 4.0
        }
}

/// Space needed below the plot for tick labels and an x-axis title.
pub(crate) fn bottom_margin(x_label: &str) -> f32 {
    PAD + TICK * 1.4
        + 10.0
        + if x_label.trim().is_empty() {
            0.0
        } else {
            LABEL * 1.4 + 4.0
        }
}

/// Axis titles: x centred under the plot, y rotated and centred left of it.
pub(crate) fn axis_titles(scene: &mut Scene, plot: &Rect, x_label: &str, y_label: &str) {
    axis_titles_at(scene, plot, x_label, y_label, 0.0)
}

/// As [`axis_titles`], with the y title shifted right by `dx` (for plots narrower than the
/// free space, such as the square phase portrait).
pub(crate) fn axis_titles_at(
    scene: &mut Scene,
    plot: &Rect,
    x_label: &str,
    y_label: &str,
    dx: f32,
) {
    let h = scene.height as f32;
    if !x_label.trim().is_empty() {
        let size = fit_size(x_label, LABEL, false, plot.w());
        scene.text(
            (plot.x0 + plot.w() / 2.0, h - PAD),
            x_label,
            size,
            Anchor::Middle,
        );
    }
    if !y_label.trim().is_empty() {
        let size = fit_size(y_label, LABEL, false, plot.h());
        let x = PAD + size + dx;
        scene.text_full(
            (x, plot.y0 + plot.h() / 2.0),
            y_label,
            size,
            Anchor::Middle,
            -90.0,
            Rgb::TEXT,
            false,
        );
    }
}

/// The L-shaped axis lines.
pub(crate) fn axis_lines(scene: &mut Scene, plot: &Rect) {
    let s = Stroke::solid(Rgb::AXIS, 1.0);
    scene.line((plot.x0, plot.y1), (plot.x1, plot.y1), s.clone());
    scene.line((plot.x0, plot.y0), (plot.x0, plot.y1), s);
}

/// Checks that every row of a share matrix has `cols` finite, non-negative entries with a
/// positive sum, and returns the rows rescaled to sum to 1 (`None` for rows containing NaN).
pub(crate) fn normalise_shares(
    chart: &'static str,
    field: &str,
    rows: &[Vec<f64>],
    row_names: &[String],
    cols: usize,
) -> Result<Vec<Option<Vec<f64>>>, crate::ReportError> {
    use crate::ReportError;
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let name = row_names.get(i).map(String::as_str).unwrap_or("");
        if row.len() != cols {
            return Err(ReportError::mismatch(
                chart,
                format!("{field}[{i}] ({name})"),
                cols,
                row.len(),
                "one share per level/category",
            ));
        }
        if row.iter().any(|v| v.is_nan()) {
            out.push(None);
            continue;
        }
        if let Some(v) = row.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(ReportError::invalid(
                chart,
                format!("{field}[{i}] ({name})"),
                format!("shares must be finite and >= 0, found {v}"),
            ));
        }
        let sum: f64 = row.iter().sum();
        if sum <= 0.0 {
            return Err(ReportError::invalid(
                chart,
                format!("{field}[{i}] ({name})"),
                "shares sum to 0",
            ));
        }
        out.push(Some(row.iter().map(|v| v / sum).collect()));
    }
    Ok(out)
}

/// Error for a size that leaves no room for the plot once titles and labels are placed.
pub(crate) fn too_small(chart: &'static str, sc: &Scene) -> crate::ReportError {
    crate::ReportError::BadSize {
        chart,
        width: sc.width,
        height: sc.height,
        min: crate::scene::MIN_SIDE,
        max: crate::scene::MAX_SIDE,
    }
}

/// Point marker number `shape` (cycling circle, square, triangle, diamond) centred on `c`,
/// with a thin white outline so it stands out from the line through it. The shapes keep
/// series apart in greyscale print where colours do not.
pub(crate) fn draw_marker(scene: &mut Scene, shape: usize, c: (f32, f32), color: Rgb) {
    let r = 3.4;
    let outline = Some(Stroke::solid(Rgb::WHITE, 0.8));
    let poly = |pts: Vec<(f32, f32)>| crate::scene::Item::Polygon {
        pts,
        fill: color,
        opacity: 1.0,
        stroke: outline.clone(),
    };
    match shape % 4 {
        0 => scene.circle(c, r, Some(color), outline.clone()),
        1 => {
            let h = r * 0.9;
            scene.rect(
                c.0 - h,
                c.1 - h,
                2.0 * h,
                2.0 * h,
                Some(color),
                outline.clone(),
            );
        }
        2 => {
            let h = r * 1.25;
            scene.items.push(poly(vec![
                (c.0, c.1 - h),
                (c.0 + h * 0.95, c.1 + h * 0.65),
                (c.0 - h * 0.95, c.1 + h * 0.65),
            ]));
        }
        _ => {
            let h = r * 1.25;
            scene.items.push(poly(vec![
                (c.0, c.1 - h),
                (c.0 + h, c.1),
                (c.0, c.1 + h),
                (c.0 - h, c.1),
            ]));
        }
    }
}

/// True for characters after which (and before which) a line may break without a hyphen:
/// CJK ideographs, kana, Hangul and full-width forms, as in Chinese typesetting.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF
        | 0x20000..=0x2FA1F)
}

/// Closing punctuation that must not start a line (Chinese line-breaking rule 避头).
fn no_line_start(c: char) -> bool {
    "，。、；：？！）》」』】〕’”,.;:?!)]}%".contains(c)
}

/// Breaks `text` into pieces that may be put on different lines: runs of Latin letters and
/// digits, single CJK characters (with following closing punctuation attached), and a
/// separator (space, `_`, `-`, `/`, `−`) kept at the end of the piece before the break.
fn break_units(text: &str) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if no_line_start(c) && cur.is_empty() {
            if let Some(last) = units.last_mut() {
                last.push(c);
                continue;
            }
        }
        if is_cjk(c) && !no_line_start(c) {
            if !cur.is_empty() {
                units.push(std::mem::take(&mut cur));
            }
            units.push(c.to_string());
            continue;
        }
        cur.push(c);
        if c == ' ' || c == '_' || c == '-' || c == '/' || c == '−' || c == '–' {
            units.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        units.push(cur);
    }
    units
}

/// Wraps `text` into at most `max_lines` lines no wider than `avail` px at `size`, measured
/// with the font's real advances. Breaks fall between CJK characters and at spaces and
/// separators in Latin text; a word longer than a line is split by characters; text left
/// over after the last line is cut with an ellipsis. Always returns at least one line.
pub(crate) fn wrap(text: &str, size: f32, avail: f32, max_lines: usize) -> Vec<String> {
    let max_lines = max_lines.max(1);
    let text = text.trim();
    if text_width(text, size, false) <= avail {
        return vec![text.to_string()];
    }
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let fits = |s: &str| text_width(s.trim_end(), size, false) <= avail;
    let mut units = break_units(text).into_iter();
    while let Some(u) = units.next() {
        let cand = format!("{cur}{u}");
        if fits(&cand) {
            cur = cand;
            continue;
        }
        if !cur.is_empty() {
            lines.push(cur.trim_end().to_string());
            cur = String::new();
        }
        if fits(&u) {
            cur = u.trim_start().to_string();
        } else {
            // a unit wider than the line: split it by characters
            for c in u.chars() {
                let cand = format!("{cur}{c}");
                if fits(&cand) || cur.is_empty() {
                    cur = cand;
                } else {
                    lines.push(std::mem::take(&mut cur));
                    cur.push(c);
                }
            }
        }
        if lines.len() >= max_lines {
            break;
        }
    }
    let rest: String = units.collect();
    if !cur.is_empty() || !rest.is_empty() {
        lines.push(format!("{cur}{rest}").trim().to_string());
    }
    lines.retain(|l| !l.is_empty());
    if lines.len() > max_lines {
        let tail = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(tail);
    }
    if let Some(last) = lines.last_mut() {
        *last = ellipsize(last, size, avail);
    }
    if lines.is_empty() {
        lines.push(ellipsize(text, size, avail));
    }
    lines
}

/// Draws wrapped lines right-aligned at `x_end`, vertically centred on `cy`, `line_h` apart.
pub(crate) fn draw_lines_right(
    scene: &mut Scene,
    lines: &[String],
    x_end: f32,
    cy: f32,
    size: f32,
    line_h: f32,
) {
    let n = lines.len() as f32;
    for (k, l) in lines.iter().enumerate() {
        let y = cy + (k as f32 - (n - 1.0) / 2.0) * line_h;
        scene.text((x_end, centre_baseline(y, size)), l, size, Anchor::End);
    }
}

/// Height in px of a chart whose caller left `height` at 0: the classic 800 x 450 for the
/// default width, otherwise the same 16:9 shape but at least 280 px so narrow print figures
/// (a journal column is about 360 layout px) keep a usable plot.
pub(crate) fn auto_height(width: u32) -> u32 {
    if width == 0 || width == crate::DEFAULT_WIDTH {
        crate::DEFAULT_HEIGHT
    } else {
        ((width as f32 * 0.5625).round() as u32).max(280)
    }
}

/// Grows an auto-sized scene (caller's `height == 0`) to at least `need` px, within the
/// size limit. Items already placed at the top stay valid; callers re-read `scene.height`.
pub(crate) fn grow_to(scene: &mut Scene, auto: bool, need: f32) {
    if auto && need > scene.height as f32 {
        scene.height = (need.ceil() as u32).min(crate::scene::MAX_SIDE);
    }
}
