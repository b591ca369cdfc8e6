//! Results rendered as text: `timeseries.csv`, `zones.csv` and `summary.json`. Numbers are written
//! in shortest round-trip form, so equal results give equal bytes and files can be compared.

use crate::record::{PeriodRecord, RunResult};
use crate::runset::Aggregate;
use serde_json::{Map, Value, json};
use xietong_model::{Axis, Scenario, Tier};

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

fn to_csv(header: Vec<String>, rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).expect("writing to memory");
    for r in rows {
        w.write_record(&r).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("CSV of UTF-8 fields")
}

/// Axes and tiers that have at least one domain (columns for the others would always be empty).
fn present(s: &Scenario) -> (Vec<usize>, Vec<usize>) {
    let axes = (0..Axis::ALL.len())
        .filter(|&i| s.domains.iter().any(|d| d.axis == Axis::ALL[i]))
        .collect();
    let tiers = (0..Tier::ALL.len())
        .filter(|&i| s.domains.iter().any(|d| d.tier == Tier::ALL[i]))
        .collect();
    (axes, tiers)
}

/// The columns of `timeseries.csv`.
fn timeseries_header(s: &Scenario) -> Vec<String> {
    let (axes, tiers) = present(s);
    let mut h: Vec<String> = ["run", "period", "quarter", "stage"]
        .map(String::from)
        .to_vec();
    h.extend(s.domains.iter().map(|d| format!("coop_{}", d.id)));
    h.extend(
        axes.iter()
            .map(|&i| format!("coop_axis_{}", Axis::ALL[i].id())),
    );
    h.extend(
        tiers
            .iter()
            .map(|&i| format!("coop_tier_{}", Tier::ALL[i].id())),
    );
    h.extend(s.provinces.iter().map(|p| format!("coop_{}", p.id)));
    h.extend(
        [
            "cooperation",
            "executed",
            "execution_gap",
            "selective_index",
            "benefit_gap",
            "trust",
            "alignment",
            "local_centric",
            "barrier",
            "orientation",
            "gini",
            "theil",
            "siphon_index",
            "welfare",
        ]
        .map(String::from),
    );
    h.extend(s.provinces.iter().map(|p| format!("effort_{}", p.id)));
    h.extend(["dilemmas", "deepens", "retreats"].map(String::from));
    h.extend(s.domains.iter().map(|d| format!("align_{}", d.id)));
    h.extend(s.domains.iter().map(|d| format!("active_{}", d.id)));
    h
}

/// One row per run × period. Column meanings are listed in `docs/scenario.md` (Outputs). This is
/// the in-memory form; [`RowWriter`] writes the same bytes one run at a time.
pub fn timeseries_csv(s: &Scenario, results: &[RunResult]) -> String {
    let (axes, tiers) = present(s);
    let h = timeseries_header(s);
    let rows = results.iter().flat_map(|r| {
        let axes = &axes;
        let tiers = &tiers;
        r.periods
            .iter()
            .enumerate()
            .map(move |(t, p): (usize, &PeriodRecord)| {
                let mut row = vec![
                    r.summary.run.to_string(),
                    t.to_string(),
                    s.period_label(t),
                    p.stage.id().to_string(),
                ];
                row.extend(p.coop_domain.iter().map(|&x| num(x)));
                row.extend(axes.iter().map(|&i| num(p.coop_axis[i])));
                row.extend(tiers.iter().map(|&i| num(p.coop_tier[i])));
                row.extend(p.coop_province.iter().map(|&x| num(x)));
                row.extend(
                    [
                        p.cooperation,
                        p.executed,
                        p.execution_gap,
                        p.selective_index,
                        p.benefit_gap,
                        p.trust,
                        p.alignment,
                        p.local_centric,
                        p.barrier,
                        p.orientation,
                        p.gini,
                        p.theil,
                        p.siphon_index,
                        p.welfare,
                    ]
                    .map(num),
                );
                row.extend(p.effort.iter().map(|&x| num(x)));
                row.extend([p.dilemmas, p.deepens, p.retreats].map(|x| x.to_string()));
                row.extend(p.alignment_domain.iter().map(|&x| num(x)));
                row.extend(p.active_domain.iter().map(|&a| (a as u8).to_string()));
                row
            })
    });
    to_csv(h, rows)
}

const ZONES_HEADER: [&str; 8] = [
    "run",
    "period",
    "quarter",
    "zone",
    "province",
    "cooperation",
    "development",
    "demand",
];

/// One row per run × period × zone (in-memory form; see [`RowWriter`]).
pub fn zones_csv(s: &Scenario, results: &[RunResult]) -> String {
    let h = ZONES_HEADER.map(String::from).to_vec();
    let rows = results.iter().flat_map(|r| {
        r.periods.iter().enumerate().flat_map(move |(t, p)| {
            p.zones.iter().enumerate().map(move |(z, zr)| {
                vec![
                    r.summary.run.to_string(),
                    t.to_string(),
                    s.period_label(t),
                    s.zones[z].id.clone(),
                    s.zones[z].province.clone(),
                    num(zr.cooperation),
                    num(zr.development),
                    num(zr.demand),
                ]
            })
        })
    });
    to_csv(h, rows)
}

/// One run's entry of `summary.json`'s `per_run` list.
fn summary_entry(s: &Scenario, r: &RunResult) -> Value {
    let mut v = serde_json::to_value(&r.summary).expect("plain data");
    let obj = v.as_object_mut().expect("a struct");
    let coop: Map<String, Value> = s
        .domains
        .iter()
        .zip(&r.summary.survey_cooperation)
        .map(|(d, &c)| (d.id.clone(), json!(c)))
        .collect();
    let demand: Map<String, Value> = s
        .zones
        .iter()
        .zip(&r.summary.survey_zone_demand)
        .map(|(z, &c)| (z.id.clone(), json!(c)))
        .collect();
    obj.insert("survey_cooperation".into(), Value::Object(coop));
    obj.insert("survey_zone_demand".into(), Value::Object(demand));
    v
}

fn summary_doc(
    s: &Scenario,
    seed: u64,
    runs: usize,
    per_run: Vec<Value>,
    agg: &Aggregate,
) -> Value {
    json!({
        "scenario": s.name,
        "seed": seed,
        "runs": runs,
        "periods": s.calendar.periods,
        "start": s.calendar.start.to_string(),
        "per_run": per_run,
        "aggregate": agg,
    })
}

/// `summary.json`: the scenario and seed, every run's summary, and the aggregate over runs (the
/// in-memory form; [`summary_entry_text`] and [`summary_frame`] give the same bytes in pieces).
pub fn summary_json(s: &Scenario, seed: u64, results: &[RunResult], agg: &Aggregate) -> String {
    let per_run: Vec<Value> = results.iter().map(|r| summary_entry(s, r)).collect();
    let mut text = serde_json::to_string_pretty(&summary_doc(s, seed, results.len(), per_run, agg))
        .expect("plain data");
    text.push('\n');
    text
}

/// One run's `per_run` entry as it appears inside `summary.json` (indented, no separator): the
/// bytes `serde_json`'s pretty printer gives [`summary_entry`] (tested), written directly, as
/// building the `Value` tree and re-indenting its text cost more per run than the run's rows.
/// Like `serde_json::Map` (a sorted map here), keys are in byte order, a repeated id keeps its
/// last value, finite numbers are `ryu`'s digits and NaN or infinity is `null`.
pub fn summary_entry_text(s: &Scenario, r: &RunResult) -> String {
    let mut out = Vec::with_capacity(1024);
    push_summary_entry(s, r, &mut out);
    String::from_utf8(out).expect("UTF-8: keys and strings are escaped from UTF-8 text")
}

fn json_f64(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(x).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

fn json_str(out: &mut Vec<u8>, v: &str) {
    serde_json::to_writer(&mut *out, v).expect("writing to memory");
}

/// An object of `(key, number)` pairs at the entry's second level of indentation.
fn json_map(out: &mut Vec<u8>, pairs: &mut Vec<(&str, f64)>) {
    // Sorted by key, a repeated key keeping its last value (what collecting into a map does).
    pairs.reverse();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs.dedup_by(|later, first| later.0 == first.0);
    if pairs.is_empty() {
        out.extend_from_slice(b"{}");
        return;
    }
    out.push(b'{');
    for (i, (k, v)) in pairs.iter().enumerate() {
        out.extend_from_slice(if i == 0 {
            b"\n        "
        } else {
            b",\n        "
        });
        json_str(out, k);
        out.extend_from_slice(b": ");
        json_f64(out, *v);
    }
    out.extend_from_slice(b"\n      }");
}

/// Appends [`summary_entry_text`]'s bytes to `out`.
pub fn push_summary_entry(s: &Scenario, r: &RunResult, out: &mut Vec<u8>) {
    let m = &r.summary;
    let key = |out: &mut Vec<u8>, k: &str, first: bool| {
        out.extend_from_slice(if first { b"\n      \"" } else { b",\n      \"" });
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\": ");
    };
    let opt = |out: &mut Vec<u8>, v: Option<u32>| match v {
        Some(v) => push_int(out, v),
        None => out.extend_from_slice(b"null"),
    };
    out.extend_from_slice(b"    {");
    // The fields in byte order of their names, as a sorted map holds them.
    key(out, "cumulative_cooperation", true);
    json_f64(out, m.cumulative_cooperation);
    key(out, "deepens", false);
    push_int(out, m.deepens);
    key(out, "dilemmas", false);
    push_int(out, m.dilemmas);
    key(out, "final_alignment", false);
    json_f64(out, m.final_alignment);
    key(out, "final_gini", false);
    json_f64(out, m.final_gini);
    key(out, "final_stage", false);
    json_str(out, &m.final_stage);
    key(out, "final_trust", false);
    json_f64(out, m.final_trust);
    key(out, "first_advanced_period", false);
    opt(out, m.first_advanced_period);
    key(out, "first_transition_period", false);
    opt(out, m.first_transition_period);
    key(out, "retreats", false);
    push_int(out, m.retreats);
    key(out, "run", false);
    push_int(out, m.run);
    key(out, "survey_cooperation", false);
    let mut pairs: Vec<(&str, f64)> = s
        .domains
        .iter()
        .map(|d| d.id.as_str())
        .zip(m.survey_cooperation.iter().copied())
        .collect();
    json_map(out, &mut pairs);
    key(out, "survey_stages", false);
    if m.survey_stages.is_empty() {
        out.extend_from_slice(b"[]");
    } else {
        out.push(b'[');
        for (i, st) in m.survey_stages.iter().enumerate() {
            out.extend_from_slice(if i == 0 {
                b"\n        "
            } else {
                b",\n        "
            });
            json_str(out, st);
        }
        out.extend_from_slice(b"\n      ]");
    }
    key(out, "survey_zone_demand", false);
    pairs.clear();
    pairs.extend(
        s.zones
            .iter()
            .map(|z| z.id.as_str())
            .zip(m.survey_zone_demand.iter().copied()),
    );
    json_map(out, &mut pairs);
    out.extend_from_slice(b"\n    }");
}

/// What comes before and after the `per_run` entries of `summary.json`: the file is `head`, the
/// entries of [`summary_entry_text`] joined by `",\n"`, then `tail`. Needs the aggregate, so a
/// streaming writer keeps the entries aside until the last run.
pub fn summary_frame(s: &Scenario, seed: u64, runs: usize, agg: &Aggregate) -> (String, String) {
    const MARK: &str = "\u{1}per-run entries\u{1}";
    let doc = summary_doc(s, seed, runs, vec![json!(MARK)], agg);
    let mut text = serde_json::to_string_pretty(&doc).expect("plain data");
    text.push('\n');
    let quoted = serde_json::to_string(MARK).expect("a string");
    let at = text.find(&quoted).expect("the mark is in the document");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = at + quoted.len();
    (text[..line_start].to_string(), text[line_end..].to_string())
}

/// Per period: mean, 5% and 95% quantile over runs of one indicator (NaN values skipped).
pub fn bands(
    results: &[RunResult],
    f: impl Fn(&PeriodRecord) -> f64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let periods = results.first().map_or(0, |r| r.periods.len());
    let mut mean = Vec::with_capacity(periods);
    let mut lo = Vec::with_capacity(periods);
    let mut hi = Vec::with_capacity(periods);
    for t in 0..periods {
        let st =
            crate::runset::Stat::of(&results.iter().map(|r| f(&r.periods[t])).collect::<Vec<_>>());
        mean.push(st.mean.unwrap_or(f64::NAN));
        lo.push(st.p05.unwrap_or(f64::NAN));
        hi.push(st.p95.unwrap_or(f64::NAN));
    }
    (mean, lo, hi)
}

/// Size of `zmij::Buffer`, the most it writes for one number.
const ZMIJ_BUFFER: usize = 24;
const _: () = assert!(std::mem::size_of::<zmij::Buffer>() == ZMIJ_BUFFER);

/// Appends `x` as `format!("{x}")` writes it — the shortest digits that read back to the same
/// double, without an exponent — or nothing for NaN, like the in-memory writers. The digits come
/// from `zmij` (magnitudes 10⁻⁴ to 10¹⁵, nearly every value) or `ryu`, both several times faster
/// than the standard formatter (formatting was most of `xietong run`'s time); only their layout
/// is changed here. They differ from it only on an exact tie between two shortest candidates
/// (ryu picks the even digit, the standard library rounds up), which [`is_tie`] detects exactly;
/// such values go through the standard formatter. Tested
/// against `format!` on millions of values of every magnitude.
pub fn push_num(buf: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        return;
    }
    if x.is_infinite() {
        buf.extend_from_slice(if x > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    // Fast path for nearly every value: in this magnitude range zmij (like ryu) writes no
    // exponent, and [`is_tie`] can only hold when `x`'s odd mantissa has a binary exponent in
    // -28..=-1 (checked on the bits, without reading the digits), so the only change is dropping
    // `.0`. Both give the unique closest shortest digits when there is no tie; zmij's Schubfach
    // formats a million unit-interval values in about three quarters of ryu's time.
    let a = x.abs();
    if (a == 0.0 || (1e-4..1e15).contains(&a)) && !tie_possible(x) {
        let mut z = zmij::Buffer::new();
        let (at, len) = {
            let s = z.format_finite(x);
            (s.as_ptr(), s.len())
        };
        let base = std::ptr::addr_of!(z).cast::<u8>();
        buf.reserve(ZMIJ_BUFFER);
        if at == base && len <= ZMIJ_BUFFER {
            // The digits start at the buffer's first byte: copy the whole (fixed-size) buffer,
            // which compiles to two vector moves instead of a call to memcpy per number (that
            // call measured 2-3% of a run), and count only the `len` bytes zmij wrote.
            // SAFETY: `buf` has room for ZMIJ_BUFFER more bytes (reserved above); `base` points
            // to the ZMIJ_BUFFER bytes of `z` (size checked at compile time below), read as raw
            // bytes (copying possibly uninitialized ones is allowed, and they are never counted
            // as part of `buf`); the first `len` of them are the initialized digits.
            unsafe {
                let end = buf.len();
                std::ptr::copy_nonoverlapping(base, buf.as_mut_ptr().add(end), ZMIJ_BUFFER);
                buf.set_len(end + len);
            }
        } else {
            buf.extend_from_slice(z.format_finite(x).as_bytes());
        }
        if buf.ends_with(b".0") {
            buf.truncate(buf.len() - 2);
        }
        return;
    }
    let mut b = ryu::Buffer::new();
    let s = b.format_finite(x).as_bytes();
    // ryu writes `[-]ddd.0` for integers, `[-]d.ddd` or `[-]0.000ddd` in the middle range and
    // `[-]d.ddde[-]x` beyond it. The middle range (nearly every value written) is already laid
    // out as the standard library does, but for the `.0` of integers and ties.
    let (mut d, mut sig, mut frac, mut after_point, mut exponent) =
        (0u64, 0u32, 0i32, false, false);
    for &c in s {
        match c {
            b'.' => after_point = true,
            b'0'..=b'9' => {
                if sig > 0 || c != b'0' {
                    sig += 1;
                    d = d.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                }
                frac += i32::from(after_point);
            }
            b'e' => exponent = true,
            _ => {}
        }
    }
    if !exponent {
        let s = s.strip_suffix(b".0").unwrap_or(s);
        if sig >= 16 && d % 2 == 0 && is_tie(x, d, -frac) {
            use std::io::Write;
            write!(buf, "{x}").expect("writing to memory");
        } else {
            buf.extend_from_slice(s);
        }
        return;
    }
    // Beyond the middle range: read significant digits and a decimal point position.
    let (neg, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let (mant, exp) = match s.iter().position(|&c| c == b'e') {
        Some(e) => {
            let exp: i32 = std::str::from_utf8(&s[e + 1..])
                .expect("ASCII")
                .parse()
                .expect("ryu's exponent");
            (&s[..e], exp)
        }
        None => (s, 0),
    };
    let mut digits = [0u8; 40];
    let mut len = 0;
    let mut point = 0i32;
    let mut seen_point = false;
    for &c in mant {
        if c == b'.' {
            seen_point = true;
            continue;
        }
        if len == 0 && c == b'0' {
            // Leading zeros only move the point.
            if seen_point {
                point -= 1;
            }
            continue;
        }
        digits[len] = c;
        len += 1;
        if !seen_point {
            point += 1;
        }
    }
    while len > 0 && digits[len - 1] == b'0' {
        len -= 1;
    }
    if len == 0 {
        buf.extend_from_slice(if neg { b"-0" } else { b"0" });
        return;
    }
    let point = point + exp;
    let digits = &digits[..len];
    if len >= 16 && digits[len - 1] % 2 == 0 {
        let d: u64 = std::str::from_utf8(digits)
            .expect("ASCII")
            .parse()
            .expect("17 digits");
        if is_tie(x, d, point - len as i32) {
            use std::io::Write;
            write!(buf, "{x}").expect("writing to memory");
            return;
        }
    }
    if neg {
        buf.push(b'-');
    }
    if point <= 0 {
        buf.extend_from_slice(b"0.");
        buf.extend(std::iter::repeat_n(b'0', (-point) as usize));
        buf.extend_from_slice(digits);
    } else if point as usize >= len {
        buf.extend_from_slice(digits);
        buf.extend(std::iter::repeat_n(b'0', point as usize - len));
    } else {
        buf.extend_from_slice(&digits[..point as usize]);
        buf.push(b'.');
        buf.extend_from_slice(&digits[point as usize..]);
    }
}

/// The binary exponent `e` of `|x| = m · 2^e` with `m` odd (None for zero).
fn odd_exponent(x: f64) -> Option<(u64, i32)> {
    let bits = x.abs().to_bits();
    let (biased, frac) = ((bits >> 52) as i32, bits & ((1 << 52) - 1));
    let (m, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return None;
    }
    let z = m.trailing_zeros();
    Some((m >> z, e + z as i32))
}

/// Whether [`is_tie`] can hold for `x` with some digits: only if `e = −(1 + p)` with
/// `0 ≤ p ≤ 27`, i.e. the odd mantissa's exponent is in -28..=-1.
fn tie_possible(x: f64) -> bool {
    odd_exponent(x).is_some_and(|(_, e)| (-28..=-1).contains(&e))
}

/// Whether `|x|` lies exactly halfway between `d · 10^q` and a neighbour `(d ± 1) · 10^q`, the
/// only case where two shortest round-trip representations exist. With `|x| = m · 2^e`, m odd,
/// the midpoint `(2d ± 1) · 10^q / 2` equals it only if `q ≤ 0`, `e = −(1 + p)` with `p = −q`,
/// and `m · 5^p = 2d ± 1` (for `q ≥ 1` the midpoint would need more than 53 bits, as `d` has 16
/// or more digits).
fn is_tie(x: f64, d: u64, q: i32) -> bool {
    if q >= 1 {
        return false;
    }
    let p = (-q) as u32;
    if p > 27 {
        // 5^p alone would exceed 2d + 1 < 2^58.
        return false;
    }
    let Some((m, e)) = odd_exponent(x) else {
        return false;
    };
    if e != -(1 + p as i32) {
        return false;
    }
    let lhs = u128::from(m) * 5u128.pow(p);
    let twice = 2 * u128::from(d);
    lhs == twice + 1 || lhs + 1 == twice
}

fn push_int(buf: &mut Vec<u8>, x: impl itoa::Integer) {
    buf.extend_from_slice(itoa::Buffer::new().format(x).as_bytes());
}

/// A text field as the `csv` crate writes it: quoted (quotes doubled) only when it holds a
/// delimiter, a quote or a line break.
fn csv_field(f: &str) -> Vec<u8> {
    if f.bytes().any(|c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        format!("\"{}\"", f.replace('"', "\"\"")).into_bytes()
    } else {
        f.as_bytes().to_vec()
    }
}

/// Writes `timeseries.csv` and `zones.csv` one run at a time, with the same bytes as
/// [`timeseries_csv`] and [`zones_csv`] (tested), so that a front end can write each run as it
/// finishes instead of holding every run. Labels that repeat on every row are prepared once.
pub struct RowWriter {
    axes: Vec<usize>,
    tiers: Vec<usize>,
    /// Per period: `,period,quarter,` (after the run number).
    period_fields: Vec<Vec<u8>>,
    /// Per zone: `zone,province,`.
    zone_fields: Vec<Vec<u8>>,
}

impl RowWriter {
    pub fn new(s: &Scenario) -> RowWriter {
        let (axes, tiers) = present(s);
        let period_fields = (0..s.calendar.periods as usize)
            .map(|t| {
                let mut f = format!(",{t},").into_bytes();
                f.extend(csv_field(&s.period_label(t)));
                f.push(b',');
                f
            })
            .collect();
        let zone_fields = s
            .zones
            .iter()
            .map(|z| {
                let mut f = csv_field(&z.id);
                f.push(b',');
                f.extend(csv_field(&z.province));
                f.push(b',');
                f
            })
            .collect();
        RowWriter {
            axes,
            tiers,
            period_fields,
            zone_fields,
        }
    }

    pub fn timeseries_header(s: &Scenario) -> Vec<u8> {
        to_csv(timeseries_header(s), std::iter::empty()).into_bytes()
    }

    pub fn zones_header() -> Vec<u8> {
        to_csv(ZONES_HEADER.map(String::from).to_vec(), std::iter::empty()).into_bytes()
    }

    /// Appends run `r`'s rows of `timeseries.csv` to `buf`.
    pub fn timeseries_rows(&self, r: &RunResult, buf: &mut Vec<u8>) {
        let num = |buf: &mut Vec<u8>, x: f64| {
            buf.push(b',');
            push_num(buf, x);
        };
        for (t, p) in r.periods.iter().enumerate() {
            push_int(buf, r.summary.run);
            buf.extend_from_slice(&self.period_fields[t]);
            buf.extend_from_slice(p.stage.id().as_bytes());
            p.coop_domain.iter().for_each(|&x| num(buf, x));
            self.axes.iter().for_each(|&i| num(buf, p.coop_axis[i]));
            self.tiers.iter().for_each(|&i| num(buf, p.coop_tier[i]));
            p.coop_province.iter().for_each(|&x| num(buf, x));
            for x in [
                p.cooperation,
                p.executed,
                p.execution_gap,
                p.selective_index,
                p.benefit_gap,
                p.trust,
                p.alignment,
                p.local_centric,
                p.barrier,
                p.orientation,
                p.gini,
                p.theil,
                p.siphon_index,
                p.welfare,
            ] {
                num(buf, x);
            }
            p.effort.iter().for_each(|&x| num(buf, x));
            for x in [p.dilemmas, p.deepens, p.retreats] {
                buf.push(b',');
                push_int(buf, x);
            }
            p.alignment_domain.iter().for_each(|&x| num(buf, x));
            for &a in &p.active_domain {
                buf.extend_from_slice(if a { b",1" } else { b",0" });
            }
            buf.push(b'\n');
        }
    }

    /// Appends run `r`'s rows of `zones.csv` to `buf`.
    pub fn zones_rows(&self, r: &RunResult, buf: &mut Vec<u8>) {
        for (t, p) in r.periods.iter().enumerate() {
            for (z, zr) in p.zones.iter().enumerate() {
                push_int(buf, r.summary.run);
                buf.extend_from_slice(&self.period_fields[t]);
                buf.extend_from_slice(&self.zone_fields[z]);
                push_num(buf, zr.cooperation);
                buf.push(b',');
                push_num(buf, zr.development);
                buf.push(b',');
                push_num(buf, zr.demand);
                buf.push(b'\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runset::run_many;

    #[test]
    fn push_num_writes_what_format_writes() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut special = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1e15,
            1e16,
            1e17,
            123456789012345680.0,
            1e-5,
            1e-6,
            1e-7,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.3,
            2.0 / 3.0,
            9007199254740993.0,
            1690060720831323.2,
            1690060720831323.3,
        ];
        for p in -30..30 {
            special.push(10f64.powi(p));
            special.push(1.5 * 10f64.powi(p));
        }
        let mut buf = Vec::new();
        let mut check = |x: f64| {
            buf.clear();
            push_num(&mut buf, x);
            assert_eq!(std::str::from_utf8(&buf).unwrap(), format!("{x}"), "{x:e}");
        };
        special.into_iter().for_each(&mut check);
        for _ in 0..2_000_000 {
            // Any bit pattern (every magnitude), and values in the unit interval.
            let bits = next();
            let x = f64::from_bits(bits);
            if !x.is_nan() {
                check(x);
            }
            check((bits >> 11) as f64 / (1u64 << 53) as f64);
            check((next() % 100_000) as f64 / 1000.0);
            // Odd mantissas of 13-53 bits over a range of binary exponents: dyadic values with
            // short exact decimals, where exact ties between two shortest candidates occur.
            let m = (next() >> (11 + next() % 41)) | 1;
            check(m as f64 * 2f64.powi(-((next() % 80) as i32)));
        }
        buf.clear();
        push_num(&mut buf, f64::NAN);
        assert!(buf.is_empty());
    }

    /// The directly written `per_run` entry equals `serde_json`'s pretty printing of the entry's
    /// `Value`, re-indented into place, also for absent periods, non-finite values (`null`), an
    /// empty survey window, repeated ids and ids that need escaping.
    #[test]
    fn summary_entry_matches_serde_json() {
        let reference = |s: &Scenario, r: &RunResult| -> String {
            let text = serde_json::to_string_pretty(&summary_entry(s, r)).unwrap();
            text.lines()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut s = xietong_model::builtin::chengdu_chongqing(&[]).unwrap();
        let res = run_many(&s, 3, 3, &|| {});
        for r in &res {
            assert_eq!(summary_entry_text(&s, r), reference(&s, r));
        }
        let mut r = res[0].clone();
        r.summary.first_transition_period = None;
        r.summary.first_advanced_period = Some(7);
        r.summary.final_gini = f64::NAN;
        r.summary.final_trust = f64::INFINITY;
        r.summary.cumulative_cooperation = 1e-7;
        r.summary.survey_cooperation[0] = f64::NEG_INFINITY;
        r.summary.survey_cooperation[1] = 3.0;
        r.summary.final_stage = "a \"quoted\" \u{1} stage".into();
        s.domains[2].id = "\"q\"\\域".into();
        s.zones[1].id = s.zones[0].id.clone();
        assert_eq!(summary_entry_text(&s, &r), reference(&s, &r));
        r.summary.survey_stages.clear();
        r.summary.survey_cooperation.clear();
        r.summary.survey_zone_demand.clear();
        assert_eq!(summary_entry_text(&s, &r), reference(&s, &r));
    }

    /// The per-run writers give the bytes of the in-memory writers, including a scenario whose
    /// labels need quoting and whose axes and tiers are partly empty.
    #[test]
    fn row_writer_equals_in_memory_csv() {
        for sets in [
            vec!["calendar.periods=14".to_string()],
            vec![
                "calendar.periods=16".to_string(),
                "name=\"a, \\\"quoted\\\" name\"".to_string(),
            ],
        ] {
            let s = xietong_model::builtin::chengdu_chongqing(&sets).unwrap();
            let res = run_many(&s, 2, 4, &|| {});
            let w = RowWriter::new(&s);
            let (mut ts, mut zs) = (RowWriter::timeseries_header(&s), RowWriter::zones_header());
            for r in &res {
                w.timeseries_rows(r, &mut ts);
                w.zones_rows(r, &mut zs);
            }
            assert_eq!(String::from_utf8(ts).unwrap(), timeseries_csv(&s, &res));
            assert_eq!(String::from_utf8(zs).unwrap(), zones_csv(&s, &res));
            let agg = Aggregate::of(&s, &res);
            let (head, tail) = summary_frame(&s, 2, res.len(), &agg);
            let entries: Vec<String> = res.iter().map(|r| summary_entry_text(&s, r)).collect();
            assert_eq!(
                format!("{head}{}{tail}", entries.join(",\n")),
                summary_json(&s, 2, &res, &agg)
            );
        }
    }
}
