//! Plain-text tables for a terminal, aligned for Chinese text (a CJK character
//! takes two columns). What is printed stays readable whatever the data: NPS
//! by segment lists at most [`SHOWN_SEGMENTS`] segments and
//! [`SHOWN_DIFFERENCES`] significant differences, and says how many more
//! there are (`--json` has them all).

use manyi::crosstab::Crosstab;
use manyi::report::Report;
use manyi::scale::Undefined;
use manyi::scoring::{
    Compared, Frequency, Nps, NpsBy, NpsDifference, SatisfactionItem, MAX_PAIRWISE,
};
use manyi::{Instrument, Lang};

/// The most segments an NPS-by table lists (a 0–100 scale has 101).
const SHOWN_SEGMENTS: usize = 200;

/// The most significant differences listed under an NPS-by table.
const SHOWN_DIFFERENCES: usize = 20;

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
    ci: &'static str,
    adjusted_ci: &'static str,
    /// "adjusted" before Δ'.
    adjusted: &'static str,
    /// The test behind a segment verdict; `{m}` the number of tests.
    segment_test: &'static str,
    small: &'static str,
    segment: &'static str,
    difference: &'static str,
    significant: &'static str,
    not_significant: &'static str,
    column_pct: &'static str,
    letters_note: &'static str,
    expected_warning: &'static str,
    dropped: &'static str,
    fisher: &'static str,
    overall_index: &'static str,
    alpha: &'static str,
    missing_pairs: &'static str,
    rest: &'static str,
    /// After "… {count}".
    more_segments: &'static str,
    /// After "… {count}".
    more_differences: &'static str,
    /// `{n}` segments, `{max}` the pairwise limit.
    vs_rest: &'static str,
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
    mean: "均值 (1–{k})",
    index: "指数 (0–100)",
    responses: "有效问卷",
    frequencies_title: "各题频数分布",
    ci: "95% 置信区间",
    adjusted_ci: "调整 Wald 95% 置信区间",
    adjusted: "调整后",
    segment_test: "调整 Wald z 检验，Bonferroni 校正，m = {m}",
    small: "样本少于 30，结果仅供参考",
    segment: "分组",
    difference: "差异",
    significant: "差异显著 (p < 0.05)",
    not_significant: "差异不显著",
    column_pct: "列百分比",
    letters_note: "字母：该列比例显著高于所列字母对应的列（z 检验，按该行实际比较次数做 Bonferroni 校正，α = 0.05；IBM SPSS 定制表规则）",
    expected_warning:
        "注意：期望频数过小（超过 20% 的单元格小于 5 或有单元格小于 1），卡方近似可能不准确",
    dropped: "空行/空列不参与检验",
    fisher: "Fisher 精确检验",
    overall_index: "总体满意度指数 (0–100，各题按其作答者计)",
    alpha: "Cronbach α (仅计各题全部作答者)",
    missing_pairs: "至少一题未作答（不计入）",
    rest: "其余",
    more_segments: "个分组未列出（--json 列出全部）",
    more_differences: "项差异未列出（--json 列出全部）",
    vs_rest: "共 {n} 个分组：每组与其余各组合计比较（不超过 {max} 组时两两比较）",
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
    mean: "Mean (1–{k})",
    index: "Index (0–100)",
    responses: "Responses",
    frequencies_title: "Frequencies",
    ci: "95% confidence interval",
    adjusted_ci: "adjusted-Wald 95% interval",
    adjusted: "adjusted",
    segment_test: "adjusted-Wald z test, Bonferroni, m = {m}",
    small: "fewer than 30 answers: read with care",
    segment: "Segment",
    difference: "Difference",
    significant: "significant (p < 0.05)",
    not_significant: "not significant",
    column_pct: "Column %",
    letters_note: "Letters: this column's proportion is significantly higher than the lettered columns' (z test, Bonferroni over the comparisons made in the row, α = 0.05; IBM SPSS Custom Tables rule)",
    expected_warning: "Warning: small expected counts (over 20% of cells below 5, or a cell below 1); the chi-square approximation may be poor",
    dropped: "empty rows/columns left out of the tests",
    fisher: "Fisher's exact test",
    overall_index: "Overall satisfaction index (0–100, each item over its own answers)",
    alpha: "Cronbach's alpha (listwise: those who answered every item)",
    missing_pairs: "missing either question (left out)",
    rest: "rest",
    more_segments: "more segments not shown (--json lists every one)",
    more_differences: "more not shown (--json lists every one)",
    vs_rest: "{n} segments: each compared with the rest (every pair only up to {max})",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

/// The small-sample warning (fewer than 30 answers), as the NPS gives it.
pub(crate) fn small_warning(lang: Lang) -> &'static str {
    words(lang).small
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

/// Columns `s` takes in a terminal: two for each East Asian wide character.
pub(crate) fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// A table: the first column (and any set with [`Table::left`]) left-aligned,
/// the others right-aligned; widths count East Asian characters as two.
pub(crate) struct Table {
    rows: Vec<Vec<String>>,
    left: Vec<usize>,
}

impl Table {
    pub(crate) fn new(header: Vec<String>) -> Self {
        Table {
            rows: vec![header],
            left: vec![0],
        }
    }

    /// Also left-aligns these columns.
    pub(crate) fn left(mut self, columns: &[usize]) -> Self {
        self.left.extend_from_slice(columns);
        self
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub(crate) fn render(&self, out: &mut String) {
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
                line.push_str("  ");
                if self.left.contains(&c) {
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
    }
}

fn pct(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.2}%")).unwrap_or_else(|| "—".into())
}

fn num(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

/// A question's heading: "Q3 您的学历".
pub(crate) fn heading(inst: &Instrument, id: &str, lang: Lang) -> String {
    match inst.question(id) {
        Ok((_, q)) => format!("{} {}", id.to_uppercase(), q.text.get(lang)),
        // An extra column (such as `mode`) has only its name.
        Err(_) => id.to_owned(),
    }
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
    // The adjusted-Wald interval only: Wald's is in --json (`wald`).
    if let Some(adj) = &n.adjusted {
        out.push_str(&format!(
            "  {}: {} (±{:.2})\n",
            w.adjusted_ci,
            interval(adj.ci95),
            adj.moe95
        ));
    }
    if n.small && n.n > 0 {
        out.push_str(&format!("  ⚠ {}\n", w.small));
    }
}

/// An interval in points, clamped to the NPS range for display.
fn interval([lo, hi]: [f64; 2]) -> String {
    format!(
        "[{:.2}, {:.2}]",
        lo.clamp(-100.0, 100.0),
        hi.clamp(-100.0, 100.0)
    )
}

fn p_value(p: f64) -> String {
    if p < 0.0001 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

fn code_name(inst: &Instrument, question: &str, code: &str, lang: Lang) -> String {
    let label = inst
        .question(question)
        .ok()
        .and_then(|(_, q)| {
            (0..q.len())
                .find(|&c| q.code_text(c as u8) == code)
                .map(|c| q.code_label(c as u8, lang))
        })
        .unwrap_or_default();
    if label.is_empty() || label == code {
        code.to_owned()
    } else {
        format!("{code} {label}")
    }
}

/// NPS by segment.
pub fn nps_by(inst: &Instrument, by: &NpsBy, lang: Lang, out: &mut String) {
    let w = words(lang);
    out.push_str(&format!(
        "{} — {}\n",
        w.nps_title,
        heading(inst, &by.by, lang)
    ));
    let mut t = Table::new(vec![
        w.segment.into(),
        "n".into(),
        "NPS".into(),
        w.adjusted_ci.into(),
        String::new(),
    ]);
    for s in by.segments.iter().take(SHOWN_SEGMENTS) {
        t.row(vec![
            code_name(inst, &by.by, &s.option, lang),
            s.nps.n.to_string(),
            num(s.nps.nps),
            adjusted_interval(&s.nps),
            if s.nps.small && s.nps.n > 0 {
                "⚠ n < 30".into()
            } else {
                String::new()
            },
        ]);
    }
    t.render(out);
    if let Some(more) = by
        .segments
        .len()
        .checked_sub(SHOWN_SEGMENTS)
        .filter(|&m| m > 0)
    {
        out.push_str(&format!("  … {more} {}\n", w.more_segments));
    }
    if by.missing > 0 {
        out.push_str(&format!("  {}: {}\n", w.missing, by.missing));
    }
    if by.compared == Compared::VsRest {
        let note = w
            .vs_rest
            .replace("{n}", &by.segments.len().to_string())
            .replace("{max}", &MAX_PAIRWISE.to_string());
        out.push_str(&format!("  {note}\n"));
    }
    let significant = by.comparisons.iter().filter(|c| c.significant);
    let count = significant.clone().count();
    let mut sig: Vec<String> = significant
        .take(SHOWN_DIFFERENCES)
        .map(|c| {
            format!(
                "{}–{} (Δ {:.2}, p = {})",
                c.a,
                if by.compared == Compared::VsRest {
                    w.rest
                } else {
                    &c.b
                },
                c.difference.delta,
                p_value(c.p_bonferroni.unwrap_or(1.0))
            )
        })
        .collect();
    if count > SHOWN_DIFFERENCES {
        sig.push(format!(
            "… {} {}",
            count - SHOWN_DIFFERENCES,
            w.more_differences
        ));
    }
    out.push_str(&format!(
        "  {}: {} ({})\n",
        w.difference,
        if sig.is_empty() {
            w.not_significant.to_owned()
        } else {
            format!("{} — {}", w.significant, sig.join("; "))
        },
        w.segment_test
            .replace("{m}", &by.comparisons.len().to_string())
    ));
}

/// Two files' NPS and the test of their difference.
pub fn nps_compare(
    inst: &Instrument,
    groups: [(&str, &Nps); 2],
    difference: Option<&NpsDifference>,
    lang: Lang,
    out: &mut String,
) {
    let w = words(lang);
    out.push_str(&format!("{}\n", w.nps_title));
    let mut t = Table::new(vec![
        String::new(),
        "n".into(),
        "NPS".into(),
        w.adjusted_ci.into(),
    ]);
    for (name, n) in groups {
        t.row(vec![
            name.to_owned(),
            n.n.to_string(),
            num(n.nps),
            adjusted_interval(n),
        ]);
    }
    t.render(out);
    let _ = inst;
    if let Some(d) = difference {
        // The verdict is the adjusted-Wald test's; the Wald test is in --json.
        let t = &d.adjusted;
        let verdict = if d.significant() {
            w.significant
        } else {
            w.not_significant
        };
        out.push_str(&format!(
            "  {}: Δ = {:.2} ({} Δ' = {:.2}, {} [{:.2}, {:.2}], z = {}, p = {}) — {}\n",
            w.difference,
            d.delta,
            w.adjusted,
            t.delta,
            w.ci,
            t.ci95[0],
            t.ci95[1],
            num(t.z),
            t.p.map(p_value).unwrap_or_else(|| "—".into()),
            verdict
        ));
    }
}

/// A group's adjusted-Wald interval, clamped for display, or "—" without answers.
fn adjusted_interval(n: &Nps) -> String {
    n.adjusted
        .as_ref()
        .map(|a| interval(a.ci95))
        .unwrap_or_else(|| "—".into())
}

/// A cross-tab: counts, column % with significance letters, and the tests.
pub fn crosstab(inst: &Instrument, t: &Crosstab, lang: Lang, out: &mut String) {
    let w = words(lang);
    out.push_str(&format!(
        "{} × {}\n",
        heading(inst, &t.row, lang),
        heading(inst, &t.col, lang)
    ));
    let mut header = vec![String::new()];
    header.extend(
        t.col_codes
            .iter()
            .zip(&t.col_letters)
            .map(|(c, l)| format!("{} ({l})", code_name(inst, &t.col, c, lang))),
    );
    header.push(w.total.into());
    let mut counts = Table::new(header.clone());
    for (i, code) in t.row_codes.iter().enumerate() {
        let mut row = vec![code_name(inst, &t.row, code, lang)];
        row.extend(t.counts[i].iter().map(u64::to_string));
        row.push(t.row_totals[i].to_string());
        counts.row(row);
    }
    let mut total = vec![w.total.to_string()];
    total.extend(t.col_totals.iter().map(u64::to_string));
    total.push(t.n.to_string());
    counts.row(total);
    counts.render(out);
    out.push_str(&format!("\n  {}\n", w.column_pct));
    let mut pct_table = Table::new(header[..header.len() - 1].to_vec());
    for (i, code) in t.row_codes.iter().enumerate() {
        let mut row = vec![code_name(inst, &t.row, code, lang)];
        row.extend((0..t.col_codes.len()).map(|j| {
            let mut cell = pct(t.col_pct[i][j]);
            let letters = &t.test.letters[i][j];
            if !letters.is_empty() {
                cell = format!("{cell} {letters}");
            }
            if let Some(note) = t.test.letter_notes[i][j] {
                cell = format!("{cell} ({})", note.footnote());
            }
            cell
        }));
        pct_table.row(row);
    }
    pct_table.render(out);
    out.push_str(&format!("  {}\n", w.letters_note));
    for note in [
        manyi::crosstab::LetterNote::ProportionZeroOrOne,
        manyi::crosstab::LetterNote::BaseBelowTwo,
    ] {
        if t.test
            .letter_notes
            .iter()
            .flatten()
            .any(|&n| n == Some(note))
        {
            out.push_str(&format!("  {}\n", letter_footnote(note, lang)));
        }
    }
    out.push('\n');
    if t.missing > 0 {
        out.push_str(&format!("  {}: {}\n", w.missing_pairs, t.missing));
    }
    match (
        t.test.independence.chi2,
        t.test.independence.df,
        t.test.independence.p,
    ) {
        (Some(chi2), Some(df), Some(p)) => {
            out.push_str(&format!(
                "  χ² = {chi2:.4}, df = {df}, p {}, Cramér's V = {}\n",
                p_shown(p, t.test.independence.p_below_floor),
                t.test
                    .independence
                    .cramers_v
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_else(|| "—".into())
            ));
        }
        _ => out.push_str("  χ²: —\n"),
    }
    if let Some(f) = t.test.fisher_p {
        out.push_str(&format!(
            "  {}: p {}\n",
            w.fisher,
            p_shown(f, t.test.fisher_p_below_floor)
        ));
    }
    if let Some(e) = &t.test.independence.expected_check {
        if e.warning {
            out.push_str(&format!(
                "  ⚠ {} ({}/{:.1}%, min E = {:.2})\n",
                w.expected_warning, e.below_5, e.pct_below_5, e.min_expected
            ));
        }
    }
    if !t.dropped_rows.is_empty() || !t.dropped_cols.is_empty() {
        let all: Vec<&str> = t
            .dropped_rows
            .iter()
            .chain(&t.dropped_cols)
            .map(String::as_str)
            .collect();
        out.push_str(&format!("  {}: {}\n", w.dropped, all.join(", ")));
    }
    if !t.small_rows.is_empty() || !t.small_cols.is_empty() {
        let all: Vec<&str> = t
            .small_rows
            .iter()
            .chain(&t.small_cols)
            .map(String::as_str)
            .collect();
        out.push_str(&format!("  ⚠ {}: {}\n", w.small, all.join(", ")));
    }
}

/// SPSS's footnote to the letters, paraphrased: why a column is not compared.
fn letter_footnote(note: manyi::crosstab::LetterNote, lang: Lang) -> &'static str {
    use manyi::crosstab::LetterNote::{BaseBelowTwo, ProportionZeroOrOne};
    match (note, lang) {
        (ProportionZeroOrOne, Lang::ZhCn) => "(a) 该列在此行的比例为 0 或 1，不参与比较",
        (BaseBelowTwo, Lang::ZhCn) => "(b) 该列作答人数少于 2，不参与比较",
        (ProportionZeroOrOne, Lang::En) => {
            "(a) not compared: this column's proportion in the row is 0 or 1"
        }
        (BaseBelowTwo, Lang::En) => "(b) not compared: the column has fewer than 2 responses",
    }
}

/// "= p", or "< 4.9e-324" when p is below every double (flagged by the core).
fn p_shown(p: f64, below_floor: bool) -> String {
    if below_floor {
        format!("< {p:.1e}")
    } else {
        format!("= {}", p_value(p))
    }
}

/// The satisfaction items' table.
pub fn satisfaction(inst: &Instrument, items: &[SatisfactionItem], lang: Lang, out: &mut String) {
    if items.is_empty() {
        return;
    }
    let w = words(lang);
    out.push_str(w.satisfaction_title);
    out.push('\n');
    // "Mean (1–5)" when every item has 5 options; "Mean (1–k)" when they differ.
    let k = match items.iter().map(|s| s.points).min() {
        Some(k) if items.iter().all(|s| s.points == k) => k.to_string(),
        _ => "k".into(),
    };
    let mut t = Table::new(vec![
        w.item.into(),
        w.valid.into(),
        w.top.into(),
        w.bottom.into(),
        w.mean.replace("{k}", &k),
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

/// Why α (or standardized α) has no value, in words.
fn undefined(why: Undefined, lang: Lang) -> &'static str {
    use Undefined::*;
    match (why, lang) {
        (TooFewItems, Lang::ZhCn) => "题目少于 2 个",
        (TooFewRespondents, Lang::ZhCn) => "全部作答者少于 2 人",
        (ConstantTotal, Lang::ZhCn) => "所有人的总分相同",
        (ConstantItem, Lang::ZhCn) => "有题目所有人答案相同",
        (MeanRAtLowerBound, Lang::ZhCn) => "平均题间相关为 −1/(k − 1)",
        (TooFewItems, Lang::En) => "fewer than 2 items",
        (TooFewRespondents, Lang::En) => "fewer than 2 answered every item",
        (ConstantTotal, Lang::En) => "every respondent's total is the same",
        (ConstantItem, Lang::En) => "an item has the same answer from everyone",
        (MeanRAtLowerBound, Lang::En) => "the mean inter-item r is −1/(k − 1)",
    }
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
        if let Some(scale) = &r.scale {
            out.push_str(&format!(
                "  {}: {}   {}: {} (n = {})\n",
                w.overall_index,
                num(scale.overall_index),
                w.alpha,
                match (scale.reliability.alpha, scale.reliability.alpha_undefined) {
                    (Some(a), _) => format!("{a:.3}"),
                    (None, Some(why)) => format!("— ({})", undefined(why, lang)),
                    (None, None) => "—".into(),
                },
                scale.reliability.n
            ));
        }
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
