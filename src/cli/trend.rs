//! `manyi trend`: NPS per month, quarter or ISO week, with the adjusted-Wald
//! interval and the test of each change from the previous period listed (the
//! rules are in the core's `trend` module). `--json` prints the core's
//! [`Trend`] as it is; the table rounds for reading.

use manyi::trend::{self, Period, Trend};
use manyi::{Instrument, Lang, Responses};

use crate::render::Table;
use crate::Failure;

pub(crate) fn run(
    instrument: &Instrument,
    responses: &Responses,
    date_column: Option<&str>,
    period: Option<&str>,
    json: bool,
    lang: Lang,
) -> Result<String, Failure> {
    let period = period
        .ok_or_else(|| Failure::Usage("trend needs --period: month, quarter or week".into()))?;
    let period = Period::parse(period).map_err(|_| {
        Failure::Usage(format!(
            "unknown --period {period:?}: use month, quarter or week"
        ))
    })?;
    let t = trend::trend(instrument, responses, date_column, period)
        .map_err(|e| Failure::Input(e.to_string()))?;
    if json {
        return Ok(serde_json::to_string_pretty(&t).unwrap_or_default() + "\n");
    }
    let mut out = String::new();
    render(&t, period, lang, &mut out);
    Ok(out)
}

/// The table's words in one language.
struct Words {
    title: [&'static str; 3],
    period: &'static str,
    interval: &'static str,
    change: &'static str,
    legend: &'static str,
    undated: &'static str,
    none: &'static str,
}

const ZH: Words = Words {
    title: [
        "NPS 趋势（按月）",
        "NPS 趋势（按季度）",
        "NPS 趋势（按 ISO 周）",
    ],
    period: "期间",
    interval: "95% 区间（调整 Wald）",
    change: "变化",
    legend: "变化：与上一个列出的期间相比；* 显著（调整 Wald 检验，p < 0.05）",
    undated: "日期为空或无法识别的行（未计入任何期间）",
    none: "没有任何期间有回答 NPS 题的有日期回复",
};

const EN: Words = Words {
    title: ["NPS by month", "NPS by quarter", "NPS by ISO week"],
    period: "period",
    interval: "95% interval (adjusted Wald)",
    change: "change",
    legend: "change: from the previous period listed; * significant (adjusted-Wald test, p < 0.05)",
    undated: "rows with an empty or unreadable date (in no period)",
    none: "no period has a dated response that answered the NPS question",
};

fn p_value(p: f64) -> String {
    if p < 0.0001 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

fn render(t: &Trend, period: Period, lang: Lang, out: &mut String) {
    let w = match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    };
    let title = match period {
        Period::Month => w.title[0],
        Period::Quarter => w.title[1],
        Period::Week => w.title[2],
    };
    out.push_str(title);
    out.push('\n');
    if t.periods.is_empty() {
        out.push_str(&format!("  {}\n", w.none));
    } else {
        let mut rows = Table::new(vec![
            w.period.into(),
            "n".into(),
            "NPS".into(),
            w.interval.into(),
            w.change.into(),
            "p".into(),
            String::new(),
        ])
        .left(&[6]);
        for p in &t.periods {
            let dash = || "—".to_owned();
            rows.row(vec![
                p.period.clone(),
                p.n.to_string(),
                format!("{:.2}", p.nps),
                format!(
                    "[{:.2}, {:.2}]",
                    p.ci95[0].clamp(-100.0, 100.0),
                    p.ci95[1].clamp(-100.0, 100.0)
                ),
                p.change.map_or_else(dash, |c| format!("{c:+.2}")),
                p.p.map_or_else(dash, p_value),
                if p.significant == Some(true) { "*" } else { "" }.into(),
            ]);
        }
        rows.render(out);
        out.push_str(&format!("  {}\n", w.legend));
    }
    out.push_str(&format!("  {}: {}\n", w.undated, t.undated));
}
