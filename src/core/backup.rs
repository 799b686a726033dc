//! Full backups: everything a device holds, in one file that restores exactly.
//!
//! A backup is a JSON document. Version 2 (written now) holds every
//! questionnaire's responses and everything else the device keeps:
//! `{"format": "manyi-backup", "version": 2, "created": "…", "sets": [{"instrument": {…},
//! "responses_csv": "…", "exported": "0110…", "contacts": [{"row": 3, "name": …,
//! "phone": …, "consent_at": …}]}], "entries": […], "audit": […], "branch_key": {…}}` —
//! each instrument in its own file format, its responses as interchange CSV
//! (every column, in order, which the CSV round trip keeps exactly), a flag per
//! row for "already exported", the call-back contacts by row, the paper forms
//! keyed once and awaiting their second keying, the audit trail as the page
//! wrote it, the branch key only when the person making the backup asked
//! for it, and the follow-up case events as `"cases": [{"id", "case",
//! "parent", …}]` (left out when there are none; a file without it has none,
//! so backups written before cases existed still read; they are checked as a
//! whole log, see [`crate::cases::check_log`]). Version 1 (one instrument, `instrument` and `responses_csv` at the
//! top) is still read. Reading checks all of it; a damaged or foreign file
//! restores nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cases::{self, Event};
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::Instrument;
use crate::responses::Responses;
use crate::store::Contact;

/// The `format` field of every backup.
pub const FORMAT: &str = "manyi-backup";
/// The single-instrument backup format version, still read.
pub const VERSION: u32 = 1;
/// The whole-device backup format version this code writes.
pub const DEVICE_VERSION: u32 = 2;

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

/// The backup's JSON, or an error naming where it stops being one.
fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        let mut p = Problem::new(ProblemCode::Unreadable, format!("not a manyi backup: {e}"));
        if e.line() > 0 {
            p = p.at_line(e.line());
            p.column = Some(e.column());
        }
        Error::single(ErrorKind::Backup, p)
    })
}

fn check_format(format: &str) -> Result<()> {
    if format == FORMAT {
        return Ok(());
    }
    Err(unreadable(format!(
        "not a manyi backup (format {format:?})"
    )))
}

/// Reads and checks a backup.
pub fn read(text: &str) -> Result<Backup> {
    let file: BackupFile = parse(text)?;
    check_format(&file.format)?;
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

/// One questionnaire's part of a device backup.
#[derive(Debug, Clone, PartialEq)]
pub struct SetBackup {
    /// The instrument.
    pub instrument: Instrument,
    /// Its responses.
    pub responses: Responses,
    /// Per row: exported already.
    pub exported: Vec<bool>,
    /// Per row: the call-back contact.
    pub contacts: Vec<Option<Box<Contact>>>,
}

/// A restored device backup (version 1 or 2).
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceBackup {
    /// When it was made.
    pub created: String,
    /// Every questionnaire's responses.
    pub sets: Vec<SetBackup>,
    /// Paper forms keyed once, as the page wrote them (a JSON array).
    pub entries: Value,
    /// The invitations issued on the device and what became of them (a JSON
    /// array of `{token, issuedAt, usedBy?, usedAt?}`), so that a restored
    /// staff device still refuses a code already taken.
    pub invitations: Value,
    /// The audit trail (a JSON array).
    pub audit: Value,
    /// The branch key as the page keeps it, or null.
    pub branch_key: Value,
    /// The follow-up case events (see [`crate::cases`]); empty in a backup
    /// written before cases existed.
    pub cases: Vec<Event>,
    /// Whether this is a backup (restored exactly) rather than a data file
    /// (whose rows get the importing device's provenance).
    pub is_backup: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceFile {
    format: String,
    version: u32,
    #[serde(default)]
    created: String,
    sets: Vec<SetFile>,
    #[serde(default)]
    entries: Value,
    #[serde(default)]
    invitations: Value,
    #[serde(default)]
    audit: Value,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    branch_key: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cases: Vec<Event>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFile {
    instrument: Value,
    responses_csv: String,
    #[serde(default)]
    exported: String,
    #[serde(default)]
    contacts: Vec<ContactFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFile {
    row: usize,
    name: String,
    phone: String,
    consent_at: String,
}

/// Writes a whole-device backup (version 2) with no invitations.
pub fn write_device(
    sets: &[SetBackup],
    entries: &Value,
    audit: &Value,
    branch_key: &Value,
    created: &str,
) -> Result<String> {
    write_device_with(sets, entries, &Value::Null, audit, branch_key, created)
}

/// Writes a whole-device backup (version 2): every questionnaire's
/// responses, the pending keyed forms, the invitations, the audit trail and
/// the branch key (null unless asked for); no case events.
pub fn write_device_with(
    sets: &[SetBackup],
    entries: &Value,
    invitations: &Value,
    audit: &Value,
    branch_key: &Value,
    created: &str,
) -> Result<String> {
    write_device_full(sets, entries, invitations, audit, &[], branch_key, created)
}

/// Writes a whole-device backup (version 2) with everything
/// [`write_device_with`] writes and the follow-up case events (`cases`,
/// left out when there are none, so that older readers still read it).
pub fn write_device_full(
    sets: &[SetBackup],
    entries: &Value,
    invitations: &Value,
    audit: &Value,
    cases: &[Event],
    branch_key: &Value,
    created: &str,
) -> Result<String> {
    let array = |v: &Value| {
        if v.is_null() {
            Value::Array(Vec::new())
        } else {
            v.clone()
        }
    };
    let mut files = Vec::with_capacity(sets.len());
    for s in sets {
        let csv = s.responses.to_csv(&s.instrument, false)?;
        files.push(SetFile {
            instrument: serde_json::to_value(&s.instrument).unwrap_or(Value::Null),
            responses_csv: String::from_utf8_lossy(&csv).into_owned(),
            exported: s
                .exported
                .iter()
                .map(|&e| if e { '1' } else { '0' })
                .collect(),
            contacts: s
                .contacts
                .iter()
                .enumerate()
                .filter_map(|(row, c)| {
                    c.as_ref().map(|c| ContactFile {
                        row,
                        name: c.name.clone(),
                        phone: c.phone.clone(),
                        consent_at: c.consent_at.clone(),
                    })
                })
                .collect(),
        });
    }
    let file = DeviceFile {
        format: FORMAT.into(),
        version: DEVICE_VERSION,
        created: created.into(),
        sets: files,
        entries: array(entries),
        invitations: array(invitations),
        audit: array(audit),
        branch_key: branch_key.clone(),
        cases: cases.to_vec(),
    };
    Ok(serde_json::to_string(&file).unwrap_or_default())
}

/// Reads a backup of either version as a device backup.
pub fn read_device(text: &str) -> Result<DeviceBackup> {
    #[derive(Deserialize)]
    struct Probe {
        version: Option<u32>,
    }
    let version = serde_json::from_str::<Probe>(text)
        .ok()
        .and_then(|p| p.version);
    // A cut-short version 2 file has no readable version: its `sets` tell.
    let v2 = version == Some(DEVICE_VERSION) || (version.is_none() && text.contains("\"sets\""));
    if let Some(v) = version.filter(|&v| v != VERSION && v != DEVICE_VERSION) {
        return Err(unreadable(format!(
            "backup format version {v} is not one this manyi reads ({VERSION} or {DEVICE_VERSION})"
        )));
    }
    if !v2 {
        let b = read(text)?;
        let n = b.responses.len();
        return Ok(DeviceBackup {
            created: b.created,
            sets: vec![SetBackup {
                instrument: b.instrument,
                responses: b.responses,
                exported: vec![false; n],
                contacts: vec![None; n],
            }],
            entries: Value::Array(Vec::new()),
            invitations: Value::Array(Vec::new()),
            audit: b.audit,
            branch_key: Value::Null,
            cases: Vec::new(),
            is_backup: true,
        });
    }
    let file: DeviceFile = parse(text)?;
    check_format(&file.format)?;
    for (what, v) in [
        ("audit trail", &file.audit),
        ("list of keyed forms", &file.entries),
        ("list of invitations", &file.invitations),
    ] {
        if !(v.is_array() || v.is_null()) {
            return Err(unreadable(format!("the {what} is not a list")));
        }
    }
    branch_key(&file.branch_key)?;
    cases::check_log(&file.cases, "cases").map_err(|e| e.with_kind(ErrorKind::Backup))?;
    let mut sets = Vec::with_capacity(file.sets.len());
    for (i, s) in file.sets.into_iter().enumerate() {
        let at = |e: Error| {
            let mut e = e.with_kind(ErrorKind::Backup);
            e.prefix_fields(&format!("sets[{i}]."));
            e
        };
        let instrument = Instrument::from_json(&s.instrument.to_string()).map_err(at)?;
        let responses = Responses::from_csv(&instrument, s.responses_csv.as_bytes()).map_err(at)?;
        let n = responses.len();
        let exported: Vec<bool> = s.exported.chars().map(|c| c == '1').collect();
        if exported.len() != n || s.exported.chars().any(|c| c != '0' && c != '1') {
            return Err(unreadable(format!(
                "sets[{i}].exported has {} flags of 0 or 1 for {n} responses",
                s.exported.chars().count()
            )));
        }
        let mut contacts = vec![None; n];
        for c in s.contacts {
            let Some(slot) = contacts.get_mut(c.row) else {
                return Err(unreadable(format!(
                    "sets[{i}].contacts names row {} of {n}",
                    c.row
                )));
            };
            *slot = Some(Box::new(Contact {
                name: c.name,
                phone: c.phone,
                consent_at: c.consent_at,
            }));
        }
        sets.push(SetBackup {
            instrument,
            responses,
            exported,
            contacts,
        });
    }
    let list = |v: Value| {
        if v.is_null() {
            Value::Array(Vec::new())
        } else {
            v
        }
    };
    Ok(DeviceBackup {
        created: file.created,
        sets,
        entries: list(file.entries),
        invitations: list(file.invitations),
        audit: list(file.audit),
        branch_key: file.branch_key,
        cases: file.cases,
        is_backup: true,
    })
}

/// The entries of a backup's audit trail (`theirs`) that this device's trail
/// (`mine`) lacks, in the backup's order: restoring a backup, or the same
/// backup twice, never writes an entry the device has already. Two entries are
/// the same when their JSON is (numbers by value: `1` and `1.0` are one, as a
/// page's numbers and a file's are).
pub fn audit_not_in(theirs: &Value, mine: &Value) -> Vec<Value> {
    let here: std::collections::HashSet<String> = mine
        .as_array()
        .map(|list| list.iter().map(canonical).collect())
        .unwrap_or_default();
    theirs
        .as_array()
        .map(|list| {
            list.iter()
                .filter(|e| !here.contains(&canonical(e)))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON value as text whatever its key order and number form.
fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Number(n) => out.push_str(&n.as_f64().unwrap_or(f64::NAN).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The ids of forms deleted on this device after `since` (an ISO 8601 time):
/// its audit trail's `delete` entries (`{"at", "what": "delete", "detail":
/// {"id"}}`) later than that.
pub fn deleted_since(trail: &Value, since: &str) -> std::collections::BTreeSet<String> {
    let Some(since) = crate::date::parse_prefix(since).map(|_| since) else {
        return Default::default();
    };
    trail
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e.get("what").and_then(Value::as_str) == Some("delete"))
        .filter(|e| {
            e.get("at")
                .and_then(Value::as_str)
                .is_some_and(|at| later(at, since))
        })
        .filter_map(|e| e.pointer("/detail/id").and_then(Value::as_str))
        .map(|id| id.trim().to_owned())
        .collect()
}

/// Whether ISO 8601 time `a` is after `b` (both as `toISOString` writes them,
/// with or without milliseconds).
fn later(a: &str, b: &str) -> bool {
    // Compare to the second, then the rest: "…:00Z" and "…:00.000Z" are one time.
    let (a_s, b_s) = (a.get(..19).unwrap_or(a), b.get(..19).unwrap_or(b));
    if a_s != b_s {
        return a_s > b_s;
    }
    let frac = |t: &str| {
        t.get(19..)
            .and_then(|r| r.strip_prefix('.'))
            .map(|r| r.trim_end_matches('Z').to_owned())
            .unwrap_or_default()
    };
    let (fa, fb) = (frac(a), frac(b));
    let width = fa.len().max(fb.len());
    format!("{fa:0<width$}") > format!("{fb:0<width$}")
}

impl DeviceBackup {
    /// Leaves out of this backup the forms deleted on this device after the
    /// backup was made (`trail` is the device's audit trail): restoring an
    /// older backup never brings back what was deleted since. Their responses
    /// (with their export flags and contacts) and their waiting first keyings
    /// go; the ids left out are returned, sorted. A data file (not a backup)
    /// is left as it is.
    pub fn leave_out_deleted(&mut self, trail: &Value) -> Vec<String> {
        if !self.is_backup || self.created.is_empty() {
            return Vec::new();
        }
        let deleted = deleted_since(trail, &self.created);
        if deleted.is_empty() {
            return Vec::new();
        }
        let mut left = std::collections::BTreeSet::new();
        for set in &mut self.sets {
            let ids = set.responses.ids();
            let keep: Vec<u32> = (0..set.responses.len())
                .filter(|&r| {
                    let gone = deleted.contains(ids.get(r).trim());
                    if gone {
                        left.insert(ids.get(r).trim().to_owned());
                    }
                    !gone
                })
                .map(|r| r as u32)
                .collect();
            if keep.len() == set.responses.len() {
                continue;
            }
            set.responses = set.responses.select(&keep).expect("rows of this set");
            set.exported = keep.iter().map(|&r| set.exported[r as usize]).collect();
            set.contacts = keep
                .iter()
                .map(|&r| set.contacts[r as usize].clone())
                .collect();
        }
        if let Some(entries) = self.entries.as_array_mut() {
            entries.retain(|e| {
                let id = e.get("id").and_then(Value::as_str).map(str::trim);
                match id {
                    Some(id) if deleted.contains(id) => {
                        left.insert(id.to_owned());
                        false
                    }
                    _ => true,
                }
            });
        }
        left.into_iter().collect()
    }
}

/// The branch key as a backup carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchKey {
    /// The 32 key bytes.
    pub key: Vec<u8>,
    /// Its short public name.
    pub name: String,
    /// When it was made.
    pub created_at: String,
}

/// What restoring a backup does with the branch key it brings: a device keeps
/// the key it has (its invitations are signed with it), so a backup's key is
/// restored only where the device has none. When the two differ, the preview
/// and the result name both: a response code answering one of the backup's
/// invitations is then refused on this device as not its branch's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyRestore {
    /// The backup brings no key.
    None,
    /// This device has none: the backup's is restored.
    Restored {
        /// The key's short public name.
        name: String,
    },
    /// This device has the same key already.
    Same {
        /// The key's short public name.
        name: String,
    },
    /// This device has another key, which it keeps.
    Kept {
        /// The backup's key's name.
        theirs: String,
        /// This device's key's name.
        mine: String,
    },
}

/// [`KeyRestore`] for a backup's key `theirs` and this device's `mine` (its
/// bytes and name), compared byte for byte (the 4-character names are short
/// enough to coincide).
pub fn key_restore(theirs: Option<&BranchKey>, mine: Option<(&[u8], &str)>) -> KeyRestore {
    match (theirs, mine) {
        (None, _) => KeyRestore::None,
        (Some(t), None) => KeyRestore::Restored {
            name: t.name.clone(),
        },
        (Some(t), Some((key, _))) if t.key == key => KeyRestore::Same {
            name: t.name.clone(),
        },
        (Some(t), Some((_, name))) => KeyRestore::Kept {
            theirs: t.name.clone(),
            mine: name.to_owned(),
        },
    }
}

/// The branch key as JSON for a backup (`{"key_hex", "name", "created_at"}`).
pub fn branch_key_json(key: &[u8], name: &str, created_at: &str) -> Result<Value> {
    if key.len() != 32 {
        return Err(unreadable(format!(
            "a branch key has 32 bytes, not {}",
            key.len()
        )));
    }
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    Ok(serde_json::json!({"key_hex": hex, "name": name, "created_at": created_at}))
}

/// The branch key a backup carries, checked, or `None`.
pub fn branch_key(value: &Value) -> Result<Option<BranchKey>> {
    if value.is_null() {
        return Ok(None);
    }
    let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
    let hex = text("key_hex").unwrap_or_default();
    let key: Option<Vec<u8>> = (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                .collect()
        })
        .flatten();
    match (key, text("name"), text("created_at")) {
        (Some(key), Some(name), Some(created_at)) => Ok(Some(BranchKey {
            key,
            name,
            created_at,
        })),
        _ => Err(unreadable(
            "the branch key in this backup is damaged (64 hex digits, a name and a time)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_exactly() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../../www/demo/zg-x-branch-2023.csv");
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
    fn a_backups_branch_key_is_restored_only_where_the_device_has_none_and_a_different_one_is_named(
    ) {
        let theirs = BranchKey {
            key: vec![7; 32],
            name: "AB12".into(),
            created_at: "2026-12-01T08:00:00Z".into(),
        };
        assert_eq!(key_restore(None, None), KeyRestore::None);
        assert_eq!(
            key_restore(None, Some((&[9; 32], "ZZ99"))),
            KeyRestore::None
        );
        assert_eq!(
            key_restore(Some(&theirs), None),
            KeyRestore::Restored {
                name: "AB12".into()
            }
        );
        assert_eq!(
            key_restore(Some(&theirs), Some((&[7; 32], "AB12"))),
            KeyRestore::Same {
                name: "AB12".into()
            }
        );
        // Another key here: this device's is kept, and the backup's is named,
        // as codes answering its invitations will be refused here.
        assert_eq!(
            key_restore(Some(&theirs), Some((&[9; 32], "ZZ99"))),
            KeyRestore::Kept {
                theirs: "AB12".into(),
                mine: "ZZ99".into()
            }
        );
        // Two keys that happen to share a short name are still two keys.
        assert_eq!(
            key_restore(Some(&theirs), Some((&[9; 32], "AB12"))),
            KeyRestore::Kept {
                theirs: "AB12".into(),
                mine: "AB12".into()
            }
        );
    }

    #[test]
    fn refuses_damage_and_foreign_files() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../../www/demo/zg-x-branch-2023.csv");
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
