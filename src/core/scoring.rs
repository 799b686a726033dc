//! One-way scoring: frequency tables, NPS and the satisfaction items.
//!
//! - **Frequencies**: for every question, the count of each option (or scale
//!   value) and the count missing; percentages are of the *valid* (answered)
//!   responses, so they sum to 100 whatever is missing.
//! - **NPS**: over answered NPS-question responses only (a blank is never a
//!   detractor): promoters score 9–10, passives 7–8, detractors 0–6, and
//!   NPS = % promoters − % detractors, computed from the counts and rounded only
//!   for display (the thesis's −3.28 is 100·(125 − 137)/366 = −3.2787).
//! - **Satisfaction items** (options ordered best first, scored k … 1): % top
//!   box (best option), % bottom box (worst option), the mean on 1 … k, and a
//!   0–100 index = 100·(mean − 1)/(k − 1), each item over *its own* answered
//!   responses (α, in [`crate::scale`], is over those who answered every item).
//!
//! - **NPS by segment** is [`crate::segments`] (re-exported here).
//!
//! Everything here is a count over a column of small codes; missing answers
//! are the code [`MISSING`](crate::MISSING).

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::crosstab::SMALL_GROUP;
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::Instrument;
use crate::responses::Responses;
pub use crate::segments::{
    nps_by, nps_by_where, Compared, NpsBy, NpsSegment, SegmentComparison, MAX_PAIRWISE,
};
use crate::stats::{normal_two_sided_p, wilson_pct, Z95};

/// Counts each code of a column: `counts[c]` for codes `0..len`, plus the number
/// missing. Codes at or past `len` other than [`MISSING`](crate::MISSING) cannot occur in a
/// checked store; they would be counted as missing.
pub fn count_codes(column: &[u8], len: usize) -> (Vec<u64>, u64) {
    let counts = crate::count::count_codes(column, len);
    let valid: u64 = counts.iter().sum();
    (counts, column.len() as u64 - valid)
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// The frequency table of one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Frequency {
    /// The question id.
    pub question: String,
    /// The option letters or scale values, in order.
    pub codes: Vec<String>,
    /// The count of each code.
    pub counts: Vec<u64>,
    /// How many answered.
    pub valid: u64,
    /// How many did not answer.
    pub missing: u64,
}

impl Frequency {
    /// The percentage of valid answers that chose code `i`; `None` if nobody answered.
    pub fn percent(&self, i: usize) -> Option<f64> {
        percent(self.counts[i], self.valid)
    }
}

/// Serializes parallel key and value slices as one map, keeping their order.
struct Keyed<'a, T>(&'a [String], &'a [T]);

impl<T: Serialize> Serialize for Keyed<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter().zip(self.1) {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Serialize for Frequency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pct: Vec<Option<f64>> = (0..self.counts.len()).map(|i| self.percent(i)).collect();
        let ci: Vec<Option<[f64; 2]>> = self
            .counts
            .iter()
            .map(|&c| wilson_pct(c, self.valid))
            .collect();
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("counts", &Keyed(&self.codes, &self.counts))?;
        m.serialize_entry("percent", &Keyed(&self.codes, &pct))?;
        m.serialize_entry("ci95", &Keyed(&self.codes, &ci))?;
        m.serialize_entry("valid", &self.valid)?;
        m.serialize_entry("missing", &self.missing)?;
        m.end()
    }
}

/// The frequency tables of every question. Serializes as
/// `{"n": …, "questions": {"q1": {"counts": {"A": …}, "percent": …, "valid": …, "missing": …}, …}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Frequencies {
    /// The number of responses.
    pub n: u64,
    /// One table per question, in instrument order.
    pub questions: Vec<Frequency>,
}

impl Serialize for Frequencies {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ids: Vec<String> = self.questions.iter().map(|q| q.question.clone()).collect();
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("n", &self.n)?;
        m.serialize_entry("questions", &Keyed(&ids, &self.questions))?;
        m.end()
    }
}

/// The frequency table of question `q` (by index).
pub fn frequency(instrument: &Instrument, responses: &Responses, q: usize) -> Frequency {
    frequency_where(instrument, responses, q, None)
}

/// The frequency table of question `q` over the rows `keep` keeps (a
/// [`Filter::keep`](crate::filter::Filter::keep) column; every row if `None`).
pub fn frequency_where(
    instrument: &Instrument,
    responses: &Responses,
    q: usize,
    keep: Option<&crate::filter::Keep>,
) -> Frequency {
    let question = &instrument.questions()[q];
    let column = responses.column(q);
    let counts = crate::count::count_codes_where(column, question.len(), keep.map(|k| k.column()));
    let rows = keep.map_or(column.len() as u64, |k| k.kept());
    let missing = rows - counts.iter().sum::<u64>();
    Frequency {
        question: question.id.clone(),
        codes: (0..question.len())
            .map(|c| question.code_text(c as u8))
            .collect(),
        valid: counts.iter().sum(),
        counts,
        missing,
    }
}

/// The frequency tables of every question.
pub fn frequencies(instrument: &Instrument, responses: &Responses) -> Result<Frequencies> {
    frequencies_where(instrument, responses, None)
}

/// The frequency tables of every question over the rows `keep` keeps.
pub fn frequencies_where(
    instrument: &Instrument,
    responses: &Responses,
    keep: Option<&crate::filter::Keep>,
) -> Result<Frequencies> {
    responses.check_instrument(instrument)?;
    Ok(Frequencies {
        n: keep.map_or(responses.len() as u64, |k| k.kept()),
        questions: (0..instrument.questions().len())
            .map(|q| frequency_where(instrument, responses, q, keep))
            .collect(),
    })
}

/// The Net Promoter Score and its three groups.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Nps {
    /// The NPS question's id.
    pub question: String,
    /// How many answered the NPS question (the base of every percentage).
    pub n: u64,
    /// How many did not answer it (left out of the score).
    pub missing: u64,
    /// Answers of 9 or 10.
    pub promoters: u64,
    /// Answers of 7 or 8.
    pub passives: u64,
    /// Answers of 0 to 6.
    pub detractors: u64,
    /// Promoters as % of `n`.
    pub pct_promoters: Option<f64>,
    /// Passives as % of `n`.
    pub pct_passives: Option<f64>,
    /// Detractors as % of `n`.
    pub pct_detractors: Option<f64>,
    /// 95% Wilson interval of % promoters.
    pub pct_promoters_ci95: Option<[f64; 2]>,
    /// 95% Wilson interval of % passives.
    pub pct_passives_ci95: Option<[f64; 2]>,
    /// 95% Wilson interval of % detractors.
    pub pct_detractors_ci95: Option<[f64; 2]>,
    /// % promoters − % detractors, in points from −100 to 100; `None` if `n` is 0.
    pub nps: Option<f64>,
    /// The adjusted-Wald estimate and 95% interval (Sauro & Lewis): the interval
    /// to show, and the basis of every significance verdict; `None` if `n` is 0.
    pub adjusted: Option<NpsInterval>,
    /// The plain Wald figures, kept for reference: SE = 100·√((p_P + p_D −
    /// (p_P − p_D)²)/n), NPS ± z·SE. They break down for small or extreme groups
    /// (zero width at n = 1 or when everyone is a promoter); `None` if `n` is 0.
    pub wald: Option<NpsInterval>,
    /// Fewer than 30 answered: read with care.
    pub small: bool,
    /// The mean answer on 0–10.
    pub mean: Option<f64>,
}

/// An NPS estimate with its standard error and 95% interval, in points.
///
/// - **Wald**: the observed NPS, SE = 100·√(Var/n) with Var = p_P + p_D −
///   (p_P − p_D)² (the variance of the +1/0/−1 scores, divisor n).
/// - **Adjusted Wald** (Sauro & Lewis): add ¾ of a promoter, ¾ of a detractor
///   and 1½ passives, n' = n + 3, p_P' = (P + ¾)/n', p_D' = (D + ¾)/n'; the
///   same formulas on the adjusted proportions. The interval is centred on NPS'.
///
/// Both use z = [`Z95`] = 1.959963984540054 (the normal 97.5% quantile, not 1.96).
/// Intervals are as the formula gives them (they can pass ±100); clamp only for
/// display.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NpsInterval {
    /// The estimate: NPS (Wald) or NPS' = 100·(P − D)/(n + 3) (adjusted).
    pub nps: f64,
    /// Its standard error in points.
    pub se: f64,
    /// The 95% margin of error, z·SE with z = 1.959963984540054.
    pub moe95: f64,
    /// The 95% interval, estimate ± `moe95`.
    pub ci95: [f64; 2],
}

impl NpsInterval {
    /// The Wald figures of P promoters and D detractors out of n (n > 0).
    fn of(promoters: f64, detractors: f64, n: f64) -> NpsInterval {
        let (pp, pd) = (promoters / n, detractors / n);
        let var = pp + pd - (pp - pd) * (pp - pd);
        let (nps, se) = (100.0 * (pp - pd), 100.0 * (var.max(0.0) / n).sqrt());
        let moe95 = Z95 * se;
        NpsInterval {
            nps,
            se,
            moe95,
            ci95: [nps - moe95, nps + moe95],
        }
    }
}

/// A z test of the difference between two independent NPS estimates
/// (MeasuringU): Δ = NPS_a − NPS_b, SE = √(SE_a² + SE_b²), z = Δ/SE, two-sided
/// normal p (computed as χ²(1).sf(z²)).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DifferenceTest {
    /// The difference of the two estimates, in points.
    pub delta: f64,
    /// Its standard error.
    pub se: f64,
    /// Δ ± z·SE, z = 1.959963984540054.
    pub ci95: [f64; 2],
    /// Δ / SE (`None` when SE is 0).
    pub z: Option<f64>,
    /// The two-sided p-value (`None` when SE is 0).
    pub p: Option<f64>,
}

impl DifferenceTest {
    fn of(a: &NpsInterval, b: &NpsInterval) -> DifferenceTest {
        let delta = a.nps - b.nps;
        let se = (a.se * a.se + b.se * b.se).sqrt();
        let z = (se > 0.0).then(|| delta / se);
        DifferenceTest {
            delta,
            se,
            ci95: [delta - Z95 * se, delta + Z95 * se],
            z,
            p: z.map(normal_two_sided_p),
        }
    }
}

/// The difference NPS(a) − NPS(b) of two independent groups or periods.
///
/// The verdict follows the adjusted-Wald test (Sauro & Lewis): each group's
/// NPS' and SE' (n' = n + 3, ¾ promoter and ¾ detractor added), z = (NPS'_a −
/// NPS'_b)/√(SE'_a² + SE'_b²), two-sided normal p. The plain Wald test is kept
/// for reference: it calls a one-person group "significant" (its SE is 0).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NpsDifference {
    /// The observed NPS(a) − NPS(b), in points.
    pub delta: f64,
    /// The adjusted-Wald test: the one every verdict uses.
    pub adjusted: DifferenceTest,
    /// The plain Wald test, for reference only.
    pub wald: DifferenceTest,
}

impl NpsDifference {
    /// The adjusted-Wald p-value (`None` only if both groups' SE' were 0,
    /// which cannot happen: n' ≥ 3 gives every group some variance).
    pub fn p(&self) -> Option<f64> {
        self.adjusted.p
    }

    /// Significant at the 5% level by the adjusted-Wald test (one test, no
    /// correction for multiple comparisons).
    pub fn significant(&self) -> bool {
        self.p().is_some_and(|p| p < 0.05)
    }
}

/// Tests NPS(a) − NPS(b); `None` when either group has no answers.
pub fn nps_difference(a: &Nps, b: &Nps) -> Option<NpsDifference> {
    let (aa, ab) = (a.adjusted.as_ref()?, b.adjusted.as_ref()?);
    let (wa, wb) = (a.wald.as_ref()?, b.wald.as_ref()?);
    Some(NpsDifference {
        delta: a.nps? - b.nps?,
        adjusted: DifferenceTest::of(aa, ab),
        wald: DifferenceTest::of(wa, wb),
    })
}

impl Nps {
    /// NPS from the three group counts.
    pub fn from_counts(
        question: &str,
        promoters: u64,
        passives: u64,
        detractors: u64,
        missing: u64,
    ) -> Nps {
        let n = promoters + passives + detractors;
        let (p, d, nf) = (promoters as f64, detractors as f64, n as f64);
        let wald = (n > 0).then(|| NpsInterval::of(p, d, nf));
        let adjusted = (n > 0).then(|| NpsInterval::of(p + 0.75, d + 0.75, nf + 3.0));
        Nps {
            question: question.to_owned(),
            n,
            missing,
            promoters,
            passives,
            detractors,
            pct_promoters: percent(promoters, n),
            pct_passives: percent(passives, n),
            pct_detractors: percent(detractors, n),
            pct_promoters_ci95: wilson_pct(promoters, n),
            pct_passives_ci95: wilson_pct(passives, n),
            pct_detractors_ci95: wilson_pct(detractors, n),
            nps: wald.as_ref().map(|w| w.nps),
            adjusted,
            wald,
            small: n < SMALL_GROUP,
            mean: None,
        }
    }
}

pub(crate) fn nps_question(instrument: &Instrument, responses: &Responses) -> Result<usize> {
    responses.check_instrument(instrument)?;
    instrument.nps().ok_or_else(|| {
        Error::single(
            ErrorKind::Request,
            Problem::new(
                ProblemCode::UnknownName,
                "this instrument names no NPS question",
            )
            .with_value(instrument.id()),
        )
    })
}

/// NPS from the counts of each score 0–10 (the NPS question's codes are its scores).
pub(crate) fn nps_from_scores(question: &str, scores: &[u64], missing: u64) -> Nps {
    let sum = |range: std::ops::RangeInclusive<usize>| -> u64 { scores[range].iter().sum() };
    let mut out = Nps::from_counts(question, sum(9..=10), sum(7..=8), sum(0..=6), missing);
    let total: u64 = scores
        .iter()
        .enumerate()
        .map(|(score, &c)| score as u64 * c)
        .sum();
    out.mean = percent(total, out.n).map(|p| p / 100.0);
    out
}

/// The NPS of the instrument's NPS question.
pub fn nps(instrument: &Instrument, responses: &Responses) -> Result<Nps> {
    let q = nps_question(instrument, responses)?;
    let f = frequency(instrument, responses, q);
    Ok(nps_from_scores(&f.question, &f.counts, f.missing))
}

/// One satisfaction item's box scores and mean.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SatisfactionItem {
    /// The question id.
    pub question: String,
    /// How many answered.
    pub n: u64,
    /// How many did not answer.
    pub missing: u64,
    /// How many chose the best option (top box).
    pub top: u64,
    /// How many chose the worst option (bottom box).
    pub bottom: u64,
    /// Top box as % of `n` ("% satisfied").
    pub pct_top: Option<f64>,
    /// Bottom box as % of `n` ("% dissatisfied").
    pub pct_bottom: Option<f64>,
    /// 95% Wilson interval of the top box %.
    pub pct_top_ci95: Option<[f64; 2]>,
    /// 95% Wilson interval of the bottom box %.
    pub pct_bottom_ci95: Option<[f64; 2]>,
    /// Fewer than 30 answered.
    pub small: bool,
    /// k, the number of options: the mean runs from 1 (worst) to k (best).
    pub points: u64,
    /// The mean on 1 … k, best = k (satisfied = 3 on a 3-point item).
    pub mean: Option<f64>,
    /// The mean rescaled to 0–100: all best = 100, all worst = 0.
    pub index: Option<f64>,
}

/// The box scores and means of the instrument's satisfaction items.
pub fn satisfaction(
    instrument: &Instrument,
    responses: &Responses,
) -> Result<Vec<SatisfactionItem>> {
    responses.check_instrument(instrument)?;
    Ok(instrument
        .satisfaction()
        .iter()
        .map(|&q| satisfaction_item(&frequency(instrument, responses, q)))
        .collect())
}

/// One satisfaction item's figures from its frequency table.
pub(crate) fn satisfaction_item(f: &Frequency) -> SatisfactionItem {
    let k = f.counts.len() as u64;
    let score: u64 = f
        .counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (k - i as u64) * c)
        .sum();
    let mean = percent(score, f.valid).map(|p| p / 100.0);
    SatisfactionItem {
        question: f.question.clone(),
        n: f.valid,
        missing: f.missing,
        top: f.counts[0],
        bottom: f.counts[f.counts.len() - 1],
        pct_top: f.percent(0),
        pct_bottom: f.percent(f.counts.len() - 1),
        pct_top_ci95: wilson_pct(f.counts[0], f.valid),
        pct_bottom_ci95: wilson_pct(f.counts[f.counts.len() - 1], f.valid),
        small: f.valid < SMALL_GROUP,
        points: k,
        mean,
        index: mean.map(|m| 100.0 * (m - 1.0) / (k - 1) as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MISSING;

    fn store(rows: &[&str]) -> (Instrument, Responses) {
        let inst = Instrument::builtin();
        let mut csv =
            String::from("id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n");
        for (i, r) in rows.iter().enumerate() {
            csv.push_str(&format!("r{i},{r}\n"));
        }
        let resp = Responses::from_csv(&inst, csv.as_bytes()).expect("valid");
        (inst, resp)
    }

    #[test]
    fn counts_and_missing() {
        let (c, m) = count_codes(&[0, 1, 1, MISSING, 2, MISSING], 3);
        assert_eq!((c, m), (vec![1, 2, 1], 2));
    }

    #[test]
    fn nps_ignores_blanks_and_buckets_edges() {
        // Scores at each group edge: 6 is a detractor, 7 and 8 passives, 9 a promoter.
        let (inst, r) = store(&[
            "A,,,,,,,,,,,,,,,,6",
            "A,,,,,,,,,,,,,,,,7",
            "A,,,,,,,,,,,,,,,,8",
            "A,,,,,,,,,,,,,,,,9",
            "A,,,,,,,,,,,,,,,,",
        ]);
        let n = nps(&inst, &r).expect("nps");
        assert_eq!(
            (n.n, n.missing, n.promoters, n.passives, n.detractors),
            (4, 1, 1, 2, 1)
        );
        assert_eq!(n.nps, Some(0.0));
        assert_eq!(n.mean, Some(7.5));
    }

    #[test]
    fn nps_by_an_extra_column() {
        // statistics.md §1: mode online (41,30,28) vs paper (84,74,109):
        // Wald Δ 22.4946090, SE 9.76748646, Z 2.30300898, p 0.0212783380;
        // adjusted Δ 22.0043573, Z 2.28749952, p 0.0221666836.
        let inst = Instrument::builtin();
        let csv = include_bytes!("../../www/demo/zg-x-branch-2023.csv");
        let r = Responses::from_csv(&inst, csv).expect("demo");
        let by = nps_by(&inst, &r, "MODE").expect("mode segments");
        assert_eq!(by.by, "mode");
        let groups: Vec<_> = by
            .segments
            .iter()
            .map(|s| {
                (
                    s.option.as_str(),
                    s.nps.promoters,
                    s.nps.passives,
                    s.nps.detractors,
                )
            })
            .collect();
        assert_eq!(groups, [("online", 41, 30, 28), ("paper", 84, 74, 109)]);
        let d = &by.comparisons[0].difference;
        assert!((d.delta - 22.494_609_0).abs() < 1e-6);
        assert!((d.wald.se - 9.767_486_46).abs() < 1e-7);
        assert!((d.wald.z.expect("z") - 2.303_008_98).abs() < 1e-7);
        assert!((d.wald.p.expect("p") - 0.021_278_338_0).abs() < 1e-9);
        assert!((d.adjusted.delta - 22.004_357_3).abs() < 1e-6);
        assert!((d.adjusted.z.expect("z") - 2.287_499_52).abs() < 1e-7);
        assert!((d.p().expect("p") - 0.022_166_683_6).abs() < 1e-9);
        assert!(by.comparisons[0].significant, "one test: p < 0.05");
        assert!(nps_by(&inst, &r, "nosuch").is_err());
    }

    /// Responses with only Q17 answered and a `branch` column: `branches`
    /// values, row r in branch r % branches, scoring `score(r)`.
    fn branches(branches: usize, rows: usize, score: impl Fn(usize) -> usize) -> Responses {
        let mut csv =
            String::from("id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17,branch\n");
        for r in 0..rows {
            let blanks = ",".repeat(16);
            csv.push_str(&format!("r{r}{blanks},{},b{:03}\n", score(r), r % branches));
        }
        Responses::from_csv(&Instrument::builtin(), csv.as_bytes()).expect("valid")
    }

    #[test]
    fn many_segments_are_each_compared_with_the_rest() {
        let inst = Instrument::builtin();
        // At the limit: every pair.
        let r = branches(MAX_PAIRWISE, 400, |r| r % 11);
        let by = nps_by(&inst, &r, "branch").expect("by");
        assert_eq!(by.compared, Compared::Pairwise);
        assert_eq!(by.comparisons.len(), 190);
        assert!(by.comparisons.iter().all(|c| !c.b.is_empty()));
        // One more: each against the rest, and the rest is everybody else.
        let n = MAX_PAIRWISE + 1;
        let score = |r: usize| if r % n == 3 { 10 } else { (r / n) % 11 };
        let r = branches(n, 21 * 50, score);
        let by = nps_by(&inst, &r, "branch").expect("by");
        assert_eq!(by.compared, Compared::VsRest);
        assert_eq!(by.segments.len(), n);
        assert_eq!(by.comparisons.len(), n);
        let c = &by.comparisons[3];
        assert_eq!((c.a.as_str(), c.b.as_str()), ("b003", ""));
        let mut rest = vec![0u64; 11];
        for row in (0..21 * 50).filter(|row| row % n != 3) {
            rest[score(row)] += 1;
        }
        let expected =
            nps_difference(&by.segments[3].nps, &nps_from_scores("q17", &rest, 0)).expect("test");
        assert_eq!(c.difference, expected);
        assert_eq!(
            c.p_bonferroni,
            expected.p().map(|p| (p * n as f64).min(1.0))
        );
        assert!(c.difference.delta > 50.0, "all promoters vs the rest");
        let json = serde_json::to_value(&by).expect("json");
        assert_eq!(json["compared"], "vs_rest");
        assert_eq!(json["comparisons"][0]["b"], "");
    }

    #[test]
    fn nps_of_nobody_is_none() {
        let (inst, r) = store(&["A,,,,,,,,,,,,,,,,"]);
        let n = nps(&inst, &r).expect("nps");
        assert_eq!((n.n, n.nps, n.pct_promoters), (0, None, None));
    }

    #[test]
    fn satisfaction_scores_best_first() {
        // Q12: A, A, C and one blank → top 2/3, bottom 1/3, mean (3+3+1)/3.
        let (inst, r) = store(&[
            "A,,,,,,,,,,,A,,,,,",
            "A,,,,,,,,,,,A,,,,,",
            "A,,,,,,,,,,,C,,,,,",
            "A,,,,,,,,,,,,,,,,",
        ]);
        let s = satisfaction(&inst, &r).expect("items");
        let q12 = &s[0];
        assert_eq!((q12.n, q12.missing, q12.top, q12.bottom), (3, 1, 2, 1));
        assert!((q12.mean.expect("mean") - 7.0 / 3.0).abs() < 1e-12);
        assert!((q12.index.expect("index") - 100.0 * (4.0 / 3.0) / 2.0).abs() < 1e-12);
        assert_eq!(s[1].mean, None);
    }

    #[test]
    fn frequency_json_keeps_option_order() {
        let (inst, r) = store(&["B,,,,,,,,,,,,,,,,10", "A,,,,,,,,,,,,,,,,"]);
        let json = serde_json::to_string(&frequencies(&inst, &r).expect("freq")).expect("json");
        assert!(json.starts_with(r#"{"n":2,"questions":{"q1":{"counts":{"A":1,"B":1},"percent":{"A":50.0,"B":50.0},"ci95":{"A":[9.4"#), "{json}");
        assert!(json.contains(r#""q17":{"counts":{"0":0,"1":0,"2":0,"3":0,"4":0,"5":0,"6":0,"7":0,"8":0,"9":0,"10":1}"#), "{json}");
    }
}
