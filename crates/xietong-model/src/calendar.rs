//! Calendar time in quarters. Periods are counted from the scenario's start quarter; labels such
//! as `2023Q1` are what users read and write, so parsing is strict and errors say what was expected.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar quarter, stored as `year * 4 + (quarter - 1)` so that differences are period counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter(i32);

impl Quarter {
    pub fn new(year: i32, quarter: u8) -> Option<Quarter> {
        (1..=4)
            .contains(&quarter)
            .then_some(Quarter(year * 4 + quarter as i32 - 1))
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(4)
    }

    pub fn quarter(self) -> u8 {
        (self.0.rem_euclid(4) + 1) as u8
    }

    /// The quarter `n` periods later.
    pub fn plus(self, n: i64) -> Quarter {
        Quarter(self.0 + n as i32)
    }

    /// Periods from `start` to `self` (negative when `self` is earlier).
    pub fn since(self, start: Quarter) -> i64 {
        (self.0 - start.0) as i64
    }

    /// Parse `YYYYQn` (also accepts lower-case `q` and `YYYY-Qn`).
    pub fn parse(s: &str) -> Result<Quarter, String> {
        let t = s.trim();
        let err = || format!("expected a quarter like \"2021Q3\", found \"{s}\"");
        let pos = t.find(['Q', 'q']).ok_or_else(err)?;
        let year: i32 = t[..pos].trim_end_matches('-').parse().map_err(|_| err())?;
        let q: u8 = t[pos + 1..].parse().map_err(|_| err())?;
        if !(1000..=9999).contains(&year) {
            return Err(err());
        }
        Quarter::new(year, q).ok_or_else(err)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year(), self.quarter())
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Quarter::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_arithmetic() {
        let q = Quarter::parse("2021Q3").unwrap();
        assert_eq!(q.to_string(), "2021Q3");
        assert_eq!(Quarter::parse("2020Q1").unwrap().plus(6), q);
        assert_eq!(q.since(Quarter::parse("2020q1").unwrap()), 6);
        assert_eq!(
            Quarter::parse("2019-Q4").unwrap().plus(1).to_string(),
            "2020Q1"
        );
    }

    #[test]
    fn rejects_bad_quarters() {
        for bad in ["2021Q5", "2021Q0", "2021", "Q3", "20x1Q1", ""] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
    }
}
