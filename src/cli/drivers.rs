//! `manyi drivers`: key-driver analysis (issue 17), as JSON or a table.
//!
//! The numbers are [`manyi::drivers`]'; this file parses `--items`, and prints
//! one row per item (question, r, importance, share with its bootstrap
//! interval, index), a warning when the rows are few, and the item to fix
//! first.

use manyi::drivers::{self, Drivers, Options, RESAMPLES};
use manyi::{Instrument, Lang, Responses};

use crate::render::{heading, small_warning, Table};
use crate::Failure;

pub(crate) fn run(
    instrument: &Instrument,
    responses: &Responses,
    target: Option<&str>,
    items: Option<&str>,
    seed: u64,
    json: bool,
    lang: Lang,
) -> Result<String, Failure> {
    let items: Option<Vec<String>> = items.map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let options = Options {
        target,
        items: items.as_deref(),
        seed,
        ..Options::default()
    };
    let d = drivers::drivers(instrument, responses, &options)
        .map_err(|e| Failure::Input(e.to_string()))?;
    if json {
        return Ok(crate::to_json(&d));
    }
    Ok(table(instrument, &d, seed, lang))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The human-readable table.
fn table(instrument: &Instrument, d: &Drivers, seed: u64, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    let mut out = String::new();
    let target = heading(instrument, &d.target, lang);
    out.push_str(&if zh {
        format!("关键驱动因素：{target}（n = {}，R² = {:.3}）\n", d.n, d.r2)
    } else {
        format!("Key drivers of {target} (n = {}, R² = {:.3})\n", d.n, d.r2)
    });
    let header: Vec<String> = if zh {
        ["题目", "r", "重要性", "占比 [95% 区间]", "指数"]
    } else {
        ["Item", "r", "Importance", "Share [95% CI]", "Index"]
    }
    .map(String::from)
    .to_vec();
    let mut rows = Table::new(header);
    for item in &d.items {
        let share = match (item.share, item.share_ci95) {
            (Some(s), Some([lo, hi])) => format!("{} [{}, {}]", pct(s), pct(lo), pct(hi)),
            _ => "—".into(),
        };
        rows.row(vec![
            heading(instrument, &item.question, lang),
            item.r.map_or_else(|| "—".into(), |r| format!("{r:.3}")),
            format!("{:.4}", item.importance),
            share,
            format!("{:.2}", item.index),
        ]);
    }
    rows.render(&mut out);
    if d.small() {
        out.push_str(&format!("  ⚠ {}\n", small_warning(lang)));
    }
    out.push_str(&if zh {
        format!(
            "  r：与目标题的相关系数（“—”：该题所有答案相同）；重要性：Shapley（LMG）分解的 R² 份额；\
             占比 = 重要性 / R²，区间为 {RESAMPLES} 次自助抽样（种子 {seed}）的百分位区间。\n"
        )
    } else {
        format!(
            "  r: correlation with the target (\"—\": the item has one answer throughout); \
             importance: its Shapley (LMG) part of R²;\n  share = importance / R², \
             interval: percentiles of {RESAMPLES} bootstrap resamples (seed {seed}).\n"
        )
    });
    out.push_str(&match (&d.fix_first, zh) {
        (Some(q), true) => format!(
            "优先改进：{}（重要性高于各题平均、指数低于各题平均的题目中占比最高者）\n",
            heading(instrument, q, lang)
        ),
        (Some(q), false) => format!(
            "Fix first: {} (the highest share among items above the items' mean share and below their mean index)\n",
            heading(instrument, q, lang)
        ),
        (None, true) => "优先改进：无（没有重要性高于平均且指数低于平均的题目）\n".into(),
        (None, false) => {
            "Fix first: none (no item is both above the mean share and below the mean index)\n".into()
        }
    });
    out
}
