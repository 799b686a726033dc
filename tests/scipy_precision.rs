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
    agrees(&format!("{name} chi2"), t.chi2.expect("testable"), chi2);
    assert_eq!(t.df, Some(df), "{name} df");
    agrees(&format!("{name} p"), t.p.expect("testable"), p);
    agrees(&format!("{name} V"), t.cramers_v.expect("testable"), v);
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
            t.test.chi2.expect("testable"),
            chi2,
        );
        assert_eq!(t.test.df, Some(df), "{name} df");
        agrees(&format!("{name} p"), t.test.p.expect("testable"), p);
        agrees(&format!("{name} V"), t.test.cramers_v.expect("testable"), v);
    }
}
