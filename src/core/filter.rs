//! Filters: which responses a view counts (the follow-up list is
//! [`crate::followup`]).
//!
//! A [`Filter`] keeps a response when it passes every condition given:
//! - `answers`: per question id, the answers kept (option letters, or scale
//!   values as text). A response that did not answer a filtered question is
//!   left out, since it cannot be said to have any of the kept answers.
//! - `columns`: per extra column (e.g. `mode`), the values kept, compared after
//!   trimming, case-sensitively.
//! - `from` / `to`: an inclusive range of `YYYY-MM-DD` dates. A response's date
//!   is the first ten characters of the first non-empty of its `date`,
//!   `submitted_at` or `keyed_at` columns; with a range set, a response without
//!   a date is left out (and counted in [`Selection::undated`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, MISSING};
use crate::responses::Responses;

/// The columns a response's date is read from, in order of preference.
pub const DATE_COLUMNS: [&str; 3] = ["date", "submitted_at", "keyed_at"];

/// Which responses a view counts; the empty filter keeps them all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Question id → the answers kept.
    #[serde(default)]
    pub answers: BTreeMap<String, Vec<String>>,
    /// Extra column name → the values kept.
    #[serde(default)]
    pub columns: BTreeMap<String, Vec<String>>,
    /// The first date kept, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: Option<String>,
    /// The last date kept, `YYYY-MM-DD`.
    #[serde(default)]
    pub to: Option<String>,
}

/// The rows a filter keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// Indices of the kept responses, in order.
    pub rows: Vec<u32>,
    /// Responses before filtering.
    pub total: u64,
    /// Responses left out only for having no date while a date range is set.
    pub undated: u64,
}

/// The rows a filter keeps as a column of one option: 0 for a kept row,
/// [`MISSING`] for a dropped one. The counting kernels OR it into each
/// question's codes ([`crate::count::count_codes_where`]), so a view's counts
/// need no copy of the kept rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keep {
    column: Vec<u8>,
    kept: u64,
}

impl Keep {
    /// The keep column `column` (0 kept, [`MISSING`] dropped), its kept rows counted.
    fn new(column: Vec<u8>) -> Keep {
        let kept = column.iter().filter(|&&d| d == 0).count() as u64;
        Keep { column, kept }
    }

    /// One byte per response: 0 kept, [`MISSING`] dropped.
    pub fn column(&self) -> &[u8] {
        &self.column
    }

    /// How many rows are kept.
    pub fn kept(&self) -> u64 {
        self.kept
    }

    /// The rows both keep.
    pub fn and(&self, other: &Keep) -> Keep {
        Keep::new(
            self.column
                .iter()
                .zip(&other.column)
                .map(|(a, b)| a | b)
                .collect(),
        )
    }

    /// Whether row `r` is kept.
    pub fn keeps(&self, r: usize) -> bool {
        self.column.get(r) == Some(&0)
    }

    /// `codes` with every dropped row's code turned into MISSING.
    pub fn mask(&self, codes: &[u8]) -> Vec<u8> {
        crate::count::masked_codes(codes, &self.column)
    }

    /// The kept rows' indices, in order.
    pub fn rows(&self) -> Vec<u32> {
        let mut rows = Vec::with_capacity(self.kept as usize);
        rows.extend(
            self.column
                .iter()
                .enumerate()
                .filter(|&(_, &d)| d == 0)
                .map(|(r, _)| r as u32),
        );
        rows
    }

    /// The indices in the whole set of the kept rows numbered `rows` among
    /// the kept (ascending, as a list of the view's rows is), or `None` if one
    /// is past the last kept row or they are not in order. One pass that skips
    /// 64 rows at a time by counting their kept bytes, instead of listing
    /// every kept row to pick a few.
    pub fn base_rows(&self, rows: &[u32]) -> Option<Vec<u32>> {
        if !rows.is_sorted() {
            return None;
        }
        let mut out = vec![0u32; rows.len()];
        let mut wanted = (0..rows.len()).peekable();
        // `before`: kept rows before the block at `start`.
        let (mut before, mut start) = (0u64, 0usize);
        for block in self.column.chunks(64) {
            let kept = block.iter().filter(|&&d| d == 0).count() as u64;
            while let Some(&i) = wanted.peek() {
                let target = u64::from(rows[i]);
                if target >= before + kept {
                    break;
                }
                // The (target - before)-th kept row of this block.
                let mut left = target - before;
                let at = block.iter().position(|&d| {
                    let hit = d == 0 && left == 0;
                    left = left.wrapping_sub(u64::from(d == 0));
                    hit
                })?;
                out[i] = (start + at) as u32;
                wanted.next();
            }
            before += kept;
            start += block.len();
        }
        wanted.peek().is_none().then_some(out)
    }
}

fn request(code: ProblemCode, message: impl Into<String>, value: &str) -> Error {
    Error::single(
        ErrorKind::Request,
        Problem::new(code, message).with_value(value),
    )
}

/// Checks a `YYYY-MM-DD` bound.
fn date_bound(name: &str, value: &Option<String>) -> Result<Option<String>> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && (1..=12).contains(&v[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&v[8..10].parse::<u8>().unwrap_or(0));
    if !ok {
        return Err(request(
            ProblemCode::Invalid,
            format!("the filter's `{name}` date must be written YYYY-MM-DD"),
            v,
        ));
    }
    Ok(Some(v.to_owned()))
}

impl Filter {
    /// Whether this filter keeps every response (no answer, column or date condition).
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
            && self.columns.is_empty()
            && self.from.is_none()
            && self.to.is_none()
    }

    /// The rows of `responses` this filter keeps; an unknown question, answer,
    /// column or a malformed date is refused, naming it.
    pub fn select(&self, instrument: &Instrument, responses: &Responses) -> Result<Selection> {
        let (keep, undated) = self.keep(instrument, responses)?;
        Ok(Selection {
            rows: keep.rows(),
            total: responses.len() as u64,
            undated,
        })
    }

    /// The rows this filter keeps as a [`Keep`] column, and how many were
    /// left out only for having no date while a date range is set; refused
    /// as [`Filter::select`] is.
    pub fn keep(&self, instrument: &Instrument, responses: &Responses) -> Result<(Keep, u64)> {
        let n = responses.len();
        // 0 kept, MISSING dropped: each condition ORs in its verdict.
        let mut drop = vec![0u8; n];
        for (qid, kept) in &self.answers {
            let (q, question) = instrument.question(qid)?;
            let mut dropped = [MISSING; 256];
            for answer in kept {
                match question.parse_answer(answer) {
                    Ok(MISSING) | Err(_) => {
                        return Err(request(
                            ProblemCode::UnknownOption,
                            format!("{} has no answer {answer:?} to filter on", question.id),
                            answer,
                        ))
                    }
                    Ok(code) => dropped[usize::from(code)] = 0,
                }
            }
            for (d, &code) in drop.iter_mut().zip(responses.column(q)) {
                *d |= dropped[usize::from(code)];
            }
        }
        for (name, kept) in &self.columns {
            let column = responses
                .extras()
                .iter()
                .find(|c| c.name == *name)
                .ok_or_else(|| {
                    request(
                        ProblemCode::UnknownName,
                        format!("the responses have no column {name:?} to filter on"),
                        name,
                    )
                })?;
            let keeps = column
                .values
                .map_rows(|v| kept.iter().any(|want| want.trim() == v.trim()));
            for (d, keeps) in drop.iter_mut().zip(keeps) {
                if !keeps {
                    *d = MISSING;
                }
            }
        }
        let from = date_bound("from", &self.from)?;
        let to = date_bound("to", &self.to)?;
        let mut undated = 0;
        if from.is_some() || to.is_some() {
            let dates = dates(responses);
            for (r, d) in drop.iter_mut().enumerate() {
                if *d != 0 {
                    continue;
                }
                match dates.as_ref().and_then(|f| f(r)) {
                    None => {
                        undated += 1;
                        *d = MISSING;
                    }
                    Some(day) => {
                        let inside = from.as_deref().is_none_or(|f| day >= f)
                            && to.as_deref().is_none_or(|t| day <= t);
                        if !inside {
                            *d = MISSING;
                        }
                    }
                }
            }
        }
        Ok((Keep::new(drop), undated))
    }
}

/// Whether the responses have a column the date filter reads
/// ([`DATE_COLUMNS`], any case): the dashboard offers the date range only then.
pub fn has_dates(responses: &Responses) -> bool {
    dates(responses).is_some()
}

/// A function giving row r's date (`YYYY-MM-DD`), or `None` when the
/// responses have no date column at all.
pub(crate) fn dates<'a>(
    responses: &'a Responses,
) -> Option<impl Fn(usize) -> Option<&'a str> + 'a> {
    let columns: Vec<&crate::column::TextColumn> = DATE_COLUMNS
        .iter()
        .filter_map(|want| {
            responses
                .extras()
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(want))
                .map(|c| &c.values)
        })
        .collect();
    if columns.is_empty() {
        return None;
    }
    Some(move |r: usize| {
        columns
            .iter()
            .map(|c| c[r].trim())
            .find(|v| !v.is_empty())
            .and_then(|v| v.get(..10))
    })
}

/// The distinct non-empty values of an extra column (e.g. `mode`), sorted, at most `limit`.
pub fn distinct(responses: &Responses, column: &str, limit: usize) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    if let Some(c) = responses.extras().iter().find(|c| c.name == column) {
        for v in &c.values {
            let v = v.trim();
            if !v.is_empty() && !seen.contains(v) {
                seen.insert(v.to_owned());
                if seen.len() >= limit {
                    break;
                }
            }
        }
    }
    seen.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Picking the view's rows (ascending) by counting blocks gives the
        /// rows the list of every kept row gives, and refuses the same ones;
        /// rows out of order are left to the caller's copy.
        #[test]
        fn base_rows_are_the_listed_kept_rows(
            dropped in proptest::collection::vec(proptest::bool::weighted(0.6), 0..400),
            asked in proptest::collection::vec(0u32..300, 0..20),
        ) {
            let keep = Keep::new(dropped.iter().map(|&d| if d { MISSING } else { 0 }).collect());
            let listed = keep.rows();
            if !asked.is_sorted() {
                proptest::prop_assert_eq!(keep.base_rows(&asked), None);
            }
            let mut asked = asked;
            asked.sort_unstable();
            let want: Option<Vec<u32>> =
                asked.iter().map(|&r| listed.get(r as usize).copied()).collect();
            proptest::prop_assert_eq!(keep.base_rows(&asked), want);
        }
    }

    #[test]
    fn the_date_range_is_offered_only_with_a_date_column() {
        let inst = Instrument::builtin();
        let with = |extra: &str| {
            let r = Responses::new(&inst, &[extra]).unwrap();
            has_dates(&r)
        };
        assert!(with("date"));
        assert!(with("Submitted_At"));
        assert!(with("keyed_at"));
        assert!(!with("mode"));
        assert!(!with("dated"));
    }

    const HEADER: &str =
        "id,mode,date,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n";

    fn store(rows: &[&str]) -> (Instrument, Responses) {
        let inst = Instrument::builtin();
        let mut csv = String::from(HEADER);
        for r in rows {
            csv.push_str(r);
            csv.push('\n');
        }
        let responses = Responses::from_csv(&inst, csv.as_bytes()).expect("valid");
        (inst, responses)
    }

    fn rows(f: &Filter, inst: &Instrument, r: &Responses) -> Vec<u32> {
        f.select(inst, r).expect("valid filter").rows
    }

    #[test]
    fn answers_columns_and_dates_combine() {
        let (inst, r) = store(&[
            "a,paper,2023-05-01,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,3",
            "b,online,2023-05-20,B,B,B,B,B,B,B,B,B,B,D,B,B,B,B,B,9",
            "c,online,,A,C,,A,A,A,A,A,A,C,A,A,A,A,A,A,6",
            "d,paper,2023-06-02T10:00:00Z,A,B,A,A,A,A,A,A,A,B,D,A,A,A,A,A,0",
        ]);
        assert_eq!(rows(&Filter::default(), &inst, &r), [0, 1, 2, 3]);
        let mut f = Filter::default();
        f.answers.insert("q1".into(), vec!["a".into()]);
        assert_eq!(rows(&f, &inst, &r), [0, 2, 3]);
        // Unanswered Q3 cannot pass a filter on Q3.
        f.answers.insert("q3".into(), vec!["A".into(), "B".into()]);
        assert_eq!(rows(&f, &inst, &r), [0, 3]);
        f.columns.insert("mode".into(), vec!["paper".into()]);
        assert_eq!(rows(&f, &inst, &r), [0, 3]);
        let mut f = Filter {
            from: Some("2023-05-10".into()),
            ..Filter::default()
        };
        let sel = f.select(&inst, &r).unwrap();
        assert_eq!((sel.rows, sel.undated, sel.total), (vec![1, 3], 1, 4));
        f.to = Some("2023-05-31".into());
        assert_eq!(rows(&f, &inst, &r), [1]);
        // A scale answer filters by its value.
        let f = Filter {
            answers: [("q17".into(), vec!["9".into(), "10".into()])].into(),
            ..Filter::default()
        };
        assert_eq!(rows(&f, &inst, &r), [1]);
    }

    #[test]
    fn bad_filters_name_what_is_wrong() {
        let (inst, r) = store(&["a,paper,2023-05-01,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,3"]);
        let err = |f: Filter| f.select(&inst, &r).unwrap_err().problems()[0].clone();
        let p = err(Filter {
            answers: [("q2".into(), vec!["Z".into()])].into(),
            ..Filter::default()
        });
        assert_eq!(
            (p.code, p.value.as_deref()),
            (ProblemCode::UnknownOption, Some("Z"))
        );
        let p = err(Filter {
            answers: [("q99".into(), vec!["A".into()])].into(),
            ..Filter::default()
        });
        assert_eq!(
            (p.code, p.value.as_deref()),
            (ProblemCode::UnknownName, Some("q99"))
        );
        let p = err(Filter {
            columns: [("branch".into(), vec!["X".into()])].into(),
            ..Filter::default()
        });
        assert_eq!(
            (p.code, p.value.as_deref()),
            (ProblemCode::UnknownName, Some("branch"))
        );
        let p = err(Filter {
            from: Some("2023-13-01".into()),
            ..Filter::default()
        });
        assert_eq!(
            (p.code, p.value.as_deref()),
            (ProblemCode::Invalid, Some("2023-13-01"))
        );
    }

    #[test]
    fn distinct_lists_a_columns_values_sorted_up_to_a_limit() {
        let (_, r) = store(&[
            "a,paper,,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,3",
            "c,online,,A,C,A,A,A,A,A,A,A,C,A,A,A,A,A,A,6",
            "d,paper,,A,B,A,A,A,A,A,A,A,B,D,A,A,A,A,A,0",
        ]);
        assert_eq!(distinct(&r, "mode", 10), ["online", "paper"]);
        assert_eq!(distinct(&r, "mode", 1), ["paper"]);
        assert!(distinct(&r, "branch", 10).is_empty());
    }
}
