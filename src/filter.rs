//! Filters and the follow-up list: which responses a view counts, and which
//! customers the branch should call back.
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
//!
//! The follow-up list holds the detractors (0–6 on the NPS question) and marks,
//! for each, the instrument's follow-up rules they meet (for the built-in one:
//! no relationship manager, Q10 B or C; almost no contact, Q11 D). A rule
//! written with `when` (a condition tree: see
//! [`Condition`](crate::instrument::Condition)) lists every response meeting
//! it, detractor or not; a rule of the first form only marks detractors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, Lang, MISSING};
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
        let n = responses.len();
        let mut keep = vec![true; n];
        for (qid, kept) in &self.answers {
            let (q, question) = instrument.question(qid)?;
            let mut allowed = vec![false; question.len()];
            for answer in kept {
                match question.parse_answer(answer) {
                    Ok(MISSING) | Err(_) => {
                        return Err(request(
                            ProblemCode::UnknownOption,
                            format!("{} has no answer {answer:?} to filter on", question.id),
                            answer,
                        ))
                    }
                    Ok(code) => allowed[usize::from(code)] = true,
                }
            }
            for (k, &code) in keep.iter_mut().zip(responses.column(q)) {
                *k &= code != MISSING && allowed[usize::from(code)];
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
            for (k, v) in keep.iter_mut().zip(&column.values) {
                *k &= kept.iter().any(|want| want.trim() == v.trim());
            }
        }
        let from = date_bound("from", &self.from)?;
        let to = date_bound("to", &self.to)?;
        let mut undated = 0;
        if from.is_some() || to.is_some() {
            let dates = dates(responses);
            for (r, k) in keep.iter_mut().enumerate() {
                if !*k {
                    continue;
                }
                match dates.as_ref().and_then(|d| d(r)) {
                    None => {
                        undated += 1;
                        *k = false;
                    }
                    Some(day) => {
                        *k = from.as_deref().is_none_or(|f| day >= f)
                            && to.as_deref().is_none_or(|t| day <= t);
                    }
                }
            }
        }
        let rows = (0..n as u32).filter(|&r| keep[r as usize]).collect();
        Ok(Selection {
            rows,
            total: n as u64,
            undated,
        })
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

/// One response on the follow-up list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    /// The response's row.
    pub row: u32,
    /// The response id.
    pub id: String,
    /// The NPS answer (0–10), if the response gave one.
    pub score: Option<u8>,
    /// Whether the response is a detractor (0–6).
    pub detractor: bool,
    /// The ids of the instrument's follow-up rules this response meets.
    pub flags: Vec<String>,
}

/// The follow-up list, in row order: every detractor (0–6 on the NPS
/// question), with the rules of the first form (`question`, `options`) each
/// meets, and every response meeting a rule of the second form (`when`),
/// detractor or not, with those rules too.
pub fn follow_up(instrument: &Instrument, responses: &Responses) -> Result<Vec<FollowUp>> {
    let nps = instrument.nps();
    let rules = instrument.follow_up();
    let mut out = Vec::new();
    for r in 0..responses.len() {
        let score = nps
            .map(|q| responses.column(q)[r])
            .filter(|&c| c != MISSING);
        let detractor = score.is_some_and(|c| c <= 6);
        let flags: Vec<String> = rules
            .iter()
            .filter(|rule| (detractor || !rule.detractors_only) && rule.when.holds(responses, r))
            .map(|rule| rule.id.clone())
            .collect();
        let flagged = detractor
            || rules
                .iter()
                .any(|rule| !rule.detractors_only && flags.contains(&rule.id));
        if flagged {
            out.push(FollowUp {
                row: r as u32,
                id: responses.ids()[r].to_owned(),
                score,
                detractor,
                flags,
            });
        }
    }
    Ok(out)
}

/// Why a response is on the follow-up list, in `lang`: the labels of the
/// rules it meets, in the instrument's order, then "detractor (scored N)"
/// if it is one.
pub fn reasons(instrument: &Instrument, f: &FollowUp, lang: Lang) -> Vec<String> {
    let mut why: Vec<String> = instrument
        .follow_up()
        .iter()
        .filter(|r| f.flags.contains(&r.id))
        .map(|r| r.label.get(lang).to_owned())
        .collect();
    if let (true, Some(score)) = (f.detractor, f.score) {
        why.push(match lang {
            Lang::En => format!("detractor (scored {score})"),
            Lang::ZhCn => format!("贬损者（打分 {score}）"),
        });
    }
    why
}

/// How reasons are joined in one cell: "；" in Chinese, "; " in English.
pub fn join_reasons(reasons: &[String], lang: Lang) -> String {
    reasons.join(if lang == Lang::En { "; " } else { "；" })
}

/// The follow-up list as a labelled CSV for the branch to call back: every
/// listed response's row, with a last column `follow_up_reason` saying why
/// the person is on the list ([`reasons`], joined with "；" in Chinese or
/// "; " in English).
pub fn follow_up_csv(
    instrument: &Instrument,
    responses: &Responses,
    lang: Lang,
    bom: bool,
) -> Result<Vec<u8>> {
    let list = follow_up(instrument, responses)?;
    let rows: Vec<u32> = list.iter().map(|f| f.row).collect();
    let reasons: Vec<String> = list
        .iter()
        .map(|f| join_reasons(&reasons(instrument, f, lang), lang))
        .collect();
    responses.select(&rows)?.to_labelled_csv_with(
        instrument,
        lang,
        bom,
        "follow_up_reason",
        &reasons,
    )
}

/// The follow-up list for display: how many detractors, how many meet each
/// rule, and the first `limit` of them (the whole list goes to exports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpList {
    /// Detractors in all.
    pub count: u64,
    /// Rule id → detractors meeting it.
    pub by_flag: BTreeMap<String, u64>,
    /// Detractors meeting at least one rule.
    pub flagged: u64,
    /// The first `limit` detractors, in row order.
    pub items: Vec<FollowUp>,
}

/// The follow-up list summarised, with its first `limit` entries.
pub fn follow_up_list(
    instrument: &Instrument,
    responses: &Responses,
    limit: usize,
) -> Result<FollowUpList> {
    let mut all = follow_up(instrument, responses)?;
    let mut by_flag: BTreeMap<String, u64> = instrument
        .follow_up()
        .iter()
        .map(|r| (r.id.clone(), 0))
        .collect();
    for f in &all {
        for flag in &f.flags {
            *by_flag.entry(flag.clone()).or_default() += 1;
        }
    }
    let flagged = all.iter().filter(|f| !f.flags.is_empty()).count() as u64;
    let count = all.len() as u64;
    all.truncate(limit);
    Ok(FollowUpList {
        count,
        by_flag,
        flagged,
        items: all,
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
    fn the_follow_up_csv_says_why_each_person_is_on_it() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../www/demo/zg-x-branch-2023.csv");
        let r = Responses::from_csv(&inst, demo).unwrap();
        let list = follow_up(&inst, &r).unwrap();
        for lang in [Lang::ZhCn, Lang::En] {
            let csv = String::from_utf8(follow_up_csv(&inst, &r, lang, false).unwrap()).unwrap();
            let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
            // The thesis's 137 detractors (figure 3.8), each with a reason in the last column.
            assert_eq!(lines.len(), 1 + 137);
            assert!(lines[0].ends_with(",follow_up_reason"), "{}", lines[0]);
            for (line, f) in lines[1..].iter().zip(&list) {
                assert!(line.starts_with(&format!("{},", f.id)), "{line}");
                let detractor = match lang {
                    Lang::En => format!("detractor (scored {})", f.score.unwrap()),
                    Lang::ZhCn => format!("贬损者（打分 {}）", f.score.unwrap()),
                };
                assert!(line.trim_end_matches('"').ends_with(&detractor), "{line}");
                for flag in &f.flags {
                    let rule = inst.follow_up().iter().find(|x| &x.id == flag).unwrap();
                    assert!(line.contains(rule.label.get(lang)), "{line} lacks {flag}");
                }
            }
            assert!(
                list.iter().any(|f| f.flags.len() == 2),
                "some meet both rules"
            );
        }
    }

    #[test]
    fn follow_up_lists_detractors_with_their_flags() {
        let (inst, r) = store(&[
            "a,paper,,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,3",
            "b,online,,B,B,B,B,B,B,B,B,B,B,D,B,B,B,B,B,9",
            "c,online,,A,C,A,A,A,A,A,A,A,C,A,A,A,A,A,A,6",
            "d,paper,,A,B,A,A,A,A,A,A,A,B,D,A,A,A,A,A,0",
            "e,paper,,A,B,A,A,A,A,A,A,A,B,D,A,A,A,A,A,7",
            "f,paper,,A,B,A,A,A,A,A,A,A,A,D,A,A,A,A,A,",
        ]);
        let list = follow_up(&inst, &r).unwrap();
        let got: Vec<(&str, u8, Vec<&str>)> = list
            .iter()
            .map(|f| {
                (
                    f.id.as_str(),
                    f.score.unwrap(),
                    f.flags.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", 3, vec![]),
                ("c", 6, vec!["no-manager"]),
                ("d", 0, vec!["no-manager", "little-contact"]),
            ]
        );
    }

    #[test]
    fn the_list_is_summarised_and_cut_for_display() {
        let (inst, r) = store(&[
            "a,paper,,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,3",
            "c,online,,A,C,A,A,A,A,A,A,A,C,A,A,A,A,A,A,6",
            "d,paper,,A,B,A,A,A,A,A,A,A,B,D,A,A,A,A,A,0",
        ]);
        let list = follow_up_list(&inst, &r, 1).unwrap();
        assert_eq!((list.count, list.flagged, list.items.len()), (3, 2, 1));
        assert_eq!(list.by_flag["no-manager"], 2);
        assert_eq!(list.by_flag["little-contact"], 1);
        assert_eq!(distinct(&r, "mode", 10), ["online", "paper"]);
        assert_eq!(distinct(&r, "mode", 1), ["paper"]);
        assert!(distinct(&r, "branch", 10).is_empty());
    }
}
