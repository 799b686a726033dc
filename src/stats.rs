//! Statistical building blocks shared by the scoring modules.
//!
//! - p-values of the chi-square distribution come from statrs's upper
//!   incomplete gamma (`ChiSquared::sf`), accurate to ~1e-13 relative;
//! - a two-sided normal p-value is taken as `χ²(1).sf(z²)`, because statrs's
//!   normal tail is accurate only to ~1e-10 (shared/spec/statistics.md §5);
//! - the Wilson score interval for a proportion, with k = 0 and k = n exact;
//! - Fisher's exact test for 2×2 tables from log-binomials, summing every table
//!   with the same margins whose probability is at most the observed one's
//!   times (1 + 1e-7), R's rule (statrs's own test is wrong past n ≈ 1030).

use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::factorial::ln_binomial;

/// The 97.5% quantile of the standard normal distribution.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The upper tail P(X ≥ x) of a chi-square distribution with `df` degrees of
/// freedom; 1 for x ≤ 0, NaN for df ≤ 0.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    ChiSquared::new(df).map(|d| d.sf(x)).unwrap_or(f64::NAN)
}

/// The two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|).
pub fn normal_two_sided_p(z: f64) -> f64 {
    chi2_sf(z * z, 1.0)
}

/// The Wilson score 95% interval of the proportion k/n, as fractions;
/// `None` when n is 0.
pub fn wilson(k: u64, n: u64) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    let (nf, p) = (n as f64, k as f64 / n as f64);
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let lo = if k == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if k == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some([lo, hi])
}

/// The Wilson interval in percent.
pub fn wilson_pct(k: u64, n: u64) -> Option<[f64; 2]> {
    wilson(k, n).map(|[lo, hi]| [100.0 * lo, 100.0 * hi])
}

/// Fisher's exact test, two-sided, of the 2×2 table [[a, b], [c, d]].
pub fn fisher_2x2(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (row1, col1, n) = (a + b, a + c, a + b + c + d);
    let lo = (row1 + col1).saturating_sub(n);
    let hi = row1.min(col1);
    let ln_denominator = ln_binomial(n, row1);
    let ln_p = |x: u64| ln_binomial(col1, x) + ln_binomial(n - col1, row1 - x) - ln_denominator;
    let observed = ln_p(a);
    let cutoff = observed + (1.0 + 1e-7f64).ln();
    let p: f64 = (lo..=hi)
        .map(ln_p)
        .filter(|&l| l <= cutoff)
        .map(f64::exp)
        .sum();
    p.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn chi2_tail_matches_scipy() {
        // statistics.md §2, data Q14×Q2: chi2.sf(52.1687174, 8) = 1.56144754e-8.
        assert!(close(chi2_sf(52.168_717_4, 8.0), 1.561_447_54e-8, 1e-6));
        // SciPy docs table: chi2.sf(2.77777778, 2) = 0.249352209.
        assert!(close(
            chi2_sf(2.777_777_777_777_777_7, 2.0),
            0.249_352_209,
            1e-8
        ));
        assert_eq!(chi2_sf(0.0, 3.0), 1.0);
    }

    #[test]
    fn normal_p_matches_scipy() {
        // statistics.md §1: Z −0.519276733 → p 0.603567776; Z 2.30300898 → 0.0212783380.
        assert!(close(
            normal_two_sided_p(-0.519_276_733),
            0.603_567_776,
            1e-8
        ));
        assert!(close(
            normal_two_sided_p(2.303_008_98),
            0.021_278_338_0,
            1e-7
        ));
    }

    #[test]
    fn wilson_matches_scipy() {
        // statistics.md §3: binomtest(k, n).proportion_ci(method='wilson').
        let cases: [(u64, u64, f64, f64); 6] = [
            (125, 366, 0.294_817_364, 0.391_534_728),
            (76, 366, 0.169_235_989, 0.252_137_697),
            (0, 10, 0.0, 0.277_532_800),
            (10, 10, 0.722_467_200, 1.0),
            (1, 48, 0.003_687_110_98, 0.108_992_180),
            (27, 48, 0.422_750_174, 0.692_987_310),
        ];
        for (k, n, lo, hi) in cases {
            let [l, h] = wilson(k, n).expect("n > 0");
            assert!(
                close(l, lo, 1e-8) || (lo == 0.0 && l == 0.0),
                "{k}/{n} lo {l}"
            );
            assert!(close(h, hi, 1e-8), "{k}/{n} hi {h}");
        }
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn fisher_matches_r_and_scipy() {
        // statistics.md §2: TeaTasting [[3,1],[1,3]] 0.485714286 (R docs);
        // SciPy docs [[6,2],[1,4]] 0.102564103; a large table statrs gets wrong:
        // [[600,500],[400,520]] 8.67462078e-7; [[345,455],[260,345]] 0.956677864.
        assert!(close(fisher_2x2(3, 1, 1, 3), 0.485_714_286, 1e-8));
        assert!(close(fisher_2x2(6, 2, 1, 4), 0.102_564_103, 1e-8));
        assert!(close(fisher_2x2(600, 500, 400, 520), 8.674_620_78e-7, 1e-6));
        assert!(close(fisher_2x2(345, 455, 260, 345), 0.956_677_864, 1e-7));
        assert_eq!(fisher_2x2(5, 0, 0, 0), 1.0);
    }
}
