//! Full backups: everything a device holds, in one file that restores exactly.
//!
//! A backup is a JSON document:
//! `{"format": "manyi-backup", "version": 1, "created": "…", "instrument": {…},
//! "responses_csv": "…", "audit": […]}` — the instrument in its own file format,
//! the responses as interchange CSV (every column, in order, which the CSV
//! round trip keeps exactly), and the audit trail as the page wrote it. Reading
//! checks all of it; a damaged or foreign file restores nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::Instrument;
use crate::responses::Responses;

/// The `format` field of every backup.
pub const FORMAT: &str = "manyi-backup";
/// The backup format version this code writes and reads.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupFile {
    format: String,
    version: u32,
    #[serde(default)]
    created: String,
    instrument: Value,
    responses_csv: String,
    #[serde(default)]
    audit: Value,
}

/// A restored backup.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    /// When it was made, as the writer gave it.
    pub created: String,
    /// The instrument the responses belong to.
    pub instrument: Instrument,
    /// Every response.
    pub responses: Responses,
    /// The audit trail (a JSON array; its entries are the page's).
    pub audit: Value,
}

/// Writes a backup of `responses` with their `instrument` and `audit` trail.
pub fn write(
    instrument: &Instrument,
    responses: &Responses,
    audit: &Value,
    created: &str,
) -> Result<String> {
    let csv = responses.to_csv(instrument, false)?;
    let file = BackupFile {
        format: FORMAT.into(),
        version: VERSION,
        created: created.into(),
        instrument: serde_json::to_value(instrument).unwrap_or(Value::Null),
        // The CSV was written from Strings, so it is UTF-8.
        responses_csv: String::from_utf8_lossy(&csv).into_owned(),
        audit: if audit.is_null() {
            Value::Array(Vec::new())
        } else {
            audit.clone()
        },
    };
    Ok(serde_json::to_string(&file).unwrap_or_default())
}

fn unreadable(message: String) -> Error {
    Error::single(
        ErrorKind::Backup,
        Problem::new(ProblemCode::Unreadable, message),
    )
}

/// Reads and checks a backup.
pub fn read(text: &str) -> Result<Backup> {
    let file: BackupFile = serde_json::from_str(text).map_err(|e| {
        let mut p = Problem::new(ProblemCode::Unreadable, format!("not a manyi backup: {e}"));
        if e.line() > 0 {
            p = p.at_line(e.line());
            p.column = Some(e.column());
        }
        Error::single(ErrorKind::Backup, p)
    })?;
    if file.format != FORMAT {
        return Err(unreadable(format!(
            "not a manyi backup (format {:?})",
            file.format
        )));
    }
    if file.version != VERSION {
        return Err(unreadable(format!(
            "backup format version {} is not one this manyi reads ({VERSION})",
            file.version
        )));
    }
    if !file.audit.is_array() {
        return Err(unreadable("the audit trail is not a list".into()));
    }
    let instrument = Instrument::from_json(&file.instrument.to_string())
        .map_err(|e| e.with_kind(ErrorKind::Backup))?;
    let responses = Responses::from_csv(&instrument, file.responses_csv.as_bytes())
        .map_err(|e| e.with_kind(ErrorKind::Backup))?;
    Ok(Backup {
        created: file.created,
        instrument,
        responses,
        audit: file.audit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_exactly() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../www/demo/zg-x-branch-2023.csv");
        let r = Responses::from_csv(&inst, demo).expect("demo");
        let audit = serde_json::json!([{"at": "2026-11-23T10:00:00Z", "who": "王芳", "what": "edit", "id": "X2023-0001"}]);
        let text = write(&inst, &r, &audit, "2026-11-23T10:05:00Z").expect("written");
        let back = read(&text).expect("restores");
        assert_eq!(
            (back.instrument, back.responses, back.audit),
            (inst, r, audit)
        );
        assert_eq!(back.created, "2026-11-23T10:05:00Z");
    }

    #[test]
    fn refuses_damage_and_foreign_files() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../www/demo/zg-x-branch-2023.csv");
        let r = Responses::from_csv(&inst, demo).expect("demo");
        let text = write(&inst, &r, &Value::Null, "").expect("written");
        let cases = [
            ("{}".to_string(), "missing field"),
            (
                text.replace(FORMAT, "other"),
                "not a manyi backup (format \"other\")",
            ),
            (text.replace("\"version\":1", "\"version\":9"), "version 9"),
            (text.replacen(",A,", ",Z,", 1), "not an option"),
            (text[..text.len() / 2].to_string(), "EOF"),
        ];
        for (bad, says) in cases {
            let e = read(&bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Backup);
            assert!(e.to_string().contains(says), "{says}: {e}");
        }
    }
}
