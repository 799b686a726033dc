//! NPS by segment: one NPS per option of another question (or value of an
//! extra column), with tests of the differences.
//!
//! Up to [`MAX_PAIRWISE`] (20) non-empty segments every pair is tested; past
//! that (a timestamp column has a segment per response, and pairs grow as the
//! square) each segment is tested against the rest, and [`NpsBy::compared`]
//! says which was done. A segment's `missing` is its own rows whose NPS
//! question is unanswered; [`NpsBy::missing`] counts the rows that answered
//! the NPS question but not the segmenting one. Every verdict is the
//! adjusted-Wald difference test of [`crate::scoring::nps_difference`].

use crate::crosstab::count_pairs;
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::Instrument;
use crate::responses::Responses;
use crate::scoring::{
    count_codes, nps_difference, nps_from_scores, nps_question, Nps, NpsDifference,
};

/// The NPS of one option's respondents.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NpsSegment {
    /// The option letter (or scale value) of the segmenting question.
    pub option: String,
    /// The segment's NPS, interval and counts; its `missing` is the segment's
    /// rows whose NPS question is unanswered.
    #[serde(flatten)]
    pub nps: Nps,
}

/// Up to this many non-empty segments, [`nps_by`] tests every pair (at most
/// 190 tests); with more, each segment against the rest.
pub const MAX_PAIRWISE: usize = 20;

/// How the segments of an [`NpsBy`] were compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compared {
    /// Every pair of non-empty segments: there are at most [`MAX_PAIRWISE`].
    Pairwise,
    /// Each non-empty segment against all the other segmented responses put
    /// together: there are more than [`MAX_PAIRWISE`] segments.
    VsRest,
}

/// A test of the difference between two segments, or a segment and the rest.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentComparison {
    /// The first segment's option.
    pub a: String,
    /// The second segment's option; empty (never a segment's name: blanks
    /// are missing) when `a` is compared with the rest ([`Compared::VsRest`]).
    pub b: String,
    /// NPS(a) − NPS(b) and its tests (adjusted Wald, and Wald for reference).
    #[serde(flatten)]
    pub difference: NpsDifference,
    /// The adjusted-Wald p-value times the number of tests made, at most 1
    /// (Bonferroni).
    pub p_bonferroni: Option<f64>,
    /// `p_bonferroni` < 0.05: the verdict.
    pub significant: bool,
}

impl SegmentComparison {
    fn new(a: &str, b: &str, difference: NpsDifference, tests: usize) -> SegmentComparison {
        let p_bonferroni = difference.p().map(|p| (p * tests as f64).min(1.0));
        SegmentComparison {
            a: a.to_owned(),
            b: b.to_owned(),
            difference,
            p_bonferroni,
            significant: p_bonferroni.is_some_and(|p| p < 0.05),
        }
    }
}

/// NPS by the options of another question.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NpsBy {
    /// The segmenting question's id.
    pub by: String,
    /// The NPS question's id.
    pub question: String,
    /// Responses that answered the NPS question but not the segmenting one.
    pub missing: u64,
    /// One segment per option, in option order, empty ones included.
    pub segments: Vec<NpsSegment>,
    /// Whether every pair was tested or each segment against the rest.
    pub compared: Compared,
    /// The tests: every pair of non-empty segments, or each non-empty segment
    /// against the rest, as `compared` says.
    pub comparisons: Vec<SegmentComparison>,
}

/// NPS for each option of question `by` — or, when `by` names no question, for
/// each distinct value of the extra column `by` (e.g. `mode`: online / paper),
/// in sorted order, blanks counted as missing — with every pair of non-empty
/// segments tested, p adjusted by Bonferroni over the pairs; past
/// [`MAX_PAIRWISE`] non-empty segments, each is tested against the rest
/// instead (Bonferroni over the segments), so the work stays linear.
pub fn nps_by(instrument: &Instrument, responses: &Responses, by: &str) -> Result<NpsBy> {
    nps_by_where(instrument, responses, by, None)
}

/// [`nps_by`] over the rows `keep` keeps (every row if `None`), counted in place.
pub fn nps_by_where(
    instrument: &Instrument,
    responses: &Responses,
    by: &str,
    keep: Option<&crate::filter::Keep>,
) -> Result<NpsBy> {
    let q = nps_question(instrument, responses)?;
    let nq = &instrument.questions()[q];
    // Dropped rows' NPS codes become MISSING; segment counts skip them too.
    let masked_nps = keep.map(|k| k.mask(responses.column(q)));
    let nps_codes = masked_nps.as_deref().unwrap_or(responses.column(q));
    let kept = |r: usize| keep.is_none_or(|k| k.keeps(r));
    // Per segment: the counts of each NPS score, and the rows of the segment
    // whose NPS question is unanswered.
    type Groups = Vec<(String, Vec<u64>, u64)>;
    let (by_id, groups): (String, Groups) = match instrument.position(by) {
        Some(b) => {
            let bq = &instrument.questions()[b];
            let masked_by = keep.map(|k| k.mask(responses.column(b)));
            let by_codes = masked_by.as_deref().unwrap_or(responses.column(b));
            let (table, _) = count_pairs(by_codes, nps_codes, bq.len(), nq.len());
            let (rows, _) = count_codes(by_codes, bq.len());
            let groups = table
                .into_iter()
                .zip(rows)
                .enumerate()
                .map(|(i, (t, rows))| {
                    let answered: u64 = t.iter().sum();
                    (bq.code_text(i as u8), t, rows - answered)
                });
            (bq.id.clone(), groups.collect())
        }
        None => {
            let wanted = by.trim();
            let Some(extra) = responses
                .extras()
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(wanted))
            else {
                let mut names: Vec<&str> = instrument
                    .questions()
                    .iter()
                    .map(|q| q.id.as_str())
                    .collect();
                names.extend(responses.extras().iter().map(|e| e.name.as_str()));
                return Err(Error::single(
                    ErrorKind::Request,
                    Problem::new(
                        ProblemCode::UnknownName,
                        format!(
                            "no question or column by that name; there are {}",
                            names.join(" ")
                        ),
                    )
                    .with_value(by),
                ));
            };
            let mut groups: std::collections::BTreeMap<&str, (Vec<u64>, u64)> = Default::default();
            for (r, (value, &code)) in extra.values.iter().zip(nps_codes).enumerate() {
                let value = value.trim();
                if value.is_empty() || !kept(r) {
                    continue;
                }
                let (scores, missing) = groups
                    .entry(value)
                    .or_insert_with(|| (vec![0; nq.len()], 0));
                match scores.get_mut(usize::from(code)) {
                    Some(count) => *count += 1,
                    None => *missing += 1,
                }
            }
            let groups = groups
                .into_iter()
                .map(|(value, (scores, missing))| (value.to_owned(), scores, missing));
            (extra.name.clone(), groups.collect())
        }
    };
    let (scores, _) = count_codes(nps_codes, nq.len());
    let answered: u64 = scores.iter().sum();
    let mut in_scores = vec![0u64; nq.len()];
    for (_, t, _) in &groups {
        for (all, &c) in in_scores.iter_mut().zip(t) {
            *all += c;
        }
    }
    let in_segments: u64 = in_scores.iter().sum();
    let segments: Vec<NpsSegment> = groups
        .iter()
        .map(|(option, scores, missing)| NpsSegment {
            option: option.clone(),
            nps: nps_from_scores(&nq.id, scores, *missing),
        })
        .collect();
    let live: Vec<(&NpsSegment, &[u64])> = segments
        .iter()
        .zip(&groups)
        .filter(|(s, _)| s.nps.n > 0)
        .map(|(s, (_, scores, _))| (s, scores.as_slice()))
        .collect();
    let (compared, comparisons) = if live.len() <= MAX_PAIRWISE {
        let pairs = live.len() * live.len().saturating_sub(1) / 2;
        let mut comparisons = Vec::with_capacity(pairs);
        for (x, (a, _)) in live.iter().enumerate() {
            for (other, _) in &live[x + 1..] {
                if let Some(difference) = nps_difference(&a.nps, &other.nps) {
                    comparisons.push(SegmentComparison::new(
                        &a.option,
                        &other.option,
                        difference,
                        pairs,
                    ));
                }
            }
        }
        (Compared::Pairwise, comparisons)
    } else {
        let tests = live.len();
        let mut rest = vec![0u64; nq.len()];
        let comparisons = live
            .iter()
            .filter_map(|(a, scores)| {
                for ((r, &all), &c) in rest.iter_mut().zip(&in_scores).zip(*scores) {
                    *r = all - c;
                }
                let difference = nps_difference(&a.nps, &nps_from_scores(&nq.id, &rest, 0))?;
                Some(SegmentComparison::new(&a.option, "", difference, tests))
            })
            .collect();
        (Compared::VsRest, comparisons)
    };
    Ok(NpsBy {
        by: by_id,
        question: nq.id.clone(),
        missing: answered - in_segments,
        segments,
        compared,
        comparisons,
    })
}
