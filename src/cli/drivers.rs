//! `manyi drivers`: key-driver analysis (issue 17), as JSON or a table.
//!
//! The numbers are [`manyi::drivers`]'; this file parses `--items`, and prints
//! one row per item (question, r, importance, share with its bootstrap
//! interval, index) and the item to fix first.

use manyi::drivers::{self, Drivers, Options, RESAMPLES};
use manyi::{Instrument, Lang, Responses};

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

/// Columns a character takes in a terminal: two for East Asian wide characters.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// "Q12 text" in `lang`.
fn heading(instrument: &Instrument, id: &str, lang: Lang) -> String {
    match instrument.question(id) {
        Ok((_, q)) => format!("{} {}", id.to_uppercase(), q.text.get(lang)),
        Err(_) => id.to_owned(),
    }
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
    let mut rows = vec![header];
    for item in &d.items {
        let share = match (item.share, item.share_ci95) {
            (Some(s), Some([lo, hi])) => format!("{} [{}, {}]", pct(s), pct(lo), pct(hi)),
            _ => "—".into(),
        };
        rows.push(vec![
            heading(instrument, &item.question, lang),
            item.r.map_or_else(|| "—".into(), |r| format!("{r:.3}")),
            format!("{:.4}", item.importance),
            share,
            format!("{:.2}", item.index),
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| width(&r[c])).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - width(cell));
            line.push_str("  ");
            if c == 0 {
                line.push_str(cell);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
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
            "优先改进：{}（指数低于各题平均、占比最高的一题）\n",
            heading(instrument, q, lang)
        ),
        (Some(q), false) => format!(
            "Fix first: {} (the highest share among items whose index is below the items' mean)\n",
            heading(instrument, q, lang)
        ),
        (None, true) => "优先改进：无（没有指数低于平均且占比大于 0 的题目）\n".into(),
        (None, false) => {
            "Fix first: none (no item with an index below the mean has a share above 0)\n".into()
        }
    });
    out
}
