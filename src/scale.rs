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
//! Items are scored k … 1 from their best option down, as in [`crate::scoring`].

use serde::Serialize;

use crate::error::Result;
use crate::instrument::Instrument;
use crate::responses::Responses;
use crate::scoring::satisfaction;

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
    /// Standardized α from the mean inter-item correlation.
    pub standardized_alpha: Option<f64>,
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

fn correlation(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
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

/// The reliability of the items (question indices) of `instrument`, each scored
/// k … 1 from its first option.
pub fn reliability(instrument: &Instrument, responses: &Responses, items: &[usize]) -> Reliability {
    let qs = instrument.questions();
    let lens: Vec<usize> = items.iter().map(|&q| qs[q].len()).collect();
    let complete: Vec<usize> = (0..responses.len())
        .filter(|&r| {
            items
                .iter()
                .zip(&lens)
                .all(|(&q, &k)| usize::from(responses.column(q)[r]) < k)
        })
        .collect();
    let scores: Vec<Vec<f64>> = items
        .iter()
        .zip(&lens)
        .map(|(&q, &k)| {
            let col = responses.column(q);
            complete
                .iter()
                .map(|&r| (k - usize::from(col[r])) as f64)
                .collect()
        })
        .collect();
    let k = items.len();
    let n = complete.len();
    let mut rs = Vec::new();
    for a in 0..k {
        for b in a + 1..k {
            if let Some(r) = correlation(&scores[a], &scores[b]) {
                rs.push(r);
            }
        }
    }
    let pairs = k * k.saturating_sub(1) / 2;
    let r_bar = (pairs > 0 && rs.len() == pairs && n >= 2)
        .then(|| rs.iter().sum::<f64>() / rs.len() as f64);
    let kf = k as f64;
    let without = |i: usize| -> Vec<Vec<f64>> {
        scores
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, s)| s.clone())
            .collect()
    };
    Reliability {
        items: items.iter().map(|&q| qs[q].id.clone()).collect(),
        n: n as u64,
        excluded: (responses.len() - n) as u64,
        alpha: cronbach_alpha(&scores),
        standardized_alpha: r_bar.map(|r| kf * r / (1.0 + (kf - 1.0) * r)),
        mean_inter_item_r: r_bar,
        alpha_if_deleted: (0..k)
            .map(|i| {
                if k > 2 {
                    cronbach_alpha(&without(i))
                } else {
                    None
                }
            })
            .collect(),
        item_total_r: (0..k)
            .map(|i| {
                if n < 2 {
                    return None;
                }
                let rest: Vec<f64> = (0..n)
                    .map(|r| (0..k).filter(|&j| j != i).map(|j| scores[j][r]).sum())
                    .collect();
                correlation(&scores[i], &rest)
            })
            .collect(),
    }
}

/// The satisfaction scale: overall index and reliability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    /// The mean of the items' 0–100 indices (`None` if an item has no answers).
    pub overall_index: Option<f64>,
    /// Cronbach's α and friends.
    pub reliability: Reliability,
}

/// The instrument's satisfaction scale; `None` if it names no satisfaction items.
pub fn scale(instrument: &Instrument, responses: &Responses) -> Result<Option<Scale>> {
    let items = satisfaction(instrument, responses)?;
    if items.is_empty() {
        return Ok(None);
    }
    let indices: Option<Vec<f64>> = items.iter().map(|s| s.index).collect();
    Ok(Some(Scale {
        overall_index: indices.map(|v| v.iter().sum::<f64>() / v.len() as f64),
        reliability: reliability(instrument, responses, instrument.satisfaction()),
    }))
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

    #[test]
    fn constant_items_have_no_alpha() {
        assert_eq!(cronbach_alpha(&[vec![1.0, 1.0], vec![2.0, 2.0]]), None);
        assert_eq!(cronbach_alpha(&[vec![1.0, 2.0]]), None);
    }
}
