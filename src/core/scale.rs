//! The satisfaction scale as a whole: its 0–100 index and its reliability.
//!
//! - **Overall index**: the mean of the items' 0–100 indices (each item's mean
//!   rescaled so all-best = 100 and all-worst = 0).
//! - **Cronbach's α** = k/(k − 1)·(1 − Σ s²_item / s²_total), over respondents
//!   who answered every item (listwise deletion, SPSS's default), variances with
//!   the same divisor throughout; **standardized α** = k·r̄ / (1 + (k − 1)·r̄)
//!   with r̄ the mean inter-item correlation; per item, α if the item is deleted
//!   and the corrected item–total correlation (item vs the sum of the others).
//!
//! - **Bases differ, on purpose**: the index takes each item over the
//!   respondents who answered *that item* (as every percentage does), while α
//!   and its companions take only those who answered *every* item (listwise);
//!   [`Reliability::n`] is α's base, each item's `n` the index's.
//! - When α or standardized α has no value, [`Reliability`] says why
//!   ([`Undefined`]): fewer than 2 items or respondents, every total the same
//!   (α's denominator is 0), an item without variance (no correlation), or
//!   r̄ = −1/(k − 1), the least a mean correlation can be, where
//!   1 + (k − 1)·r̄ = 0.
//!
//! Items are scored k … 1 from their best option down, as in [`crate::scoring`].

use serde::Serialize;

use crate::count::count_patterns;
use crate::error::Result;
use crate::filter::Keep;
use crate::instrument::Instrument;
use crate::responses::Responses;
use crate::scoring::satisfaction;

/// Why α or standardized α has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Undefined {
    /// Fewer than 2 items.
    TooFewItems,
    /// Fewer than 2 respondents answered every item.
    TooFewRespondents,
    /// Every respondent's total is the same: the total's variance, α's
    /// denominator, is 0.
    ConstantTotal,
    /// An item has the same answer from everyone: its correlations, and so r̄,
    /// are undefined.
    ConstantItem,
    /// r̄ = −1/(k − 1), the least a mean inter-item correlation can be:
    /// standardized α's denominator 1 + (k − 1)·r̄ is 0.
    MeanRAtLowerBound,
}

/// Reliability of a set of items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    /// The item ids.
    pub items: Vec<String>,
    /// Respondents who answered every item (the base).
    pub n: u64,
    /// Respondents left out for missing at least one item.
    pub excluded: u64,
    /// Cronbach's α (`None` with fewer than 2 items or 2 respondents, or no variance).
    pub alpha: Option<f64>,
    /// Why `alpha` is `None`.
    pub alpha_undefined: Option<Undefined>,
    /// Standardized α from the mean inter-item correlation.
    pub standardized_alpha: Option<f64>,
    /// Why `standardized_alpha` is `None`.
    pub standardized_alpha_undefined: Option<Undefined>,
    /// The mean inter-item correlation r̄.
    pub mean_inter_item_r: Option<f64>,
    /// Per item: α of the other items.
    pub alpha_if_deleted: Vec<Option<f64>>,
    /// Per item: correlation with the sum of the other items.
    pub item_total_r: Vec<Option<f64>>,
}

fn variance(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
}

/// Cronbach's α of item score columns (one `Vec` per item, equal lengths, no gaps).
pub fn cronbach_alpha(items: &[Vec<f64>]) -> Option<f64> {
    let k = items.len();
    let n = items.first().map_or(0, Vec::len);
    if k < 2 || n < 2 {
        return None;
    }
    let totals: Vec<f64> = (0..n).map(|r| items.iter().map(|it| it[r]).sum()).collect();
    let total_var = variance(&totals);
    if total_var <= 0.0 {
        return None;
    }
    let item_var: f64 = items.iter().map(|it| variance(it)).sum();
    let k = k as f64;
    Some(k / (k - 1.0) * (1.0 - item_var / total_var))
}

/// Exact sums over the respondents who answered every item: their number, Σx
/// per item and Σx·y per pair (row-major k × k), with x the item's score k … 1.
/// When the items' answer patterns are few (5 items of 3 options: 243) the
/// patterns are counted ([`count_patterns`]) and summed per pattern; otherwise
/// one pass over the rows.
// Rows index several columns at once: a range loop says that most plainly.
#[allow(clippy::needless_range_loop)]
fn sums(cols: &[&[u8]], lens: &[usize], keep: Option<&[u8]>) -> (u64, Vec<u64>, Vec<u64>) {
    let k = cols.len();
    let rows = cols.first().map_or(0, |c| c.len());
    let mut s = vec![0u64; k];
    let mut ss = vec![0u64; k * k];
    let mut add = |scores: &[u64], times: u64| {
        for a in 0..k {
            s[a] += times * scores[a];
            for b in 0..k {
                ss[a * k + b] += times * scores[a] * scores[b];
            }
        }
    };
    let mut n = 0u64;
    let mut scores = vec![0u64; k];
    // A filter's keep column is one more item of one option (0 kept, MISSING
    // dropped): it drops rows without changing the patterns.
    let (with_keep, keep_lens): (Vec<&[u8]>, Vec<usize>) = match keep {
        Some(keep) => (
            cols.iter().copied().chain([keep]).collect(),
            lens.iter().copied().chain([1]).collect(),
        ),
        None => (cols.to_vec(), lens.to_vec()),
    };
    if let Some(counts) = count_patterns(&with_keep, &keep_lens) {
        for (index, &count) in counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let mut rest = index;
            for a in 0..k {
                scores[a] = (lens[a] - rest % lens[a]) as u64;
                rest /= lens[a];
            }
            add(&scores, count);
            n += count;
        }
    } else {
        'rows2: for r in 0..rows {
            if keep.is_some_and(|keep| keep[r] != 0) {
                continue;
            }
            for a in 0..k {
                let c = usize::from(cols[a][r]);
                if c >= lens[a] {
                    continue 'rows2;
                }
                scores[a] = (lens[a] - c) as u64;
            }
            add(&scores, 1);
            n += 1;
        }
    }
    (n, s, ss)
}

/// The reliability of the items (question indices) of `instrument`, each scored
/// k … 1 from its first option. Every figure comes from the items' covariance
/// matrix, built from exact integer sums in one pass over the responses.
pub fn reliability(instrument: &Instrument, responses: &Responses, items: &[usize]) -> Reliability {
    reliability_where(instrument, responses, items, None)
}

/// [`reliability`] over the rows `keep` keeps (every row if `None`).
pub fn reliability_where(
    instrument: &Instrument,
    responses: &Responses,
    items: &[usize],
    keep: Option<&Keep>,
) -> Reliability {
    let qs = instrument.questions();
    let k = items.len();
    let lens: Vec<usize> = items.iter().map(|&q| qs[q].len()).collect();
    let cols: Vec<&[u8]> = items.iter().map(|&q| responses.column(q)).collect();
    let (n, s, ss) = sums(&cols, &lens, keep.map(Keep::column));
    let rows = keep.map_or(responses.len() as u64, Keep::kept);
    // cov(a, b) = (n·Σxy − Σx·Σy) / (n(n − 1)), the numerator exact in integers.
    let cov: Vec<f64> = (0..k * k)
        .map(|ab| {
            let (a, b) = (ab / k, ab % k);
            if n < 2 {
                return 0.0;
            }
            let num = i128::from(n) * i128::from(ss[ab]) - i128::from(s[a]) * i128::from(s[b]);
            num as f64 / (n as f64 * (n - 1) as f64)
        })
        .collect();
    let c = |a: usize, b: usize| cov[a * k + b];
    // α of a subset of the items.
    let alpha = |set: &[usize]| -> Result<f64, Undefined> {
        let m = set.len();
        if m < 2 {
            return Err(Undefined::TooFewItems);
        }
        if n < 2 {
            return Err(Undefined::TooFewRespondents);
        }
        let total: f64 = set
            .iter()
            .flat_map(|&a| set.iter().map(move |&b| (a, b)))
            .map(|(a, b)| c(a, b))
            .sum();
        if total <= 0.0 {
            return Err(Undefined::ConstantTotal);
        }
        let items: f64 = set.iter().map(|&a| c(a, a)).sum();
        let m = m as f64;
        Ok(m / (m - 1.0) * (1.0 - items / total))
    };
    let correlation = |a: usize, b: usize| -> Option<f64> {
        (n >= 2 && c(a, a) > 0.0 && c(b, b) > 0.0).then(|| c(a, b) / (c(a, a) * c(b, b)).sqrt())
    };
    let all: Vec<usize> = (0..k).collect();
    let rs: Vec<f64> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
        .filter_map(|(a, b)| correlation(a, b))
        .collect();
    let pairs = k * k.saturating_sub(1) / 2;
    let r_bar = (pairs > 0 && rs.len() == pairs && n >= 2)
        .then(|| rs.iter().sum::<f64>() / rs.len() as f64);
    let kf = k as f64;
    let standardized = match r_bar {
        _ if k < 2 => Err(Undefined::TooFewItems),
        _ if n < 2 => Err(Undefined::TooFewRespondents),
        None => Err(Undefined::ConstantItem),
        // r̄ ≥ −1/(k − 1) for any correlation matrix; at the bound (up to
        // rounding) the denominator vanishes.
        Some(r) if (1.0 + (kf - 1.0) * r).abs() <= 1e-12 => Err(Undefined::MeanRAtLowerBound),
        Some(r) => Ok(kf * r / (1.0 + (kf - 1.0) * r)),
    };
    let all_alpha = alpha(&all);
    let others = |i: usize| -> Vec<usize> { (0..k).filter(|&j| j != i).collect() };
    Reliability {
        items: items.iter().map(|&q| qs[q].id.clone()).collect(),
        n,
        excluded: rows - n,
        alpha: all_alpha.ok(),
        alpha_undefined: all_alpha.err(),
        standardized_alpha: standardized.ok(),
        standardized_alpha_undefined: standardized.err(),
        mean_inter_item_r: r_bar,
        alpha_if_deleted: (0..k)
            .map(|i| if k > 2 { alpha(&others(i)).ok() } else { None })
            .collect(),
        item_total_r: (0..k)
            .map(|i| {
                let rest = others(i);
                let cov_rest: f64 = rest.iter().map(|&j| c(i, j)).sum();
                let var_rest: f64 = rest
                    .iter()
                    .flat_map(|&a| rest.iter().map(move |&b| (a, b)))
                    .map(|(a, b)| c(a, b))
                    .sum();
                (n >= 2 && c(i, i) > 0.0 && var_rest > 0.0)
                    .then(|| cov_rest / (c(i, i) * var_rest).sqrt())
            })
            .collect(),
    }
}

/// The satisfaction scale: overall index and reliability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    /// The mean of the items' 0–100 indices, each item over the respondents who
    /// answered it (`None` if an item has no answers).
    pub overall_index: Option<f64>,
    /// Cronbach's α and friends, over the respondents who answered every item.
    pub reliability: Reliability,
}

/// The instrument's satisfaction scale; `None` if it names no satisfaction items.
pub fn scale(instrument: &Instrument, responses: &Responses) -> Result<Option<Scale>> {
    let items = satisfaction(instrument, responses)?;
    Ok(scale_of(instrument, responses, &items, None))
}

/// The scale from its items' figures already computed (the report's).
pub(crate) fn scale_of(
    instrument: &Instrument,
    responses: &Responses,
    items: &[crate::scoring::SatisfactionItem],
    keep: Option<&Keep>,
) -> Option<Scale> {
    if items.is_empty() {
        return None;
    }
    let indices: Option<Vec<f64>> = items.iter().map(|s| s.index).collect();
    Some(Scale {
        overall_index: indices.map(|v| v.iter().sum::<f64>() / v.len() as f64),
        reliability: reliability_where(instrument, responses, instrument.satisfaction(), keep),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toy_alpha_is_three_quarters() {
        // statistics.md §4: [[3,3,2],[2,2,2],[1,2,1],[3,2,3],[2,1,1],[1,1,2]] → α = 0.75.
        let rows = [
            [3., 3., 2.],
            [2., 2., 2.],
            [1., 2., 1.],
            [3., 2., 3.],
            [2., 1., 1.],
            [1., 1., 2.],
        ];
        let items: Vec<Vec<f64>> = (0..3)
            .map(|j| rows.iter().map(|r| r[j]).collect())
            .collect();
        assert!((cronbach_alpha(&items).expect("alpha") - 0.75).abs() < 1e-12);
    }

    /// Responses answering only `rows`' items (one string of letters per
    /// respondent) of the built-in instrument's satisfaction items Q12, Q13, …
    fn answers(rows: &[&str]) -> (Instrument, Responses, Vec<usize>) {
        let inst = Instrument::builtin();
        let mut csv =
            String::from("id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n");
        for (i, r) in rows.iter().enumerate() {
            let mut cells: Vec<String> = r.chars().map(String::from).collect();
            cells.resize(5, String::new());
            csv.push_str(&format!("r{i}{},{},\n", ",".repeat(11), cells.join(",")));
        }
        let resp = Responses::from_csv(&inst, csv.as_bytes()).expect("valid");
        let k = rows[0].len();
        let items = inst.satisfaction()[..k].to_vec();
        (inst, resp, items)
    }

    #[test]
    fn standardized_alpha_at_the_least_mean_correlation_says_why() {
        // Issue 15 item 8. Three items whose rows are the cyclic permutations
        // of (3, 2, 1) (ABC, CAB, BCA): every pair correlates −1/2 exactly
        // (deviations (1, −1, 0), (−1, 0, 1): covariance −1/2, variances 1),
        // so r̄ = −1/2 = −1/(k − 1) and 1 + (k − 1)·r̄ = 0; every total is 6.
        let (inst, resp, items) = answers(&["ABC", "CAB", "BCA"]);
        let rel = reliability(&inst, &resp, &items);
        assert_eq!(rel.mean_inter_item_r, Some(-0.5));
        assert_eq!(rel.standardized_alpha, None);
        assert_eq!(
            rel.standardized_alpha_undefined,
            Some(Undefined::MeanRAtLowerBound)
        );
        assert_eq!(
            (rel.alpha, rel.alpha_undefined),
            (None, Some(Undefined::ConstantTotal))
        );
        // A constant item: no correlation, so no r̄.
        let (inst, resp, items) = answers(&["AA", "AB", "AC"]);
        let rel = reliability(&inst, &resp, &items);
        assert_eq!(
            (rel.mean_inter_item_r, rel.standardized_alpha_undefined),
            (None, Some(Undefined::ConstantItem))
        );
        // One respondent; one item.
        let (inst, resp, items) = answers(&["AB"]);
        let rel = reliability(&inst, &resp, &items);
        assert_eq!(rel.alpha_undefined, Some(Undefined::TooFewRespondents));
        let rel = reliability(&inst, &resp, &items[..1]);
        assert_eq!(
            rel.standardized_alpha_undefined,
            Some(Undefined::TooFewItems)
        );
        // A defined α has no reason.
        let (inst, resp, items) = answers(&["AA", "BB", "CB"]);
        let rel = reliability(&inst, &resp, &items);
        assert!(rel.alpha.is_some() && rel.alpha_undefined.is_none());
        assert!(rel.standardized_alpha.is_some() && rel.standardized_alpha_undefined.is_none());
    }

    #[test]
    fn constant_items_have_no_alpha() {
        assert_eq!(cronbach_alpha(&[vec![1.0, 1.0], vec![2.0, 2.0]]), None);
        assert_eq!(cronbach_alpha(&[vec![1.0, 2.0]]), None);
    }
}
