//! The engine's kernels run on the widest vectors the processor has (2, 4 or 8 doubles); results
//! must not depend on which. One test function, since the width limit is process-wide.

use xietong_model::builtin::chengdu_chongqing;
use xietong_sim::output::{summary_json, timeseries_csv, zones_csv};
use xietong_sim::{Aggregate, limit_vector_lanes, run_many};

fn render(sets: &[&str], lanes: usize) -> (String, String, String) {
    let s = chengdu_chongqing(&sets.iter().map(|x| x.to_string()).collect::<Vec<_>>()).unwrap();
    limit_vector_lanes(lanes);
    let res = run_many(&s, 3, 4, &|| {});
    let agg = Aggregate::of(&s, &res);
    (
        timeseries_csv(&s, &res),
        zones_csv(&s, &res),
        summary_json(&s, 3, &res, &agg),
    )
}

#[test]
fn identical_on_every_vector_width() {
    // The built-in 42 jurisdictions (a padded chunk), and 4,099 + 1,003 in several chunks with a
    // siphon-free domain and standardization from the start.
    let big = [
        "zones.A1.jurisdictions=4099",
        "zones.B2.jurisdictions=1003",
        "domains.industry.siphon=0",
        "levers.standardization.timing=developmental",
        "calendar.periods=14",
    ];
    for sets in [&[][..], &big[..]] {
        let portable = render(sets, 2);
        assert_eq!(portable, render(sets, 4), "AVX2 (or portable if absent)");
        assert_eq!(portable, render(sets, 8), "AVX-512 (or narrower if absent)");
    }
    limit_vector_lanes(usize::MAX);
}
