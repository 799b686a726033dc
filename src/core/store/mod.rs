//! The device store: how a browser keeps its responses, in the core's format.
//!
//! The page persists what this module hands it and reads back what it wrote;
//! every rule about what the records mean lives here.
//!
//! - **Per instrument.** Responses are kept in one [`StoredSet`] per
//!   instrument, known by its [`fingerprint`]: SHA-256 of the instrument's
//!   canonical JSON. An instrument that reuses an id and version with other
//!   content has another fingerprint, so its responses are never mixed with
//!   the first one's (and an import refuses it, naming both).
//! - **Chunks** hold bulk data (imports, restores) as columns: a code array per
//!   question, ids in one buffer with offsets, extra columns interned (distinct
//!   values and an index per row), the export flag and the call-back contact
//!   per row, the instrument itself, and a checksum ([`encode_chunk`]).
//! - **The log** holds single responses written by the survey, entry and
//!   invitation screens as they happen ([`LogRecord`]): one small record each,
//!   naming its instrument by a key into the instruments the page keeps. On
//!   load a log record replaces a chunk row with the same id (it is newer),
//!   and a deleted one removes it.
//! - **Never unreadable.** A chunk, log record or instrument that cannot be read
//!   (damaged bytes, codes outside the questions, an unknown instrument) is
//!   quarantined: reported with where it is and why ([`Quarantined`]), and the
//!   rest loads. Records written before instruments were recorded belong to the
//!   built-in instrument.
//! - **Text revisions join.** Responses to an instrument that a newer one
//!   revises in wording only ([`Instrument::revises`]: the built-in version 2
//!   added English question marks to version 1) are kept as the newer one's:
//!   chunks, log records and imports of the older one are carried over as they
//!   load, a set of the older one is absorbed when the newer one arrives (a row
//!   of the newer one wins over an older row with its id), and the older
//!   one's chunks are retired: every write of the set deletes them
//!   ([`Device::retired`]), and [`Device::should_compact`] asks for that write.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::column::{IdIndex, TextColumn};
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, MISSING};
use crate::responses::{ExtraColumn, Responses, Slot};

mod chunk;
mod entries;
mod incoming;
mod set;
pub use chunk::{decode_chunk, encode_chunk};
pub use entries::{plan_entries, EntryPlan, PendingEntry};
pub use incoming::{
    apply_import, mark_exported, prepare_incoming, read_file, read_file_pieces, read_kind, Applied,
    FileKind, ImportPreview, Provenance, SetPlan, SetPreview,
};
pub use set::{Contact, Origin, Origins, StoredSet};

/// The columns a call-back contact becomes when an export asks for contacts.
pub const CONTACT_COLUMNS: [&str; 3] = ["contact_name", "contact_phone", "contact_consent_at"];

/// The log is folded into chunks once it holds this many responses and deletions.
pub const COMPACT_AT: usize = 500;

/// The most steps from an instrument to its newest text revision that are
/// followed (revisions that list each other cannot loop).
const MAX_REVISION_STEPS: usize = 8;

/// The built-in instrument, parsed once.
fn builtin() -> &'static Instrument {
    static BUILTIN: std::sync::OnceLock<Instrument> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(Instrument::builtin)
}

/// The most rows one chunk holds; larger sets are kept as several chunks, so
/// that no single stored value grows past a few tens of megabytes.
pub const CHUNK_ROWS: usize = 1 << 18;

/// The instrument's fingerprint: the first 16 bytes of SHA-256 of its
/// canonical JSON, as 32 hex digits. Equal content, equal fingerprint.
pub fn fingerprint(instrument: &Instrument) -> String {
    let json = serde_json::to_vec(instrument).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// `responses` as read under `to`, their instrument or a text revision of it
/// (the same questions and codes; only the version they name differs).
fn read_as<'a>(responses: &'a Responses, to: &Instrument) -> std::borrow::Cow<'a, Responses> {
    if responses.instrument_version == to.version() {
        return std::borrow::Cow::Borrowed(responses);
    }
    let mut r = responses.clone();
    r.relabel(to);
    std::borrow::Cow::Owned(r)
}

/// One single response as the page keeps it in the log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogRecord {
    /// The record's key in the log.
    pub key: String,
    /// The response id.
    pub id: String,
    /// The key of its instrument among those the page keeps; empty for records
    /// written before instruments were recorded (the built-in instrument).
    pub instrument: String,
    /// One code per question.
    pub codes: Vec<u8>,
    /// Extra columns: (name, value).
    pub extras: Vec<(String, String)>,
    /// The call-back contact.
    pub contact: Option<Contact>,
    /// Written into an export file already.
    pub exported: bool,
    /// A deletion: the response with this id is removed.
    pub deleted: bool,
}

/// Something that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// What it is: "chunk", "log" or "instrument".
    pub what: &'static str,
    /// Its key where the page keeps it.
    pub key: String,
    /// The response id, for a log record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why it could not be read.
    pub reason: String,
}

/// A summary of one set, for choosing a questionnaire and counting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetSummary {
    /// The instrument's fingerprint.
    pub fingerprint: String,
    /// The instrument's id.
    pub id: String,
    /// The instrument's version.
    pub version: String,
    /// The instrument's title.
    pub title: crate::instrument::Text,
    /// Responses held.
    pub n: usize,
    /// Responses not yet written into an export file.
    pub unexported: usize,
    /// Responses with a call-back contact.
    pub contacts: usize,
    /// Another set has the same id and version with other content.
    pub ambiguous: bool,
}

/// Everything the device holds, loaded.
#[derive(Debug, Clone, Default)]
pub struct Device {
    /// The sets, by fingerprint.
    pub sets: BTreeMap<String, StoredSet>,
    /// What could not be read.
    pub quarantine: Vec<Quarantined>,
    /// The page's instruments by key ("" is the built-in one), each with its
    /// fingerprint: parsed and hashed once, not once per log record.
    instruments: HashMap<String, Known>,
    /// Per set, its rows by id (over the set's own ids: four bytes and a
    /// hash tag per slot, not a `String` per id).
    index: HashMap<String, IdIndex>,
    /// The keys of applied deletions, by set: compaction drops them.
    deletions: HashMap<String, Vec<String>>,
    /// Per set, the fingerprints of the older text revisions whose chunks
    /// it absorbed: the next write of its chunks deletes theirs.
    retired: BTreeMap<String, Vec<String>>,
}

impl Device {
    /// An empty device.
    pub fn new() -> Device {
        Device::default()
    }

    /// Records an instrument the page keeps under `key`; one that does not
    /// load is quarantined, and so are the log records that name it.
    pub fn add_instrument(&mut self, key: &str, json: &str) {
        match Instrument::from_json(json) {
            Ok(inst) => {
                self.instruments.insert(key.to_owned(), Known::new(inst));
            }
            Err(e) => self.quarantine.push(Quarantined {
                what: "instrument",
                key: key.to_owned(),
                id: None,
                reason: e.to_string(),
            }),
        }
    }

    /// The instrument the page keeps under `key`, the built-in one for "";
    /// its newest known text revision if it has one (so a record of the
    /// older one is kept as the newer one's).
    fn known(&mut self, key: &str) -> Option<Known> {
        if key.is_empty() && !self.instruments.contains_key(key) {
            self.instruments
                .insert(String::new(), Known::new(builtin().clone()));
        }
        let known = self.instruments.get(key)?;
        if let Some(newer) = self.revision_of(&known.instrument) {
            let newer = Known::new(newer);
            self.instruments.insert(key.to_owned(), newer.clone());
            return Some(newer);
        }
        Some(known.clone())
    }

    /// The newest text revision of `instrument` this device knows (the
    /// built-in instrument, the page's instruments, its sets'), if any.
    fn revision_of(&self, instrument: &Instrument) -> Option<Instrument> {
        let mut found: Option<&Instrument> = None;
        for _ in 0..MAX_REVISION_STEPS {
            let now = found.unwrap_or(instrument);
            let next = std::iter::once(builtin())
                .chain(self.instruments.values().map(|k| &*k.instrument))
                .chain(self.sets.values().map(|s| &s.instrument))
                .find(|c| c.revises(now));
            match next {
                Some(n) => found = Some(n),
                None => break,
            }
        }
        found.cloned()
    }

    /// Folds into the set `fp` every set whose instrument its instrument
    /// revises: the older rows first, so that its own rows win, and the
    /// older chunks retired.
    fn absorb(&mut self, fp: &str) {
        let newer = self.sets[fp].instrument.clone();
        let older: Vec<String> = self
            .sets
            .iter()
            .filter(|(k, s)| k.as_str() != fp && newer.revises(&s.instrument))
            .map(|(k, _)| k.clone())
            .collect();
        for old in older {
            let base = self
                .sets
                .remove(&old)
                .expect("listed above")
                .carried_to(&newer);
            self.index.remove(&old);
            if let Some(keys) = self.deletions.remove(&old) {
                self.deletions
                    .entry(fp.to_owned())
                    .or_default()
                    .extend(keys);
            }
            let mut gone = self.retired.remove(&old).unwrap_or_default();
            gone.push(old);
            self.retire(fp, gone);
            let top = self
                .sets
                .insert(fp.to_owned(), base)
                .expect("absorbing into it");
            self.index.remove(fp);
            self.append_chunk(top, true);
        }
    }

    /// Records that the set `fp` now holds the rows of the sets `old`.
    fn retire(&mut self, fp: &str, old: Vec<String>) {
        let list = self.retired.entry(fp.to_owned()).or_default();
        for o in old {
            if o != fp && !list.contains(&o) {
                list.push(o);
            }
        }
    }

    /// The fingerprints of older text revisions whose chunks the set `fp`
    /// absorbed: a write of its chunks deletes theirs in the same transaction.
    pub fn retired(&self, fp: &str) -> &[String] {
        self.retired.get(fp).map_or(&[], Vec::as_slice)
    }

    /// Whether the page should compact now: the log holds [`COMPACT_AT`]
    /// rows, or a set absorbed an older revision whose chunks are to go.
    pub fn should_compact(&self) -> bool {
        self.log_rows() >= COMPACT_AT || !self.retired.is_empty()
    }

    /// Adds a chunk's rows (a later chunk's row replaces an earlier one with
    /// the same id); a chunk that cannot be read is quarantined.
    pub fn add_chunk(&mut self, key: &str, bytes: &[u8]) {
        match decode_chunk(bytes) {
            Ok(mut chunk) => {
                // An older revision's rows never replace the newer version's.
                let mut replace = true;
                if let Some(newer) = self.revision_of(&chunk.instrument) {
                    let old = chunk.fingerprint.clone();
                    chunk = chunk.carried_to(&newer);
                    self.retire(&chunk.fingerprint.clone(), vec![old]);
                    replace = false;
                }
                let fp = chunk.fingerprint.clone();
                if !self.sets.contains_key(&fp) {
                    self.index.remove(&fp);
                    self.sets.insert(fp.clone(), chunk);
                    self.absorb(&fp);
                    return;
                }
                self.append_chunk(chunk, replace);
            }
            Err(e) => self.quarantine.push(Quarantined {
                what: "chunk",
                key: key.to_owned(),
                id: None,
                reason: e.to_string(),
            }),
        }
    }

    /// Adds a later chunk to the set of its instrument: rows with new ids are
    /// appended column by column; rows with ids already held replace them if
    /// `replace`, else (an older revision's rows) are left out.
    fn append_chunk(&mut self, chunk: StoredSet, replace: bool) {
        let fp = chunk.fingerprint.clone();
        self.index_of(&fp);
        let (index, held) = (&self.index[&fp], &self.sets[&fp].responses.ids);
        let (fresh, mut again): (Vec<usize>, Vec<usize>) =
            (0..chunk.len()).partition(|&r| index.get(held, &chunk.responses.ids[r]).is_none());
        if !replace {
            again.clear();
        }
        let known = Known {
            instrument: std::sync::Arc::new(chunk.instrument.clone()),
            fingerprint: fp.clone(),
        };
        for &r in &again {
            self.put(&known, Row::of(&chunk, r));
        }
        let set = self.sets.get_mut(&fp).expect("index_of found it");
        let start = set.len();
        let rows: Vec<u32> = fresh.iter().map(|&r| r as u32).collect();
        let part = if rows.len() == chunk.len() {
            chunk
        } else {
            chunk.select(&rows)
        };
        let added = part.len();
        let to = &mut set.responses;
        // Columns first (a new one is made as long as the rows held so far),
        // then the rows.
        let cols: Vec<Option<usize>> = part
            .responses
            .extras
            .iter()
            .map(|e| extra_column(to, &known.instrument, &e.name))
            .collect();
        to.ids.extend(&part.responses.ids);
        for (col, from) in to.answers.iter_mut().zip(&part.responses.answers) {
            col.extend_from_slice(from);
        }
        for (e, c) in part.responses.extras.iter().zip(cols) {
            if let Some(c) = c {
                to.extras[c].values.extend(&e.values);
            }
        }
        for e in &mut to.extras {
            e.values.resize(start + added);
        }
        set.exported.extend(part.exported);
        set.contacts.extend(part.contacts);
        set.origin.extend(part.origin);
        let ix = self.index.get_mut(&fp).expect("index_of made it");
        let held = &self.sets[&fp].responses.ids;
        for (k, id) in part.responses.ids.iter().enumerate() {
            ix.insert(held, id, start + k);
        }
    }

    /// Applies a log record: a response put under its id, or a deletion.
    pub fn add_log(&mut self, record: LogRecord) {
        let known = self.known(&record.instrument);
        let fail = |reason: String| Quarantined {
            what: "log",
            key: record.key.clone(),
            id: Some(record.id.clone()),
            reason,
        };
        let Some(known) = known else {
            let why = format!(
                "its questionnaire ({}) is not on this device",
                record.instrument
            );
            self.quarantine.push(fail(why));
            return;
        };
        // Records written before instruments were recorded name theirs, if
        // at all, in their `instrument` and `instrument_version` columns.
        if record.instrument.is_empty() {
            let named = |col: &str| {
                record
                    .extras
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(col))
                    .map(|(_, v)| v.as_str())
                    .filter(|v| !v.is_empty())
            };
            let (id, version) = (named("instrument"), named("instrument_version"));
            let inst = &known.instrument;
            if id.is_some_and(|i| i != inst.id())
                || version.is_some_and(|v| {
                    v != inst.version() && !inst.revised_versions().iter().any(|r| r == v)
                })
            {
                let why = format!(
                    "it was answered on questionnaire {} version {}, which is not on this device",
                    id.unwrap_or("?"),
                    version.unwrap_or("?")
                );
                self.quarantine.push(fail(why));
                return;
            }
        }
        if record.deleted {
            let fp = known.fingerprint.clone();
            self.remove(&fp, record.id.trim());
            self.deletions
                .entry(fp)
                .or_default()
                .push(record.key.clone());
            return;
        }
        if let Err(why) = check_row(&known.instrument, &record.id, &record.codes) {
            self.quarantine.push(fail(why));
            return;
        }
        let row = Row {
            id: record.id.trim().to_owned(),
            codes: record.codes.clone(),
            extras: record.extras.clone(),
            exported: record.exported,
            contact: record.contact.clone(),
            origin: Origin::Log(record.key.clone()),
        };
        self.put(&known, row);
    }

    /// The id → row index of a set, built on first use.
    fn index_of(&mut self, fp: &str) -> &mut IdIndex {
        let set = &self.sets[fp];
        self.index
            .entry(fp.to_owned())
            .or_insert_with(|| IdIndex::of(&set.responses.ids))
    }

    /// The row of `id` in the set `fp` (which must be held).
    fn row_of(&mut self, fp: &str, id: &str) -> Option<usize> {
        self.index_of(fp);
        self.index[fp].get(&self.sets[fp].responses.ids, id)
    }

    fn put(&mut self, known: &Known, row: Row) {
        let fp = known.fingerprint.clone();
        let instrument = &*known.instrument;
        if !self.sets.contains_key(&fp) {
            self.sets
                .insert(fp.clone(), StoredSet::new(instrument.clone()));
            self.absorb(&fp);
        }
        let at = self.row_of(&fp, &row.id);
        let set = self.sets.get_mut(&fp).expect("made above");
        let r = &mut set.responses;
        match at {
            Some(i) => {
                for (col, &c) in r.answers.iter_mut().zip(&row.codes) {
                    col[i] = c;
                }
                for e in &mut r.extras {
                    e.values.set(i, "");
                }
                set.exported[i] = row.exported;
                set.contacts[i] = row.contact.map(Box::new);
                set.origin.set(i, row.origin);
            }
            None => {
                let i = r.ids.len();
                r.ids.push(&row.id);
                for (col, &c) in r.answers.iter_mut().zip(&row.codes) {
                    col.push(c);
                }
                for e in &mut r.extras {
                    e.values.push("");
                }
                set.exported.push(row.exported);
                set.contacts.push(row.contact.map(Box::new));
                set.origin.push(row.origin);
                if let Some(ix) = self.index.get_mut(&fp) {
                    ix.insert(&set.responses.ids, &row.id, i);
                }
            }
        }
        let set = self.sets.get_mut(&fp).expect("made above");
        let i = at.unwrap_or(set.responses.ids.len() - 1);
        for (name, value) in &row.extras {
            let col = extra_column(&mut set.responses, instrument, name);
            if let Some(col) = col {
                set.responses.extras[col].values.set(i, value);
            }
        }
    }

    fn remove(&mut self, fp: &str, id: &str) {
        if !self.sets.contains_key(fp) {
            return;
        }
        let Some(at) = self.row_of(fp, id) else {
            return;
        };
        let set = &self.sets[fp];
        let keep: Vec<u32> = (0..set.len())
            .filter(|&r| r != at)
            .map(|r| r as u32)
            .collect();
        let next = set.select(&keep);
        self.sets.insert(fp.to_owned(), next);
        self.index.remove(fp);
    }

    /// Every set, summarised, the one to show first first: the most
    /// responses, then by fingerprint (a report or dashboard that is not told
    /// which questionnaire opens on the first).
    pub fn summary(&self) -> Vec<SetSummary> {
        self.ordered()
            .map(|s| SetSummary {
                fingerprint: s.fingerprint.clone(),
                id: s.instrument.id().to_owned(),
                version: s.instrument.version().to_owned(),
                title: s.instrument.title().clone(),
                n: s.len(),
                unexported: s.exported.iter().filter(|e| !**e).count(),
                contacts: s.contacts.iter().filter(|c| c.is_some()).count(),
                ambiguous: self.sets.values().any(|o| {
                    o.fingerprint != s.fingerprint
                        && o.instrument.id() == s.instrument.id()
                        && o.instrument.version() == s.instrument.version()
                }),
            })
            .collect()
    }

    /// The sets, most responses first, then by fingerprint: the order the
    /// summary lists them and a backup holds them.
    fn ordered(&self) -> impl Iterator<Item = &StoredSet> {
        let mut sets: Vec<&StoredSet> = self.sets.values().collect();
        sets.sort_by(|a, b| {
            b.len()
                .cmp(&a.len())
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        sets.into_iter()
    }

    /// The set an incoming file of `instrument` merges into: the one with its
    /// fingerprint, or a new empty one. An instrument with the id and version
    /// of a stored one but other content is refused, naming both.
    pub fn target(&self, instrument: &Instrument) -> Result<std::borrow::Cow<'_, StoredSet>> {
        // A text revision of a held or known instrument goes to the newest one.
        let newest = self.revision_of(instrument);
        let instrument = newest.as_ref().unwrap_or(instrument);
        let fp = fingerprint(instrument);
        if let Some(set) = self.sets.get(&fp) {
            return Ok(std::borrow::Cow::Borrowed(set));
        }
        if let Some(old) = self
            .sets
            .values()
            .find(|s| instrument.revises(&s.instrument))
        {
            return Ok(std::borrow::Cow::Owned(old.clone().carried_to(instrument)));
        }
        if let Some(other) = self.sets.values().find(|s| {
            s.instrument.id() == instrument.id() && s.instrument.version() == instrument.version()
        }) {
            return Err(Error::single(
                ErrorKind::Request,
                Problem::new(
                    ProblemCode::InstrumentChanged,
                    format!(
                        "questionnaire {} version {} on this device has other questions or options \
                         than the one in this file (fingerprint {} here, {} in the file); give the \
                         changed questionnaire a new version",
                        instrument.id(),
                        instrument.version(),
                        other.fingerprint,
                        fp
                    ),
                )
                .in_field("instrument")
                .with_value(format!(
                    "{}@{}",
                    instrument.id(),
                    instrument.version()
                )),
            ));
        }
        Ok(std::borrow::Cow::Owned(StoredSet::new(instrument.clone())))
    }
}

impl Device {
    /// Folds the log into chunks: every set that has rows from the log (or
    /// applied deletions) gets its rows as chunks, and the log records that
    /// are now in them, or whose deletion is done, are to be dropped. Returns
    /// per such set its fingerprint, chunks and the log keys to drop, for the
    /// page to write in one transaction, and for each older revision a set
    /// absorbed, its fingerprint with no chunks (its chunks are deleted).
    /// Quarantined records stay in the log. Compacting again changes nothing.
    pub fn compact(&mut self) -> Vec<(String, Vec<Vec<u8>>, Vec<String>)> {
        let mut out = Vec::new();
        for (fp, set) in &mut self.sets {
            let mut drop: Vec<String> = set.origin.log_keys().map(str::to_owned).collect();
            drop.extend(self.deletions.remove(fp).unwrap_or_default());
            let retired = self.retired.remove(fp).unwrap_or_default();
            if drop.is_empty() && retired.is_empty() {
                continue;
            }
            set.origin.all_chunks();
            out.push((fp.clone(), set.chunks(), drop));
            // The absorbed revisions' chunks are deleted, none written.
            out.extend(retired.into_iter().map(|old| (old, Vec::new(), Vec::new())));
        }
        // Deletions of responses no set holds any more are done too.
        for (fp, keys) in self.deletions.drain() {
            out.push((fp.clone(), Vec::new(), keys));
        }
        out
    }

    /// How many rows come from the log (what compaction would fold).
    pub fn log_rows(&self) -> usize {
        let deleted: usize = self.deletions.values().map(Vec::len).sum();
        deleted
            + self
                .sets
                .values()
                .map(|s| s.origin.log_rows())
                .sum::<usize>()
    }

    /// The rows of `instrument`'s set whose extra column `column` (any letter
    /// case) says `value`, e.g. the paper forms (`mode` = `paper`) the entry
    /// screen lists.
    pub fn rows_where(
        &self,
        instrument: &Instrument,
        column: &str,
        value: &str,
    ) -> Option<StoredSet> {
        let newest = self.revision_of(instrument);
        let set = self
            .sets
            .get(&fingerprint(newest.as_ref().unwrap_or(instrument)))?;
        let col = set
            .responses
            .extras
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(column))?;
        let rows: Vec<u32> = (0..set.len())
            .filter(|&r| col.values.get(r) == value)
            .map(|r| r as u32)
            .collect();
        Some(set.select(&rows))
    }

    /// Whether any set holds a response with this id.
    pub fn holds(&self, id: &str) -> bool {
        let id = id.trim();
        self.sets
            .values()
            .any(|s| s.responses.ids.iter().any(|x| x == id))
    }

    /// Every set as the parts of a backup, in the summary's order (so a
    /// backup opened as a file shows its largest questionnaire first).
    pub fn backup_sets(&self) -> Vec<crate::backup::SetBackup> {
        self.ordered()
            .map(|s| crate::backup::SetBackup {
                instrument: s.instrument.clone(),
                responses: s.responses.clone(),
                exported: s.exported.clone(),
                contacts: s.contacts.clone(),
            })
            .collect()
    }
}

/// An instrument with its fingerprint, shared by every record that names it.
#[derive(Debug, Clone)]
struct Known {
    instrument: std::sync::Arc<Instrument>,
    fingerprint: String,
}

impl Known {
    fn new(instrument: Instrument) -> Known {
        Known {
            fingerprint: fingerprint(&instrument),
            instrument: std::sync::Arc::new(instrument),
        }
    }
}

/// One response on its way into a set.
struct Row {
    id: String,
    codes: Vec<u8>,
    extras: Vec<(String, String)>,
    exported: bool,
    contact: Option<Contact>,
    origin: Origin,
}

impl Row {
    fn of(set: &StoredSet, r: usize) -> Row {
        let resp = &set.responses;
        Row {
            id: resp.ids[r].to_owned(),
            codes: resp.answers.iter().map(|c| c[r]).collect(),
            extras: resp
                .extras
                .iter()
                .map(|e| (e.name.clone(), e.values.get(r).to_owned()))
                .collect(),
            exported: set.exported[r],
            contact: set.contacts[r].as_deref().cloned(),
            origin: set.origin[r].clone(),
        }
    }
}

/// The index of the extra column `name` (any letter case), added empty if the
/// set has none; `None` for a name no column may have (empty, `id`, a question).
fn extra_column(r: &mut Responses, instrument: &Instrument, name: &str) -> Option<usize> {
    // As a CSV header is read: no surrounding white space or stray byte-order mark.
    let name = name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if name.is_empty() || name.eq_ignore_ascii_case("id") || instrument.position(name).is_some() {
        return None;
    }
    if let Some(i) = r
        .extras
        .iter()
        .position(|e| e.name.eq_ignore_ascii_case(name))
    {
        return Some(i);
    }
    r.extras.push(ExtraColumn {
        name: name.to_owned(),
        values: TextColumn::empty(r.ids.len()),
    });
    r.layout.push(Slot::Extra(r.extras.len() - 1));
    Some(r.extras.len() - 1)
}

/// Why a row cannot be stored under `instrument`, if it cannot.
fn check_row(instrument: &Instrument, id: &str, codes: &[u8]) -> std::result::Result<(), String> {
    let qs = instrument.questions();
    if id.trim().is_empty() {
        return Err("the response id is empty".into());
    }
    if codes.len() != qs.len() {
        return Err(format!(
            "{} answers for a questionnaire of {} questions",
            codes.len(),
            qs.len()
        ));
    }
    for (q, &c) in qs.iter().zip(codes) {
        if c != MISSING && usize::from(c) >= q.len() {
            return Err(format!("answer code {c} is not an answer to {}", q.id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Contact;

    #[test]
    fn a_call_back_phone_is_digits_with_their_usual_marks() {
        for ok in [
            "138 0013 8000",
            "+86 138 0013 8000",
            "(010) 6512-3456",
            "12345",
            "+12345678901234567890",
            " 95588 ",
        ] {
            assert!(Contact::phone_ok(ok), "{ok:?}");
        }
        for bad in [
            "",
            "+",
            "12",
            "1234",
            "123456789012345678901",
            "++12345",
            "138-0013-800O",
            "tel 12345",
            "１２３４５",
            "12345+",
            "12.345.678",
        ] {
            assert!(!Contact::phone_ok(bad), "{bad:?}");
        }
    }
}
