//! Plain-text tables for a terminal, aligned for Chinese text (a CJK character
//! takes two columns).

use manyi::scoring::{Frequency, Nps, Report, SatisfactionItem};
use manyi::{Instrument, Lang};

/// Labels of the CLI's own words, in both languages.
struct Words {
    option: &'static str,
    count: &'static str,
    percent: &'static str,
    total: &'static str,
    missing: &'static str,
    promoters: &'static str,
    passives: &'static str,
    detractors: &'static str,
    nps_title: &'static str,
    satisfaction_title: &'static str,
    item: &'static str,
    valid: &'static str,
    top: &'static str,
    bottom: &'static str,
    mean: &'static str,
    index: &'static str,
    responses: &'static str,
    frequencies_title: &'static str,
}

const ZH: Words = Words {
    option: "选项",
    count: "人数",
    percent: "百分比",
    total: "合计",
    missing: "未作答",
    promoters: "推荐者 (9–10)",
    passives: "被动者 (7–8)",
    detractors: "贬损者 (0–6)",
    nps_title: "净推荐值 NPS",
    satisfaction_title: "满意度",
    item: "题目",
    valid: "有效",
    top: "满意",
    bottom: "不满意",
    mean: "均值 (1–3)",
    index: "指数 (0–100)",
    responses: "有效问卷",
    frequencies_title: "各题频数分布",
};

const EN: Words = Words {
    option: "Option",
    count: "Count",
    percent: "Percent",
    total: "Total",
    missing: "Not answered",
    promoters: "Promoters (9–10)",
    passives: "Passives (7–8)",
    detractors: "Detractors (0–6)",
    nps_title: "Net Promoter Score",
    satisfaction_title: "Satisfaction",
    item: "Item",
    valid: "Valid",
    top: "Satisfied",
    bottom: "Dissatisfied",
    mean: "Mean (1–3)",
    index: "Index (0–100)",
    responses: "Responses",
    frequencies_title: "Frequencies",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

/// Columns a character takes in a terminal: two for East Asian wide characters.
fn char_width(c: char) -> usize {
    let c = c as u32;
    let wide = matches!(c,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// A table: the first column left-aligned, the others right-aligned.
struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: Vec<String>) -> Self {
        Table { rows: vec![header] }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self, out: &mut String) {
        let cols = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..cols)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| width(s))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &self.rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let pad = " ".repeat(widths[c] - width(cell));
                if c == 0 {
                    line.push_str("  ");
                    line.push_str(cell);
                    line.push_str(&pad);
                } else {
                    line.push_str("  ");
                    line.push_str(&pad);
                    line.push_str(cell);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

fn pct(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.2}%")).unwrap_or_else(|| "—".into())
}

fn num(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

/// A question's heading: "Q3 您的学历".
fn heading(inst: &Instrument, id: &str, lang: Lang) -> String {
    let text = inst
        .question(id)
        .map(|(_, q)| q.text.get(lang).to_owned())
        .unwrap_or_default();
    format!("{} {}", id.to_uppercase(), text)
}

/// One question's frequency table.
pub fn frequency(inst: &Instrument, f: &Frequency, lang: Lang, out: &mut String) {
    let w = words(lang);
    out.push_str(&heading(inst, &f.question, lang));
    out.push('\n');
    let labels: Vec<String> = match inst.question(&f.question) {
        Ok((_, q)) => (0..f.codes.len())
            .map(|c| q.code_label(c as u8, lang))
            .collect(),
        Err(_) => f.codes.clone(),
    };
    let mut t = Table::new(vec![w.option.into(), w.count.into(), w.percent.into()]);
    for (i, code) in f.codes.iter().enumerate() {
        let name = if labels[i] == *code {
            code.clone()
        } else {
            format!("{code} {}", labels[i])
        };
        t.row(vec![name, f.counts[i].to_string(), pct(f.percent(i))]);
    }
    t.row(vec![
        w.total.into(),
        f.valid.to_string(),
        pct((f.valid > 0).then_some(100.0)),
    ]);
    t.row(vec![w.missing.into(), f.missing.to_string(), String::new()]);
    t.render(out);
}

/// The NPS block.
pub fn nps(inst: &Instrument, n: &Nps, lang: Lang, out: &mut String) {
    let w = words(lang);
    out.push_str(&format!(
        "{} — {}\n",
        w.nps_title,
        heading(inst, &n.question, lang)
    ));
    let mut t = Table::new(vec![String::new(), w.count.into(), w.percent.into()]);
    t.row(vec![
        w.promoters.into(),
        n.promoters.to_string(),
        pct(n.pct_promoters),
    ]);
    t.row(vec![
        w.passives.into(),
        n.passives.to_string(),
        pct(n.pct_passives),
    ]);
    t.row(vec![
        w.detractors.into(),
        n.detractors.to_string(),
        pct(n.pct_detractors),
    ]);
    t.row(vec![w.valid.into(), n.n.to_string(), String::new()]);
    t.row(vec![w.missing.into(), n.missing.to_string(), String::new()]);
    t.render(out);
    out.push_str(&format!("  NPS = {}\n", num(n.nps)));
}

/// The satisfaction items' table.
pub fn satisfaction(inst: &Instrument, items: &[SatisfactionItem], lang: Lang, out: &mut String) {
    if items.is_empty() {
        return;
    }
    let w = words(lang);
    out.push_str(w.satisfaction_title);
    out.push('\n');
    let mut t = Table::new(vec![
        w.item.into(),
        w.valid.into(),
        w.top.into(),
        w.bottom.into(),
        w.mean.into(),
        w.index.into(),
    ]);
    for s in items {
        t.row(vec![
            heading(inst, &s.question, lang),
            s.n.to_string(),
            pct(s.pct_top),
            pct(s.pct_bottom),
            num(s.mean),
            num(s.index),
        ]);
    }
    t.render(out);
}

/// The whole report.
pub fn report(inst: &Instrument, r: &Report, lang: Lang, out: &mut String) {
    let w = words(lang);
    out.push_str(&format!(
        "{} ({} {})\n{}: {}\n\n",
        inst.title().get(lang),
        r.instrument,
        r.version,
        w.responses,
        r.n
    ));
    if let Some(n) = &r.nps {
        nps(inst, n, lang, out);
        out.push('\n');
    }
    if !r.satisfaction.is_empty() {
        satisfaction(inst, &r.satisfaction, lang, out);
        out.push('\n');
    }
    out.push_str(w.frequencies_title);
    out.push_str("\n\n");
    for f in &r.frequencies.questions {
        frequency(inst, f, lang, out);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_takes_two_columns() {
        assert_eq!(width("A 男"), 4);
        assert_eq!(width("Q12 满意"), 8);
        let mut out = String::new();
        let mut t = Table::new(vec!["选项".into(), "n".into()]);
        t.row(vec!["A".into(), "177".into()]);
        t.render(&mut out);
        assert_eq!(out, "  选项    n\n  A     177\n");
    }
}
