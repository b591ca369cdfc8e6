//! Self-contained HTML reports: one file with inline CSS, inline SVG and PNG as `data:` URIs,
//! a table of contents and print styles. A Content-Security-Policy forbids every network
//! request, so a report opened offline (or on an air-gapped machine) looks the same.

use crate::table::{Table, looks_numeric};
use crate::{Lang, svg::escape};
use std::fmt::Write;

/// A piece of section content.
#[derive(Clone, Debug)]
pub enum Block {
    /// Plain text; blank lines start new paragraphs. Escaped, never interpreted as HTML.
    Paragraph(String),
    /// An SVG document such as [`crate::Chart::to_svg`] returns. Inserted as markup after a
    /// safety check (no scripts, event handlers, `foreignObject` or external references);
    /// SVG failing the check is replaced by a visible notice.
    Svg(String),
    Table(Table),
    /// A highlighted remark (assumptions, caveats).
    Note(String),
    /// PNG bytes, embedded as a `data:` URI.
    Png(Vec<u8>),
}

impl Block {
    /// The chart as an inline SVG block.
    pub fn svg_of(chart: &dyn crate::Chart) -> Result<Block, crate::ReportError> {
        Ok(Block::Svg(chart.to_svg()?))
    }

    /// The chart as an embedded PNG block (for pages that must look identical everywhere,
    /// whatever fonts the reader has).
    pub fn png_of(chart: &dyn crate::Chart) -> Result<Block, crate::ReportError> {
        Ok(Block::Png(chart.to_png()?))
    }
}

/// A numbered section with its heading in the table of contents.
#[derive(Clone, Debug, Default)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// A whole report.
#[derive(Clone, Debug, Default)]
pub struct HtmlReport {
    pub title: String,
    pub subtitle: String,
    pub lang: Lang,
    pub sections: Vec<Section>,
}

const CSS: &str = r#"
:root { --fg: #1a1a1a; --muted: #555; --rule: #333; --note-bg: #f3f6fa; --note-bar: #0072b2; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.5rem 4rem; color: var(--fg); background: #fff;
  font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
  "PingFang SC", "Hiragino Sans GB", system-ui, sans-serif; line-height: 1.65; }
header h1 { font-size: 1.9rem; line-height: 1.3; margin: 0 0 .3rem; }
header .subtitle { color: var(--muted); font-size: 1.1rem; margin: 0 0 1.5rem; }
nav.toc { border-top: 1px solid #ccc; border-bottom: 1px solid #ccc; padding: .6rem 0 .8rem; margin-bottom: 2rem; }
nav.toc h2 { font-size: 1rem; margin: .2rem 0 .4rem; }
nav.toc ol { margin: 0; padding-left: 1.6rem; }
nav.toc a { color: inherit; text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
section { margin-bottom: 2.5rem; }
section h2 { font-size: 1.4rem; border-bottom: 2px solid #ddd; padding-bottom: .2rem; }
p { margin: .6rem 0; }
figure { margin: 1.2rem 0; text-align: center; }
figure svg, figure img { max-width: 100%; height: auto; }
.note { background: var(--note-bg); border-left: 4px solid var(--note-bar); padding: .6rem .9rem; margin: 1rem 0; }
figure.table { text-align: left; overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .4rem 0; font-variant-numeric: tabular-nums; table-layout: auto; }
td.text, th.text { overflow-wrap: break-word; word-break: normal; line-break: strict; }
td.num, th.num { white-space: nowrap; }
figure.table.wide { width: calc(100vw - 4rem); max-width: 90rem; margin-left: 50%; transform: translateX(-50%); }
figure.table.wide table { font-size: .85rem; margin: .4rem auto; }
figure.table.wide th, figure.table.wide td { padding: .25rem .45rem; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: .4rem; }
thead th { border-top: 2px solid var(--rule); border-bottom: 1px solid var(--rule); font-weight: 600; }
tbody tr:last-child td { border-bottom: 2px solid var(--rule); }
th, td { padding: .3rem .8rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; }
.table-note { font-size: .9rem; margin-top: .3rem; }
.table-note em { font-style: italic; }
.blocked { color: #a00; border: 1px dashed #a00; padding: .5rem; }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid #ddd; margin-top: 3rem; padding-top: .5rem; }
@media print {
  @page { margin: 18mm 16mm; }
  body { max-width: none; padding: 0; font-size: 11pt; line-height: 1.5; }
  nav.toc { break-after: page; border: none; }
  nav.toc a::after { content: ""; }
  section h2 { break-after: avoid; }
  figure, .note { break-inside: avoid; }
  figure.table { overflow: visible; break-inside: auto; }
  figure.table.wide { width: auto; margin-left: 0; transform: none; }
  table { font-size: 9pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .note { background: none; border-left: 3px solid #000; }
  a { color: #000; text-decoration: none; }
  footer { display: none; }
}
"#;

/// Base64 (standard alphabet, padded) for `data:` URIs.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Returns SVG markup ready to inline in HTML, or why it was refused. The XML prolog and the
/// SVG namespace declaration are dropped (HTML parsers supply the namespace), so the page
/// contains no URL at all.
pub(crate) fn inline_svg(svg: &str) -> Result<String, &'static str> {
    let mut s = svg.trim();
    if s.starts_with("<?xml") {
        s = s.split_once("?>").map(|x| x.1.trim_start()).unwrap_or("");
    }
    if !s.starts_with("<svg") || !s.trim_end().ends_with("</svg>") {
        return Err("not an SVG document");
    }
    let s = s
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "", 1);
    let lower = s.to_ascii_lowercase();
    if lower.contains("<script")
        || lower.contains("<foreignobject")
        || lower.contains("javascript:")
    {
        return Err("contains script or foreign content");
    }
    // any reference attribute or CSS url() could load something; our charts use neither
    let refs = ["href=", "href =", "src=", "src =", "url(", "@import"];
    if refs.iter().any(|r| lower.contains(r)) {
        return Err("references another resource");
    }
    // event-handler attributes such as onload=
    let bytes = lower.as_bytes();
    for i in 0..bytes.len().saturating_sub(3) {
        if bytes[i].is_ascii_whitespace() && bytes[i + 1] == b'o' && bytes[i + 2] == b'n' {
            let rest = &lower[i + 3..];
            let name_len = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
            if name_len > 0 && rest[name_len..].trim_start().starts_with('=') {
                return Err("contains an event handler attribute");
            }
        }
    }
    Ok(s)
}

fn paragraphs(text: &str, class: Option<&str>) -> String {
    let mut out = String::new();
    let normalised = text.replace("\r\n", "\n");
    for para in normalised
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let body = escape(para).replace('\n', "<br>");
        match class {
            Some(c) => {
                let _ = writeln!(out, "<p class=\"{c}\">{body}</p>");
            }
            None => {
                let _ = writeln!(out, "<p>{body}</p>");
            }
        }
    }
    out
}

fn table_html(t: &Table, lang: Lang) -> String {
    let cols = t.columns();
    // many columns: smaller type, and the table may use the window's width beyond the text
    // column (it still scrolls sideways when even that is too narrow)
    let mut o = String::from(if cols > 7 {
        "<figure class=\"table wide\">\n<table>\n"
    } else {
        "<figure class=\"table\">\n<table>\n"
    });
    if !t.caption.trim().is_empty() {
        let _ = writeln!(o, "<caption>{}</caption>", escape(&t.caption));
    }
    let numeric: Vec<bool> = (0..cols)
        .map(|i| {
            let mut cells = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .filter(|c| !c.trim().is_empty())
                .peekable();
            cells.peek().is_some() && cells.all(|c| looks_numeric(c))
        })
        .collect();
    // Text columns get a minimum width from their longest cell (as if wrapped onto about
    // three lines, 4..14 em): otherwise a wide table's numeric columns squeeze a text column
    // to one CJK character per line. Numbers never wrap; the figure scrolls sideways instead.
    let min_em: Vec<f32> = (0..cols)
        .map(|i| {
            let longest = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain(t.header.get(i))
                .map(|c| crate::font::text_width(c, 16.0, false) / 16.0)
                .fold(0.0, f32::max);
            (longest / 3.0)
                .clamp(4.0, 14.0)
                .min(longest.max(1.0))
                .ceil()
        })
        .collect();
    let cls = |i: usize, sized: bool| {
        if numeric[i] {
            " class=\"num\"".to_string()
        } else if sized {
            format!(" class=\"text\" style=\"min-width:{}em\"", min_em[i])
        } else {
            " class=\"text\"".to_string()
        }
    };
    if !t.header.is_empty() {
        o.push_str("<thead><tr>");
        for i in 0..cols {
            let h = t.header.get(i).map(String::as_str).unwrap_or("");
            let _ = write!(o, "<th scope=\"col\"{}>{}</th>", cls(i, true), escape(h));
        }
        o.push_str("</tr></thead>\n");
    }
    o.push_str("<tbody>\n");
    for (ri, r) in t.rows.iter().enumerate() {
        o.push_str("<tr>");
        for i in 0..cols {
            let c = r.get(i).map(String::as_str).unwrap_or("");
            let sized = ri == 0 && t.header.is_empty();
            let _ = write!(o, "<td{}>{}</td>", cls(i, sized), escape(c));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
    if let Some(note) = t.note.as_ref().filter(|n| !n.trim().is_empty()) {
        let _ = writeln!(
            o,
            "<p class=\"table-note\"><em>{}</em>{}</p>",
            lang.pick("Note.", "注："),
            lang.pick(" ", "").to_string() + &escape(note)
        );
    }
    o.push_str("</figure>\n");
    o
}

impl HtmlReport {
    /// Renders the complete HTML document.
    pub fn render(&self) -> String {
        let lang = self.lang;
        let mut o = String::with_capacity(64 * 1024);
        let title = if self.title.trim().is_empty() {
            lang.pick("Report", "报告")
        } else {
            self.title.as_str()
        };
        let _ = write!(
            o,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n\
             <meta name=\"generator\" content=\"xietong-report {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
            lang.html_tag(),
            env!("CARGO_PKG_VERSION"),
            escape(title),
            CSS
        );
        let _ = writeln!(o, "<header>\n<h1>{}</h1>", escape(title));
        if !self.subtitle.trim().is_empty() {
            let _ = writeln!(o, "<p class=\"subtitle\">{}</p>", escape(&self.subtitle));
        }
        o.push_str("</header>\n");
        let heading = |i: usize, s: &Section| -> String {
            if s.heading.trim().is_empty() {
                match lang {
                    Lang::En => format!("Section {}", i + 1),
                    Lang::Zh => format!("第 {} 节", i + 1),
                }
            } else {
                s.heading.clone()
            }
        };
        if !self.sections.is_empty() {
            let _ = writeln!(
                o,
                "<nav class=\"toc\" aria-label=\"{0}\">\n<h2>{0}</h2>\n<ol>",
                lang.pick("Contents", "目录")
            );
            for (i, s) in self.sections.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "<li><a href=\"#sec-{}\">{}</a></li>",
                    i + 1,
                    escape(&heading(i, s))
                );
            }
            o.push_str("</ol>\n</nav>\n");
        }
        o.push_str("<main>\n");
        let mut fig = 0usize;
        for (i, s) in self.sections.iter().enumerate() {
            let _ = writeln!(
                o,
                "<section id=\"sec-{0}\">\n<h2>{0}. {1}</h2>",
                i + 1,
                escape(&heading(i, s))
            );
            for b in &s.blocks {
                match b {
                    Block::Paragraph(t) => o.push_str(&paragraphs(t, None)),
                    Block::Note(t) => {
                        o.push_str("<div class=\"note\" role=\"note\">\n");
                        o.push_str(&paragraphs(t, None));
                        o.push_str("</div>\n");
                    }
                    Block::Table(t) => o.push_str(&table_html(t, lang)),
                    Block::Svg(svg) => match inline_svg(svg) {
                        Ok(svg) => {
                            fig += 1;
                            let _ = writeln!(o, "<figure id=\"fig-{fig}\">\n{svg}</figure>");
                        }
                        Err(why) => {
                            let _ = writeln!(
                                o,
                                "<p class=\"blocked\">{}: {}</p>",
                                lang.pick("SVG figure omitted", "已省略 SVG 图"),
                                escape(why)
                            );
                        }
                    },
                    Block::Png(bytes) => {
                        if bytes.starts_with(&PNG_SIGNATURE) {
                            fig += 1;
                            let _ = writeln!(
                                o,
                                "<figure id=\"fig-{fig}\">\n<img alt=\"{} {fig}\" src=\"data:image/png;base64,{}\">\n</figure>",
                                lang.pick("Figure", "图"),
                                base64(bytes)
                            );
                        } else {
                            let _ = writeln!(
                                o,
                                "<p class=\"blocked\">{}</p>",
                                lang.pick(
                                    "PNG figure omitted: the bytes are not a PNG image",
                                    "已省略 PNG 图：数据不是 PNG 图像"
                                )
                            );
                        }
                    }
                }
            }
            o.push_str("</section>\n");
        }
        o.push_str("</main>\n");
        let _ = writeln!(
            o,
            "<footer>{}</footer>\n</body>\n</html>",
            lang.pick("Generated by xietong.", "由 xietong 生成。")
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let v = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (i, o) in v {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn svg_check_refuses_active_content() {
        assert!(inline_svg("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>").is_ok());
        assert!(inline_svg("<svg><script>alert(1)</script></svg>").is_err());
        assert!(inline_svg("<svg><rect onload=\"x()\"/></svg>").is_err());
        assert!(inline_svg("<svg><image href=\"https://e.com/a.png\"/></svg>").is_err());
        assert!(inline_svg("<svg><foreignObject/></svg>").is_err());
        assert!(inline_svg("<div>no</div>").is_err());
        // text that merely mentions "on" stays fine
        assert!(inline_svg("<svg><text> only one</text></svg>").is_ok());
    }
}
