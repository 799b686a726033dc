//! `manyi export FILE --format F -o OUT`: the responses in another tool's
//! format, the same set the page offers — the interchange CSV (`csv`), the CSV
//! with option texts (`labelled`), the Excel workbook (`xlsx`), a backup
//! (`backup`), an SPSS system file (`sav`, labels in `--lang`) and Parquet
//! (`parquet`). The CSVs carry a byte-order mark, as the page's do, so Excel
//! reads the Chinese text. The file is written atomically.

use std::time::{SystemTime, UNIX_EPOCH};

use manyi::{Instrument, Lang, Responses};

use crate::{merge, Failure};

/// The formats `--format` takes.
pub(crate) const FORMATS: &str = "csv, labelled, xlsx, backup, sav or parquet";

/// Checks the command line before any file is read: a known `--format` and an `-o`.
pub(crate) fn check<'a>(
    format: Option<&'a str>,
    output: Option<&'a str>,
) -> Result<(&'a str, &'a str), Failure> {
    let format =
        format.ok_or_else(|| Failure::Usage(format!("export needs --format: {FORMATS}")))?;
    if !["csv", "labelled", "xlsx", "backup", "sav", "parquet"].contains(&format) {
        return Err(Failure::Usage(format!(
            "unknown --format {format:?}: use {FORMATS}"
        )));
    }
    let output = output.ok_or_else(|| Failure::Usage("export needs -o FILE".into()))?;
    Ok((format, output))
}

/// Writes `responses` to `output` in `format` (both checked by [`check`]).
pub(crate) fn run(
    instrument: &Instrument,
    responses: &Responses,
    format: &str,
    output: &str,
    lang: Lang,
) -> Result<String, Failure> {
    let fail = |e: manyi::Error| Failure::Input(e.to_string());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let bytes = match format {
        "csv" => responses.to_csv(instrument, true).map_err(fail)?,
        "labelled" => responses
            .to_labelled_csv(instrument, lang, true)
            .map_err(fail)?,
        "xlsx" => manyi::export::to_xlsx(instrument, responses, lang).map_err(fail)?,
        "backup" => {
            let created = manyi::sav::iso_time(now);
            manyi::backup::write(instrument, responses, &serde_json::Value::Null, &created)
                .map_err(fail)?
                .into_bytes()
        }
        "sav" => manyi::sav::to_sav(instrument, responses, lang, now).map_err(fail)?,
        _ => manyi::parquet::to_parquet(instrument, responses).map_err(fail)?,
    };
    merge::write_atomically(output, &bytes)?;
    Ok(String::new())
}
