//! Standard test functions with known Sobol' indices, for validation and examples.

/// Ishigami function on `[-pi, pi]^3`: `sin x1 + a sin^2 x2 + b x3^4 sin x1`.
pub fn ishigami(x: &[f64], a: f64, b: f64) -> f64 {
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Analytic Ishigami indices: `(S1, ST, S13)`; S12 = S23 = 0.
pub fn ishigami_indices(a: f64, b: f64) -> ([f64; 3], [f64; 3], f64) {
    let pi4 = std::f64::consts::PI.powi(4);
    let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi4 * pi4 * 8.0 / 225.0;
    let v = v1 + v2 + v13;
    (
        [v1 / v, v2 / v, 0.0],
        [(v1 + v13) / v, v2 / v, v13 / v],
        v13 / v,
    )
}

/// Sobol' G-function on `[0, 1]^D`: `prod (|4 x_i - 2| + a_i) / (1 + a_i)`.
pub fn g_function(x: &[f64], a: &[f64]) -> f64 {
    x.iter()
        .zip(a)
        .map(|(xi, ai)| ((4.0 * xi - 2.0).abs() + ai) / (1.0 + ai))
        .product()
}

/// Analytic G-function indices: `(S1, ST, S2)` with `S2[i][j] = V_i V_j / V`.
pub fn g_function_indices(a: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
    let vi: Vec<f64> = a
        .iter()
        .map(|ai| 1.0 / (3.0 * (1.0 + ai).powi(2)))
        .collect();
    let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
    let v = prod - 1.0;
    let s1 = vi.iter().map(|x| x / v).collect();
    let st = vi.iter().map(|x| x * prod / (1.0 + x) / v).collect();
    let s2 = vi
        .iter()
        .map(|x| vi.iter().map(|y| x * y / v).collect())
        .collect();
    (s1, st, s2)
}
