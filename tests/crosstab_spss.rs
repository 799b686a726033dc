#![cfg(not(target_arch = "wasm32"))]
//! Column-proportion letters as SPSS Custom Tables gives them (issue 15 item 4).
//!
//! The rule is IBM's CTABLES algorithm for the z-test of column proportions
//! (IBM SPSS Statistics Algorithms, "CTABLES Algorithms", section "Z-Test for
//! Column Proportions"), with the footnotes SPSS prints under the table:
//! - in each row, a column whose proportion in that row is 0 or 1 is not
//!   compared (footnote a), nor a column whose base is below 2 (footnote b);
//! - the remaining k columns of the row are compared pairwise with the pooled
//!   two-proportion z test, and Bonferroni multiplies each p by the number of
//!   comparisons actually made in that row, k(k − 1)/2;
//! - when the adjusted p < 0.05 the larger proportion's cell gets the smaller
//!   one's letter.
//!
//! Reference z and p: mpmath 1.3.0 at 40 digits, z = (p_a − p_b) /
//! √(p̂(1 − p̂)(1/n_a + 1/n_b)) with p̂ the pooled proportion, p = erfc(|z|/√2)
//! (SciPy 1.17.1 `2*norm.sf(|z|)` agrees to 1e-15).

mod common;

use manyi::crosstab::{self, ColumnComparison, LetterNote, TableTest};
use manyi::{Instrument, Responses};

fn test(rows: &[&[u64]]) -> TableTest {
    crosstab::test_table(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>())
}

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

fn find(t: &TableTest, row: usize, a: usize, b: usize) -> &ColumnComparison {
    t.column_tests
        .iter()
        .find(|c| (c.row, c.a, c.b) == (row, a, b))
        .unwrap_or_else(|| panic!("no comparison of columns {a}, {b} in row {row}"))
}

#[test]
fn a_column_at_zero_or_one_is_not_compared() {
    // Issue 15 item 4: q1 × q10 [[0,10,12],[40,30,28]]. Column A's proportion is
    // 0 in row 1 and 1 in row 2: SPSS leaves it out of both rows (footnote a)
    // and prints no letters; B and C (25% vs 30%) do not differ.
    let t = test(&[&[0, 10, 12], &[40, 30, 28]]);
    assert_eq!(t.letters, [["", "", ""], ["", "", ""]]);
    let a = Some(LetterNote::ProportionZeroOrOne);
    assert_eq!(t.letter_notes, [[a, None, None], [a, None, None]]);
    // One comparison per row, so Bonferroni multiplies by 1.
    assert_eq!(t.row_comparisons, [1, 1]);
    assert_eq!(t.column_tests.len(), 2);
    for (row, sign) in [(0, -1.0), (1, 1.0)] {
        let bc = find(&t, row, 1, 2);
        // mpmath: z = ∓0.50078308583613437425, p = 0.61652379070001141535.
        assert!(
            rel(bc.z, sign * 0.500_783_085_836_134_4) < 1e-13,
            "{}",
            bc.z
        );
        assert!(rel(bc.p, 0.616_523_790_700_011_4) < 1e-13, "{}", bc.p);
        assert_eq!(bc.p_adj, bc.p);
        assert!(!bc.p_below_floor);
    }
}

#[test]
fn bonferroni_counts_only_the_comparisons_made() {
    // Four columns of 100, 100, 100 and 50; column D is 0% in row 1 and 100% in
    // row 2, so each row compares A, B, C only: 3 pairs, not 6. A vs B (30% vs
    // 15%): z = 2.5400025400038100064, p = 0.011085166380602696961 (mpmath);
    // × 3 = 0.0333 < 0.05 gives a letter, × 6 = 0.0665 would not.
    let t = test(&[&[30, 15, 20, 0], &[70, 85, 80, 50]]);
    assert_eq!(t.row_comparisons, [3, 3]);
    assert_eq!(t.column_tests.len(), 6);
    assert!(t.column_tests.iter().all(|c| c.a != 3 && c.b != 3));
    let ab = find(&t, 0, 0, 1);
    assert!(rel(ab.z, 2.540_002_540_003_81) < 1e-13, "{}", ab.z);
    assert!(rel(ab.p, 0.011_085_166_380_602_697) < 1e-12, "{}", ab.p);
    assert!(rel(ab.p_adj, 3.0 * 0.011_085_166_380_602_697) < 1e-12);
    assert_eq!(t.letters[0], ["B", "", "", ""]);
    // Row 2 mirrors row 1: B (85%) is above A (70%).
    assert_eq!(t.letters[1], ["", "A", "", ""]);
    let d = Some(LetterNote::ProportionZeroOrOne);
    assert_eq!(t.letter_notes[0], [None, None, None, d]);
    assert_eq!(t.letter_notes[1], [None, None, None, d]);
}

#[test]
fn a_base_below_two_is_footnote_b() {
    // Column C has one response (base 1 < 2): footnote b, even though its
    // proportion is also 0 or 1; an empty column D is footnote b too.
    let t = test(&[&[20, 5, 1, 0], &[10, 25, 0, 0]]);
    let b = Some(LetterNote::BaseBelowTwo);
    assert_eq!(t.letter_notes[0], [None, None, b, b]);
    assert_eq!(t.letter_notes[1], [None, None, b, b]);
    assert_eq!(t.row_comparisons, [1, 1]);
    assert!(t.column_tests.iter().all(|c| (c.a, c.b) == (0, 1)));
}

#[test]
fn a_row_with_one_comparable_column_has_none() {
    // Row 1: only B lies strictly between 0 and 1, so nothing is compared;
    // rows 2 and 3 compare B and C.
    let t = test(&[&[0, 3, 0], &[10, 4, 2], &[0, 3, 3]]);
    assert_eq!(t.row_comparisons, [0, 1, 1]);
    assert!(t.column_tests.iter().all(|c| c.row != 0));
    assert_eq!(t.column_tests.len(), 2);
    assert_eq!(t.letters[0], ["", "", ""]);
}

/// A CSV for the built-in instrument: `n` responses answering question `rq`
/// with `ra` and `cq` with `ca` for each (ra, ca, n); other questions blank.
fn csv(rq: &str, cq: &str, cells: &[(&str, &str, usize)]) -> Vec<u8> {
    let inst = Instrument::builtin();
    let ids: Vec<&str> = inst.questions().iter().map(|q| q.id.as_str()).collect();
    let mut out = format!("id,{}\n", ids.join(","));
    let mut k = 0;
    for &(ra, ca, n) in cells {
        for _ in 0..n {
            let row: Vec<&str> = ids
                .iter()
                .map(|&id| match id {
                    id if id == rq => ra,
                    id if id == cq => ca,
                    _ => "",
                })
                .collect();
            out.push_str(&format!("r{k},{}\n", row.join(",")));
            k += 1;
        }
    }
    out.into_bytes()
}

/// The q1 × q10 table [[0,10,12],[40,30,28]] as a CSV.
fn q1_by_q10() -> Vec<u8> {
    csv(
        "q1",
        "q10",
        &[
            ("A", "B", 10),
            ("A", "C", 12),
            ("B", "A", 40),
            ("B", "B", 30),
            ("B", "C", 28),
        ],
    )
}

#[test]
fn the_notes_and_counts_are_in_the_json() {
    let inst = Instrument::builtin();
    let resp = Responses::from_csv(&inst, &q1_by_q10()).expect("valid CSV");
    let t = crosstab::crosstab(&inst, &resp, "q1", "q10").expect("crosstab");
    assert_eq!(t.counts, [[0, 10, 12], [40, 30, 28]]);
    let v = serde_json::to_value(&t).expect("serialises");
    assert_eq!(
        v["letter_notes"],
        serde_json::json!([
            ["proportion_0_or_1", null, null],
            ["proportion_0_or_1", null, null]
        ])
    );
    assert_eq!(v["row_comparisons"], serde_json::json!([1, 1]));
    assert_eq!(
        v["letters"],
        serde_json::json!([["", "", ""], ["", "", ""]])
    );
}

#[test]
fn the_command_line_prints_the_footnotes_and_the_bound() {
    // Footnote a under the column %, in both languages.
    let en = common::manyi_stdin(
        &["crosstab", "-", "q1", "q10", "--lang", "en"],
        &q1_by_q10(),
    );
    assert!(en.status.success(), "{}", common::stderr(&en));
    let out = common::stdout(&en);
    assert!(out.contains("0.00% (a)"), "{out}");
    assert!(out.contains("(a) not compared: this column's proportion in the row is 0 or 1"));
    assert!(!out.contains("(b)"), "{out}");
    let zh = common::manyi_stdin(&["crosstab", "-", "q1", "q10"], &q1_by_q10());
    assert!(common::stdout(&zh).contains("(a) 该列在此行的比例为 0 或 1，不参与比较"));
    // q1 × q12 [[975,25,0],[135,865,0]]: the empty column C is footnote b, and
    // Fisher's p (2.43e-375, mpmath) is printed as below the smallest double.
    let big = csv(
        "q1",
        "q12",
        &[
            ("A", "A", 975),
            ("A", "B", 25),
            ("B", "A", 135),
            ("B", "B", 865),
        ],
    );
    let o = common::manyi_stdin(&["crosstab", "-", "q1", "q12", "--lang", "en"], &big);
    let out = common::stdout(&o);
    assert!(
        out.contains("(b) not compared: the column has fewer than 2 responses"),
        "{out}"
    );
    assert!(out.contains("Fisher's exact test: p < 4.9e-324"), "{out}");
    // χ²'s p, 1.357e-312, is a subnormal double and printed as such.
    assert!(out.contains("p = 1.36e-312"), "{out}");
    let json = common::manyi_stdin(&["crosstab", "-", "q1", "q12", "--json"], &big);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["fisher_p_below_floor"], true);
    assert_eq!(v["fisher_p"], 5e-324);
    assert_eq!(v["p_below_floor"], false);
    assert_eq!(v["letter_notes"][0][2], "base_below_2");
}
