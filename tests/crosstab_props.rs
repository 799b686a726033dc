#![cfg(not(target_arch = "wasm32"))]
//! Properties of the cross-tab tests on random tables (proptest).
//!
//! - margins: cells sum to n and to the row and column totals, and so do the
//!   expected counts;
//! - χ², p and Cramér's V do not depend on the order of rows or columns, nor on
//!   which question is the row (transpose);
//! - statistics.md §2: in a 2×2 table every |adjusted residual| = √χ², and each
//!   column-proportion z² is the uncorrected χ² of the 2×2 (row i vs rest) ×
//!   (column a vs b), which for a 2×2 table is its own χ²;
//! - IBM's CTABLES rule for the letters: per row only the columns with a base
//!   ≥ 2 and a proportion strictly between 0 and 1 are compared, and Bonferroni
//!   counts those comparisons;
//! - `crosstab` on random CSVs: counts are the joint answers, and n + missing is
//!   the number of responses.

use manyi::crosstab::{crosstab, test_table, TableTest};
use manyi::{Instrument, Responses};
use proptest::prelude::*;

/// Relative tolerance for statistics that only the order of summation changes,
/// as the brief asks (1e-9 relative). Values near 0 (a table with exactly
/// proportional rows has χ² = 0 up to rounding) also pass within 1e-12.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-12
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// A table of 2–6 rows × 2–6 columns with counts 0–50.
fn table() -> impl Strategy<Value = Vec<Vec<u64>>> {
    (2usize..=6, 2usize..=6)
        .prop_flat_map(|(r, c)| prop::collection::vec(prop::collection::vec(0u64..=50, c), r))
}

/// A table with a permutation of its rows and one of its columns.
fn table_and_permutations() -> impl Strategy<Value = (Vec<Vec<u64>>, Vec<usize>, Vec<usize>)> {
    table().prop_flat_map(|t| {
        let (r, c) = (t.len(), t[0].len());
        (
            Just(t),
            Just((0..r).collect::<Vec<_>>()).prop_shuffle(),
            Just((0..c).collect::<Vec<_>>()).prop_shuffle(),
        )
    })
}

fn totals(t: &[Vec<u64>]) -> (Vec<u64>, Vec<u64>, u64) {
    let rows: Vec<u64> = t.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<u64> = (0..t[0].len())
        .map(|j| t.iter().map(|r| r[j]).sum())
        .collect();
    let n = rows.iter().sum();
    (rows, cols, n)
}

fn transpose(t: &[Vec<u64>]) -> Vec<Vec<u64>> {
    (0..t[0].len())
        .map(|j| t.iter().map(|r| r[j]).collect())
        .collect()
}

fn same_tests(a: &TableTest, b: &TableTest) -> Result<(), TestCaseError> {
    prop_assert!(
        close_opt(a.independence.chi2, b.independence.chi2),
        "chi2 {:?} vs {:?}",
        a.independence.chi2,
        b.independence.chi2
    );
    prop_assert_eq!(a.independence.df, b.independence.df);
    prop_assert!(
        close_opt(a.independence.p, b.independence.p),
        "p {:?} vs {:?}",
        a.independence.p,
        b.independence.p
    );
    prop_assert!(
        close_opt(a.independence.cramers_v, b.independence.cramers_v),
        "V {:?} vs {:?}",
        a.independence.cramers_v,
        b.independence.cramers_v
    );
    prop_assert!(
        close_opt(
            a.independence.cramers_v_corrected,
            b.independence.cramers_v_corrected
        ),
        "V_bc {:?} vs {:?}",
        a.independence.cramers_v_corrected,
        b.independence.cramers_v_corrected
    );
    Ok(())
}

proptest! {
    #[test]
    fn expected_counts_keep_the_margins_and_only_empty_lines_are_dropped(t in table()) {
        let (rows, cols, n) = totals(&t);
        let test = test_table(&t);
        // Dropped rows and columns are exactly the empty ones.
        let empty_rows: Vec<usize> = (0..rows.len()).filter(|&i| rows[i] == 0).collect();
        let empty_cols: Vec<usize> = (0..cols.len()).filter(|&j| cols[j] == 0).collect();
        prop_assert_eq!(&test.dropped_rows, &empty_rows);
        prop_assert_eq!(&test.dropped_cols, &empty_cols);
        // Expected counts R·C/n keep the margins: Σ_j E_ij = R_i, Σ_i E_ij = C_j, ΣE = n.
        let e = |i: usize, j: usize| test.expected[i][j].unwrap_or(0.0);
        for (i, &r) in rows.iter().enumerate() {
            let s: f64 = (0..cols.len()).map(|j| e(i, j)).sum();
            prop_assert!(close(s, r as f64), "row {} expected sum {} vs {}", i, s, r);
        }
        for (j, &c) in cols.iter().enumerate() {
            let s: f64 = (0..rows.len()).map(|i| e(i, j)).sum();
            prop_assert!(close(s, c as f64), "column {} expected sum {} vs {}", j, s, c);
        }
        let all: f64 = test.expected.iter().flatten().map(|x| x.unwrap_or(0.0)).sum();
        prop_assert!(close(all, n as f64));
        // A test exactly when at least 2 rows and 2 columns are non-empty.
        let tested = rows.len() - empty_rows.len() >= 2 && cols.len() - empty_cols.len() >= 2;
        prop_assert_eq!(test.independence.chi2.is_some(), tested);
        if let (Some(chi2), Some(p), Some(v)) = (test.independence.chi2, test.independence.p, test.independence.cramers_v) {
            prop_assert!(chi2 >= 0.0 && (0.0..=1.0).contains(&p));
            prop_assert!((0.0..=1.0 + 1e-12).contains(&v), "V {}", v);
        }
    }

    #[test]
    fn permuting_rows_and_columns_changes_nothing((t, rp, cp) in table_and_permutations()) {
        let permuted: Vec<Vec<u64>> = rp
            .iter()
            .map(|&i| cp.iter().map(|&j| t[i][j]).collect())
            .collect();
        let (a, b) = (test_table(&t), test_table(&permuted));
        same_tests(&a, &b)?;
        // Residuals move with their cells.
        for (x, &i) in rp.iter().enumerate() {
            for (y, &j) in cp.iter().enumerate() {
                prop_assert!(close_opt(a.adjusted_residuals[i][j], b.adjusted_residuals[x][y]));
            }
        }
    }

    #[test]
    fn transposing_changes_nothing(t in table()) {
        let (a, b) = (test_table(&t), test_table(&transpose(&t)));
        same_tests(&a, &b)?;
        for (i, row) in a.adjusted_residuals.iter().enumerate() {
            for (j, &r) in row.iter().enumerate() {
                prop_assert!(close_opt(r, b.adjusted_residuals[j][i]));
            }
        }
    }

    #[test]
    fn two_by_two_residuals_and_z_are_root_chi2(
        a in 0u64..=50, b in 0u64..=50, c in 0u64..=50, d in 0u64..=50,
    ) {
        // statistics.md §2: "Property: in a 2×2 every |r| = √χ² (uncorrected)" and
        // "Property: z² = uncorrected χ² of the 2×2".
        prop_assume!(a + b > 0 && c + d > 0 && a + c > 0 && b + d > 0);
        let t = test_table(&[vec![a, b], vec![c, d]]);
        let chi2 = t.independence.chi2.expect("a 2×2 with no empty row or column is tested");
        prop_assert_eq!(t.independence.df, Some(1));
        for r in t.adjusted_residuals.iter().flatten() {
            let r = r.expect("every cell has a residual");
            prop_assert!(close(r.abs(), chi2.sqrt()), "|r| {} vs √χ² {}", r.abs(), chi2.sqrt());
        }
        // IBM's CTABLES rule: a column whose proportion in the row is 0 or 1 is
        // not compared (nor one with a base below 2, which implies it); in a
        // 2×2 both rows then compare A with B exactly when no cell is 0.
        let compared = usize::from(a > 0 && b > 0 && c > 0 && d > 0);
        prop_assert_eq!(t.column_tests.len(), 2 * compared);
        for z in &t.column_tests {
            prop_assert!(close(z.z * z.z, chi2), "z² {} vs χ² {}", z.z * z.z, chi2);
            // m = 1 pair per row: no adjustment.
            prop_assert_eq!(z.p_adj, z.p);
            prop_assert!(close(z.p, t.independence.p.expect("p")), "p {} vs {:?}", z.p, t.independence.p);
        }
    }

    #[test]
    fn letters_compare_only_columns_strictly_between_0_and_1(t in table()) {
        // IBM's CTABLES z-test for column proportions: per row, the columns with
        // a base ≥ 2 and a proportion strictly between 0 and 1 are compared,
        // every pair once, p multiplied by the number of pairs of that row.
        let (_, cols, _) = totals(&t);
        let test = test_table(&t);
        for (i, row) in t.iter().enumerate() {
            let compared: Vec<usize> = (0..cols.len())
                .filter(|&j| cols[j] >= 2 && row[j] > 0 && row[j] < cols[j])
                .collect();
            let k = compared.len();
            prop_assert_eq!(test.row_comparisons[i], k * k.saturating_sub(1) / 2);
            let made: Vec<(usize, usize)> = test
                .column_tests
                .iter()
                .filter(|z| z.row == i)
                .map(|z| (z.a, z.b))
                .collect();
            let pairs: Vec<(usize, usize)> = compared
                .iter()
                .enumerate()
                .flat_map(|(x, &a)| compared[x + 1..].iter().map(move |&b| (a, b)))
                .collect();
            prop_assert_eq!(made, pairs);
            for (j, note) in test.letter_notes[i].iter().enumerate() {
                prop_assert_eq!(note.is_none(), compared.contains(&j));
                if note.is_some() {
                    prop_assert!(test.letters[i][j].is_empty());
                }
            }
        }
        let m = |row: usize| test.row_comparisons[row] as f64;
        for z in &test.column_tests {
            prop_assert_eq!(z.p_adj, (z.p * m(z.row)).min(1.0));
        }
    }

    #[test]
    fn column_z_squared_is_chi2_of_the_collapsed_table(t in table()) {
        // statistics.md §2: z² = uncorrected χ² of the 2×2 (row i vs rest) × (a vs b).
        let (_, cols, _) = totals(&t);
        let test = test_table(&t);
        for z in &test.column_tests {
            let (oa, ob) = (t[z.row][z.a], t[z.row][z.b]);
            let two = [vec![oa, ob], vec![cols[z.a] - oa, cols[z.b] - ob]];
            let chi2 = test_table(&two).independence.chi2.expect("the collapsed 2×2 is tested");
            prop_assert!(
                close(z.z * z.z, chi2),
                "row {} columns {}, {}: z² {} vs χ² {}", z.row, z.a, z.b, z.z * z.z, chi2
            );
        }
    }
}

/// Which questions the CSV properties cross: single-choice ones of several sizes
/// and the 0–10 scale.
const QUESTIONS: [&str; 7] = ["q1", "q2", "q4", "q10", "q14", "q16", "q17"];

/// One response's answers to the two questions (`None`: blank).
type Answers = (Option<u8>, Option<u8>);

/// Two distinct questions of [`QUESTIONS`] and 0–80 responses, each answering
/// them with a code index or a blank (`None`); indices are reduced modulo each
/// question's size when the CSV is written.
fn csv_case() -> impl Strategy<Value = (usize, usize, Vec<Answers>)> {
    let answer = prop::option::weighted(0.8, 0u8..11);
    (
        0..QUESTIONS.len(),
        1..QUESTIONS.len(),
        prop::collection::vec((answer.clone(), answer), 0..80),
    )
        .prop_map(|(x, dy, rows)| (x, (x + dy) % QUESTIONS.len(), rows))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn crosstab_counts_every_response_once((x, y, rows) in csv_case()) {
        let inst = Instrument::builtin();
        let (row_id, col_id) = (QUESTIONS[x], QUESTIONS[y]);
        let (ri, rq) = inst.question(row_id).expect("row question");
        let (ci, cq) = inst.question(col_id).expect("column question");
        let (r, c) = (rq.len(), cq.len());
        let codes: Vec<(Option<usize>, Option<usize>)> = rows
            .iter()
            .map(|&(a, b)| (a.map(|a| usize::from(a) % r), b.map(|b| usize::from(b) % c)))
            .collect();
        let ids: Vec<&str> = inst.questions().iter().map(|q| q.id.as_str()).collect();
        let mut text = format!("id,{}\n", ids.join(","));
        for (k, &(a, b)) in codes.iter().enumerate() {
            let mut cells = vec![String::new(); ids.len()];
            if let Some(a) = a {
                cells[ri] = rq.code_text(a as u8);
            }
            if let Some(b) = b {
                cells[ci] = cq.code_text(b as u8);
            }
            text.push_str(&format!("r{k},{}\n", cells.join(",")));
        }
        let resp = Responses::from_csv(&inst, text.as_bytes()).expect("a valid CSV");
        prop_assert_eq!(resp.len(), rows.len());
        let t = crosstab(&inst, &resp, row_id, col_id).expect("crosstab");
        prop_assert_eq!((t.counts.len(), t.counts[0].len()), (r, c));
        // Each row of counts is the column question's frequency table among
        // the responses that gave that row answer: another path through the
        // core (a filter, then one-way counts), not a re-count here.
        for a in 0..r {
            let filter = manyi::Filter {
                answers: [(row_id.to_owned(), vec![rq.code_text(a as u8)])].into(),
                ..manyi::Filter::default()
            };
            let kept = filter.select(&inst, &resp).expect("a valid filter");
            let sub = resp.select(&kept.rows).expect("rows of the data");
            let freq = manyi::scoring::frequencies(&inst, &sub).expect("frequencies");
            let want = freq.questions[ci].counts.clone();
            prop_assert_eq!(&t.counts[a], &want, "row {}", a);
        }
        // Cells sum to n and the margins; n + missing = every response.
        let (rows_tot, cols_tot, n) = totals(&t.counts);
        prop_assert_eq!(t.n, n);
        prop_assert_eq!(&t.row_totals, &rows_tot);
        prop_assert_eq!(&t.col_totals, &cols_tot);
        prop_assert_eq!(t.n + t.missing, rows.len() as u64);
        let both = codes.iter().filter(|(a, b)| a.is_some() && b.is_some()).count();
        prop_assert_eq!(t.n, both as u64);
        // Empty rows and columns are dropped, small non-empty ones listed.
        for (i, &tot) in t.row_totals.iter().enumerate() {
            let code = &t.row_codes[i];
            prop_assert_eq!(t.dropped_rows.contains(code), tot == 0);
            prop_assert_eq!(t.small_rows.contains(code), tot > 0 && tot < 30);
        }
        for (j, &tot) in t.col_totals.iter().enumerate() {
            let code = &t.col_codes[j];
            prop_assert_eq!(t.dropped_cols.contains(code), tot == 0);
            prop_assert_eq!(t.small_cols.contains(code), tot > 0 && tot < 30);
        }
        // The tests are those of the table of counts, and the same transposed.
        let direct = test_table(&t.counts);
        prop_assert_eq!(t.test.independence.chi2, direct.independence.chi2);
        let flipped = crosstab(&inst, &resp, col_id, row_id).expect("crosstab transposed");
        prop_assert_eq!(&flipped.counts, &transpose(&t.counts));
        prop_assert!(close_opt(t.test.independence.chi2, flipped.test.independence.chi2));
        prop_assert_eq!(flipped.n + flipped.missing, rows.len() as u64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The many-tables path (every pair counted in one pass, the mirror pair
    /// transposed, dropped rows masked in every column) gives exactly the
    /// table-at-a-time cross-tabs, filtered or not.
    #[test]
    fn crosstabs_equal_each_crosstab(
        n in 0usize..1500,
        seed in any::<u64>(),
        rows in prop::collection::vec(0..QUESTIONS.len(), 1..5),
        cols in prop::collection::vec(0..QUESTIONS.len(), 1..5),
        filter_on in prop::option::of((0..QUESTIONS.len(), 0u8..3)),
    ) {
        let inst = Instrument::builtin();
        let resp = manyi::generate::generate(&inst, n, seed).expect("generated data");
        let mut view = manyi::view::View::new(resp);
        if let Some((q, code)) = filter_on {
            let (_, question) = inst.question(QUESTIONS[q]).expect("a question");
            let filter = manyi::Filter {
                answers: [(
                    QUESTIONS[q].to_owned(),
                    vec![question.code_text(code % question.len() as u8)],
                )]
                .into(),
                ..manyi::Filter::default()
            };
            view = view.filtered(&inst, &filter).expect("a valid filter");
        }
        let ids = |picked: &[usize]| -> Vec<String> {
            picked.iter().map(|&q| QUESTIONS[q].to_owned()).collect()
        };
        let (rows, cols) = (ids(&rows), ids(&cols));
        let many = view.crosstabs(&inst, &rows, &cols).expect("crosstabs");
        prop_assert_eq!(many.len(), rows.len() * cols.len());
        for (k, t) in many.iter().enumerate() {
            let (row, col) = (&rows[k / cols.len()], &cols[k % cols.len()]);
            let one = view.crosstab(&inst, row, col).expect("crosstab");
            prop_assert_eq!(t, &one, "{} × {}", row, col);
        }
    }
}
