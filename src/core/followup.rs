//! The follow-up list: which customers the branch should call back, and why.
//!
//! The follow-up list holds the detractors (0–6 on the NPS question) and marks,
//! for each, the instrument's follow-up rules they meet (for the built-in one:
//! no relationship manager, Q10 B or C; almost no contact, Q11 D). A rule
//! written with `when` (a condition tree: see
//! [`Condition`](crate::instrument::Condition)) lists every response meeting
//! it, detractor or not; a rule of the first form only marks detractors.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Result;
use crate::filter::Keep;
use crate::instrument::{Instrument, Lang, MISSING};
use crate::responses::Responses;

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
    Ok(scan(instrument, responses, None, usize::MAX).items)
}

/// One pass over the responses (the rows `keep` keeps; all if `None`): every
/// listed response counted, by rule too, and the first `limit` built as
/// [`FollowUp`]s. Each rule's condition is evaluated a column at a time
/// first, so a row past `limit` costs no allocation. A listed row's `row`
/// counts the kept rows only: it is the row of the filtered data set.
fn scan(
    instrument: &Instrument,
    responses: &Responses,
    keep: Option<&Keep>,
    limit: usize,
) -> FollowUpList {
    let nps = instrument.nps().map(|q| responses.column(q));
    let rules = instrument.follow_up();
    let mut list = FollowUpList {
        count: 0,
        by_flag: rules.iter().map(|r| (r.id.clone(), 0)).collect(),
        flagged: 0,
        items: Vec::new(),
    };
    let n = responses.len();
    let keep = keep.map(Keep::column);
    let kept = |r: usize| keep.is_none_or(|k| k[r] == 0);
    let detractor = |r: usize| nps.is_some_and(|codes| codes[r] <= 6);
    // Each rule's condition a column at a time, then the rows eight at a
    // time as one word of 0/1 bytes (AND, OR, and counts by popcount): who
    // is kept, who a kept detractor, each rule's hits (a rule of the first
    // form only on detractors), who is listed, who meets any rule.
    let meets: Vec<Vec<u8>> = rules.iter().map(|rule| rule.when.rows(responses)).collect();
    let words = n.div_ceil(8);
    let mut k_w: Vec<u64> = match keep {
        Some(keep) => to_words(keep)
            .into_iter()
            .map(|w| (!nonzero(w) & HIGH) >> 7)
            .collect(),
        None => vec![0x0101_0101_0101_0101; words],
    };
    // The last word's padding is no row (kept by neither branch above): every
    // other word is ANDed with these.
    if let (Some(last), tail @ 1..) = (k_w.last_mut(), n % 8) {
        *last &= (1u64 << (8 * tail)) - 1;
    }
    let d_w: Vec<u64> = match nps {
        Some(codes) => to_words(codes)
            .into_iter()
            .zip(&k_w)
            .map(|(w, &k)| ((!at_least_7(w) & HIGH) >> 7) & k)
            .collect(),
        None => vec![0; words],
    };
    let mut listed = d_w.clone();
    let mut any = vec![0u64; words];
    let mut per_rule = vec![0u64; rules.len()];
    for ((rule, meet), count) in rules.iter().zip(&meets).zip(&mut per_rule) {
        let base = if rule.detractors_only { &d_w } else { &k_w };
        let widens = u64::from(!rule.detractors_only).wrapping_neg();
        for (((m, &b), l), a) in to_words(meet)
            .into_iter()
            .zip(base)
            .zip(&mut listed)
            .zip(&mut any)
        {
            let h = m & b;
            *count += u64::from(h.count_ones());
            *l |= h & widens;
            *a |= h;
        }
    }
    let ones = |ws: &[u64]| ws.iter().map(|w| u64::from(w.count_ones())).sum();
    list.count = ones(&listed);
    list.flagged = ones(&any);
    let hits = |r: usize, d: bool| {
        meets
            .iter()
            .zip(rules)
            .map(move |(m, rule)| m[r] == 1 && (d || !rule.detractors_only))
    };
    // The first `limit` listed rows, numbered among the kept rows.
    let mut view_row = 0u32;
    for r in 0..n {
        if list.items.len() >= limit {
            break;
        }
        if !kept(r) {
            continue;
        }
        let here = view_row;
        view_row += 1;
        if (listed[r / 8] >> (8 * (r % 8))) & 1 == 0 {
            continue;
        }
        let d = detractor(r);
        list.items.push(FollowUp {
            row: here,
            id: responses.ids()[r].to_owned(),
            score: nps.map(|codes| codes[r]).filter(|&c| c != MISSING),
            detractor: d,
            flags: rules
                .iter()
                .zip(hits(r, d))
                .filter(|&(_, h)| h)
                .map(|(rule, _)| rule.id.clone())
                .collect(),
        });
    }
    for (rule, n) in rules.iter().zip(per_rule) {
        *list.by_flag.entry(rule.id.clone()).or_default() += n;
    }
    list
}

/// `col` eight bytes at a time as little-endian words, the last padded with 0.
fn to_words(col: &[u8]) -> Vec<u64> {
    let chunks = col.chunks_exact(8);
    let rest = chunks.remainder();
    let mut out = Vec::with_capacity(col.len().div_ceil(8));
    // Bytes by index from chunks of a known eight: no call to a copy routine.
    out.extend(
        chunks.map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])),
    );
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        out.push(u64::from_le_bytes(w));
    }
    out
}

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Each byte's high bit set where that byte of `w` is not 0 (no carry
/// crosses a byte: the low seven bits plus 0x7f stay below 0x100).
fn nonzero(w: u64) -> u64 {
    (((w & LOW7) + LOW7) | w) & HIGH
}

/// Each byte's high bit set where that byte of `w` is 7 or more.
fn at_least_7(w: u64) -> u64 {
    (((w & LOW7) + 0x7979_7979_7979_7979) | w) & HIGH
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
    follow_up_list_where(instrument, responses, limit, None)
}

/// [`follow_up_list`] of the rows `keep` keeps (every row if `None`), in
/// place; each item's `row` is its row among the kept rows.
pub fn follow_up_list_where(
    instrument: &Instrument,
    responses: &Responses,
    limit: usize,
    keep: Option<&Keep>,
) -> Result<FollowUpList> {
    responses.check_instrument(instrument)?;
    Ok(scan(instrument, responses, keep, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(rows: &[&str]) -> (Instrument, Responses) {
        let inst = Instrument::builtin();
        let mut csv = String::from(
            "id,mode,date,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n",
        );
        for r in rows {
            csv.push_str(r);
            csv.push('\n');
        }
        let responses = Responses::from_csv(&inst, csv.as_bytes()).expect("valid");
        (inst, responses)
    }

    #[test]
    fn the_follow_up_csv_says_why_each_person_is_on_it() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../../www/demo/zg-x-branch-2023.csv");
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
    }
}
