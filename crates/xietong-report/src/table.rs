//! Plain tables for reports, with Markdown and CSV export (APA-style layout is done by the
//! HTML renderer's CSS; the text forms keep caption and note for reuse elsewhere).

/// A table: caption, header row, body rows (ragged rows are padded) and an optional note.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub note: Option<String>,
}

impl Table {
    /// Number of columns: the longest of header and rows.
    pub fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(self.header.len()))
            .max()
            .unwrap_or(0)
    }

    /// GitHub-flavoured Markdown: bold caption line, pipe table, italic "Note." line. Pipes
    /// and line breaks inside cells are escaped so the grid stays intact.
    pub fn to_markdown(&self) -> String {
        let cols = self.columns();
        let mut out = String::new();
        if !self.caption.trim().is_empty() {
            out.push_str(&format!("**{}**\n\n", md_cell(&self.caption)));
        }
        if cols > 0 {
            let row = |cells: &[String]| -> String {
                let mut s = String::from("|");
                for i in 0..cols {
                    let c = cells.get(i).map(String::as_str).unwrap_or("");
                    s.push(' ');
                    s.push_str(&md_cell(c));
                    s.push_str(" |");
                }
                s.push('\n');
                s
            };
            out.push_str(&row(&self.header));
            out.push('|');
            for i in 0..cols {
                let numeric = !self.rows.is_empty()
                    && self
                        .rows
                        .iter()
                        .filter_map(|r| r.get(i))
                        .filter(|c| !c.trim().is_empty())
                        .all(|c| looks_numeric(c));
                out.push_str(if numeric { " ---: |" } else { " --- |" });
            }
            out.push('\n');
            for r in &self.rows {
                out.push_str(&row(r));
            }
        }
        if let Some(note) = self.note.as_ref().filter(|n| !n.trim().is_empty()) {
            out.push_str(&format!("\n*Note.* {}\n", md_cell(note)));
        }
        out
    }

    /// RFC 4180 CSV of header and rows (caption and note are not data and are left out).
    /// Fields with commas, quotes, line breaks or edge spaces are quoted. Text cells that a
    /// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, e.g. from survey
    /// free text) get a leading `'`, as OWASP advises against CSV injection; numbers such as
    /// `-1.5` are left alone. No byte-order mark: add one when writing a file meant for Excel.
    pub fn to_csv(&self) -> String {
        let cols = self.columns();
        let mut out = String::new();
        let mut line = |cells: &[String]| {
            let v: Vec<String> = (0..cols)
                .map(|i| csv_field(cells.get(i).map(String::as_str).unwrap_or("")))
                .collect();
            out.push_str(&v.join(","));
            out.push_str("\r\n");
        };
        if !self.header.is_empty() {
            line(&self.header);
        }
        for r in &self.rows {
            line(r);
        }
        out
    }
}

/// True for cells such as `-1.25`, `3,200`, `0.05*`, `12%`, `<.001`, `< 0.001`, `—`.
pub(crate) fn looks_numeric(c: &str) -> bool {
    let t = c
        .trim()
        .trim_end_matches(['*', '%', '†'])
        .trim_start_matches(['<', '>', '=', '+', '-', '−', '≤', '≥'])
        .trim_start();
    if t == "—" || t == "–" {
        return true;
    }
    let t: String = t.chars().filter(|&ch| ch != ',').collect();
    !t.is_empty() && t.parse::<f64>().is_ok()
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

fn csv_field(s: &str) -> String {
    let defused;
    // a lone sign (a common "missing" marker) is not a formula
    let s = if s.len() > 1 && s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !looks_numeric(s) {
        defused = format!("'{s}");
        defused.as_str()
    } else {
        s
    };
    let needs = s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ');
    if needs {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Table {
        Table {
            caption: "Table 1 合作率".into(),
            header: vec!["城市".into(), "M".into(), "SD".into()],
            rows: vec![
                vec!["成都".into(), "0.62".into(), "0.11".into()],
                vec!["Chongqing, CQ".into(), "0.58".into()],
                vec!["a|b \"q\"".into(), "-1.5".into(), "<.001".into()],
            ],
            note: Some("N = 120.".into()),
        }
    }

    #[test]
    fn markdown_keeps_grid_and_aligns_numbers() {
        let md = t().to_markdown();
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines[0], "**Table 1 合作率**");
        assert_eq!(lines[2], "| 城市 | M | SD |");
        assert_eq!(lines[3], "| --- | ---: | ---: |");
        assert_eq!(lines[5], "| Chongqing, CQ | 0.58 |  |");
        assert_eq!(lines[6], "| a\\|b \"q\" | -1.5 | <.001 |");
        assert!(md.ends_with("*Note.* N = 120.\n"));
    }

    #[test]
    fn csv_quotes_per_rfc4180() {
        let csv = t().to_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "城市,M,SD");
        assert_eq!(lines[2], "\"Chongqing, CQ\",0.58,");
        assert_eq!(lines[3], "\"a|b \"\"q\"\"\",-1.5,<.001");
        assert_eq!(lines.len(), 5); // trailing empty after the last CRLF
    }

    #[test]
    fn csv_defuses_formulas_but_not_numbers() {
        let t = Table {
            header: vec!["a".into()],
            rows: vec![
                vec!["=HYPERLINK(\"x\")".into()],
                vec!["-1.5".into()],
                vec!["@SUM(A1)".into()],
                vec!["+86 28".into()],
                vec!["-".into()],
            ],
            ..Default::default()
        };
        let lines: Vec<String> = t.to_csv().split("\r\n").map(String::from).collect();
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(lines[2], "-1.5");
        assert_eq!(lines[3], "'@SUM(A1)");
        assert_eq!(lines[4], "'+86 28");
        assert_eq!(lines[5], "-");
    }

    #[test]
    fn empty_table_is_empty_text() {
        assert_eq!(Table::default().to_markdown(), "");
        assert_eq!(Table::default().to_csv(), "");
    }
}

/// A p value as journals print it: `< 0.001` below 0.001, otherwise three decimals
/// (`0.034`, `1.000`); `—` for NaN or a value outside [0, 1]. The text never needs more than
/// seven characters, so table columns need not cut it.
pub fn format_p(p: f64) -> String {
    if !(0.0..=1.0).contains(&p) {
        "—".to_string()
    } else if p < 0.001 {
        "< 0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

#[cfg(test)]
mod p_tests {
    use super::*;

    #[test]
    fn p_values_print_like_journals() {
        assert_eq!(format_p(0.0), "< 0.001");
        assert_eq!(format_p(0.00099), "< 0.001");
        assert_eq!(format_p(0.001), "0.001");
        assert_eq!(format_p(0.0344), "0.034");
        assert_eq!(format_p(1.0), "1.000");
        assert_eq!(format_p(f64::NAN), "—");
        assert_eq!(format_p(1.5), "—");
        assert!(looks_numeric(&format_p(0.0)));
    }
}
