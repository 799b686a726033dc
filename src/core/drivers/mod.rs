//! Key drivers: how much of the NPS answer each satisfaction item explains.
//!
//! The rule (issue 17):
//!
//! - **Rows**: listwise. A row counts only if it answered the target and every
//!   item asked for; `n` is their number, and `r`, `r2` and every sub-model use
//!   exactly these rows (with `--items q14,q12,q16` only those three and the
//!   target decide). Only `index` is over every row that answered *that* item,
//!   as `manyi report` computes it ([`crate::scoring::satisfaction`], reused).
//! - **Scores**: an item with k options scores k … 1, best option first
//!   (satisfied = 3 … dissatisfied = 1); the target is the NPS question's value
//!   0–10 (`min + code` for any numeric scale question).
//! - **r2**: R² of the least-squares fit of the target on all the items with an
//!   intercept. **r**: each item's Pearson correlation with the target.
//! - **importance** (Shapley value, also called LMG): with p items,
//!   importance_j = Σ over subsets S of the other items of
//!   |S|!·(p − |S| − 1)!/p! · (R²(S ∪ {j}) − R²(S)), R²(∅) = 0. Every one of the
//!   2^p subsets is fitted exactly, so at most [`MAX_ITEMS`] (12) items are
//!   taken. Importances are ≥ 0 and sum to `r2`. **share** = importance / r2.
//! - **share_ci95**: the bootstrap percentile interval: the n rows are
//!   resampled with replacement [`RESAMPLES`] (1,000) times (SplitMix64 seeded
//!   with the seed: the same seed gives the same interval), each resample's
//!   shares are recomputed (a resample with R² = 0 has every share 0), and the
//!   2.5% and 97.5% points are taken with linear interpolation between order
//!   statistics (numpy's default percentile).
//! - **small**: fewer than 30 listwise rows ([`SMALL_GROUP`], as for the NPS
//!   and the cross-tab's groups). The analysis still runs (it needs only
//!   p + 2 rows), but its shares then move a lot from sample to sample, so the
//!   page and the CLI's table say to read it with care ([`Drivers::small`]).
//! - **fix_first**: the chart's quadrant "high importance, low satisfaction":
//!   among the items whose index is below the items' mean index and whose
//!   share is above their mean share (1 / p), the one with the highest share
//!   (the first in item order on a tie); `None` when no item is in that
//!   quadrant ([`fix_first`]).
//!
//! Degenerate data get defined values, never NaN:
//!
//! - An item with the same answer in every row (constant) has no correlation:
//!   `r` is `None`, and it explains nothing: importance 0, share 0.
//! - An item that is an exact linear function of other items (say, answers
//!   identical to another item's) adds nothing to a model already holding them:
//!   R² is computed by a Cholesky (Gram–Schmidt) factorization of the
//!   covariance matrix that skips a column whose residual variance is at most
//!   [`COLLINEAR`] of its variance. Identical items then share importance
//!   equally, as Shapley values do.
//! - When `r2` is 0 (no item varies with the target) `share` and `share_ci95`
//!   are `None`: a share of nothing is undefined.
//! - Refused with a located error: an item that is not one of the instrument's
//!   satisfaction items (only those have options ordered best first), an item
//!   named twice, more than 12 items, a target that is not a scale question
//!   (numeric, like the NPS question) or a satisfaction item, a target among the
//!   items, fewer than p + 2 listwise rows, and a target with the same answer in
//!   every listwise row (nothing to explain).
//!
//! Covariances come from exact integer sums (scores are small integers), so a
//! constant item's variance is exactly 0 and identical items have identical
//! covariances. Rows with the same scores are pooled into patterns, and a
//! resample is a count per pattern ([`Draw`]): either n draws of a row, or —
//! when there are far fewer patterns than rows, as with a million responses to
//! a few three-point items — one multinomial draw of the counts (n; pattern
//! counts / n), made of one binomial draw per pattern (rand_distr's BTPE).
//! Both are exact samples of the same resampling distribution (n rows with
//! replacement); the second costs O(patterns) instead of O(n). Each resample
//! then costs O(patterns · p²), and the subset fits O(2^p · p²).

use std::collections::HashMap;

use rand_distr::{Binomial, Distribution};
use serde::Serialize;

use crate::crosstab::SMALL_GROUP;
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::generate::Rng;
use crate::instrument::{Instrument, QuestionKind, MISSING};
use crate::responses::Responses;
use crate::scoring::satisfaction;

/// The most items a key-driver analysis takes: 2^12 = 4,096 subset fits.
pub const MAX_ITEMS: usize = 12;

/// Bootstrap resamples behind `share_ci95` unless [`Options::resamples`] says otherwise.
pub const RESAMPLES: usize = 1000;

/// A column whose residual variance, given the columns before it, is at most
/// this fraction of its own variance is treated as collinear and adds nothing.
pub const COLLINEAR: f64 = 1e-9;

/// What to analyse. `Default` gives the instrument's NPS question on its
/// satisfaction items, seed 1, [`RESAMPLES`] resamples.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The target question's id; `None` for the instrument's NPS question.
    pub target: Option<&'a str>,
    /// The items' ids, in the order to report; `None` for the satisfaction items.
    pub items: Option<&'a [String]>,
    /// The bootstrap's seed.
    pub seed: u64,
    /// How many bootstrap resamples (at least 1).
    pub resamples: usize,
    /// How each resample is drawn.
    pub draw: Draw,
}

/// How a bootstrap resample is drawn. Both ways give the same distribution of
/// resamples (n rows drawn with replacement); they differ in cost, and so in
/// the numbers a given seed gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Draw {
    /// Patterns when there are at most 1/[`PATTERNS_PER_ROW`] as many as rows, else rows.
    #[default]
    Auto,
    /// n draws of a row each: O(n) per resample.
    Rows,
    /// The counts per pattern as one multinomial draw, by a binomial draw per
    /// pattern given those before it: O(patterns) per resample.
    Patterns,
}

/// [`Draw::Auto`] draws by pattern when patterns · this ≤ rows: a binomial
/// draw costs about as much as this many draws of a row (measured natively,
/// 1,000,000 trials over 1,000 and 100,000 categories: 69–85 ns a binomial
/// draw, 2.9–3.7 ns a row's; `cargo bench --bench core` times both ways).
pub const PATTERNS_PER_ROW: usize = 24;

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            target: None,
            items: None,
            seed: 1,
            resamples: RESAMPLES,
            draw: Draw::Auto,
        }
    }
}

/// One item's part in the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    /// The item's question id.
    pub question: String,
    /// Pearson r of the item with the target over the listwise rows; `None`
    /// when the item is constant there.
    pub r: Option<f64>,
    /// The item's Shapley (LMG) share of R², in R² units (≥ 0).
    pub importance: f64,
    /// importance / r2 (0 … 1); `None` when r2 is 0.
    pub share: Option<f64>,
    /// The bootstrap 95% percentile interval of `share`; `None` when r2 is 0.
    pub share_ci95: Option<[f64; 2]>,
    /// The item's 0–100 satisfaction index over every row that answered it.
    pub index: f64,
}

/// The key-driver analysis of a target on items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drivers {
    /// The target question's id.
    pub target: String,
    /// The listwise rows used (target and every item answered).
    pub n: u64,
    /// R² of the target on all the items, with an intercept.
    pub r2: f64,
    /// The items, in the order asked for.
    pub items: Vec<Driver>,
    /// The item to fix first ([`fix_first`]), if any. Not in the CLI's JSON
    /// (which has exactly the fields); the page gets it through
    /// [`Drivers::for_page`].
    #[serde(skip)]
    pub fix_first: Option<String>,
    /// The items' mean index: below it an item is "low satisfaction" (the
    /// importance × performance chart's horizontal line, and [`fix_first`]'s
    /// threshold). Page only, as `fix_first`.
    #[serde(skip)]
    pub mean_index: f64,
    /// The items' mean share (1 / p when R² > 0; `None` when R² is 0): right
    /// of it an item is "high importance" (the chart's vertical line). Page
    /// only, as `fix_first`.
    #[serde(skip)]
    pub mean_share: Option<f64>,
}

/// The drivers as the dashboard draws them: the CLI's JSON plus the item to
/// fix first, the chart's dividing lines and whether the rows are few
/// ([`Drivers::small`]).
#[derive(Debug, Serialize)]
pub struct PageDrivers<'a> {
    #[serde(flatten)]
    drivers: &'a Drivers,
    fix_first: Option<&'a str>,
    mean_index: f64,
    mean_share: Option<f64>,
    small: bool,
}

impl Drivers {
    /// The drivers with what the dashboard also needs ([`PageDrivers`]).
    pub fn for_page(&self) -> PageDrivers<'_> {
        PageDrivers {
            drivers: self,
            fix_first: self.fix_first.as_deref(),
            mean_index: self.mean_index,
            mean_share: self.mean_share,
            small: self.small(),
        }
    }

    /// Whether the analysis rests on fewer than [`SMALL_GROUP`] (30) listwise
    /// rows, the rule the NPS and the cross-tab's groups follow: it still
    /// runs, and the page and the CLI's table say to read it with care.
    pub fn small(&self) -> bool {
        self.n < SMALL_GROUP
    }
}

/// The items' mean index (0 without items).
pub fn mean_index(items: &[Driver]) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    items.iter().map(|d| d.index).sum::<f64>() / items.len() as f64
}

fn refuse(code: ProblemCode, field: &str, value: &str, message: String) -> Error {
    Error::single(
        ErrorKind::Request,
        Problem::new(code, message)
            .in_field(field)
            .with_value(value),
    )
}

/// The item to improve first: the chart's quadrant "high importance, low
/// satisfaction" (issue 17): among the items whose index is below the mean
/// index and whose share is above the mean share ([`mean_share`]), the one
/// with the highest share (the first on a tie); `None` when that quadrant is
/// empty. A weak item that matters less than the average item is not picked:
/// on the chart it lies outside the quadrant named "fix first".
pub fn fix_first(items: &[Driver]) -> Option<String> {
    let index = mean_index(items);
    let share = mean_share(items)?;
    let mut best: Option<&Driver> = None;
    for d in items.iter().filter(|d| d.index < index) {
        let s = d.share.unwrap_or(0.0);
        if s > share && best.is_none_or(|b| s > b.share.unwrap_or(0.0)) {
            best = Some(d);
        }
    }
    best.map(|d| d.question.clone())
}

/// The items' mean share (the chart's vertical line): 1 / p when R² > 0,
/// as shares then sum to 1; `None` when no item has a share (R² is 0).
pub fn mean_share(items: &[Driver]) -> Option<f64> {
    let shares: Vec<f64> = items.iter().filter_map(|d| d.share).collect();
    (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64)
}

/// R² of every subset of the p items (bit j of the index: item j), from the
/// (p + 1) × (p + 1) covariance matrix `c` (row-major, any common scale) whose
/// last row and column are the target's. R²(∅) = 0; all 0 if the target has
/// no variance.
///
/// Subsets are visited depth first, each extending its parent (the subset
/// without its highest item) by one row of the Cholesky factor of the items'
/// covariance, so each costs O(p²). A column whose residual variance is at most
/// [`COLLINEAR`] of its own is skipped: it adds nothing to R².
pub fn subset_r2(c: &[f64], p: usize) -> Vec<f64> {
    let q = p + 1;
    let yy = c[p * q + p];
    let mut out = vec![0.0; 1 << p];
    if yy > 0.0 {
        let mut fit = Fit {
            c,
            q,
            yy,
            kept: Vec::with_capacity(p),
            l: vec![0.0; p * p],
            z: Vec::with_capacity(p),
            scratch: vec![0.0; p * p],
        };
        fit.visit(0, 0, 0.0, &mut out);
    }
    out
}

/// The state of the depth-first walk over subsets in [`subset_r2`].
struct Fit<'a> {
    c: &'a [f64],
    q: usize,
    yy: f64,
    /// The items in the factor, in the order added.
    kept: Vec<usize>,
    /// Row i of the lower-triangular factor at `l[i·p ..]`.
    l: Vec<f64>,
    /// L⁻¹ times the items' covariances with the target.
    z: Vec<f64>,
    /// Per depth, the candidate row being computed.
    scratch: Vec<f64>,
}

impl Fit<'_> {
    fn visit(&mut self, mask: usize, from: usize, r2: f64, out: &mut [f64]) {
        out[mask] = r2.min(1.0);
        let p = self.q - 1;
        for j in from..p {
            let m = self.kept.len();
            let (c, q) = (self.c, self.q);
            let row = &mut self.scratch[m * p..m * p + m];
            // Forward substitution: row = L⁻¹ · cov(kept, j).
            for i in 0..m {
                let li = &self.l[i * p..i * p + i];
                let dot: f64 = li.iter().zip(&row[..i]).map(|(a, b)| a * b).sum();
                row[i] = (c[self.kept[i] * q + j] - dot) / self.l[i * p + i];
            }
            let jj = c[j * q + j];
            let d = jj - row.iter().map(|x| x * x).sum::<f64>();
            if jj <= 0.0 || d <= COLLINEAR * jj {
                self.visit(mask | 1 << j, j + 1, r2, out);
                continue;
            }
            let diag = d.sqrt();
            let zj =
                (c[j * q + p] - row.iter().zip(&self.z).map(|(a, b)| a * b).sum::<f64>()) / diag;
            let (lo, hi) = (m * p, m * p + m);
            self.l[lo..hi].copy_from_slice(&self.scratch[lo..hi]);
            self.l[lo + m] = diag;
            self.kept.push(j);
            self.z.push(zj);
            self.visit(mask | 1 << j, j + 1, r2 + zj * zj / self.yy, out);
            self.kept.pop();
            self.z.pop();
        }
    }
}

/// Each item's Shapley value from the R² of every subset (as [`subset_r2`]
/// gives them): Σ over subsets S without j of |S|!·(p − |S| − 1)!/p! ·
/// (R²(S ∪ {j}) − R²(S)). They sum to R² of all items; a rounding below 0 is 0.
pub fn shapley(r2: &[f64], p: usize) -> Vec<f64> {
    // weight[s] = s!(p − s − 1)!/p! = 1 / (p · C(p − 1, s)).
    let mut weight = vec![0.0; p.max(1)];
    let mut binom = 1.0;
    for (s, w) in weight.iter_mut().enumerate().take(p) {
        *w = 1.0 / (p as f64 * binom);
        binom = binom * (p - 1 - s) as f64 / (s + 1) as f64;
    }
    (0..p)
        .map(|j| {
            let bit = 1 << j;
            let phi: f64 = (0..r2.len())
                .filter(|mask| mask & bit == 0)
                .map(|mask| {
                    weight[(mask as u32).count_ones() as usize] * (r2[mask | bit] - r2[mask])
                })
                .sum();
            phi.max(0.0)
        })
        .collect()
}

/// The rows' scores pooled by pattern: each distinct score vector once
/// (items then target), with how many rows have it and which pattern each row is.
struct Patterns {
    /// Pattern-major scores, `q` per pattern.
    scores: Vec<u32>,
    counts: Vec<u64>,
    of_row: Vec<u32>,
}

impl Patterns {
    /// Covariance numerators n·Σxy − Σx·Σy (exact), as f64, of weights per pattern.
    fn covariance(&self, q: usize, weights: &[u64]) -> Vec<f64> {
        let mut n = 0u64;
        let mut s = vec![0u64; q];
        let mut ss = vec![0u64; q * q];
        for (pattern, &w) in weights.iter().enumerate() {
            if w == 0 {
                continue;
            }
            n += w;
            let x = &self.scores[pattern * q..pattern * q + q];
            for a in 0..q {
                let wa = w * u64::from(x[a]);
                s[a] += wa;
                for b in a..q {
                    ss[a * q + b] += wa * u64::from(x[b]);
                }
            }
        }
        let mut c = vec![0.0; q * q];
        for a in 0..q {
            for b in a..q {
                let num =
                    i128::from(n) * i128::from(ss[a * q + b]) - i128::from(s[a]) * i128::from(s[b]);
                c[a * q + b] = num as f64;
                c[b * q + a] = num as f64;
            }
        }
        c
    }
}

/// One multinomial draw of Σ counts trials over the categories, category k with
/// probability counts[k] / Σ counts, into `out`: each category's count is a
/// binomial draw of the trials left, with its share of the counts left (the
/// conditional binomial method; exact).
fn multinomial(rng: &mut Rng, counts: &[u64], out: &mut [u64]) {
    let mut trials: u64 = counts.iter().sum();
    let mut left = trials;
    for (w, &c) in out.iter_mut().zip(counts) {
        *w = if trials == 0 || c == 0 {
            0
        } else if c == left {
            trials
        } else {
            // 0 < c < left: a probability strictly between 0 and 1.
            Binomial::new(trials, c as f64 / left as f64).map_or(0, |b| b.sample(rng))
        };
        trials -= *w;
        left -= c;
    }
}

/// Linear-interpolation percentile (numpy's default) of sorted values, `at` in 0 … 1.
fn percentile(sorted: &[f64], at: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * at;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Shares (importance / R², all 0 when R² is 0) from a covariance matrix.
fn shares(c: &[f64], p: usize) -> (f64, Vec<f64>, Vec<f64>) {
    let r2 = subset_r2(c, p);
    let full = r2[r2.len() - 1];
    let importance = shapley(&r2, p);
    let share = importance
        .iter()
        .map(|&i| if full > 0.0 { i / full } else { 0.0 })
        .collect();
    (full, importance, share)
}

/// The key-driver analysis described in the module documentation.
pub fn drivers(
    instrument: &Instrument,
    responses: &Responses,
    options: &Options,
) -> Result<Drivers> {
    responses.check_instrument(instrument)?;
    let qs = instrument.questions();
    let sat = instrument.satisfaction();
    let satisfaction_ids = || {
        sat.iter()
            .map(|&q| qs[q].id.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Items.
    let items: Vec<usize> = match options.items {
        None => sat.to_vec(),
        Some(ids) => {
            let mut items = Vec::with_capacity(ids.len());
            for id in ids {
                let (q, question) = instrument.question(id).map_err(|mut e| {
                    e.prefix_fields("items");
                    e
                })?;
                if !sat.contains(&q) {
                    return Err(refuse(
                        ProblemCode::Invalid,
                        "items",
                        &question.id,
                        format!(
                            "{} is not a satisfaction scale item (options ordered best first); \
                             the items of this instrument are: {}",
                            question.id,
                            satisfaction_ids()
                        ),
                    ));
                }
                if items.contains(&q) {
                    return Err(refuse(
                        ProblemCode::Invalid,
                        "items",
                        &question.id,
                        format!("{} is named twice among the items", question.id),
                    ));
                }
                items.push(q);
            }
            items
        }
    };
    let p = items.len();
    if p == 0 {
        return Err(refuse(
            ProblemCode::Invalid,
            "items",
            "",
            "no items: name at least one satisfaction item (this instrument has none)".into(),
        ));
    }
    if p > MAX_ITEMS {
        return Err(refuse(
            ProblemCode::OutOfRange,
            "items",
            &p.to_string(),
            format!(
                "{p} items: at most {MAX_ITEMS} can be analysed \
                 (every one of the 2^p subsets is fitted)"
            ),
        ));
    }
    if options.resamples == 0 {
        return Err(refuse(
            ProblemCode::OutOfRange,
            "resamples",
            "0",
            "the bootstrap needs at least 1 resample".into(),
        ));
    }
    // Target.
    let (t, target) = match options.target {
        Some(id) => instrument.question(id).map_err(|mut e| {
            e.prefix_fields("target");
            e
        })?,
        None => {
            let t = instrument.nps().ok_or_else(|| {
                refuse(
                    ProblemCode::UnknownName,
                    "target",
                    instrument.id(),
                    "this instrument names no NPS question: name a target".into(),
                )
            })?;
            (t, &qs[t])
        }
    };
    let target_is_item = sat.contains(&t);
    if target.kind != QuestionKind::Scale && !target_is_item {
        return Err(refuse(
            ProblemCode::Invalid,
            "target",
            &target.id,
            format!(
                "{} is neither a numeric scale question (like the NPS question) nor a \
                 satisfaction item: it has no score to explain",
                target.id
            ),
        ));
    }
    if items.contains(&t) {
        return Err(refuse(
            ProblemCode::Invalid,
            "items",
            &target.id,
            format!("{} is the target: it cannot be an item too", target.id),
        ));
    }
    // Scores of a code: items (and a satisfaction-item target) k … 1; a scale
    // question min + code.
    let score = |q: usize, code: u8| -> u32 {
        let question = &qs[q];
        match question.kind {
            QuestionKind::Scale => u32::from(question.min.unwrap_or(0)) + u32::from(code),
            QuestionKind::Single => (question.len() - usize::from(code)) as u32,
        }
    };
    // Listwise rows, pooled by pattern.
    let q = p + 1;
    let columns: Vec<&[u8]> = items
        .iter()
        .chain(std::iter::once(&t))
        .map(|&c| responses.column(c))
        .collect();
    let mut patterns = Patterns {
        scores: Vec::new(),
        counts: Vec::new(),
        of_row: Vec::new(),
    };
    let mut seen: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut key = vec![0u8; q];
    'rows: for r in 0..responses.len() {
        for (a, col) in columns.iter().enumerate() {
            if col[r] == MISSING {
                continue 'rows;
            }
            key[a] = col[r];
        }
        let next = patterns.counts.len() as u32;
        let id = *seen.entry(key.clone()).or_insert_with(|| {
            let owners = items.iter().chain(std::iter::once(&t));
            for (&code, &owner) in key.iter().zip(owners) {
                patterns.scores.push(score(owner, code));
            }
            patterns.counts.push(0);
            next
        });
        patterns.counts[id as usize] += 1;
        patterns.of_row.push(id);
    }
    let n = patterns.of_row.len();
    if n < p + 2 {
        return Err(refuse(
            ProblemCode::OutOfRange,
            "n",
            &n.to_string(),
            format!(
                "{n} rows answered {} and every item: {p} items need at least {}",
                target.id,
                p + 2
            ),
        ));
    }
    let c = patterns.covariance(q, &patterns.counts);
    if c[p * q + p] <= 0.0 {
        return Err(refuse(
            ProblemCode::Invalid,
            "target",
            &target.id,
            format!(
                "{} has the same answer in all {n} rows used: there is nothing to explain",
                target.id
            ),
        ));
    }
    let (r2, importance, share) = shares(&c, p);
    let r: Vec<Option<f64>> = (0..p)
        .map(|j| {
            let jj = c[j * q + j];
            (jj > 0.0).then(|| c[j * q + p] / (jj * c[p * q + p]).sqrt())
        })
        .collect();
    // Bootstrap.
    let mut rng = Rng(options.seed);
    let mut weights = vec![0u64; patterns.counts.len()];
    let mut boot: Vec<Vec<f64>> = vec![Vec::with_capacity(options.resamples); p];
    let by_pattern = match options.draw {
        Draw::Auto => patterns.counts.len() * PATTERNS_PER_ROW <= n,
        Draw::Rows => false,
        Draw::Patterns => true,
    };
    for _ in 0..options.resamples {
        if by_pattern {
            multinomial(&mut rng, &patterns.counts, &mut weights);
        } else {
            weights.fill(0);
            for _ in 0..n {
                let row = ((u128::from(rng.next()) * n as u128) >> 64) as usize;
                weights[patterns.of_row[row] as usize] += 1;
            }
        }
        let (_, _, s) = shares(&patterns.covariance(q, &weights), p);
        for (b, s) in boot.iter_mut().zip(s) {
            b.push(s);
        }
    }
    // Indices, as `manyi report` computes them.
    let indices = satisfaction(instrument, responses)?;
    let mut out = Vec::with_capacity(p);
    for (j, &item) in items.iter().enumerate() {
        let id = &qs[item].id;
        let index = indices
            .iter()
            .find(|s| &s.question == id)
            .and_then(|s| s.index)
            .ok_or_else(|| {
                refuse(
                    ProblemCode::Invalid,
                    "items",
                    id,
                    format!("{id} has no answers"),
                )
            })?;
        let ci = (r2 > 0.0).then(|| {
            let b = &mut boot[j];
            b.sort_by(f64::total_cmp);
            [percentile(b, 0.025), percentile(b, 0.975)]
        });
        out.push(Driver {
            question: id.clone(),
            r: r[j],
            importance: importance[j],
            share: (r2 > 0.0).then_some(share[j]),
            share_ci95: ci,
            index,
        });
    }
    let fix_first = fix_first(&out);
    let mean_share = mean_share(&out);
    Ok(Drivers {
        target: target.id.clone(),
        n: n as u64,
        r2,
        mean_index: mean_index(&out),
        mean_share,
        items: out,
        fix_first,
    })
}

#[cfg(test)]
mod tests;
