//! NPS trends: the Net Promoter Score of each month, quarter or ISO week, with
//! its interval and the test of each change.
//!
//! - **A response's date** is read from one column: the one named, or else the
//!   first non-empty of [`DATE_COLUMNS`] (`date`, `submitted_at`, `keyed_at`)
//!   in that row, as the date filter does. The value, trimmed, must be
//!   `YYYY-MM-DD` (a real day of the Gregorian calendar, year 0001–9999),
//!   optionally followed by `T…`; the date is its first ten characters, with
//!   no time-zone conversion (`2024-03-01T02:00:00+08:00` is 2024-03-01).
//!   Anything else (`2023-02-30`, `2023/05/01`, `yesterday`, empty) is
//!   *undated*: such rows are counted in [`Trend::undated`], answered or not,
//!   and belong to no period. (The date filter in [`crate::filter`] takes the
//!   first ten characters without this check.)
//! - **Periods**: `2023-01` (month), `2023-Q1` (quarter, months 1–3 …),
//!   `2023-W01` (ISO 8601 week, Monday to Sunday, numbered in its ISO
//!   week-numbering year: 2023-01-01 is 2022-W52, 2024-12-30 is 2025-W01).
//!   Listed in time order; a period in which no dated response answered the
//!   NPS question is left out.
//! - **Each period's NPS** is [`scoring::nps`]'s over that period's rows: the
//!   plain NPS, and the adjusted-Wald 95% interval (n' = n + 3, ¾ promoter and
//!   ¾ detractor added; see [`NpsInterval`](crate::scoring::NpsInterval)).
//! - **Each change** is against the previous period *listed* (after a month
//!   with no answered NPS question, the next is compared with the one before
//!   it): `change` = NPS − previous NPS (plain), `p` the two-sided p of the
//!   adjusted-Wald z test ([`scoring::nps_difference`], the same test as
//!   `manyi nps A --compare B`), significant when p < 0.05. One test per
//!   change, no correction for multiple comparisons. The first period has no
//!   change (`null`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::column::{Indices, TextColumn};
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
pub use crate::filter::DATE_COLUMNS;
use crate::instrument::Instrument;
use crate::responses::Responses;
use crate::scoring::{self, Nps};

/// Days and their strict reading are `date.rs`'s; named here as before.
pub use crate::date::{parse as parse_date, Day};

/// How responses are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar months: `2023-01`.
    Month,
    /// Calendar quarters (January–March is Q1): `2023-Q1`.
    Quarter,
    /// ISO 8601 weeks, Monday to Sunday: `2023-W01`.
    Week,
}

impl Period {
    /// The names [`Period::parse`] accepts, in the order they are offered.
    pub const NAMES: [&'static str; 3] = ["month", "quarter", "week"];

    /// `month`, `quarter` or `week` (any case, spaces trimmed); anything else
    /// is refused, naming the three.
    pub fn parse(text: &str) -> Result<Period> {
        match text.trim().to_ascii_lowercase().as_str() {
            "month" => Ok(Period::Month),
            "quarter" => Ok(Period::Quarter),
            "week" => Ok(Period::Week),
            _ => Err(Error::single(
                ErrorKind::Request,
                Problem::new(
                    ProblemCode::Invalid,
                    "unknown period: use month, quarter or week",
                )
                .with_value(text)
                .expecting(Period::NAMES.join(" ")),
            )),
        }
    }

    /// A sortable key: (year, month / quarter / week).
    fn key(self, day: Day) -> (i32, u8) {
        match self {
            Period::Month => (day.year, day.month),
            Period::Quarter => (day.year, (day.month - 1) / 3 + 1),
            Period::Week => day.iso_week(),
        }
    }

    fn label(self, (year, index): (i32, u8)) -> String {
        match self {
            Period::Month => format!("{year:04}-{index:02}"),
            Period::Quarter => format!("{year:04}-Q{index}"),
            Period::Week => format!("{year:04}-W{index:02}"),
        }
    }

    /// The period `day` falls in: `2023-01`, `2023-Q1` or `2023-W01`.
    pub fn of(self, day: Day) -> String {
        self.label(self.key(day))
    }
}

/// One period's NPS and the test of its change from the previous period listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPeriod {
    /// `2023-01`, `2023-Q1` or `2023-W01`.
    pub period: String,
    /// How many of the period's responses answered the NPS question (≥ 1).
    pub n: u64,
    /// The plain NPS, % promoters − % detractors, in points.
    pub nps: f64,
    /// The adjusted-Wald 95% interval, in points, as the formula gives it
    /// (centred on NPS', it can pass ±100; clamp only for display).
    pub ci95: [f64; 2],
    /// NPS − the previous listed period's NPS (plain); `None` for the first.
    pub change: Option<f64>,
    /// The adjusted-Wald two-sided p of the change; `None` for the first.
    pub p: Option<f64>,
    /// p < 0.05; `None` for the first.
    pub significant: Option<bool>,
}

/// NPS per period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The periods with at least one answered NPS question, in time order.
    pub periods: Vec<TrendPeriod>,
    /// Rows whose date is empty or unparseable, answered or not.
    pub undated: u64,
}

/// Where each row's date is read: the first non-empty of these columns.
struct RowDates<'a> {
    columns: Vec<&'a TextColumn>,
}

/// The extra columns' names, for error messages.
fn column_names(responses: &Responses) -> Vec<&str> {
    responses.extras().iter().map(|e| e.name.as_str()).collect()
}

fn row_dates<'a>(responses: &'a Responses, date_column: Option<&str>) -> Result<RowDates<'a>> {
    let find = |want: &str| {
        responses
            .extras()
            .iter()
            .find(|e| e.name.trim().eq_ignore_ascii_case(want.trim()))
            .map(|e| &e.values)
    };
    let columns: Vec<&TextColumn> = match date_column {
        Some(name) => {
            let column = find(name).ok_or_else(|| {
                let there = column_names(responses);
                let message = if there.is_empty() {
                    "no column by that name: the responses have no columns besides id and the questions".to_owned()
                } else {
                    format!("no column by that name to read dates from; the columns besides id and the questions are {}", there.join(", "))
                };
                Error::single(
                    ErrorKind::Request,
                    Problem::new(ProblemCode::UnknownName, message)
                        .with_value(name)
                        .expecting(there.join(" ")),
                )
            })?;
            vec![column]
        }
        None => DATE_COLUMNS.iter().filter_map(|c| find(c)).collect(),
    };
    if columns.is_empty() {
        let there = column_names(responses);
        let mut message = format!(
            "the responses have no date column ({}); name the column that holds the dates",
            DATE_COLUMNS.join(", ")
        );
        if !there.is_empty() {
            message.push_str(&format!(
                " (their columns besides id and the questions are {})",
                there.join(", ")
            ));
        }
        return Err(Error::single(
            ErrorKind::Request,
            Problem::new(ProblemCode::MissingColumn, message).expecting(DATE_COLUMNS.join(" ")),
        ));
    }
    Ok(RowDates { columns })
}

/// NPS per `period`, reading dates from `date_column` (matched ignoring case)
/// or, when `None`, from the first non-empty of [`DATE_COLUMNS`] in each row.
///
/// Refused, naming what is wrong: an instrument without an NPS question, an
/// unknown column (the error lists the columns there are), or, with no column
/// named, responses with none of [`DATE_COLUMNS`].
pub fn trend(
    instrument: &Instrument,
    responses: &Responses,
    date_column: Option<&str>,
    period: Period,
) -> Result<Trend> {
    trend_where(instrument, responses, date_column, period, None)
}

/// [`trend`] of the rows `keep` keeps (every row if `None`), counted in place.
pub fn trend_where(
    instrument: &Instrument,
    responses: &Responses,
    date_column: Option<&str>,
    period: Period,
    keep: Option<&crate::filter::Keep>,
) -> Result<Trend> {
    let q = scoring::nps_question(instrument, responses)?;
    let nq = &instrument.questions()[q];
    let dates = row_dates(responses, date_column)?;
    let codes = responses.column(q);
    let k = nq.len();
    // Each date column's distinct values are read once, each to the slot of
    // its period (or: empty, read the next column; unreadable, undated); a
    // row then costs a lookup per column and an increment.
    const EMPTY: u32 = u32::MAX;
    const UNDATED: u32 = u32::MAX - 1;
    let mut slots: BTreeMap<(i32, u8), u32> = BTreeMap::new();
    let columns: Vec<(Vec<u32>, Indices)> = dates
        .columns
        .iter()
        .map(|c| {
            let (distinct, index) = c.parts();
            let per = distinct
                .iter()
                .map(|v| {
                    let v = v.trim();
                    if v.is_empty() {
                        return EMPTY;
                    }
                    parse_date(v).map_or(UNDATED, |day| {
                        let next = slots.len() as u32;
                        *slots.entry(period.key(day)).or_insert(next)
                    })
                })
                .collect();
            (per, index)
        })
        .collect();
    // The table of slot × NPS code: slots 0..s are the periods, `s` holds the
    // undated rows and `s + 1` those the filter drops; a code past the scale
    // (unanswered) is the last cell of its slot's row. A row costs lookups and
    // one increment, without a branch on what it holds.
    let s = slots.len();
    let (undated_slot, dropped_slot) = (s as u32, s as u32 + 1);
    let width = k + 1;
    let mut table = vec![0u64; (s + 2) * width];
    let keep = keep.map(|k| k.column());
    match &columns[..] {
        [(per, index)] => {
            let per: Vec<u32> = per
                .iter()
                .map(|&slot| if slot >= UNDATED { undated_slot } else { slot })
                .collect();
            // One loop per index width, so that a row's look-up has no branch on it.
            match *index {
                Indices::U8(ix) => tally(&mut table, width, codes, keep, dropped_slot, |r| {
                    per[usize::from(ix[r])]
                }),
                Indices::U16(ix) => tally(&mut table, width, codes, keep, dropped_slot, |r| {
                    per[usize::from(ix[r])]
                }),
                Indices::U32(ix) => tally(&mut table, width, codes, keep, dropped_slot, |r| {
                    per[ix[r] as usize]
                }),
            }
        }
        _ => tally(&mut table, width, codes, keep, dropped_slot, |r| {
            columns
                .iter()
                .map(|(per, index)| per[index.get(r) as usize])
                .find(|&slot| slot != EMPTY)
                .filter(|&slot| slot != UNDATED)
                .unwrap_or(undated_slot)
        }),
    }
    let undated: u64 = table[s * width..(s + 1) * width].iter().sum();
    let scores: Vec<u64> = (0..s)
        .flat_map(|slot| table[slot * width..slot * width + k].iter().copied())
        .collect();
    let missing: Vec<u64> = (0..s).map(|slot| table[slot * width + k]).collect();
    let groups = slots.into_iter().map(|(key, slot)| {
        let slot = slot as usize;
        (
            key,
            (scores[slot * k..(slot + 1) * k].to_vec(), missing[slot]),
        )
    });
    let mut periods = Vec::new();
    let mut previous: Option<Nps> = None;
    for (key, (scores, missing)) in groups {
        let nps = scoring::nps_from_scores(&nq.id, &scores, missing);
        let (Some(plain), Some(adjusted)) = (nps.nps, nps.adjusted.as_ref()) else {
            continue; // no answered NPS question this period
        };
        let difference = previous
            .as_ref()
            .and_then(|before| scoring::nps_difference(&nps, before));
        periods.push(TrendPeriod {
            period: period.label(key),
            n: nps.n,
            nps: plain,
            ci95: adjusted.ci95,
            change: difference.as_ref().map(|d| d.delta),
            p: difference.as_ref().and_then(|d| d.p()),
            significant: difference.as_ref().map(|d| d.significant()),
        });
        previous = Some(nps);
    }
    Ok(Trend { periods, undated })
}

/// Adds each row to `table` (`width` cells per slot): the cell of its slot
/// (`slot(r)`, or `dropped` where `keep` drops it) and its code, clamped to
/// the slot's last cell.
fn tally(
    table: &mut [u64],
    width: usize,
    codes: &[u8],
    keep: Option<&[u8]>,
    dropped: u32,
    slot: impl Fn(usize) -> u32,
) {
    let last = width - 1;
    match keep {
        Some(keep) => {
            for (r, (&code, &drop)) in codes.iter().zip(keep).enumerate() {
                let s = if drop == 0 { slot(r) } else { dropped };
                table[s as usize * width + usize::from(code).min(last)] += 1;
            }
        }
        None => {
            for (r, &code) in codes.iter().enumerate() {
                table[slot(r) as usize * width + usize::from(code).min(last)] += 1;
            }
        }
    }
}

/// The extra columns that hold dates: those with at least one non-empty value
/// and more than half of their non-empty values readable by [`parse_date`];
/// [`DATE_COLUMNS`] first in that order, then the others as in the file.
pub fn date_columns(responses: &Responses) -> Vec<String> {
    let holds_dates = |column: &TextColumn| {
        let (mut filled, mut dated) = (0u64, 0u64);
        for v in column.iter().map(str::trim).filter(|v| !v.is_empty()) {
            filled += 1;
            dated += u64::from(parse_date(v).is_some());
        }
        filled > 0 && 2 * dated > filled
    };
    let rank = |name: &str| {
        DATE_COLUMNS
            .iter()
            .position(|d| name.trim().eq_ignore_ascii_case(d))
            .unwrap_or(DATE_COLUMNS.len())
    };
    let mut found: Vec<(usize, usize, &str)> = responses
        .extras()
        .iter()
        .enumerate()
        .filter(|(_, e)| holds_dates(&e.values))
        .map(|(i, e)| (rank(&e.name), i, e.name.as_str()))
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, _, n)| n.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A date cell of the property test (whose rows are q1: 0 = A, 1 = B;
    /// q17: 11 = unanswered; `date` and `submitted_at`): 0 empty, 1 not a
    /// date, else a day of 2023–2024.
    fn cell(v: u16) -> String {
        match v {
            0 => String::new(),
            1 => "not a date".to_owned(),
            v => {
                let (year, month, day) = (2023 + v % 2, 1 + (v / 2) % 12, 1 + (v / 24) % 28);
                format!("{year}-{month:02}-{day:02}")
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The slot table (a lookup and an increment per row) gives the
        /// periods, their n and NPS, and the undated count worked out row by
        /// row, with one date column or two, filtered or not.
        #[test]
        fn the_trend_table_equals_the_row_by_row_count(
            rows in proptest::collection::vec((0u8..2, 0u8..12, 0u16..700, 0u16..700), 0..120),
            two_columns in proptest::bool::ANY,
            filter_on in proptest::option::of(0u8..2),
            period in proptest::sample::select(vec![Period::Month, Period::Quarter, Period::Week]),
        ) {
            let inst = Instrument::builtin();
            let mut csv = String::from("id,date");
            if two_columns {
                csv.push_str(",submitted_at");
            }
            for q in 1..=17 {
                csv.push_str(&format!(",q{q}"));
            }
            csv.push('\n');
            for (i, &(q1, q17, date, submitted)) in rows.iter().enumerate() {
                csv.push_str(&format!("r{i},{}", cell(date)));
                if two_columns {
                    csv.push_str(&format!(",{}", cell(submitted)));
                }
                csv.push_str(&format!(",{}", ["A", "B"][usize::from(q1)]));
                csv.push_str(&",".repeat(15));
                if q17 < 11 {
                    csv.push_str(&format!(",{q17}"));
                } else {
                    csv.push(',');
                }
                csv.push('\n');
            }
            let all = Responses::from_csv(&inst, csv.as_bytes()).expect("valid CSV");
            let mut view = crate::view::View::new(all);
            if let Some(code) = filter_on {
                let filter = crate::Filter {
                    answers: [("q1".to_owned(), vec![["A", "B"][usize::from(code)].to_owned()])].into(),
                    ..crate::Filter::default()
                };
                view = view.filtered(&inst, &filter).expect("a valid filter");
            }
            let got = view.trend(&inst, None, period).expect("trend");
            // Row by row: (answered, promoters, detractors) per period.
            let mut want: BTreeMap<(i32, u8), (u64, i64, i64)> = BTreeMap::new();
            let mut undated = 0u64;
            for &(q1, q17, date, submitted) in &rows {
                if filter_on.is_some_and(|code| code != q1) {
                    continue;
                }
                let cells = if two_columns { vec![date, submitted] } else { vec![date] };
                let first = cells.into_iter().map(cell).find(|c| !c.is_empty());
                let Some(day) = first.and_then(|c| parse_date(&c)) else {
                    undated += 1;
                    continue;
                };
                let e = want.entry(period.key(day)).or_default();
                if q17 < 11 {
                    e.0 += 1;
                    e.1 += i64::from(q17 >= 9);
                    e.2 += i64::from(q17 <= 6);
                }
            }
            proptest::prop_assert_eq!(got.undated, undated);
            let want: Vec<(String, u64, f64)> = want
                .into_iter()
                .filter(|(_, (n, _, _))| *n > 0)
                .map(|(key, (n, p, d))| (period.label(key), n, 100.0 * (p - d) as f64 / n as f64))
                .collect();
            proptest::prop_assert_eq!(got.periods.len(), want.len());
            for (g, (label, n, nps)) in got.periods.iter().zip(&want) {
                proptest::prop_assert_eq!(&g.period, label);
                proptest::prop_assert_eq!(g.n, *n);
                proptest::prop_assert!((g.nps - nps).abs() < 1e-9, "{}: {} vs {}", label, g.nps, nps);
            }
        }
    }

    fn day(s: &str) -> Day {
        parse_date(s).expect(s)
    }

    #[test]
    fn dates_are_read_strictly() {
        assert_eq!(
            parse_date(" 2024-02-29 "),
            Some(Day {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(day("2024-03-01T02:00:00+08:00"), day("2024-03-01"));
        assert_eq!(day("2023-12-31T23:59:59Z").month, 12);
        for bad in [
            "",
            "2023-02-29",
            "1900-02-29",
            "2023-02-30",
            "2023-04-31",
            "2023-13-01",
            "2023-00-10",
            "2023-01-00",
            "0000-01-01",
            "2023/05/01",
            "2023-5-1",
            "2023-05-01 10:00",
            "yesterday",
            "２０２３-01-01",
            "2023-01-0１",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        assert!(parse_date("2000-02-29").is_some());
    }

    #[test]
    fn days_count_from_the_epoch() {
        assert_eq!(day("1970-01-01").days(), 0);
        assert_eq!(day("2000-03-01").days(), 11_017);
        assert_eq!(day("1969-12-31").days(), -1);
    }

    #[test]
    fn iso_weeks_at_year_ends() {
        // From ISO 8601's rule (the week of the year's first Thursday is W01),
        // checked against Python's date.isocalendar().
        for (date, week) in [
            ("2023-01-01", (2022, 52)),
            ("2023-01-02", (2023, 1)),
            ("2024-12-29", (2024, 52)),
            ("2024-12-30", (2025, 1)),
            ("2020-12-31", (2020, 53)),
            ("2021-01-03", (2020, 53)),
            ("2021-01-04", (2021, 1)),
            ("2026-01-01", (2026, 1)),
            ("0001-01-01", (1, 1)),
            ("9999-12-31", (9999, 52)),
        ] {
            assert_eq!(day(date).iso_week(), week, "{date}");
        }
    }

    #[test]
    fn period_labels() {
        assert_eq!(Period::Month.of(day("2023-01-31")), "2023-01");
        assert_eq!(Period::Quarter.of(day("2023-03-31")), "2023-Q1");
        assert_eq!(Period::Quarter.of(day("2023-04-01")), "2023-Q2");
        assert_eq!(Period::Quarter.of(day("2023-12-31")), "2023-Q4");
        assert_eq!(Period::Week.of(day("2023-01-09")), "2023-W02");
        assert_eq!(Period::Week.of(day("2023-01-01")), "2022-W52");
    }

    #[test]
    fn periods_parse_or_name_the_choices() {
        assert_eq!(Period::parse(" Quarter").ok(), Some(Period::Quarter));
        let e = Period::parse("year").expect_err("unknown period");
        let text = e.to_string();
        assert!(
            text.contains("month, quarter or week") && text.contains("year"),
            "{text}"
        );
        assert_eq!(
            e.problems()[0].expected.as_deref(),
            Some("month quarter week")
        );
    }
}
