//! Plain-text tables for the terminal, aligned by display width (CJK characters count double).

/// Display width of a string in a monospaced terminal.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Render a table: first column left-aligned, the others right-aligned.
pub fn render(title: &str, header: &[String], rows: &[Vec<String>]) -> String {
    let ncol = header.len();
    let mut w: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (j, c) in r.iter().enumerate().take(ncol) {
            w[j] = w[j].max(width(c));
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (j, c) in cells.iter().enumerate().take(ncol) {
            let pad = " ".repeat(w[j] - width(c));
            if j == 0 {
                s.push_str(c);
                s.push_str(&pad);
            } else {
                s.push_str("  ");
                s.push_str(&pad);
                s.push_str(c);
            }
        }
        s.trim_end().to_string()
    };
    let total: usize = w.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
    let mut out = String::new();
    if !title.is_empty() {
        out.push_str(title);
        out.push('\n');
    }
    out.push_str(&line(header));
    out.push('\n');
    out.push_str(&"─".repeat(total));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// A number with a fixed number of decimals; `None`/non-finite shown as an em dash.
pub fn num(v: Option<f64>, dp: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.dp$}"),
        _ => "—".into(),
    }
}

/// APA-style p: "< .001" below one in a thousand, otherwise three decimals without the leading zero.
pub fn p_apa(p: f64) -> String {
    if !p.is_finite() {
        "—".into()
    } else if p < 0.001 {
        "< .001".into()
    } else {
        format!("{p:.3}").trim_start_matches('0').to_string()
    }
}

/// The message with every `quoted` piece of user text cut after 100 characters (with its full
/// length), so that a message never repeats a megabyte-long key.
pub fn shorten_quoted(message: &str) -> String {
    const MAX_ECHO: usize = 100;
    let mut out = String::new();
    for (i, piece) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        let n = piece.chars().count();
        if i % 2 == 1 && n > MAX_ECHO {
            out.extend(piece.chars().take(MAX_ECHO));
            out.push_str(&format!("… ({n} characters)"));
        } else {
            out.push_str(piece);
        }
    }
    out
}
