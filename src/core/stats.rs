//! Statistical building blocks shared by the scoring modules.
//!
//! - p-values of the chi-square distribution come from statrs's upper
//!   incomplete gamma (`ChiSquared::sf`), accurate to ~1e-13 relative; below
//!   1e-280, where statrs's prefactor e^(−x)·x^a underflows, the tail is taken
//!   in log space from the continued fraction of Q(a, x) (Numerical Recipes §6.2,
//!   modified Lentz), so a p such as 1.36e-312 is kept (as a subnormal double);
//! - a two-sided normal p-value is taken as `χ²(1).sf(z²)`, because statrs's
//!   normal tail is accurate only to ~1e-10 (docs/statistics.md §5);
//! - a p-value below the smallest positive double ([`P_FLOOR`], 4.9e-324) is
//!   reported as that bound, never as 0; callers flag it with [`below_floor`],
//!   and the `*_ln` functions give its natural logarithm;
//! - the Wilson score interval for a proportion, with k = 0 and k = n exact;
//! - Fisher's exact test for 2×2 tables, as R's `fisher.test`: each table's
//!   hypergeometric log-probability by Loader's saddle-point method (R's
//!   `dhyper`: `stirlerr` and `bd0`, accurate to ~1e-15 where log-binomials lose
//!   digits at large n), normalised by the largest, summing every table with the
//!   same margins whose probability is at most the observed one's times
//!   (1 + 1e-7), divided by the sum over all tables (statrs's own test is wrong
//!   past n ≈ 1030).

use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

/// The 97.5% quantile of the standard normal distribution.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The smallest positive double (4.9e-324, a subnormal). A p-value below it
/// cannot be held in a double: it is reported as this bound and flagged
/// ([`below_floor`]), never as 0.
pub const P_FLOOR: f64 = f64::MIN_POSITIVE * f64::EPSILON;

/// Whether a p-value from this module is the bound [`P_FLOOR`], i.e. the true
/// value is at most 4.9e-324.
pub fn below_floor(p: f64) -> bool {
    p <= P_FLOOR
}

/// The p-value whose natural logarithm is `ln_p`, at most 1 and at least
/// [`P_FLOOR`] (NaN stays NaN).
pub fn p_from_ln(ln_p: f64) -> f64 {
    if ln_p.is_nan() {
        return f64::NAN;
    }
    ln_p.min(0.0).exp().max(P_FLOOR)
}

/// Below this statrs's upper tail is no longer trusted (its prefactor nears
/// the subnormal range) and the log-space continued fraction takes over.
const LOG_TAIL_BELOW: f64 = 1e-280;

/// ln Q(a, x), the regularised upper incomplete gamma, by its continued
/// fraction (Numerical Recipes 3rd ed. §6.2.7, modified Lentz), valid and fast
/// for x > a + 1: ln Q = −x + a·ln x − ln Γ(a) + ln(CF).
fn ln_gamma_q_cf(a: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let i = f64::from(i);
        let an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    -x + a * x.ln() - ln_gamma(a) + h.ln()
}

/// The natural logarithm of the upper tail P(X ≥ x) of a chi-square
/// distribution with `df` degrees of freedom: finite however small the tail;
/// 0 for x ≤ 0, NaN for df ≤ 0.
pub fn chi2_ln_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let Ok(dist) = ChiSquared::new(df) else {
        return f64::NAN;
    };
    let sf = dist.sf(x);
    let (a, half) = (df / 2.0, x / 2.0);
    if sf >= LOG_TAIL_BELOW || half <= a + 1.0 {
        sf.ln()
    } else {
        ln_gamma_q_cf(a, half)
    }
}

/// The upper tail P(X ≥ x) of a chi-square distribution with `df` degrees of
/// freedom; 1 for x ≤ 0, NaN for df ≤ 0. A tail below 1e-280 comes from log
/// space (a subnormal result is kept); one below [`P_FLOOR`] is that bound.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    p_from_ln(chi2_ln_sf(x, df))
}

/// The natural logarithm of the two-sided p-value of a standard normal
/// statistic, ln P(|Z| ≥ |z|).
pub fn normal_two_sided_ln_p(z: f64) -> f64 {
    chi2_ln_sf(z * z, 1.0)
}

/// The two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|), kept
/// down to the subnormal range and [`P_FLOOR`] below it (never 0).
pub fn normal_two_sided_p(z: f64) -> f64 {
    p_from_ln(normal_two_sided_ln_p(z))
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

/// stirlerr(n) = ln(n!) − ((n + ½)·ln n − n + ½·ln 2π), the error of
/// Stirling's formula, for a whole n ≥ 1 (R's `stirlerr`, Loader 2000): a table
/// to 15 (mpmath 1.3.0 at 40 digits, rounded to doubles), the asymptotic
/// series above.
fn stirlerr(n: f64) -> f64 {
    const TABLE: [f64; 16] = [
        0.0,
        0.08106146679532726,
        0.0413406959554093,
        0.02767792568499834,
        0.020790672103765093,
        0.016644691189821193,
        0.013876128823070748,
        0.01189670994589177,
        0.010411265261972096,
        0.009255462182712733,
        0.00833056343336287,
        0.007573675487951841,
        0.00694284010720953,
        0.006408994188004207,
        0.0059513701127588475,
        0.005554733551962801,
    ];
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15.0 {
        return TABLE[n as usize];
    }
    let nn = n * n;
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// bd0(x, np) = x·ln(x/np) + np − x, without its cancellation near x = np (R's
/// `bd0`, Loader 2000: a series in v = (x − np)/(x + np) when |v| < 0.1).
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        if s.abs() < f64::MIN_POSITIVE {
            return s;
        }
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let next = s + ej / f64::from(2 * j + 1);
            if next == s {
                return s;
            }
            s = next;
        }
        return s;
    }
    x * (x / np).ln() + np - x
}

/// ln of the binomial probability of x in n trials with success p (q = 1 − p
/// given separately), whole x and n (R's `dbinom_raw`, log scale).
fn ln_dbinom(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if x == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if q == 0.0 {
        return if x == n { 0.0 } else { f64::NEG_INFINITY };
    }
    if x == 0.0 {
        return if n == 0.0 {
            0.0
        } else if p < 0.1 {
            -bd0(n, n * q) - n * p
        } else {
            n * q.ln()
        };
    }
    if x == n {
        return if q < 0.1 {
            -bd0(n, n * p) - n * q
        } else {
            n * p.ln()
        };
    }
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    let lf = (2.0 * std::f64::consts::PI).ln() + x.ln() + (-x / n).ln_1p();
    lc - 0.5 * lf
}

/// ln P(X = x) of the hypergeometric distribution: x white among k drawn from
/// `white` white and `black` black balls (R's `dhyper`, log scale).
fn ln_dhyper(x: u64, white: u64, black: u64, k: u64) -> f64 {
    let total = (white + black) as f64;
    let (p, q) = (k as f64 / total, (white + black - k) as f64 / total);
    ln_dbinom(x as f64, white as f64, p, q) + ln_dbinom((k - x) as f64, black as f64, p, q)
        - ln_dbinom(k as f64, total, p, q)
}

/// Below the largest term by this much (in ln), a table adds less than 1e-52
/// of it: the sums stop there.
const LN_NEGLIGIBLE: f64 = 120.0;

/// ln Σ exp(l) over `ls`, whose largest is `max`.
fn ln_sum_exp(ls: &[f64], max: f64) -> f64 {
    max + ls.iter().map(|l| (l - max).exp()).sum::<f64>().ln()
}

/// The natural logarithm of Fisher's exact two-sided p of the 2×2 table
/// [[a, b], [c, d]] (finite however small p is; see [`fisher_2x2`]).
///
/// R's rule: p is the sum of the tables (of these margins) no more likely than
/// the observed one, `d ≤ d_observed·(1 + 1e-7)`, over the sum of all, each sum
/// normalised by its largest term. The hypergeometric terms rise to the mode
/// and fall after it, so the tables as unlikely as the observed one are the
/// two far ends of the support: each side's boundary is found by bisection and
/// each sum walks out from its largest term until the terms are negligible
/// beside it. A walk from the mode to a far-off observed table would visit
/// every term between (tens of thousands at a million responses) for nothing.
pub fn fisher_2x2_ln(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (row1, col1, n) = (a + b, a + c, a + b + c + d);
    if n == 0 {
        return 0.0;
    }
    let lo = (row1 + col1).saturating_sub(n);
    let hi = row1.min(col1);
    let ln_p = |x: u64| ln_dhyper(x, col1, n - col1, row1);
    let observed = ln_p(a);
    let cutoff = observed + (1.0 + 1e-7f64).ln();
    // The mode by formula; off by one in floating point only where two
    // neighbours are (nearly) equal, which leaves each side monotone.
    let mode = (((row1 + 1) as f64 * (col1 + 1) as f64 / (n + 2) as f64) as u64).clamp(lo, hi);
    let top = ln_p(mode);
    if top <= cutoff {
        return 0.0;
    }
    // Every term, from the mode out until negligible beside it.
    let mut all = vec![top];
    walk(mode, lo, hi, top - LN_NEGLIGIBLE, &ln_p, &mut all);
    // The first term at or below the cutoff on each side of the mode
    // (increasing towards the mode on the left, decreasing after it).
    let small = |x: u64| ln_p(x) <= cutoff;
    let left = small(lo).then(|| bisect(lo, mode, small));
    let right = small(hi).then(|| bisect(hi, mode, small));
    // The observed table is on one side (the mode is not as unlikely), so
    // at least one edge exists; each tail walks out from its edge.
    let mut tails: Vec<f64> = left.iter().chain(&right).map(|&x| ln_p(x)).collect();
    let tail_max = tails.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if let Some(x) = left {
        walk(x, lo, x, tail_max - LN_NEGLIGIBLE, &ln_p, &mut tails);
    }
    if let Some(x) = right {
        walk(x, x, hi, tail_max - LN_NEGLIGIBLE, &ln_p, &mut tails);
    }
    let max = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (ln_sum_exp(&tails, tail_max) - ln_sum_exp(&all, max)).min(0.0)
}

/// The `x` between `ok` and `bad` (either order) nearest `bad` for which
/// `holds(x)`, given `holds(ok)`, `!holds(bad)` and one change between them.
fn bisect(mut ok: u64, mut bad: u64, holds: impl Fn(u64) -> bool) -> u64 {
    while ok.abs_diff(bad) > 1 {
        let mid = ok.min(bad) + ok.abs_diff(bad) / 2;
        if holds(mid) {
            ok = mid;
        } else {
            bad = mid;
        }
    }
    ok
}

/// Pushes `ln_p(x)` for x from `from` outward (down to `lo`, up to `hi`) on
/// each side until a term falls below `stop`.
fn walk(from: u64, lo: u64, hi: u64, stop: f64, ln_p: &dyn Fn(u64) -> f64, out: &mut Vec<f64>) {
    for x in (lo..from).rev() {
        let l = ln_p(x);
        if l < stop {
            break;
        }
        out.push(l);
    }
    for x in from + 1..=hi {
        let l = ln_p(x);
        if l < stop {
            break;
        }
        out.push(l);
    }
}

/// Fisher's exact test, two-sided, of the 2×2 table [[a, b], [c, d]]; a p
/// below every double is [`P_FLOOR`].
pub fn fisher_2x2(a: u64, b: u64, c: u64, d: u64) -> f64 {
    p_from_ln(fisher_2x2_ln(a, b, c, d))
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

    /// Fisher's p summed over the whole support, as R's `fisher.test` does:
    /// the reference the bisecting walk is checked against.
    fn fisher_2x2_ln_plain(a: u64, b: u64, c: u64, d: u64) -> f64 {
        let (row1, col1, n) = (a + b, a + c, a + b + c + d);
        let ln_p = |x: u64| ln_dhyper(x, col1, n - col1, row1);
        let cutoff = ln_p(a) + (1.0 + 1e-7f64).ln();
        let all: Vec<f64> = ((row1 + col1).saturating_sub(n)..=row1.min(col1))
            .map(ln_p)
            .collect();
        let small: Vec<f64> = all.iter().copied().filter(|&l| l <= cutoff).collect();
        let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (ln_sum_exp(&small, max(&small)) - ln_sum_exp(&all, max(&all))).min(0.0)
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// The walk that bisects to the far tails sums the same terms as the
        /// whole support: ln p equal to 1e-12 (relative where |ln p| > 1),
        /// on small tables, lopsided ones and ones of ~10^5 responses.
        #[test]
        fn fisher_walk_equals_the_whole_support(
            scale in proptest::prop_oneof![proptest::strategy::Just(10u64), proptest::strategy::Just(300), proptest::strategy::Just(30_000)],
            cells in proptest::array::uniform4(0u64..=1000),
        ) {
            let [a, b, c, d] = cells.map(|x| x * scale / 1000);
            let fast = fisher_2x2_ln(a, b, c, d);
            let plain = fisher_2x2_ln_plain(a, b, c, d);
            proptest::prop_assert!(
                (fast - plain).abs() <= 1e-12 * plain.abs().max(1.0),
                "[[{a}, {b}], [{c}, {d}]]: {fast} vs {plain}"
            );
        }
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
