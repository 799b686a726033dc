//! Chi-square, p and Cramér's V against SciPy at full double precision.
//!
//! statistics.md prints about nine significant digits, too few to show the
//! agreement to 1e-9 relative that manyi promises. These values were computed
//! with SciPy 1.17.1 / NumPy 2.4.6 on 2026-11-23 as
//! `r = scipy.stats.chi2_contingency(table, correction=False)` (r.statistic,
//! r.dof, r.pvalue) and `scipy.stats.contingency.association(table,
//! method='cramer')`, and printed with `repr`, i.e. to 17 significant digits.
//! Tables with an empty row were given to SciPy with that row removed (SciPy
//! refuses a zero expected count), as manyi drops it before testing.

use manyi::crosstab::{crosstab, test_table};
use manyi::{Instrument, Responses};

const REL: f64 = 1e-9;

fn agrees(what: &str, got: f64, want: f64) {
    let rel = ((got - want) / want).abs();
    assert!(
        rel <= REL,
        "{what}: manyi {got:e}, scipy {want:e}, relative difference {rel:e}"
    );
}

fn check(name: &str, table: &[&[u64]], chi2: f64, df: u32, p: f64, v: f64) {
    let t = test_table(&table.iter().map(|r| r.to_vec()).collect::<Vec<_>>());
    agrees(
        &format!("{name} chi2"),
        t.independence.chi2.expect("testable"),
        chi2,
    );
    assert_eq!(t.independence.df, Some(df), "{name} df");
    agrees(&format!("{name} p"), t.independence.p.expect("testable"), p);
    agrees(
        &format!("{name} V"),
        t.independence.cramers_v.expect("testable"),
        v,
    );
}

#[test]
fn textbook_tables() {
    check(
        "SciPy docs",
        &[&[10, 10, 20], &[20, 20, 20]],
        2.7777777777777777,
        2,
        0.24935220877729622,
        0.16666666666666666,
    );
    check(
        "R docs M",
        &[&[762, 327, 468], &[484, 239, 477]],
        30.070149095754672,
        2,
        2.9535891832117595e-07,
        0.10443580235646777,
    );
    check(
        "TeaTasting",
        &[&[3, 1], &[1, 3]],
        2.0,
        1,
        0.15729920705028105,
        0.5,
    );
    check(
        "SciPy Fisher docs",
        &[&[6, 2], &[1, 4]],
        3.7452380952380966,
        1,
        0.05295818186952336,
        0.5367450401216933,
    );
    check(
        "empty row dropped",
        &[&[5, 3, 0], &[0, 0, 0], &[2, 7, 1]],
        3.7092857142857145,
        2,
        0.15650882870496424,
        0.45395090986958997,
    );
    check(
        "sparse",
        &[&[2, 0, 1], &[1, 3, 0], &[0, 1, 4]],
        10.163333333333334,
        4,
        0.037764420151969215,
        0.6507474335118213,
    );
}

#[test]
fn thesis_data_tables() {
    let inst = Instrument::builtin();
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/demo/zg-x-branch-2023.csv"
    ))
    .expect("demo data");
    let data = Responses::from_csv(&inst, &csv).expect("imports");
    for (row, col, chi2, df, p, v) in [
        (
            "q14",
            "q2",
            52.16871737482086,
            8,
            1.5614475393015237e-08,
            0.2669620564482687,
        ),
        (
            "q2",
            "q14",
            52.16871737482086,
            8,
            1.5614475393015237e-08,
            0.2669620564482687,
        ),
        (
            "q1",
            "q12",
            1.8468888984590381,
            2,
            0.3971487238294218,
            0.07103621985514746,
        ),
        (
            "q4",
            "q16",
            10.86498924682874,
            14,
            0.6966081642613174,
            0.12183136494654698,
        ),
    ] {
        let t = crosstab(&inst, &data, row, col).expect("crosstab");
        let name = format!("{row}×{col}");
        agrees(
            &format!("{name} chi2"),
            t.test.independence.chi2.expect("testable"),
            chi2,
        );
        assert_eq!(t.test.independence.df, Some(df), "{name} df");
        agrees(
            &format!("{name} p"),
            t.test.independence.p.expect("testable"),
            p,
        );
        agrees(
            &format!("{name} V"),
            t.test.independence.cramers_v.expect("testable"),
            v,
        );
    }
}

// ---------------------------------------------------------------------------
// Issue 15 items 5–7: exact references where a double's last digits matter.
// ---------------------------------------------------------------------------

fn within(what: &str, got: f64, want: f64, tol: f64) {
    let rel = ((got - want) / want).abs();
    assert!(
        rel <= tol,
        "{what}: manyi {got:e}, reference {want:e}, relative difference {rel:e} > {tol:e}"
    );
}

#[test]
fn fisher_keeps_its_digits_at_large_n() {
    // Item 5: [[135451, 314638], [165452, 384459]] (n = 1 000 000). Reference:
    // the exact rational sum of every table with the same margins whose
    // probability is at most the observed one's × (1 + 1e-7) (R's rule), over
    // ±2 500 of the observed count (≈ 11 sd; the rest < 1e-25), in Python
    // `fractions`, divided in 60-digit `decimal`: 0.93886709523562659821611759…
    // mpmath 1.3.0 with 50-digit log-gamma agrees to 27 digits. (The issue quotes
    // 0.938867095217149, itself 2e-11 off; SciPy 1.17.1 prints 0.9388670952728465.)
    let p = manyi::stats::fisher_2x2(135_451, 314_638, 165_452, 384_459);
    within("Fisher p, n = 1e6", p, 0.938_867_095_235_626_6, 1e-13);
}

#[test]
fn chi2_of_a_nearly_independent_table_is_exact() {
    // Item 6: [[5000, 5001], [4999, 5000]]. Exact χ² = Σ (O·n − R·C)² / (R·C·n) =
    // 20000/9999999800000001 (Python `fractions`) = 2.0000000400000007e-12;
    // SciPy 1.17.1 gives 2.000000011711077e-12 (its O − E cancels).
    // V = √(χ²/n) = 1.0000000100000001e-8 and p = Q(½, χ²/2) =
    // 0.99999887162082162107 (mpmath 1.3.0, 50 digits).
    let t = test_table(&[vec![5000, 5001], vec![4999, 5000]]);
    within(
        "χ²",
        t.independence.chi2.expect("testable"),
        2.000_000_040_000_000_7e-12,
        1e-14,
    );
    within(
        "V",
        t.independence.cramers_v.expect("testable"),
        1.000_000_01e-8,
        1e-14,
    );
    within(
        "p",
        t.independence.p.expect("testable"),
        0.999_998_871_620_821_6,
        1e-14,
    );
}

#[test]
fn tiny_p_values_are_kept_not_zero() {
    // Item 7: [[975, 25], [135, 865]]: χ² = 4704000/3293 (exact), p =
    // Q(½, χ²/2) = 1.3573603260573380538e-312 (mpmath 1.3.0, 50 digits), a
    // subnormal double (spacing 4.9e-324, i.e. 3.6e-12 of the value).
    let t = test_table(&[vec![975, 25], vec![135, 865]]);
    within(
        "χ²",
        t.independence.chi2.expect("testable"),
        4_704_000.0 / 3293.0,
        1e-14,
    );
    within(
        "p",
        t.independence.p.expect("testable"),
        1.357_360_326_06e-312,
        1e-11,
    );
    assert!(!t.independence.p_below_floor);
    // Its Fisher p is 2.4284734249566593e-375 (mpmath, exact log-gamma sum):
    // below every double, so the bound is reported and flagged, never 0.
    assert_eq!(t.fisher_p, Some(manyi::stats::P_FLOOR));
    assert!(t.fisher_p_below_floor);
    within(
        "ln Fisher p",
        manyi::stats::fisher_2x2_ln(975, 25, 135, 865),
        -862.582_147_033_010_1,
        1e-13,
    );
    // Two-sided normal p = erfc(|z|/√2) (mpmath 1.3.0, 50 digits).
    use manyi::stats::{normal_two_sided_ln_p, normal_two_sided_p, P_FLOOR};
    for (z, p, tol) in [
        (8.0, 1.244_192_114_854_356_8e-15, 1e-12),
        (20.0, 5.507_248_237_212_467_5e-89, 1e-12),
        (37.5, 9.210_706_019_163_91e-308, 1e-12),
        // 5.7708567201375686167e-316, a subnormal: 1.2e8 steps of 4.9e-324.
        (-38.0, 5.770_856_7e-316, 2e-8),
    ] {
        within(&format!("normal p, z = {z}"), normal_two_sided_p(z), p, tol);
    }
    assert_eq!(normal_two_sided_p(40.0), P_FLOOR);
    within(
        "ln normal p, z = 40",
        normal_two_sided_ln_p(40.0),
        -803.915_294_833_193_8,
        1e-13,
    );
    assert_eq!(normal_two_sided_p(0.0), 1.0);
}
