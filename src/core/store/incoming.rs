//! Files coming onto the device: reading them (a backup, a workbook or a CSV),
//! planning their merge per questionnaire for a person to confirm, and
//! applying it all or nothing, with the provenance of each row.

use super::*;

/// Who and what an import records on each row it brings, where the file
/// does not say: `source` (the file), `device`, `operator`.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// The file's name.
    pub source: String,
    /// This device's id.
    pub device: String,
    /// Who imported it (may be empty).
    pub operator: String,
}

/// What an import did to its set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// Rows added.
    pub added: usize,
    /// Rows that replaced a stored version (conflicts resolved as incoming).
    pub replaced: usize,
    /// Rows skipped as already stored.
    pub same: usize,
    /// Log records whose response now lives in the set's chunks: the page
    /// deletes them in the same transaction that writes the chunks.
    pub drop_log: Vec<String>,
}

/// `incoming` with its provenance filled in (empty cells of `source`,
/// `device`, `operator`, adding the columns where missing) and its call-back
/// contact columns taken out into contacts.
pub fn prepare_incoming(
    instrument: &Instrument,
    mut r: Responses,
    provenance: &Provenance,
) -> (Responses, Vec<Option<Box<Contact>>>) {
    let n = r.len();
    for (name, value) in [
        ("source", &provenance.source),
        ("device", &provenance.device),
        ("operator", &provenance.operator),
    ] {
        if value.is_empty() && r.extras.iter().all(|e| !e.name.eq_ignore_ascii_case(name)) {
            continue;
        }
        if let Some(c) = extra_column(&mut r, instrument, name) {
            let col = &mut r.extras[c].values;
            for i in 0..col.len() {
                if col.get(i).is_empty() {
                    col.set(i, value);
                }
            }
        }
    }
    let take = |r: &mut Responses, name: &str| -> Option<Vec<String>> {
        let at = r
            .extras
            .iter()
            .position(|e| e.name.eq_ignore_ascii_case(name))?;
        let col = r.extras.remove(at);
        r.layout.retain(|s| *s != Slot::Extra(at));
        for s in &mut r.layout {
            if let Slot::Extra(e) = s {
                if *e > at {
                    *e -= 1;
                }
            }
        }
        Some(col.values.to_vec())
    };
    let [name, phone, consent] = CONTACT_COLUMNS.map(|c| take(&mut r, c));
    let contacts = (0..n)
        .map(|i| {
            let get =
                |c: &Option<Vec<String>>| c.as_ref().map(|v| v[i].clone()).unwrap_or_default();
            let c = Contact {
                name: get(&name),
                phone: get(&phone),
                consent_at: get(&consent),
            };
            (!c.name.is_empty() || !c.phone.is_empty()).then(|| Box::new(c))
        })
        .collect();
    (r, contacts)
}

/// Merges `incoming` (already [`prepare_incoming`]d, with its `contacts`) into
/// `set` by `plan`, as [`crate::merge::apply`] does: new rows appended,
/// conflicts resolved as `resolutions` says. New and replaced rows are not yet
/// exported (unless `exported` gives the incoming rows' flags, as a backup
/// does) and are kept in chunks. Into an empty set the incoming rows go as
/// they are, columns in their order (moved, not copied: at a million rows
/// the copy was ~30 MB more of a wasm memory that never shrinks).
pub fn apply_import(
    set: &mut StoredSet,
    incoming: Responses,
    contacts: Vec<Option<Box<Contact>>>,
    exported: Option<&[bool]>,
    plan: &crate::merge::MergePlan,
    resolutions: &HashMap<String, crate::merge::Resolution>,
) -> Result<Applied> {
    let flag = |r: usize| exported.is_some_and(|e| e[r]);
    if set.is_empty() && plan.new.len() == incoming.len() {
        incoming.check_instrument(&set.instrument)?;
        let n = incoming.len();
        set.responses = incoming;
        set.exported = (0..n).map(flag).collect();
        set.contacts = contacts;
        set.origin = Origins::chunks(n);
        return Ok(Applied {
            added: n,
            replaced: 0,
            same: 0,
            drop_log: Vec::new(),
        });
    }
    let merged = crate::merge::apply(
        &set.instrument,
        &set.responses,
        &incoming,
        plan,
        resolutions,
    )?;
    let mut applied = Applied {
        added: plan.new.len(),
        replaced: 0,
        same: plan.same.len(),
        drop_log: Vec::new(),
    };
    for c in &plan.conflicts {
        if resolutions.get(&c.id) == Some(&crate::merge::Resolution::TakeIncoming) {
            applied.replaced += 1;
            let e = c.existing_row;
            if let Origin::Log(key) = &set.origin[e] {
                applied.drop_log.push(key.clone());
            }
            set.exported[e] = flag(c.incoming_row);
            set.contacts[e] = contacts[c.incoming_row].clone();
            set.origin.set(e, Origin::Chunk);
        }
    }
    for &r in &plan.new {
        set.exported.push(flag(r));
        set.contacts.push(contacts[r].clone());
        set.origin.push(Origin::Chunk);
    }
    set.responses = merged;
    Ok(applied)
}

/// Marks every row of `set` as exported; returns the keys of the log records
/// among them, which the page marks too (in the same transaction as the chunks).
pub fn mark_exported(set: &mut StoredSet) -> Vec<String> {
    set.exported.iter_mut().for_each(|e| *e = true);
    set.origin.log_keys().map(str::to_owned).collect()
}

/// What a file brought to the device is, by its name's ending (any letter
/// case): a backup (`.json`, `.manyi`), a workbook (`.xlsx`) or, otherwise,
/// an interchange CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A backup of a device (JSON).
    Backup,
    /// An .xlsx workbook laid out as the interchange CSV.
    Workbook,
    /// An interchange CSV.
    Csv,
}

impl FileKind {
    /// The kind of a file named `name`.
    pub fn of(name: &str) -> FileKind {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") || lower.ends_with(".manyi") {
            FileKind::Backup
        } else if lower.ends_with(".xlsx") {
            FileKind::Workbook
        } else {
            FileKind::Csv
        }
    }

    /// Its name: `backup`, `workbook` or `csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Backup => "backup",
            FileKind::Workbook => "workbook",
            FileKind::Csv => "csv",
        }
    }

    /// The kind [`as_str`](Self::as_str) names; `None` for any other text.
    pub fn parse(name: &str) -> Option<FileKind> {
        [FileKind::Backup, FileKind::Workbook, FileKind::Csv]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// Reads a file brought to the device by its name ([`FileKind::of`]): a
/// backup, a workbook or an interchange CSV (both of the built-in
/// instrument), all or nothing.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<crate::backup::DeviceBackup> {
    read_kind(FileKind::of(name), bytes)
}

/// Reads `bytes` as a file of this kind, all or nothing.
pub fn read_kind(kind: FileKind, bytes: &[u8]) -> Result<crate::backup::DeviceBackup> {
    let instrument = Instrument::builtin();
    let responses = match kind {
        FileKind::Backup => {
            let text = std::str::from_utf8(bytes).map_err(|e| {
                Error::single(
                    ErrorKind::Backup,
                    Problem::new(
                        ProblemCode::InvalidUtf8,
                        format!(
                            "a backup is UTF-8 text; byte {} is not",
                            e.valid_up_to() + 1
                        ),
                    ),
                )
            })?;
            return crate::backup::read_device(text);
        }
        FileKind::Workbook => workbook_responses(&instrument, bytes)?,
        FileKind::Csv => Responses::from_csv(&instrument, bytes)?,
    };
    Ok(csv_file(instrument, responses))
}

/// [`read_kind`] of a file of `len` bytes handed over in pieces, as
/// [`Responses::from_csv_pieces`] takes them (`read(from, buf)` appends at
/// most `piece` bytes from offset `from`): an interchange CSV is read a piece
/// at a time and never held whole (61 MB for a million responses, in a wasm
/// memory that never shrinks); a backup or a workbook is gathered first.
pub fn read_file_pieces(
    kind: FileKind,
    len: usize,
    piece: usize,
    mut read: impl FnMut(usize, &mut Vec<u8>),
) -> Result<crate::backup::DeviceBackup> {
    if kind != FileKind::Csv {
        let mut bytes = Vec::with_capacity(len);
        while bytes.len() < len {
            let before = bytes.len();
            read(before, &mut bytes);
            if bytes.len() == before {
                break;
            }
        }
        return read_kind(kind, &bytes);
    }
    let instrument = Instrument::builtin();
    let responses = Responses::from_csv_pieces(&instrument, len, piece, read)?;
    Ok(csv_file(instrument, responses))
}

/// The responses of a CSV or workbook as a file brought to the device: one
/// set of the built-in instrument, nothing exported, no contacts.
fn csv_file(instrument: Instrument, responses: Responses) -> crate::backup::DeviceBackup {
    let n = responses.len();
    crate::backup::DeviceBackup {
        created: String::new(),
        sets: vec![crate::backup::SetBackup {
            instrument,
            responses,
            exported: vec![false; n],
            contacts: vec![None; n],
        }],
        entries: serde_json::Value::Array(Vec::new()),
        invitations: serde_json::Value::Array(Vec::new()),
        audit: serde_json::Value::Array(Vec::new()),
        branch_key: serde_json::Value::Null,
        cases: Vec::new(),
        is_backup: false,
    }
}

/// A workbook's responses: the .xlsx reader is in the native build and the
/// wasm file formats add-on (pkg/export/).
#[cfg(any(not(target_arch = "wasm32"), feature = "export"))]
fn workbook_responses(instrument: &Instrument, bytes: &[u8]) -> Result<Responses> {
    Responses::from_xlsx(instrument, bytes)
}

/// The main wasm package leaves the .xlsx reader out (~86 KB of gzipped wasm):
/// the page has the file formats add-on turn a workbook into the interchange
/// CSV first (www/worker.js), so this is only met by a caller that did not.
#[cfg(not(any(not(target_arch = "wasm32"), feature = "export")))]
fn workbook_responses(_: &Instrument, _: &[u8]) -> Result<Responses> {
    Err(Error::single(
        ErrorKind::Xlsx,
        Problem::new(
            ProblemCode::Unreadable,
            "workbooks are read by the file formats add-on (pkg/export/), not the main package",
        ),
    ))
}

/// What importing one questionnaire's part of a file would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetPlan {
    /// The instrument's fingerprint.
    pub fingerprint: String,
    /// The instrument's id and version, as `id@version`.
    pub instrument: String,
    /// Whether the device holds no response of this instrument yet.
    pub new_set: bool,
    /// The merge plan against the device's set.
    pub plan: crate::merge::MergePlan,
}

/// One questionnaire's line of an [`ImportPreview`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetPreview {
    /// The instrument's fingerprint.
    pub fingerprint: String,
    /// The instrument's id and version, as `id@version`.
    pub instrument: String,
    /// Whether the device holds no response of this instrument yet.
    pub new_set: bool,
    /// Rows in the file.
    pub rows: usize,
    /// Rows whose id is new.
    pub new: usize,
    /// Rows already held, identical.
    pub same: usize,
    /// Rows in conflict.
    pub conflicts: usize,
}

/// What importing a file would do, over all its questionnaires: the preview a
/// person confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPreview {
    /// Rows in the file.
    pub rows: usize,
    /// Rows whose id is new.
    pub new: usize,
    /// Rows already held, identical (skipped).
    pub same: usize,
    /// Every conflict, for a person to decide.
    pub conflicts: Vec<crate::merge::Conflict>,
    /// The question ids the conflicts' answers are listed by (the
    /// questionnaire of the first part with a conflict; empty without one).
    pub questions: Vec<String>,
    /// Per questionnaire.
    pub sets: Vec<SetPreview>,
}

impl ImportPreview {
    /// The preview of `plans`, made for `file`'s parts in order.
    pub fn of(plans: &[SetPlan], file: &crate::backup::DeviceBackup) -> ImportPreview {
        let questions = plans
            .iter()
            .zip(&file.sets)
            .find(|(p, _)| !p.plan.conflicts.is_empty())
            .map(|(_, s)| {
                s.instrument
                    .questions()
                    .iter()
                    .map(|q| q.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        ImportPreview {
            rows: plans.iter().map(|p| p.plan.rows).sum(),
            new: plans.iter().map(|p| p.plan.new.len()).sum(),
            same: plans.iter().map(|p| p.plan.same.len()).sum(),
            conflicts: plans
                .iter()
                .flat_map(|p| p.plan.conflicts.clone())
                .collect(),
            questions,
            sets: plans
                .iter()
                .map(|p| SetPreview {
                    fingerprint: p.fingerprint.clone(),
                    instrument: p.instrument.clone(),
                    new_set: p.new_set,
                    rows: p.plan.rows,
                    new: p.plan.new.len(),
                    same: p.plan.same.len(),
                    conflicts: p.plan.conflicts.len(),
                })
                .collect(),
        }
    }
}

impl Applied {
    /// The sum of what an import did to each of its sets.
    pub fn total<'a>(parts: impl IntoIterator<Item = &'a Applied>) -> Applied {
        parts.into_iter().fold(
            Applied {
                added: 0,
                replaced: 0,
                same: 0,
                drop_log: Vec::new(),
            },
            |mut sum, a| {
                sum.added += a.added;
                sum.replaced += a.replaced;
                sum.same += a.same;
                sum.drop_log.extend(a.drop_log.iter().cloned());
                sum
            },
        )
    }
}

impl Device {
    /// What importing `file` would do, per questionnaire; refuses (naming it)
    /// a questionnaire that reuses a stored one's id and version with other content.
    pub fn plan_import(&self, file: &crate::backup::DeviceBackup) -> Result<Vec<SetPlan>> {
        file.sets
            .iter()
            .map(|s| {
                let target = self.target(&s.instrument)?;
                let incoming = read_as(&s.responses, &target.instrument);
                let plan = crate::merge::plan(&target.instrument, &target.responses, &incoming)?;
                Ok(SetPlan {
                    fingerprint: target.fingerprint.clone(),
                    instrument: format!("{}@{}", s.instrument.id(), s.instrument.version()),
                    new_set: target.is_empty(),
                    plan,
                })
            })
            .collect()
    }

    /// Imports `file`: plans again against what the device holds now, merges
    /// every questionnaire's part (conflicts as `resolutions` says, by id) and
    /// returns, per set changed, what happened. Rows of a data file get
    /// `provenance` where they have none; a backup is restored as it was.
    ///
    /// The file's rows move into the device, not copied (at a million rows
    /// the copy was ~40 MB more of a wasm memory that never shrinks): on
    /// success its sets are left without rows, the rest of it (audit,
    /// entries, invitations, cases) as it was. Whatever refuses the import
    /// (a questionnaire the device cannot take, a conflict left unresolved)
    /// is checked before anything moves, so then neither the device nor the
    /// file has changed.
    pub fn apply_import(
        &mut self,
        file: &mut crate::backup::DeviceBackup,
        resolutions: &HashMap<String, crate::merge::Resolution>,
        provenance: &Provenance,
    ) -> Result<Vec<(String, Applied)>> {
        let plans = self.plan_import(file)?;
        for p in &plans {
            crate::merge::check_resolved(&p.plan, resolutions)?;
        }
        let mut next = Vec::with_capacity(plans.len());
        let none = Provenance::default();
        let from = if file.is_backup { &none } else { provenance };
        for (s, p) in file.sets.iter_mut().zip(&plans) {
            // A copy of a stored set, so that the device changes only once every part is merged.
            let mut target = self.target(&s.instrument)?.into_owned();
            let (mut incoming, mut contacts) =
                prepare_incoming(&s.instrument, s.responses.take_rows(), from);
            incoming.relabel(&target.instrument);
            for (c, kept) in contacts.iter_mut().zip(&s.contacts) {
                if kept.is_some() {
                    c.clone_from(kept);
                }
            }
            let applied = apply_import(
                &mut target,
                incoming,
                contacts,
                Some(&s.exported),
                &p.plan,
                resolutions,
            )?;
            next.push((target, applied));
        }
        let mut out = Vec::with_capacity(next.len());
        for (set, applied) in next {
            let fp = set.fingerprint.clone();
            self.index.remove(&fp);
            self.sets.insert(fp.clone(), set);
            // A set it revises (already merged into it as its target) goes.
            self.absorb(&fp);
            out.push((fp, applied));
        }
        Ok(out)
    }
}
