//! Unit tests of [`super`]: the rules stated in its documentation, case by case.

use super::*;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Every way to put `n` trials into `k` categories.
fn outcomes(n: u64, k: usize) -> Vec<Vec<u64>> {
    if k == 1 {
        return vec![vec![n]];
    }
    (0..=n)
        .flat_map(|first| {
            outcomes(n - first, k - 1).into_iter().map(move |mut rest| {
                rest.insert(0, first);
                rest
            })
        })
        .collect()
}

/// The multinomial probability of `x`: n!/Π xᵢ! · Π pᵢ^xᵢ.
fn pmf(x: &[u64], p: &[f64]) -> f64 {
    let ln_fact = |m: u64| (1..=m).map(|i| (i as f64).ln()).sum::<f64>();
    let n: u64 = x.iter().sum();
    let log = ln_fact(n)
        + x.iter()
            .zip(p)
            .map(|(&xi, &pi)| xi as f64 * pi.ln() - ln_fact(xi))
            .sum::<f64>();
    log.exp()
}

#[test]
fn multinomial_draws_follow_the_multinomial_law() {
    // Counts 3, 5, 2, 0, 4 (a pattern no row has is never drawn): 200,000 draws
    // against the exact probability of each of the 680 outcomes of 14 trials
    // over the 4 categories drawn, by Pearson's χ² (cells expected < 5 pooled).
    let counts = [3u64, 5, 2, 0, 4];
    let p: Vec<f64> = [3.0, 5.0, 2.0, 4.0].iter().map(|c| c / 14.0).collect();
    let all = outcomes(14, 4);
    let index: HashMap<Vec<u64>, usize> = all
        .iter()
        .enumerate()
        .map(|(i, o)| (o.clone(), i))
        .collect();
    let draws = 200_000;
    let mut seen = vec![0u64; all.len()];
    let mut rng = Rng(7);
    let mut out = [0u64; 5];
    for _ in 0..draws {
        multinomial(&mut rng, &counts, &mut out);
        assert_eq!(out[3], 0);
        assert_eq!(out.iter().sum::<u64>(), 14);
        seen[index[&vec![out[0], out[1], out[2], out[4]]]] += 1;
    }
    let (mut chi2, mut cells, mut pooled_o, mut pooled_e) = (0.0, 0, 0.0, 0.0);
    for (o, x) in seen.iter().zip(&all) {
        let e = pmf(x, &p) * draws as f64;
        if e < 5.0 {
            pooled_o += *o as f64;
            pooled_e += e;
        } else {
            chi2 += (*o as f64 - e).powi(2) / e;
            cells += 1;
        }
    }
    chi2 += (pooled_o - pooled_e).powi(2) / pooled_e;
    let sf = 1.0 - ChiSquared::new(cells as f64).expect("df").cdf(chi2);
    assert!(sf > 1e-4, "χ² = {chi2} on {cells} df, p = {sf}");
}

#[test]
fn multinomial_draws_of_a_million_have_the_multinomial_moments() {
    // Large n goes through BTPE: each count's mean n·p and variance n·p·(1 − p),
    // and one covariance −n·pᵢ·pⱼ, within 5 standard errors over 4,000 draws.
    let counts = [500_000u64, 300_000, 199_990, 10];
    let n = 1_000_000.0;
    let draws = 4000;
    let mut rng = Rng(11);
    let mut out = [0u64; 4];
    let mut sum = [0.0; 4];
    let mut sq = [0.0; 4];
    let mut cross = 0.0;
    for _ in 0..draws {
        multinomial(&mut rng, &counts, &mut out);
        for k in 0..4 {
            sum[k] += out[k] as f64;
            sq[k] += (out[k] as f64).powi(2);
        }
        cross += out[0] as f64 * out[1] as f64;
    }
    let d = draws as f64;
    for k in 0..4 {
        let p = counts[k] as f64 / n;
        let (mean, var) = (n * p, n * p * (1.0 - p));
        let m = sum[k] / d;
        let v = sq[k] / d - m * m;
        assert!(
            (m - mean).abs() <= 5.0 * (var / d).sqrt(),
            "count {k}: mean {m} vs {mean}"
        );
        // The variance of a sample variance is about 2σ⁴/(d − 1) (near-normal counts).
        assert!(
            (v - var).abs() <= 5.0 * var * (2.0 / d).sqrt(),
            "count {k}: variance {v} vs {var}"
        );
    }
    let cov = cross / d - (sum[0] / d) * (sum[1] / d);
    let want = -n * 0.5 * 0.3;
    assert!(
        (cov - want).abs() <= 5.0 * want.abs() * (2.0 / d).sqrt(),
        "covariance {cov} vs {want}"
    );
}

/// The covariance matrix (divisor irrelevant) of columns, last = target.
fn cov(cols: &[&[f64]]) -> Vec<f64> {
    let q = cols.len();
    let n = cols[0].len() as f64;
    let mean: Vec<f64> = cols.iter().map(|c| c.iter().sum::<f64>() / n).collect();
    let mut c = vec![0.0; q * q];
    for a in 0..q {
        for b in 0..q {
            c[a * q + b] = (0..cols[0].len())
                .map(|r| (cols[a][r] - mean[a]) * (cols[b][r] - mean[b]))
                .sum();
        }
    }
    c
}

#[test]
fn one_item_r2_is_r_squared_and_its_whole_share() {
    // y = 2x exactly: R² = 1, the item takes all of it.
    let x = [1.0, 2.0, 3.0, 2.0];
    let y = [2.0, 4.0, 6.0, 4.0];
    let r2 = subset_r2(&cov(&[&x, &y]), 1);
    assert_eq!(r2[0], 0.0);
    assert!((r2[1] - 1.0).abs() < 1e-12);
    assert!((shapley(&r2, 1)[0] - 1.0).abs() < 1e-12);
}

#[test]
fn two_uncorrelated_items_split_by_their_own_r_squared() {
    // x1 ⟂ x2 (centred, orthogonal): R²({1,2}) = r1² + r2², each item's
    // Shapley value is its own r² (a hand computation).
    let x1 = [1.0, -1.0, 1.0, -1.0];
    let x2 = [1.0, 1.0, -1.0, -1.0];
    let y = [3.0, -1.0, 1.0, -3.0]; // = 2·x1 + 1·x2
    let c = cov(&[&x1, &x2, &y]);
    let r2 = subset_r2(&c, 2);
    // Σy² = 20; cov(x1, y) = 8, cov(x2, y) = 4, Σx² = 4: r1² = 64/80, r2² = 16/80.
    assert!((r2[0b01] - 0.8).abs() < 1e-12);
    assert!((r2[0b10] - 0.2).abs() < 1e-12);
    assert!((r2[0b11] - 1.0).abs() < 1e-12);
    let phi = shapley(&r2, 2);
    assert!((phi[0] - 0.8).abs() < 1e-12 && (phi[1] - 0.2).abs() < 1e-12);
}

#[test]
fn a_duplicate_item_adds_nothing_and_splits_evenly() {
    let x = [1.0, 2.0, 3.0, 1.0, 2.0];
    let y = [0.0, 5.0, 9.0, 2.0, 4.0];
    let c = cov(&[&x, &x, &y]);
    let r2 = subset_r2(&c, 2);
    assert!((r2[0b11] - r2[0b01]).abs() < 1e-12);
    assert!((r2[0b10] - r2[0b01]).abs() < 1e-12);
    let phi = shapley(&r2, 2);
    assert!((phi[0] - phi[1]).abs() < 1e-12);
    assert!((phi[0] + phi[1] - r2[0b11]).abs() < 1e-12);
    assert!(r2.iter().all(|v| v.is_finite()));
}

#[test]
fn a_constant_item_has_no_part() {
    let k = [2.0; 5];
    let x = [1.0, 2.0, 3.0, 1.0, 2.0];
    let y = [0.0, 5.0, 9.0, 2.0, 4.0];
    let r2 = subset_r2(&cov(&[&k, &x, &y]), 2);
    let phi = shapley(&r2, 2);
    assert_eq!(phi[0], 0.0);
    assert_eq!(r2[0b01], 0.0);
    assert_eq!(r2[0b11], r2[0b10]);
}

#[test]
fn percentile_interpolates_like_numpy() {
    // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) = [1.075, 3.925].
    let v = [1.0, 2.0, 3.0, 4.0];
    assert!((percentile(&v, 0.025) - 1.075).abs() < 1e-12);
    assert!((percentile(&v, 0.975) - 3.925).abs() < 1e-12);
}

fn driver(q: &str, index: f64, share: Option<f64>) -> Driver {
    Driver {
        question: q.into(),
        r: None,
        importance: share.unwrap_or(0.0),
        share,
        share_ci95: None,
        index,
    }
}

#[test]
fn fix_first_is_the_biggest_share_in_the_quadrant_high_importance_low_index() {
    // Issue 17: the chart's quadrant "high importance, low satisfaction" is
    // what to fix first. Mean index 50, mean share 1/4: q2 (40, 0.35) and
    // q3 (30, 0.30) are in it, q2's share larger; q1 has the largest share
    // but is above the mean index.
    let items = [
        driver("q1", 80.0, Some(0.3)),
        driver("q2", 40.0, Some(0.35)),
        driver("q3", 30.0, Some(0.3)),
        driver("q4", 50.0, Some(0.05)),
    ];
    assert_eq!(fix_first(&items).as_deref(), Some("q2"));
    // Below the mean index but less important than the items' mean (1/3):
    // outside the quadrant, so not what to fix first, however weak.
    let weak_but_minor = [
        driver("q1", 80.0, Some(0.5)),
        driver("q2", 40.0, Some(0.3)),
        driver("q3", 30.0, Some(0.2)),
    ];
    assert_eq!(fix_first(&weak_but_minor), None);
    // A tie in the quadrant goes to the first in item order.
    let tie = [
        driver("q1", 90.0, Some(0.1)),
        driver("q2", 30.0, Some(0.45)),
        driver("q3", 30.0, Some(0.45)),
    ];
    assert_eq!(fix_first(&tie).as_deref(), Some("q2"));
    // Equal indices: none below the mean.
    let flat = [driver("q1", 50.0, Some(0.5)), driver("q2", 50.0, Some(0.5))];
    assert_eq!(fix_first(&flat), None);
    // Below the mean but explaining nothing.
    let none = [driver("q1", 80.0, Some(1.0)), driver("q2", 20.0, Some(0.0))];
    assert_eq!(fix_first(&none), None);
    assert_eq!(fix_first(&[driver("q1", 20.0, None)]), None);
}
