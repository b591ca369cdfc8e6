//! `xietong run` never writes `inf` or `NaN`: magnitudes the model cannot work with are refused by
//! validation (documented limits, exit 2, the offending path named), and a scenario within the
//! limits whose development still overflows over a long horizon is refused after simulating, with
//! nothing written.

mod common;
use common::{bin, tmpdir};

fn run_with(sets: &[&str], tag: &str) -> (std::process::Output, std::path::PathBuf) {
    let dir = tmpdir(tag);
    let mut cmd = bin();
    cmd.args(["run", "--runs", "2", "--out"]).arg(&dir);
    for s in sets {
        cmd.args(["--set", s]);
    }
    (cmd.output().unwrap(), dir)
}

fn assert_refused(sets: &[&str], tag: &str, must_name: &str) {
    let (o, dir) = run_with(sets, tag);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{sets:?}: {err}");
    assert!(
        err.contains(must_name),
        "{sets:?}: message should name {must_name}: {err}"
    );
    let written: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        written.is_empty(),
        "{sets:?}: nothing may be written, found {written:?}"
    );
}

#[test]
fn huge_magnitudes_are_refused_by_validation() {
    for (set, name) in [
        ("domains.industry.value=1e308", "value"),
        (
            "domains.public_services.local_benefit=1e308",
            "local_benefit",
        ),
        ("demand.scale=1e308", "demand.scale"),
        ("dynamics.growth_rate=1e300", "dynamics.growth_rate"),
        ("zones.A1.development.mean=1e308", "development"),
        ("zones.A1.development.sd=1e308", "development.sd"),
        ("zones.A1.development.mean=1e-300", "development"),
        ("behaviour.temperature.sd=1e308", "temperature.sd"),
        ("behaviour.temperature.mean=1e-300", "temperature"),
        ("central.scale=1e300", "central.scale"),
    ] {
        assert_refused(&[set], "limits", name);
    }
}

#[test]
fn overflowing_development_is_refused_not_written_as_inf() {
    let mut sets = vec![
        "dynamics.growth_rate=0.1".to_string(),
        "calendar.periods=400".to_string(),
    ];
    for d in [
        "public_services",
        "infrastructure",
        "industry",
        "innovation",
    ] {
        sets.push(format!("domains.{d}.value=1000"));
        sets.push(format!("domains.{d}.local_benefit=1000"));
    }
    let sets: Vec<&str> = sets.iter().map(|s| s.as_str()).collect();
    assert_refused(&sets, "overflow", "overflowed");
}

/// Runs are written as they finish, so an overflow must still abort the whole set: a previous
/// complete set in the folder stays as it was, and no temporary folder is left beside it.
#[test]
fn overflow_leaves_the_previous_set_untouched() {
    let parent = tmpdir("overflow-keep");
    let out = parent.join("results");
    let o = bin()
        .args(["run", "--runs", "3", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before: Vec<(std::ffi::OsString, Vec<u8>)> = {
        let mut v: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name(), std::fs::read(e.path()).unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let mut cmd = bin();
    cmd.args(["run", "--runs", "150", "--out"]).arg(&out);
    for set in [
        "dynamics.growth_rate=0.1",
        "calendar.periods=400",
        "domains.industry.value=1000",
        "domains.industry.local_benefit=1000",
        "domains.innovation.value=1000",
        "domains.innovation.local_benefit=1000",
    ] {
        cmd.args(["--set", set]);
    }
    let o = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("overflowed"), "{err}");
    let after: Vec<(std::ffi::OsString, Vec<u8>)> = {
        let mut v: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name(), std::fs::read(e.path()).unwrap())
            })
            .collect();
        v.sort();
        v
    };
    assert!(before == after, "the previous set changed");
    let left: Vec<_> = std::fs::read_dir(&parent)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("results")], "{left:?}");
}
