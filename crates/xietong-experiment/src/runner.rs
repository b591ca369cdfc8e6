//! The ordered streaming runner: points are simulated in parallel in windows of bounded size and
//! handed to the caller strictly in design order, whatever order they finish in. Memory holds at
//! most one window of rows, however many points the design has. No I/O: the caller writes.

use std::ops::Range;

use rayon::prelude::*;
use xietong_sim::simulate;

use crate::error::Result;
use crate::plan::Plan;

/// Points per window for the current thread pool: enough that the idle tail at the end of a
/// window is small next to the window, few enough that an interrupted run loses little.
pub fn window_for(threads: usize) -> usize {
    (threads * 8).clamp(8, 256)
}

/// Run the points in `points` (all replications each) and call `emit(point, rows, series)` in
/// design order with the point's `results.csv` rows and `timeseries.csv` rows (empty without
/// time series). `on_run` is called after each simulation (progress).
/// Stops at the first error: a point whose scenario is invalid, or an error from `emit`.
pub fn run_points(
    plan: &Plan,
    points: Range<usize>,
    window: usize,
    on_run: &(dyn Fn() + Sync),
    emit: &mut dyn FnMut(usize, &str, &str) -> Result<()>,
) -> Result<()> {
    let reps = plan.replications();
    let window = window.max(1);
    let mut start = points.start;
    while start < points.end {
        let end = (start + window).min(points.end);
        let blocks: Vec<Result<(String, String)>> = (start..end)
            .into_par_iter()
            .map(|p| {
                let s = plan.scenario(p)?;
                let seed = plan.seed(p);
                let rows: Vec<Result<(String, String)>> = (0..reps)
                    .into_par_iter()
                    .map(|r| {
                        let result = simulate(&s, seed, r as u64);
                        on_run();
                        if let Some((t, what)) = result.first_non_finite() {
                            return Err(crate::compare::overflow(p, r, t, what));
                        }
                        Ok((plan.row(p, r, &result), plan.series_rows(p, r, &s, &result)))
                    })
                    .collect();
                let rows = rows.into_iter().collect::<Result<Vec<_>>>()?;
                let (a, b): (Vec<String>, Vec<String>) = rows.into_iter().unzip();
                Ok((a.concat(), b.concat()))
            })
            .collect();
        for (i, block) in blocks.into_iter().enumerate() {
            let (rows, series) = block?;
            emit(start + i, &rows, &series)?;
        }
        start = end;
    }
    Ok(())
}
