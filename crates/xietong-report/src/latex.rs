//! LaTeX `booktabs` tables: the three-line layout (`\toprule`, `\midrule`, `\bottomrule`, no
//! vertical rules) that most journals, Chinese ones included, print.

use crate::table::{Table, looks_numeric};

/// Escapes LaTeX's special characters in text mode. Other Unicode (Chinese, `−`, `μ`) is kept:
/// compile with XeLaTeX or LuaLaTeX (`\usepackage{xeCJK}` or `ctex` for Chinese).
pub(crate) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                o.push('\\');
                o.push(c);
            }
            '~' => o.push_str("\\textasciitilde{}"),
            '^' => o.push_str("\\textasciicircum{}"),
            '<' => o.push_str("\\textless{}"),
            '>' => o.push_str("\\textgreater{}"),
            '\n' | '\r' | '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

impl Table {
    /// A `table` float holding a `booktabs` `tabular`: numeric columns right-aligned, caption
    /// above (as journals place table captions), the note below in small type. The first line
    /// is a comment naming the packages it needs.
    pub fn to_latex(&self) -> String {
        let cols = self.columns();
        let mut o = String::from(
            "% needs \\usepackage{booktabs}; Chinese text: compile with XeLaTeX and \\usepackage{xeCJK} (or ctex)\n",
        );
        o.push_str("\\begin{table}[htbp]\n\\centering\n");
        if !self.caption.trim().is_empty() {
            o.push_str(&format!("\\caption{{{}}}\n", escape(&self.caption)));
        }
        let align: String = (0..cols)
            .map(|i| {
                let mut cells = self
                    .rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .filter(|c| !c.trim().is_empty())
                    .peekable();
                if cells.peek().is_some() && cells.all(|c| looks_numeric(c)) {
                    'r'
                } else {
                    'l'
                }
            })
            .collect();
        o.push_str(&format!("\\begin{{tabular}}{{{align}}}\n\\toprule\n"));
        let row = |cells: &[String]| -> String {
            let v: Vec<String> = (0..cols)
                .map(|i| escape(cells.get(i).map(String::as_str).unwrap_or("")))
                .collect();
            format!("{} \\\\\n", v.join(" & "))
        };
        if !self.header.is_empty() {
            o.push_str(&row(&self.header));
            o.push_str("\\midrule\n");
        }
        for r in &self.rows {
            o.push_str(&row(r));
        }
        o.push_str("\\bottomrule\n\\end{tabular}\n");
        if let Some(n) = self.note.as_ref().filter(|n| !n.trim().is_empty()) {
            o.push_str(&format!(
                "\\par\\smallskip\\footnotesize\\textit{{Note.}} {}\n",
                escape(n)
            ));
        }
        o.push_str("\\end{table}\n");
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booktabs_table_with_escaping() {
        let t = Table {
            caption: "合作率 & 50% of $x_1$".into(),
            header: vec!["城市".into(), "M".into(), "p".into()],
            rows: vec![
                vec!["成都_A".into(), "0.62".into(), "< 0.001".into()],
                vec!["a\\b{c}~^#".into(), "-1.5".into(), "0.034".into()],
            ],
            note: Some("N = 120.".into()),
        };
        let l = t.to_latex();
        let lines: Vec<&str> = l.lines().collect();
        assert!(lines[0].starts_with('%') && lines[0].contains("booktabs"));
        assert!(l.contains("\\caption{合作率 \\& 50\\% of \\$x\\_1\\$}"));
        assert!(l.contains("\\begin{tabular}{lrr}"));
        let top = lines.iter().position(|x| *x == "\\toprule").unwrap();
        assert_eq!(lines[top + 1], "城市 & M & p \\\\");
        assert_eq!(lines[top + 2], "\\midrule");
        assert_eq!(lines[top + 3], "成都\\_A & 0.62 & \\textless{} 0.001 \\\\");
        assert_eq!(
            lines[top + 4],
            "a\\textbackslash{}b\\{c\\}\\textasciitilde{}\\textasciicircum{}\\# & -1.5 & 0.034 \\\\"
        );
        assert_eq!(lines[top + 5], "\\bottomrule");
        assert!(l.contains("\\textit{Note.} N = 120."));
        assert_eq!(l.matches("\\begin{").count(), l.matches("\\end{").count());
        assert!(!l.contains('|'), "no vertical rules");
    }
}
