//! The built-in Chengdu-Chongqing scenario, embedded from `scenarios/chengdu-chongqing.toml` so
//! that the binary runs anywhere and `xietong scenario show` prints the exact file.

use crate::load::{LoadError, parse_with_overrides};
use crate::scenario::Scenario;

/// The annotated TOML source of the built-in scenario.
pub const CHENGDU_CHONGQING: &str = include_str!("../../../scenarios/chengdu-chongqing.toml");

/// Name used for the built-in scenario in messages.
pub const BUILTIN_NAME: &str = "<built-in chengdu-chongqing>";

/// The built-in scenario with overrides applied.
pub fn chengdu_chongqing(sets: &[String]) -> Result<Scenario, LoadError> {
    parse_with_overrides(CHENGDU_CHONGQING, BUILTIN_NAME, sets)
}

/// `--set` overrides that spread `n` jurisdictions over the built-in scenario's seven zones
/// (as evenly as whole numbers allow, the first zones taking one more), for measuring the engine
/// at other sizes with the scenario otherwise unchanged. `n` of at least 4 gives each province
/// a jurisdiction, as a scenario requires.
pub fn spread_jurisdictions(n: u64) -> Vec<String> {
    let zones = ["A1", "A2", "A3", "B1", "B2", "B3", "B4"];
    let z = zones.len() as u64;
    zones
        .iter()
        .zip(0u64..)
        .map(|(id, i)| format!("zones.{id}.jurisdictions={}", n / z + u64::from(i < n % z)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_has_the_required_ids() {
        let s = chengdu_chongqing(&[]).unwrap();
        let ids: Vec<&str> = s.domains.iter().map(|d| d.id.as_str()).collect();
        for want in [
            "admin_standardization",
            "public_services",
            "infrastructure",
            "ecology",
            "industry",
            "innovation",
            "reform_opening",
            "consumption_destination",
            "culture_tourism",
            "urban_rural",
        ] {
            assert!(ids.contains(&want), "{want}");
        }
        let zones: Vec<&str> = s.zones.iter().map(|z| z.id.as_str()).collect();
        assert_eq!(zones, ["A1", "A2", "A3", "B1", "B2", "B3", "B4"]);
        assert_eq!(s.calendar.start.to_string(), "2020Q1");
        assert_eq!(
            s.levers.standardization.start.unwrap().to_string(),
            "2021Q3"
        );
        assert_eq!(s.survey_periods(), (11, 13));
    }

    #[test]
    fn spread_jurisdictions_gives_the_count_asked_for() {
        for n in [4u64, 7, 42, 100, 10_000] {
            let s = chengdu_chongqing(&spread_jurisdictions(n)).unwrap();
            let total: u64 = s.zones.iter().map(|z| z.jurisdictions as u64).sum();
            assert_eq!(total, n);
            let sizes: Vec<u64> = s.zones.iter().map(|z| z.jurisdictions as u64).collect();
            assert!(
                sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
                "{sizes:?}"
            );
        }
    }
}
