//! Interval estimates: Wilson for proportions, Katz for ratios of
//! proportions, Garwood for Poisson rates (formulas in METRICS.md).

pub const Z95: f64 = 1.959964;

/// Wilson score interval for `x` successes of `n`; `None` when `n == 0`.
pub fn wilson(x: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = Z95 * Z95;
    let d = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / d;
    let half = (Z95 / d) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Ratio of proportions `(x1/n1)/(x2/n2)` with the Katz log interval;
/// `None` when either proportion is zero or undefined.
pub fn katz_ratio(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<(f64, (f64, f64))> {
    if x1 == 0 || x2 == 0 || n1 == 0 || n2 == 0 {
        return None;
    }
    let (x1, n1, x2, n2) = (x1 as f64, n1 as f64, x2 as f64, n2 as f64);
    let r = (x1 / n1) / (x2 / n2);
    let se = (1.0 / x1 - 1.0 / n1 + 1.0 / x2 - 1.0 / n2).max(0.0).sqrt();
    Some((r, (r * (-Z95 * se).exp(), r * (Z95 * se).exp())))
}

/// Garwood exact 95% interval for the rate of `k` events in time `t`
/// (events per unit of `t`).
pub fn garwood(k: u64, t: f64) -> Option<(f64, f64)> {
    if t <= 0.0 {
        return None;
    }
    let alpha = 0.05;
    if k > 2_000 {
        // Byar's approximation: within 1e-4 relative of the exact bounds at
        // this size, and constant time where the exact sum would cost O(k).
        let kf = k as f64;
        let lo = kf * (1.0 - 1.0 / (9.0 * kf) - Z95 / (3.0 * kf.sqrt())).powi(3);
        let k1 = kf + 1.0;
        let hi = k1 * (1.0 - 1.0 / (9.0 * k1) + Z95 / (3.0 * k1.sqrt())).powi(3);
        return Some((lo / t, hi / t));
    }
    // P(X >= k; lo) = alpha/2  and  P(X <= k; hi) = alpha/2
    let lo = if k == 0 {
        0.0
    } else {
        solve_mean(|m| 1.0 - poisson_cdf(k - 1, m), alpha / 2.0, k)
    };
    let hi = solve_mean(|m| poisson_cdf(k, m), 1.0 - alpha / 2.0, k);
    Some((lo / t, hi / t))
}

/// P(X <= k) for X ~ Poisson(m), summed in log space so large k stays finite.
fn poisson_cdf(k: u64, m: f64) -> f64 {
    if m <= 0.0 {
        return 1.0;
    }
    let mut log_term = -m; // log P(X = 0)
    let mut sum = log_term.exp();
    for i in 1..=k {
        log_term += m.ln() - (i as f64).ln();
        sum += log_term.exp();
    }
    sum.min(1.0)
}

/// Find the Poisson mean where `f` (monotone in the mean) crosses `target`.
/// For the upper bound `f` is decreasing and we want `f(m) = alpha/2`, which
/// is the same as `1 - f(m) = 1 - alpha/2`; callers pass the side that grows.
fn solve_mean(f: impl Fn(f64) -> f64, target: f64, k: u64) -> f64 {
    let increasing = f(k as f64 + 1.0) > f(0.0);
    let g = |m: f64| {
        let v = f(m);
        if increasing { v } else { 1.0 - v }
    };
    let (mut lo, mut hi) = (0.0_f64, (k as f64 + 10.0) * 4.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if g(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) {
        assert!(
            (a.0 - b.0).abs() < 5e-5 && (a.1 - b.1).abs() < 5e-5,
            "{a:?} != {b:?}"
        );
    }

    #[test]
    fn wilson_reference_values() {
        close(wilson(3, 20).unwrap(), (0.0524, 0.3604));
        close(wilson(0, 5).unwrap(), (0.0, 0.4345));
        close(wilson(1, 5).unwrap(), (0.0362, 0.6245));
        close(wilson(1, 4).unwrap(), (0.0456, 0.6994));
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn katz_reference_value() {
        let (r, ci) = katz_ratio(2, 5, 1, 1).unwrap();
        assert!((r - 0.4).abs() < 1e-12);
        close(ci, (0.1367, 1.1703));
        assert_eq!(katz_ratio(0, 5, 1, 1), None);
        assert_eq!(katz_ratio(2, 5, 0, 3), None);
    }

    #[test]
    fn garwood_reference_values() {
        close(garwood(5, 10.0).unwrap(), (0.1623, 1.1668));
        close(garwood(0, 10.0).unwrap(), (0.0, 0.3689));
        // large counts stay finite and bracket the estimate
        let (lo, hi) = garwood(10_000, 1.0).unwrap();
        assert!(lo < 10_000.0 && hi > 10_000.0 && hi - lo < 500.0);
    }
}
