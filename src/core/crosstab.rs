//! Cross-tabulation of two questions, with tests of independence.
//!
//! Counts are over responses that answered both questions; a response missing
//! either is left out and counted in `missing`. Every option of both questions
//! is a row or column, zeros included. Percentages: row % (of the row total),
//! column % (of the column total) and total % (of n), each with a 95% Wilson
//! interval.
//!
//! Tests run on the table without its empty rows and columns (which are named
//! in `dropped_rows` / `dropped_cols`):
//! - Pearson χ² = Σ (O − E)² / E with E = R·C / n, df = (r − 1)(c − 1), p from
//!   the χ² upper tail (no continuity correction, as SPSS's main statistic and
//!   `scipy.stats.chi2_contingency(correction=False)`). Each term is computed
//!   as (O·n − R·C)² / (R·C·n) with O·n − R·C exact in integers, so a nearly
//!   independent table loses no digits to O − E;
//! - Cramér's V = √(χ² / (n·(min(r, c) − 1))) and Bergsma's bias-corrected V;
//! - a warning (Cochran's rule) when more than 20% of expected counts are below
//!   5 or any is below 1, and then Fisher's exact test for 2×2 tables;
//! - adjusted standardized residuals (O − E) / √(E(1 − R/n)(1 − C/n)), computed
//!   as (O·n − R·C) / √(R·C·(n − R)·(n − C)/n);
//! - column-proportion letters as SPSS Custom Tables gives them, following IBM's
//!   CTABLES algorithm (IBM SPSS Statistics Algorithms, chapter "CTABLES
//!   Algorithms", section "Z-Test for Column Proportions") and its footnotes: in
//!   each row, a column whose base is below 2 (footnote b) or whose proportion
//!   in that row is 0 or 1 (footnote a) is not compared; the remaining k columns
//!   are compared pairwise with the pooled two-proportion z test, each p
//!   multiplied (Bonferroni) by the k(k − 1)/2 comparisons made in that row;
//!   when the adjusted p < 0.05 the larger proportion's cell gets the smaller
//!   one's letter (columns are lettered A, B, C, … in order).
//!
//! p-values keep their magnitude down to the subnormal range; one below the
//! smallest double is reported as [`P_FLOOR`](crate::stats::P_FLOOR) with its `*_below_floor` flag set,
//! never as 0 (see [`crate::stats`]).
//!
//! Rows or columns with fewer than 30 responses are listed in `small_rows` /
//! `small_cols`, so that a reader weighs them accordingly.

use serde::Serialize;

use crate::error::Result;
use crate::filter::Keep;
use crate::instrument::{Instrument, Question};
use crate::responses::Responses;
use crate::stats::{below_floor, chi2_sf, fisher_2x2, normal_two_sided_p, wilson_pct};

/// Groups smaller than this are flagged.
pub const SMALL_GROUP: u64 = 30;

/// The significance level of the column-proportion letters (after Bonferroni).
pub const LETTER_ALPHA: f64 = 0.05;

/// How many expected counts are small, and whether that makes χ² doubtful.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedCheck {
    /// Cells (of the tested table) with an expected count below 5.
    pub below_5: usize,
    /// Those cells as % of all tested cells.
    pub pct_below_5: f64,
    /// The smallest expected count.
    pub min_expected: f64,
    /// More than 20% below 5, or any below 1: the χ² approximation may be poor.
    pub warning: bool,
}

/// One column-proportion comparison: row `row`, columns `a` and `b` (indices
/// into the full table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnComparison {
    /// The row index.
    pub row: usize,
    /// The first column index.
    pub a: usize,
    /// The second column index.
    pub b: usize,
    /// The pooled z statistic of p_a − p_b.
    pub z: f64,
    /// The two-sided p-value.
    pub p: f64,
    /// The Bonferroni-adjusted p-value, min(1, p·m), m the comparisons made
    /// in that row.
    pub p_adj: f64,
    /// `p` is [`P_FLOOR`](crate::stats::P_FLOOR): the true p is below every double.
    pub p_below_floor: bool,
}

/// Why a cell's column is left out of its row's column-proportion comparisons
/// (SPSS's footnotes to the letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LetterNote {
    /// Footnote a: the column's proportion in this row is 0 or 1.
    #[serde(rename = "proportion_0_or_1")]
    ProportionZeroOrOne,
    /// Footnote b: the column's base (its number of responses) is below 2.
    #[serde(rename = "base_below_2")]
    BaseBelowTwo,
}

impl LetterNote {
    /// SPSS's footnote letter: "a" or "b".
    pub fn footnote(self) -> &'static str {
        match self {
            LetterNote::ProportionZeroOrOne => "a",
            LetterNote::BaseBelowTwo => "b",
        }
    }
}

/// The tests of one table of counts (rows × columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableTest {
    /// Indices of the rows left out of the tests for being empty.
    #[serde(rename = "dropped_row_index")]
    pub dropped_rows: Vec<usize>,
    /// Indices of the columns left out of the tests for being empty.
    #[serde(rename = "dropped_col_index")]
    pub dropped_cols: Vec<usize>,
    /// Expected counts R·C/n (`None` in dropped rows and columns).
    pub expected: Vec<Vec<Option<f64>>>,
    /// χ², its p, Cramér's V and the expected-count check (flattened: the
    /// JSON has their fields beside the others).
    #[serde(flatten)]
    pub independence: Independence,
    /// Fisher's exact two-sided p, for a 2×2 tested table.
    pub fisher_p: Option<f64>,
    /// `fisher_p` is [`P_FLOOR`](crate::stats::P_FLOOR): the true p is below every double.
    pub fisher_p_below_floor: bool,
    /// Adjusted standardized residuals (`None` in dropped rows and columns).
    pub adjusted_residuals: Vec<Vec<Option<f64>>>,
    /// Every column-proportion comparison made.
    pub column_tests: Vec<ColumnComparison>,
    /// Per row, the comparisons made there (k(k − 1)/2 for its k compared
    /// columns): the Bonferroni factor of that row.
    pub row_comparisons: Vec<usize>,
    /// Per cell, the letters of the columns significantly smaller in that row.
    pub letters: Vec<Vec<String>>,
    /// Per cell, why its column is not compared in that row (`None`: compared).
    pub letter_notes: Vec<Vec<Option<LetterNote>>>,
}

fn column_letter(j: usize) -> String {
    let mut s = String::new();
    let mut j = j;
    loop {
        s.insert(0, char::from(b'A' + (j % 26) as u8));
        if j < 26 {
            return s;
        }
        j = j / 26 - 1;
    }
}

/// The χ² test of independence of one table of counts: what the association
/// matrix shows of each pair, and the part of [`test_table`] that does not
/// look at single cells (no Fisher test, residuals or column letters).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Independence {
    /// Pearson's χ² (`None` when fewer than 2 non-empty rows or columns).
    pub chi2: Option<f64>,
    /// Degrees of freedom.
    pub df: Option<u32>,
    /// The p-value of χ².
    pub p: Option<f64>,
    /// `p` is [`P_FLOOR`](crate::stats::P_FLOOR).
    pub p_below_floor: bool,
    /// Cramér's V.
    pub cramers_v: Option<f64>,
    /// Bergsma's bias-corrected Cramér's V.
    pub cramers_v_corrected: Option<f64>,
    /// The small-expected-count check.
    pub expected_check: Option<ExpectedCheck>,
}

/// Pearson's χ², its p, Cramér's V (plain and corrected) and the
/// expected-count check of `counts`, over its non-empty rows and columns.
pub fn chi2_test(counts: &[Vec<u64>]) -> Independence {
    let c = counts.first().map_or(0, Vec::len);
    let row_tot: Vec<u64> = counts.iter().map(|row| row.iter().sum()).collect();
    let col_tot: Vec<u64> = (0..c)
        .map(|j| counts.iter().map(|row| row[j]).sum())
        .collect();
    let n: u64 = row_tot.iter().sum();
    let rows: Vec<usize> = (0..counts.len()).filter(|&i| row_tot[i] > 0).collect();
    let cols: Vec<usize> = (0..c).filter(|&j| col_tot[j] > 0).collect();
    let mut t = Independence {
        chi2: None,
        df: None,
        p: None,
        p_below_floor: false,
        cramers_v: None,
        cramers_v_corrected: None,
        expected_check: None,
    };
    let (kr, kc) = (rows.len(), cols.len());
    if kr < 2 || kc < 2 {
        return t;
    }
    let nf = n as f64;
    let mut chi2 = 0.0;
    let mut below_5 = 0;
    let mut min_e = f64::INFINITY;
    for &i in &rows {
        for &j in &cols {
            let (rf, cf) = (row_tot[i] as f64, col_tot[j] as f64);
            let e = rf * cf / nf;
            // O·n − R·C exactly (i128 holds n² for any u64 count that fits in memory).
            let d = (i128::from(counts[i][j]) * i128::from(n)
                - i128::from(row_tot[i]) * i128::from(col_tot[j])) as f64;
            chi2 += d * d / (rf * cf * nf);
            below_5 += usize::from(e < 5.0);
            min_e = min_e.min(e);
        }
    }
    let df = ((kr - 1) * (kc - 1)) as u32;
    let cells = kr * kc;
    let pct_below_5 = 100.0 * below_5 as f64 / cells as f64;
    t.chi2 = Some(chi2);
    t.df = Some(df);
    let p = chi2_sf(chi2, f64::from(df));
    t.p = Some(p);
    t.p_below_floor = below_floor(p);
    t.cramers_v = Some((chi2 / (nf * (kr.min(kc) - 1) as f64)).sqrt());
    let (krf, kcf) = (kr as f64, kc as f64);
    let phi2 = (chi2 / nf - (krf - 1.0) * (kcf - 1.0) / (nf - 1.0)).max(0.0);
    let rt = krf - (krf - 1.0).powi(2) / (nf - 1.0);
    let ct = kcf - (kcf - 1.0).powi(2) / (nf - 1.0);
    let denom = (rt - 1.0).min(ct - 1.0);
    t.cramers_v_corrected = (denom > 0.0).then(|| (phi2 / denom).sqrt());
    t.expected_check = Some(ExpectedCheck {
        below_5,
        pct_below_5,
        min_expected: min_e,
        warning: pct_below_5 > 20.0 || min_e < 1.0,
    });
    t
}

/// Runs every test on a table of counts (a row per row category).
pub fn test_table(counts: &[Vec<u64>]) -> TableTest {
    let r = counts.len();
    let c = counts.first().map_or(0, Vec::len);
    let row_tot: Vec<u64> = counts.iter().map(|row| row.iter().sum()).collect();
    let col_tot: Vec<u64> = (0..c)
        .map(|j| counts.iter().map(|row| row[j]).sum())
        .collect();
    let n: u64 = row_tot.iter().sum();
    let rows: Vec<usize> = (0..r).filter(|&i| row_tot[i] > 0).collect();
    let cols: Vec<usize> = (0..c).filter(|&j| col_tot[j] > 0).collect();
    let mut t = TableTest {
        dropped_rows: (0..r).filter(|&i| row_tot[i] == 0).collect(),
        dropped_cols: (0..c).filter(|&j| col_tot[j] == 0).collect(),
        expected: vec![vec![None; c]; r],
        independence: chi2_test(counts),
        fisher_p: None,
        fisher_p_below_floor: false,
        adjusted_residuals: vec![vec![None; c]; r],
        column_tests: Vec::new(),
        row_comparisons: vec![0; r],
        letters: vec![vec![String::new(); c]; r],
        letter_notes: vec![vec![None; c]; r],
    };
    let nf = n as f64;
    // O·n − R·C exactly (i128 holds n² for any u64 count that fits in memory).
    let excess = |i: usize, j: usize| {
        i128::from(counts[i][j]) * i128::from(n) - i128::from(row_tot[i]) * i128::from(col_tot[j])
    };
    for &i in &rows {
        for &j in &cols {
            let (rf, cf) = (row_tot[i] as f64, col_tot[j] as f64);
            t.expected[i][j] = Some(rf * cf / nf);
            let v = rf * cf * (nf - rf) * (nf - cf) / nf;
            if v > 0.0 {
                t.adjusted_residuals[i][j] = Some(excess(i, j) as f64 / v.sqrt());
            }
        }
    }
    let (kr, kc) = (rows.len(), cols.len());
    if kr == 2 && kc == 2 {
        let cell = |a: usize, b: usize| counts[rows[a]][cols[b]];
        let p = fisher_2x2(cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1));
        t.fisher_p = Some(p);
        t.fisher_p_below_floor = below_floor(p);
    }
    // Column proportions, row by row (IBM's CTABLES z-test; see the module doc).
    for (i, row) in counts.iter().enumerate() {
        let mut compared = Vec::new();
        for (j, (&x, &base)) in row.iter().zip(&col_tot).enumerate() {
            t.letter_notes[i][j] = if base < 2 {
                Some(LetterNote::BaseBelowTwo)
            } else if x == 0 || x == base {
                Some(LetterNote::ProportionZeroOrOne)
            } else {
                compared.push(j);
                None
            };
        }
        let k = compared.len();
        let m = k * k.saturating_sub(1) / 2;
        t.row_comparisons[i] = m;
        for (x, &a) in compared.iter().enumerate() {
            for &b in &compared[x + 1..] {
                let (ca, cb) = (col_tot[a] as f64, col_tot[b] as f64);
                let (pa, pb) = (row[a] as f64 / ca, row[b] as f64 / cb);
                let pooled = (row[a] + row[b]) as f64 / (ca + cb);
                // 0 < pooled < 1: both proportions lie strictly between 0 and 1.
                let z = (pa - pb) / (pooled * (1.0 - pooled) * (1.0 / ca + 1.0 / cb)).sqrt();
                let p = normal_two_sided_p(z);
                let p_adj = (p * m as f64).min(1.0);
                if p_adj < LETTER_ALPHA {
                    let (big, small) = if pa > pb { (a, b) } else { (b, a) };
                    t.letters[i][big].push_str(&column_letter(small));
                }
                t.column_tests.push(ColumnComparison {
                    row: i,
                    a,
                    b,
                    z,
                    p,
                    p_adj,
                    p_below_floor: below_floor(p),
                });
            }
        }
    }
    for row in &mut t.letters {
        for cell in row {
            let mut v: Vec<char> = cell.chars().collect();
            v.sort_unstable();
            *cell = v.into_iter().collect();
        }
    }
    t
}

/// The cross-tab of two questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crosstab {
    /// The row question's id.
    pub row: String,
    /// The column question's id.
    pub col: String,
    /// The row question's codes (option letters or scale values), in order.
    pub row_codes: Vec<String>,
    /// The column question's codes, in order.
    pub col_codes: Vec<String>,
    /// The column letters used by the column-proportion tests (A, B, …).
    pub col_letters: Vec<String>,
    /// counts[i][j]: responses with row code i and column code j.
    pub counts: Vec<Vec<u64>>,
    /// Row totals.
    pub row_totals: Vec<u64>,
    /// Column totals.
    pub col_totals: Vec<u64>,
    /// Responses that answered both questions.
    pub n: u64,
    /// Responses missing either question (left out).
    pub missing: u64,
    /// Row percentages (of the row total).
    pub row_pct: Vec<Vec<Option<f64>>>,
    /// Column percentages (of the column total).
    pub col_pct: Vec<Vec<Option<f64>>>,
    /// Percentages of n.
    pub total_pct: Vec<Vec<Option<f64>>>,
    /// 95% Wilson intervals of the row percentages.
    pub row_pct_ci95: Vec<Vec<Option<[f64; 2]>>>,
    /// 95% Wilson intervals of the column percentages.
    pub col_pct_ci95: Vec<Vec<Option<[f64; 2]>>>,
    /// 95% Wilson intervals of the total percentages (of n).
    pub total_pct_ci95: Vec<Vec<Option<[f64; 2]>>>,
    /// Codes of the empty rows left out of the tests.
    pub dropped_rows: Vec<String>,
    /// Codes of the empty columns left out of the tests.
    pub dropped_cols: Vec<String>,
    /// Codes of non-empty rows with fewer than 30 responses.
    pub small_rows: Vec<String>,
    /// Codes of non-empty columns with fewer than 30 responses.
    pub small_cols: Vec<String>,
    /// The tests (χ², Cramér's V, Fisher, residuals, column letters), whose
    /// fields appear at the top level of the JSON.
    #[serde(flatten)]
    pub test: TableTest,
}

/// Counts the joint answers of two questions (by index): the r × c table and
/// the number of responses missing either (codes at or past r or c, which
/// includes [`MISSING`](crate::MISSING)).
pub fn count_pairs(rows: &[u8], cols: &[u8], r: usize, c: usize) -> (Vec<Vec<u64>>, u64) {
    // Per-option bitmaps, AND and popcount (see `crate::count`).
    let n = rows.len().min(cols.len());
    let flat = crate::count::count_pairs(rows, cols, r, c);
    let valid: u64 = flat.iter().sum();
    let counts = (0..r).map(|i| flat[i * c..(i + 1) * c].to_vec()).collect();
    (counts, n as u64 - valid)
}

/// One pair of questions in the association matrix: the χ² test of their
/// cross-tab and Cramér's V, without the table itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Association {
    /// The row question's id.
    pub row: String,
    /// The column question's id.
    pub col: String,
    /// Responses that answered both.
    pub n: u64,
    /// Pearson's χ².
    pub chi2: Option<f64>,
    /// Degrees of freedom.
    pub df: Option<u32>,
    /// The p-value of χ².
    pub p: Option<f64>,
    /// `p` is [`P_FLOOR`](crate::stats::P_FLOOR): the true p is below every double.
    pub p_below_floor: bool,
    /// Cramér's V.
    pub cramers_v: Option<f64>,
    /// The small-expected-count warning of the test.
    pub warning: bool,
}

/// Every ordered pair of the questions `ids` (all questions when empty): the
/// tests of their cross-tab, row after row of a `k × k` matrix. Each pair is
/// counted once (the mirror pair is the transposed table), and the tests are
/// those of [`crosstab`], so each cell equals the full cross-tab's figures.
pub fn association_matrix(
    instrument: &Instrument,
    responses: &Responses,
    ids: &[String],
) -> Result<Vec<Association>> {
    responses.check_instrument(instrument)?;
    let ids: Vec<&str> = if ids.is_empty() {
        instrument
            .questions()
            .iter()
            .map(|q| q.id.as_str())
            .collect()
    } else {
        ids.iter().map(String::as_str).collect()
    };
    let pairs = Pairs::count(instrument, responses, &ids, None)?;
    let k = ids.len();
    let tables: Vec<Vec<Vec<u64>>> = (0..k * k).map(|ab| pairs.table(ab / k, ab % k)).collect();
    Ok(tables
        .iter()
        .enumerate()
        .map(|(ab, counts)| {
            let t = chi2_test(counts);
            Association {
                row: pairs.questions[ab / k].id.clone(),
                col: pairs.questions[ab % k].id.clone(),
                n: counts.iter().flatten().sum(),
                chi2: t.chi2,
                df: t.df,
                p: t.p,
                p_below_floor: t.p_below_floor,
                cramers_v: t.cramers_v,
                warning: t.expected_check.is_some_and(|e| e.warning),
            }
        })
        .collect())
}

/// The cross-tab of question `row` by question `col` (ids).
pub fn crosstab(
    instrument: &Instrument,
    responses: &Responses,
    row: &str,
    col: &str,
) -> Result<Crosstab> {
    crosstab_where(instrument, responses, row, col, None)
}

/// [`crosstab`] of the rows `keep` keeps (every row if `None`), counted in place.
pub fn crosstab_where(
    instrument: &Instrument,
    responses: &Responses,
    row: &str,
    col: &str,
    keep: Option<&Keep>,
) -> Result<Crosstab> {
    responses.check_instrument(instrument)?;
    let (ri, rq) = instrument.question(row)?;
    let (ci, cq) = instrument.question(col)?;
    let (r, c) = (rq.len(), cq.len());
    // A dropped row's row code becomes MISSING, so the pair is not counted.
    let masked = keep.map(|k| k.mask(responses.column(ri)));
    let rows = masked.as_deref().unwrap_or(responses.column(ri));
    let (counts, all_missing) = count_pairs(rows, responses.column(ci), r, c);
    let dropped = keep.map_or(0, |k| responses.len() as u64 - k.kept());
    Ok(build(rq, cq, counts, all_missing - dropped))
}

/// The cross-tabs of every question in `rows` by every question in `cols`
/// (ids), row question after row question, of the rows `keep` keeps: each
/// equals [`crosstab_where`] of its pair, but every pair is counted in one
/// pass over the questions' columns ([`crate::count::count_all_pairs`]), so a
/// banner of many tables costs about one association matrix, not a pass per table.
pub fn crosstabs_where(
    instrument: &Instrument,
    responses: &Responses,
    rows: &[String],
    cols: &[String],
    keep: Option<&Keep>,
) -> Result<Vec<Crosstab>> {
    responses.check_instrument(instrument)?;
    // The questions named, each once, in the order first named.
    let mut ids: Vec<&str> = Vec::new();
    for id in rows.iter().chain(cols) {
        if !ids.contains(&id.as_str()) {
            ids.push(id);
        }
    }
    let pairs = Pairs::count(instrument, responses, &ids, keep)?;
    let at = |id: &str| ids.iter().position(|x| *x == id).unwrap_or_default();
    let dropped = keep.map_or(0, |k| responses.len() as u64 - k.kept());
    let n = responses.len() as u64;
    let mut out = Vec::with_capacity(rows.len() * cols.len());
    for row in rows {
        for col in cols {
            let (a, b) = (at(row), at(col));
            let counts = pairs.table(a, b);
            let valid: u64 = counts.iter().flatten().sum();
            out.push(build(
                pairs.questions[a],
                pairs.questions[b],
                counts,
                n - valid - dropped,
            ));
        }
    }
    Ok(out)
}

/// The joint counts of every pair of some questions, counted in one pass
/// from per-option bitmaps ([`crate::count::count_all_pairs`]): what the
/// association matrix and the many-tables call both read their tables from.
struct Pairs<'a> {
    /// The questions, in the order named.
    questions: Vec<&'a Question>,
    /// Each question's number of options.
    lens: Vec<usize>,
    /// `counts[a][b]` for `a ≤ b`, row-major.
    counts: Vec<Vec<Vec<u64>>>,
}

impl<'a> Pairs<'a> {
    /// Counts the questions `ids` over the rows `keep` keeps (every row if
    /// `None`): a dropped row's codes become MISSING in every column, so none
    /// of its pairs is counted.
    fn count(
        instrument: &'a Instrument,
        responses: &Responses,
        ids: &[&str],
        keep: Option<&Keep>,
    ) -> Result<Pairs<'a>> {
        let found = ids
            .iter()
            .map(|id| instrument.question(id))
            .collect::<Result<Vec<_>>>()?;
        let columns: Vec<std::borrow::Cow<[u8]>> = found
            .iter()
            .map(|&(i, _)| match keep {
                Some(k) => k.mask(responses.column(i)).into(),
                None => responses.column(i).into(),
            })
            .collect();
        let columns: Vec<&[u8]> = columns.iter().map(|c| c.as_ref()).collect();
        let questions: Vec<&Question> = found.into_iter().map(|(_, q)| q).collect();
        let lens: Vec<usize> = questions.iter().map(|q| q.len()).collect();
        let counts = crate::count::count_all_pairs(&columns, &lens);
        Ok(Pairs {
            questions,
            lens,
            counts,
        })
    }

    /// The `lens[a] × lens[b]` table of questions `a` by `b`: only `a ≤ b` is
    /// counted, the mirror pair is its transpose.
    fn table(&self, a: usize, b: usize) -> Vec<Vec<u64>> {
        let (r, c) = (self.lens[a], self.lens[b]);
        if a <= b {
            let flat = &self.counts[a][b];
            (0..r).map(|i| flat[i * c..(i + 1) * c].to_vec()).collect()
        } else {
            let flat = &self.counts[b][a];
            (0..r)
                .map(|i| (0..c).map(|j| flat[j * r + i]).collect())
                .collect()
        }
    }
}

/// The cross-tab of `rq` by `cq` from its counts and the responses of the view
/// missing either question.
fn build(rq: &Question, cq: &Question, counts: Vec<Vec<u64>>, missing: u64) -> Crosstab {
    let (r, c) = (rq.len(), cq.len());
    let test = test_table(&counts);
    let row_totals: Vec<u64> = counts.iter().map(|row| row.iter().sum()).collect();
    let col_totals: Vec<u64> = (0..c)
        .map(|j| counts.iter().map(|row| row[j]).sum())
        .collect();
    let n: u64 = row_totals.iter().sum();
    let pct = |k: u64, base: u64| (base > 0).then(|| 100.0 * k as f64 / base as f64);
    let grid = |f: &dyn Fn(usize, usize) -> Option<f64>| -> Vec<Vec<Option<f64>>> {
        (0..r).map(|i| (0..c).map(|j| f(i, j)).collect()).collect()
    };
    let grid_ci = |f: &dyn Fn(usize, usize) -> Option<[f64; 2]>| -> Vec<Vec<Option<[f64; 2]>>> {
        (0..r).map(|i| (0..c).map(|j| f(i, j)).collect()).collect()
    };
    let row_codes: Vec<String> = (0..r).map(|i| rq.code_text(i as u8)).collect();
    let col_codes: Vec<String> = (0..c).map(|j| cq.code_text(j as u8)).collect();
    let small = |totals: &[u64], codes: &[String]| -> Vec<String> {
        totals
            .iter()
            .zip(codes)
            .filter(|(&t, _)| t > 0 && t < SMALL_GROUP)
            .map(|(_, code)| code.clone())
            .collect()
    };
    Crosstab {
        row: rq.id.clone(),
        col: cq.id.clone(),
        col_letters: (0..c).map(column_letter).collect(),
        row_pct: grid(&|i, j| pct(counts[i][j], row_totals[i])),
        col_pct: grid(&|i, j| pct(counts[i][j], col_totals[j])),
        total_pct: grid(&|i, j| pct(counts[i][j], n)),
        row_pct_ci95: grid_ci(&|i, j| wilson_pct(counts[i][j], row_totals[i])),
        col_pct_ci95: grid_ci(&|i, j| wilson_pct(counts[i][j], col_totals[j])),
        total_pct_ci95: grid_ci(&|i, j| wilson_pct(counts[i][j], n)),
        dropped_rows: test
            .dropped_rows
            .iter()
            .map(|&i| row_codes[i].clone())
            .collect(),
        dropped_cols: test
            .dropped_cols
            .iter()
            .map(|&j| col_codes[j].clone())
            .collect(),
        small_rows: small(&row_totals, &row_codes),
        small_cols: small(&col_totals, &col_codes),
        row_codes,
        col_codes,
        counts,
        row_totals,
        col_totals,
        n,
        missing,
        test,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_association_matrix_agrees_with_each_crosstab() {
        let inst = Instrument::builtin();
        let r = crate::generate::generate(&inst, 3000, 3).unwrap();
        let ids: Vec<String> = ["q2", "q10", "q14", "q17"].map(String::from).to_vec();
        let m = association_matrix(&inst, &r, &ids).unwrap();
        assert_eq!(m.len(), 16);
        for cell in &m {
            let full = crosstab(&inst, &r, &cell.row, &cell.col).unwrap();
            assert_eq!(
                (cell.n, cell.df),
                (full.n, full.test.independence.df),
                "{} × {}",
                cell.row,
                cell.col
            );
            assert_eq!(cell.chi2, full.test.independence.chi2);
            assert_eq!(cell.p, full.test.independence.p);
            assert_eq!(cell.cramers_v, full.test.independence.cramers_v);
        }
        // Mirror pairs test the same association.
        let (ab, ba) = (&m[1], &m[4]);
        assert_eq!((ab.row.as_str(), ab.col.as_str()), ("q2", "q10"));
        assert_eq!((ba.row.as_str(), ba.col.as_str()), ("q10", "q2"));
        assert!((ab.chi2.unwrap() - ba.chi2.unwrap()).abs() < 1e-9 * ab.chi2.unwrap());
        assert_eq!(association_matrix(&inst, &r, &[]).unwrap().len(), 17 * 17);
        assert!(association_matrix(&inst, &r, &["q99".into()]).is_err());
    }

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    fn check(counts: &[&[u64]], chi2: f64, df: u32, p: f64, v: f64) -> TableTest {
        let table: Vec<Vec<u64>> = counts.iter().map(|r| r.to_vec()).collect();
        let t = test_table(&table);
        assert!(
            rel(t.independence.chi2.expect("chi2"), chi2) < 1e-8,
            "chi2 {:?} vs {chi2}",
            t.independence.chi2
        );
        assert_eq!(t.independence.df, Some(df));
        assert!(
            rel(t.independence.p.expect("p"), p) < 1e-8,
            "p {:?} vs {p}",
            t.independence.p
        );
        assert!(
            rel(t.independence.cramers_v.expect("v"), v) < 1e-8,
            "V {:?} vs {v}",
            t.independence.cramers_v
        );
        t
    }

    // Reference values: docs/statistics.md §2, computed with
    // scipy.stats.chi2_contingency(correction=False) and
    // scipy.stats.contingency.association(method='cramer').

    #[test]
    fn scipy_docs_table() {
        let t = check(
            &[&[10, 10, 20], &[20, 20, 20]],
            2.777_777_78,
            2,
            0.249_352_209,
            0.166_666_667,
        );
        assert!(
            rel(
                t.independence.cramers_v_corrected.expect("vbc"),
                0.087_481_776_5
            ) < 1e-8
        );
        assert_eq!(t.expected[0], [Some(12.0), Some(12.0), Some(16.0)]);
        assert!(rel(t.adjusted_residuals[0][2].expect("r").abs(), 1.666_666_67) < 1e-8);
        assert!(rel(t.adjusted_residuals[0][0].expect("r").abs(), 0.890_870_806) < 1e-8);
    }

    #[test]
    fn r_docs_table() {
        // R ?chisq.test `M`: X-squared = 30.07, p = 2.954e-07.
        let t = check(
            &[&[762, 327, 468], &[484, 239, 477]],
            30.070_149_1,
            2,
            2.953_589_18e-7,
            0.104_435_802,
        );
        let res: Vec<f64> = t.adjusted_residuals[0]
            .iter()
            .map(|r| r.expect("r"))
            .collect();
        for (a, b) in res.iter().zip([4.502_053_5, 0.699_451_7, -5.315_945_5]) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn two_by_two_with_fisher_and_warning() {
        // R TeaTasting: chi2 2, p 0.157299207, Fisher 0.485714286; all E = 2 → warn.
        let t = check(&[&[3, 1], &[1, 3]], 2.0, 1, 0.157_299_207, 0.5);
        assert!(rel(t.fisher_p.expect("fisher"), 0.485_714_286) < 1e-8);
        assert!(t.independence.expected_check.expect("check").warning);
        // Property: in a 2×2 every |adjusted residual| = √χ².
        for r in t.adjusted_residuals.iter().flatten() {
            assert!((r.expect("r").abs() - 2f64.sqrt()).abs() < 1e-12);
        }
    }

    #[test]
    fn empty_row_is_dropped() {
        let t = check(
            &[&[5, 3, 0], &[0, 0, 0], &[2, 7, 1]],
            3.709_285_71,
            2,
            0.156_508_829,
            0.453_950_910,
        );
        assert_eq!(t.dropped_rows, [1]);
        let e = t.independence.expected_check.expect("check");
        assert_eq!(e.below_5, 5);
        assert!(e.warning);
    }

    #[test]
    fn sparse_table() {
        let t = check(
            &[&[2, 0, 1], &[1, 3, 0], &[0, 1, 4]],
            10.163_333_3,
            4,
            0.037_764_420_2,
            0.650_747_434,
        );
        assert!(
            rel(
                t.independence.cramers_v_corrected.expect("vbc"),
                0.543_465_673
            ) < 1e-8
        );
        assert_eq!(t.independence.expected_check.expect("check").below_5, 9);
    }

    #[test]
    fn single_row_has_no_test() {
        let t = test_table(&[vec![3, 4], vec![0, 0]]);
        assert_eq!(
            (t.independence.chi2, t.independence.p, t.independence.df),
            (None, None, None)
        );
    }

    #[test]
    fn letters_run_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }
}
