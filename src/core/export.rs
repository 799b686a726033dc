//! The .xlsx workbook export, for people who work in Excel.
//!
//! Two sheets: the responses, laid out exactly as the interchange CSV (a header
//! of `id`, question ids and extra columns; option letters as text, scale
//! values as numbers, blank for not answered), so that importing the workbook
//! gives the same responses back; and every question's frequency table (code,
//! option text, count, % of valid answers to two decimals, then the count not
//! answered), as the thesis's tables lay them out.
//!
//! A workbook types its cells: text is written as text (a shared or inline
//! string, never a formula), so the quote that the CSV exports put before
//! formula-like text ([`crate::csv`]) is neither written nor expected here; a
//! text such as `=1+1` or `'-x` is stored as it is and reads back as it is.

use crate::error::Result;
use crate::instrument::{Instrument, Lang, QuestionKind};
use crate::responses::Responses;
use crate::scoring::frequencies;
use crate::xlsx::{self, Cell, Sheet};

/// Writes the workbook; sheet names and option texts in `lang`.
pub fn to_xlsx(instrument: &Instrument, responses: &Responses, lang: Lang) -> Result<Vec<u8>> {
    let qs = instrument.questions();
    let scale_columns: Vec<bool> = {
        let mut header = Vec::new();
        responses.each_row(instrument, None, |row| {
            if header.is_empty() {
                header = row.to_vec();
            }
        })?;
        header
            .iter()
            .map(|h| {
                qs.iter()
                    .any(|q| q.id == *h && q.kind == QuestionKind::Scale)
            })
            .collect()
    };
    let mut rows = Vec::with_capacity(responses.len() + 1);
    responses.each_row(instrument, None, |row| {
        let header = rows.is_empty();
        rows.push(
            row.iter()
                .zip(&scale_columns)
                .map(|(text, &scale)| match text.parse::<f64>() {
                    _ if text.is_empty() => Cell::Empty,
                    Ok(v) if scale && !header => Cell::Number(v),
                    _ => Cell::Text(text.clone()),
                })
                .collect(),
        );
    })?;
    let name = match lang {
        Lang::ZhCn => "问卷数据",
        Lang::En => "Responses",
    };
    Ok(xlsx::write(&[
        Sheet {
            name: name.into(),
            rows,
        },
        frequency_sheet(instrument, responses, lang)?,
    ]))
}

/// Every question's frequency table, one row per option.
fn frequency_sheet(instrument: &Instrument, responses: &Responses, lang: Lang) -> Result<Sheet> {
    let qs = instrument.questions();
    let (name, heads) = match lang {
        Lang::ZhCn => (
            "频数分布",
            ["题目", "选项", "选项文字", "人数", "百分比", "未作答"],
        ),
        Lang::En => (
            "Frequencies",
            [
                "Question",
                "Code",
                "Option",
                "Count",
                "Percent",
                "Not answered",
            ],
        ),
    };
    let mut freq_rows = vec![heads
        .iter()
        .map(|h| Cell::Text((*h).into()))
        .collect::<Vec<_>>()];
    for (q, f) in qs.iter().zip(frequencies(instrument, responses)?.questions) {
        for (i, code) in f.codes.iter().enumerate() {
            freq_rows.push(vec![
                Cell::Text(if i == 0 {
                    format!("{} {}", q.id.to_uppercase(), q.text.get(lang))
                } else {
                    String::new()
                }),
                Cell::Text(code.clone()),
                Cell::Text(q.code_label(i as u8, lang)),
                Cell::Number(f.counts[i] as f64),
                f.percent(i)
                    .map_or(Cell::Empty, |p| Cell::Number((p * 100.0).round() / 100.0)),
                if i == 0 {
                    Cell::Number(f.missing as f64)
                } else {
                    Cell::Empty
                },
            ]);
        }
    }
    Ok(Sheet {
        name: name.into(),
        rows: freq_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workbook_round_trips_the_thesis_data() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../../www/demo/zg-x-branch-2023.csv");
        let r = Responses::from_csv(&inst, demo).expect("demo");
        for lang in [Lang::ZhCn, Lang::En] {
            let book = to_xlsx(&inst, &r, lang).expect("written");
            assert_eq!(Responses::from_xlsx(&inst, &book).expect("reads back"), r);
        }
    }

    #[test]
    fn formula_like_text_is_written_as_it_is() {
        let inst = Instrument::builtin();
        let mut r = Responses::new(&inst, &["note"]).expect("names");
        let mut codes = [crate::MISSING; 17];
        codes[16] = 3;
        r.push(&inst, "=1+1", &codes, &["'-x"]).expect("ok");
        r.push(&inst, "'=y", &codes, &["@SUM(A1)"]).expect("ok");
        let book = to_xlsx(&inst, &r, Lang::En).expect("written");
        let rows = crate::xlsx::read_first_sheet(&book).expect("reads");
        let cells: Vec<(&str, &str, &str)> = rows[1..]
            .iter()
            .map(|(_, row)| (row[0].as_str(), row[17].as_str(), row[18].as_str()))
            .collect();
        assert_eq!(cells, [("=1+1", "3", "'-x"), ("'=y", "3", "@SUM(A1)")]);
        assert_eq!(Responses::from_xlsx(&inst, &book).expect("reads back"), r);
    }

    #[test]
    fn frequency_sheet_has_the_thesis_counts() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../../www/demo/zg-x-branch-2023.csv");
        let r = Responses::from_csv(&inst, demo).expect("demo");
        let sheet = frequency_sheet(&inst, &r, Lang::ZhCn).expect("sheet");
        let rows = crate::xlsx::read_first_sheet(&xlsx::write(&[sheet])).expect("reads");
        // Thesis table 3.5: Q1 男 177 (48.36%), 女 189 (51.64%), none missing.
        assert_eq!(rows[1].1, ["Q1 您的性别", "A", "男", "177", "48.36", "0"]);
        assert_eq!(rows[2].1, ["", "B", "女", "189", "51.64"]);
        // Thesis figure 3.8's Q17 split ends with 67 tens (18.31%).
        let last = &rows.last().expect("rows").1;
        assert_eq!(last[1..5], ["10", "10", "67", "18.31"]);
    }
}
