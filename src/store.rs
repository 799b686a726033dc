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

const MAGIC: &[u8; 4] = b"MNYC";
const CHUNK_VERSION: u8 = 1;

/// The instrument's fingerprint: the first 16 bytes of SHA-256 of its
/// canonical JSON, as 32 hex digits. Equal content, equal fingerprint.
pub fn fingerprint(instrument: &Instrument) -> String {
    let json = serde_json::to_vec(instrument).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A call-back contact, given with consent; kept apart from the answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Contact {
    /// The name the customer gave.
    pub name: String,
    /// The phone number the customer gave.
    pub phone: String,
    /// When consent was given.
    pub consent_at: String,
}

/// Where a row of a loaded set came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A chunk (bulk data) or an import not yet written.
    Chunk,
    /// The log record with this key.
    Log(String),
}

/// One instrument's responses on the device.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSet {
    /// The instrument.
    pub instrument: Instrument,
    /// Its [`fingerprint`].
    pub fingerprint: String,
    /// The responses.
    pub responses: Responses,
    /// Per row: written into an export file already.
    pub exported: Vec<bool>,
    /// Per row: the call-back contact, if one was given with consent.
    pub contacts: Vec<Option<Contact>>,
    /// Per row: where it is kept.
    pub origin: Vec<Origin>,
}

impl StoredSet {
    /// An empty set of `instrument`.
    pub fn new(instrument: Instrument) -> StoredSet {
        let responses =
            Responses::new(&instrument, &[]).expect("no extra columns, so no bad column name");
        StoredSet {
            fingerprint: fingerprint(&instrument),
            instrument,
            responses,
            exported: Vec::new(),
            contacts: Vec::new(),
            origin: Vec::new(),
        }
    }

    /// The number of responses.
    pub fn len(&self) -> usize {
        self.responses.len()
    }

    /// Whether the set holds no responses.
    pub fn is_empty(&self) -> bool {
        self.responses.is_empty()
    }

    /// The responses, with the call-back contacts as the extra columns
    /// [`CONTACT_COLUMNS`] when `contacts` is true (only an export that a person
    /// asked to include them does).
    pub fn responses_with(&self, contacts: bool) -> Responses {
        let mut r = self.responses.clone();
        if contacts && self.contacts.iter().any(Option::is_some) {
            let values = |f: fn(&Contact) -> &str| -> Vec<String> {
                self.contacts
                    .iter()
                    .map(|c| c.as_ref().map(|c| f(c).to_owned()).unwrap_or_default())
                    .collect()
            };
            let columns = [
                values(|c| &c.name),
                values(|c| &c.phone),
                values(|c| &c.consent_at),
            ];
            for (name, values) in CONTACT_COLUMNS.iter().zip(columns) {
                let at = r.extras.len();
                r.extras.push(ExtraColumn {
                    name: (*name).to_owned(),
                    values: TextColumn::from_values(values),
                });
                r.layout.push(Slot::Extra(at));
            }
        }
        r
    }

    /// The rows kept in chunks (not in the log), as chunk bytes of at most
    /// [`CHUNK_ROWS`] rows each. A set with no chunk rows gives no chunk.
    pub fn chunks(&self) -> Vec<Vec<u8>> {
        let rows: Vec<u32> = (0..self.len())
            .filter(|&r| self.origin[r] == Origin::Chunk)
            .map(|r| r as u32)
            .collect();
        rows.chunks(CHUNK_ROWS)
            .map(|part| {
                if part.len() == self.len() {
                    encode_chunk(self)
                } else {
                    encode_chunk(&self.select(part))
                }
            })
            .collect()
    }

    /// This set as `newer`'s, which revises its instrument in wording only
    /// (the caller checked [`Instrument::revises`]): the same rows and codes.
    fn carried_to(mut self, newer: &Instrument) -> StoredSet {
        self.responses.instrument_id = newer.id().to_owned();
        self.responses.instrument_version = newer.version().to_owned();
        self.fingerprint = fingerprint(newer);
        self.instrument = newer.clone();
        self
    }

    /// The rows at `rows`, as a set of their own.
    pub fn select(&self, rows: &[u32]) -> StoredSet {
        let pick = |r: &u32| *r as usize;
        StoredSet {
            instrument: self.instrument.clone(),
            fingerprint: self.fingerprint.clone(),
            // Rows come from this set, so none is out of range.
            responses: self
                .responses
                .select(rows)
                .unwrap_or_else(|_| self.responses.clone()),
            exported: rows.iter().map(|r| self.exported[pick(r)]).collect(),
            contacts: rows
                .iter()
                .map(|r| self.contacts[pick(r)].clone())
                .collect(),
            origin: rows.iter().map(|r| self.origin[pick(r)].clone()).collect(),
        }
    }
}

/// `responses` as read under `to`, their instrument or a text revision of it
/// (the same questions and codes; only the version they name differs).
fn read_as<'a>(responses: &'a Responses, to: &Instrument) -> std::borrow::Cow<'a, Responses> {
    if responses.instrument_version == to.version() {
        return std::borrow::Cow::Borrowed(responses);
    }
    let mut r = responses.clone();
    r.instrument_version = to.version().to_owned();
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
            self.append_chunk(top);
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
                if let Some(newer) = self.revision_of(&chunk.instrument) {
                    let old = chunk.fingerprint.clone();
                    chunk = chunk.carried_to(&newer);
                    let fp = chunk.fingerprint.clone();
                    self.retire(&fp, vec![old]);
                    // Older rows never replace the newer version's rows.
                    if self.sets.contains_key(&fp) {
                        self.index_of(&fp);
                        let (index, held) = (&self.index[&fp], &self.sets[&fp].responses.ids);
                        let fresh: Vec<u32> = (0..chunk.len())
                            .filter(|&r| index.get(held, &chunk.responses.ids[r]).is_none())
                            .map(|r| r as u32)
                            .collect();
                        chunk = chunk.select(&fresh);
                    }
                }
                let fp = chunk.fingerprint.clone();
                if !self.sets.contains_key(&fp) {
                    self.index.remove(&fp);
                    self.sets.insert(fp.clone(), chunk);
                    self.absorb(&fp);
                    return;
                }
                self.append_chunk(chunk);
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
    /// appended column by column, rows with ids already held replace them.
    fn append_chunk(&mut self, chunk: StoredSet) {
        let fp = chunk.fingerprint.clone();
        self.index_of(&fp);
        let (index, held) = (&self.index[&fp], &self.sets[&fp].responses.ids);
        let (fresh, again): (Vec<usize>, Vec<usize>) =
            (0..chunk.len()).partition(|&r| index.get(held, &chunk.responses.ids[r]).is_none());
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
                set.contacts[i] = row.contact;
                set.origin[i] = row.origin;
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
                set.contacts.push(row.contact);
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
    incoming: &Responses,
    provenance: &Provenance,
) -> (Responses, Vec<Option<Contact>>) {
    let mut r = incoming.clone();
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
            (!c.name.is_empty() || !c.phone.is_empty()).then_some(c)
        })
        .collect();
    (r, contacts)
}

/// Merges `incoming` (already [`prepare_incoming`]d, with its `contacts`) into
/// `set` by `plan`, as [`crate::merge::apply`] does: new rows appended,
/// conflicts resolved as `resolutions` says. New and replaced rows are not yet
/// exported (unless `exported` gives the incoming rows' flags, as a backup
/// does) and are kept in chunks. Into an empty set the incoming rows go as
/// they are, columns in their order.
pub fn apply_import(
    set: &mut StoredSet,
    incoming: &Responses,
    contacts: &[Option<Contact>],
    exported: Option<&[bool]>,
    plan: &crate::merge::MergePlan,
    resolutions: &HashMap<String, crate::merge::Resolution>,
) -> Result<Applied> {
    let flag = |r: usize| exported.is_some_and(|e| e[r]);
    if set.is_empty() && plan.new.len() == incoming.len() {
        incoming.check_instrument(&set.instrument)?;
        set.responses = incoming.clone();
        set.exported = (0..incoming.len()).map(flag).collect();
        set.contacts = contacts.to_vec();
        set.origin = vec![Origin::Chunk; incoming.len()];
        return Ok(Applied {
            added: incoming.len(),
            replaced: 0,
            same: 0,
            drop_log: Vec::new(),
        });
    }
    let merged = crate::merge::apply(&set.instrument, &set.responses, incoming, plan, resolutions)?;
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
            set.origin[e] = Origin::Chunk;
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
    set.origin
        .iter()
        .filter_map(|o| match o {
            Origin::Log(k) => Some(k.clone()),
            Origin::Chunk => None,
        })
        .collect()
}

/// Reads a file brought to the device by its name: a backup (`.json`,
/// `.manyi`), a workbook (`.xlsx`) or, otherwise, an interchange CSV (both of
/// the built-in instrument), all or nothing.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<crate::backup::DeviceBackup> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") || lower.ends_with(".manyi") {
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
    let instrument = Instrument::builtin();
    let responses = if lower.ends_with(".xlsx") {
        workbook_responses(&instrument, bytes)?
    } else {
        Responses::from_csv(&instrument, bytes)?
    };
    let n = responses.len();
    Ok(crate::backup::DeviceBackup {
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
    })
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
    /// Nothing changes on any error.
    pub fn apply_import(
        &mut self,
        file: &crate::backup::DeviceBackup,
        resolutions: &HashMap<String, crate::merge::Resolution>,
        provenance: &Provenance,
    ) -> Result<Vec<(String, Applied)>> {
        let plans = self.plan_import(file)?;
        let mut next = Vec::with_capacity(plans.len());
        for (s, p) in file.sets.iter().zip(&plans) {
            // A copy, so that nothing changes if a later part fails.
            let mut target = self.target(&s.instrument)?.into_owned();
            let none = Provenance::default();
            let from = if file.is_backup { &none } else { provenance };
            let (mut incoming, mut contacts) = prepare_incoming(&s.instrument, &s.responses, from);
            incoming.instrument_version = target.instrument.version().to_owned();
            for (c, kept) in contacts.iter_mut().zip(&s.contacts) {
                if kept.is_some() {
                    c.clone_from(kept);
                }
            }
            let applied = apply_import(
                &mut target,
                &incoming,
                &contacts,
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
            let mut drop: Vec<String> = set
                .origin
                .iter()
                .filter_map(|o| match o {
                    Origin::Log(k) => Some(k.clone()),
                    Origin::Chunk => None,
                })
                .collect();
            drop.extend(self.deletions.remove(fp).unwrap_or_default());
            let retired = self.retired.remove(fp).unwrap_or_default();
            if drop.is_empty() && retired.is_empty() {
                continue;
            }
            set.origin.iter_mut().for_each(|o| *o = Origin::Chunk);
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
                .map(|s| s.origin.iter().filter(|o| **o != Origin::Chunk).count())
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
            contact: set.contacts[r].clone(),
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

// ---- The chunk format ----------------------------------------------------
//
// Little-endian throughout. "MNYC", format version (u8), the instrument JSON
// (str), rows (u32), questions (u16), then per question `rows` code bytes,
// `rows` export flags (0/1), the ids (strs), the layout (u16 count, then per
// slot a tag byte 0 = id, 1 = question, 2 = extra, and a u16 index), the extra
// columns (u16 count, then per column its name and an interned column), the
// contacts (`rows` presence bytes, then name, phone and consent time as
// interned columns), and an 8-byte checksum of everything before it.
// A str is a u32 byte length and UTF-8; strs are a u32 count, count + 1 u32
// offsets and the bytes; an interned column is its distinct values (strs)
// and a u32 index per row.

/// A chunk's bytes for `set`: all its rows, whatever their origin.
pub fn encode_chunk(set: &StoredSet) -> Vec<u8> {
    let r = &set.responses;
    let n = r.len();
    let mut out = Vec::with_capacity(64 + n * (r.answers.len() + 24));
    out.extend_from_slice(MAGIC);
    out.push(CHUNK_VERSION);
    put_str(
        &mut out,
        &serde_json::to_string(&set.instrument).unwrap_or_default(),
    );
    put_u32(&mut out, n as u32);
    out.extend_from_slice(&(r.answers.len() as u16).to_le_bytes());
    for col in &r.answers {
        out.extend_from_slice(col);
    }
    out.extend(set.exported.iter().map(|&e| u8::from(e)));
    put_strs(&mut out, r.ids.iter(), n);
    out.extend_from_slice(&(r.layout.len() as u16).to_le_bytes());
    for slot in &r.layout {
        let (tag, i) = match *slot {
            Slot::Id => (0u8, 0usize),
            Slot::Question(q) => (1, q),
            Slot::Extra(e) => (2, e),
        };
        out.push(tag);
        out.extend_from_slice(&(i as u16).to_le_bytes());
    }
    out.extend_from_slice(&(r.extras.len() as u16).to_le_bytes());
    for e in &r.extras {
        put_str(&mut out, &e.name);
        put_column(&mut out, &e.values);
    }
    out.extend(set.contacts.iter().map(|c| u8::from(c.is_some())));
    let field = |f: fn(&Contact) -> &str| {
        set.contacts
            .iter()
            .map(move |c| c.as_ref().map(f).unwrap_or(""))
    };
    for f in [
        (|c: &Contact| c.name.as_str()) as fn(&Contact) -> &str,
        |c| &c.phone,
        |c| &c.consent_at,
    ] {
        put_column(&mut out, &TextColumn::from_values(field(f)));
    }
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Reads a chunk, checking everything: its checksum, every length, that the
/// text is UTF-8, that the instrument loads, that every code answers its
/// question and that ids are present and distinct.
pub fn decode_chunk(bytes: &[u8]) -> Result<StoredSet> {
    let bad = |why: String| {
        Error::single(
            ErrorKind::Backup,
            Problem::new(ProblemCode::Unreadable, format!("a damaged chunk: {why}")),
        )
    };
    if bytes.len() < 13 || &bytes[..4] != MAGIC {
        return Err(bad("it does not start as a manyi chunk".into()));
    }
    if bytes[4] != CHUNK_VERSION {
        return Err(bad(format!(
            "chunk format {} is not one this manyi reads",
            bytes[4]
        )));
    }
    let (body, tail) = bytes.split_at(bytes.len() - 8);
    let want = u64::from_le_bytes(tail.try_into().unwrap_or_default());
    if checksum(body) != want {
        return Err(bad(
            "its checksum does not match (the stored bytes changed)".into(),
        ));
    }
    let mut cur = Cursor { b: body, at: 5 };
    let mut inner = || -> std::result::Result<StoredSet, String> {
        let json = cur.str()?;
        let instrument = Instrument::from_json(&json).map_err(|e| e.to_string())?;
        let n = cur.u32()? as usize;
        let q = cur.u16()? as usize;
        if q != instrument.questions().len() {
            return Err(format!(
                "{q} code columns for a questionnaire of {} questions",
                instrument.questions().len()
            ));
        }
        let mut answers = Vec::with_capacity(q);
        for question in instrument.questions() {
            let col = cur.take(n)?.to_vec();
            if let Some(&c) = col
                .iter()
                .find(|&&c| c != MISSING && usize::from(c) >= question.len())
            {
                return Err(format!(
                    "answer code {c} is not an answer to {}",
                    question.id
                ));
            }
            answers.push(col);
        }
        let exported: Vec<bool> = cur.take(n)?.iter().map(|&b| b != 0).collect();
        let ids = cur.ids(n)?;
        let slots = cur.u16()? as usize;
        let mut layout = Vec::with_capacity(slots);
        for _ in 0..slots {
            let tag = cur.take(1)?[0];
            let i = cur.u16()? as usize;
            layout.push(match tag {
                0 => Slot::Id,
                1 => Slot::Question(i),
                2 => Slot::Extra(i),
                t => return Err(format!("unknown column kind {t}")),
            });
        }
        let e = cur.u16()? as usize;
        let mut names = Vec::with_capacity(e);
        let mut values = Vec::with_capacity(e);
        for _ in 0..e {
            names.push(cur.str()?);
            values.push(cur.column(n)?);
        }
        let present = cur.take(n)?.to_vec();
        let name = cur.interned_lazy(n)?;
        let phone = cur.interned_lazy(n)?;
        let consent = cur.interned_lazy(n)?;
        if cur.at != cur.b.len() {
            return Err("bytes left over after the last column".into());
        }
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut responses = Responses::new(&instrument, &name_refs).map_err(|e| e.to_string())?;
        // The chunk's own ids: a fast unkeyed hash is enough (a chunk is this
        // device's own writing, checked by its checksum; file input never
        // reaches here unchecked), and the keyed one costs a third of the read.
        let mut seen = std::collections::HashSet::with_capacity_and_hasher(n, Fast::default());
        for id in ids.iter() {
            if id.trim().is_empty() || id.trim() != id || !seen.insert(id) {
                return Err(format!("response id {id:?} is empty or repeated"));
            }
        }
        let expected: usize = 1 + q + e;
        let mut tally = vec![0usize; expected];
        for s in &layout {
            let k = match *s {
                Slot::Id => 0,
                Slot::Question(i) if i < q => 1 + i,
                Slot::Extra(i) if i < e => 1 + q + i,
                _ => return Err("the column layout names a column that is not there".into()),
            };
            tally[k] += 1;
        }
        if layout.len() != expected || tally.iter().any(|&t| t != 1) {
            return Err("the column layout does not name every column once".into());
        }
        responses.ids = ids;
        responses.answers = answers;
        responses.layout = layout;
        for (col, v) in responses.extras.iter_mut().zip(values) {
            col.values = v;
        }
        // Contacts are few: their texts are looked up only where present.
        let mut contacts = vec![None; n];
        for (r, slot) in contacts.iter_mut().enumerate() {
            if present[r] != 0 {
                *slot = Some(Contact {
                    name: name.get(r)?,
                    phone: phone.get(r)?,
                    consent_at: consent.get(r)?,
                });
            }
        }
        Ok(StoredSet {
            fingerprint: fingerprint(&instrument),
            instrument,
            responses,
            exported,
            contacts,
            origin: vec![Origin::Chunk; n],
        })
    };
    inner().map_err(bad)
}

/// A fast checksum of chunk bytes (not a defence against tampering, which
/// needs the key a later issue brings; a guard against damaged storage).
fn checksum(bytes: &[u8]) -> u64 {
    const P: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = bytes.len() as u64 ^ 0x6D61_6E79_695F_6331;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_le_bytes(w.try_into().unwrap_or_default());
        h = (h ^ v).wrapping_mul(P).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(P).rotate_left(29);
    }
    h ^ (h >> 32)
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn put_strs<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a str> + Clone, count: usize) {
    put_u32(out, count as u32);
    let mut at = 0u32;
    put_u32(out, 0);
    for s in items.clone() {
        at += s.len() as u32;
        put_u32(out, at);
    }
    for s in items {
        out.extend_from_slice(s.as_bytes());
    }
}

/// An interned column as the format writes it: only the values in use, in
/// order of first use (so the same values always give the same bytes).
fn put_column(out: &mut Vec<u8>, col: &TextColumn) {
    let (distinct, index) = col.parts();
    let mut map = vec![u32::MAX; distinct.len()];
    let mut order: Vec<&str> = Vec::new();
    let rows: Vec<u32> = index
        .iter()
        .map(|&i| {
            let m = &mut map[i as usize];
            if *m == u32::MAX {
                *m = order.len() as u32;
                order.push(&distinct[i as usize]);
            }
            *m
        })
        .collect();
    put_strs(out, order.iter().copied(), order.len());
    for i in rows {
        put_u32(out, i);
    }
}

/// An interned column read but not expanded.
struct Lazy<'a> {
    distinct: Vec<String>,
    index: &'a [u8],
}

impl Lazy<'_> {
    fn get(&self, row: usize) -> std::result::Result<String, String> {
        let w = &self.index[row * 4..row * 4 + 4];
        let i = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize;
        self.distinct
            .get(i)
            .cloned()
            .ok_or_else(|| format!("value {i} of {} distinct values", self.distinct.len()))
    }
}

/// A fast multiplicative hasher (FxHash-style) for the chunk's own ids.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let v = u64::from_le_bytes(w.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        for &b in words.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

type Fast = std::hash::BuildHasherDefault<FastHasher>;

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(format!(
                "it ends early (wanted {n} bytes at byte {})",
                self.at
            ));
        };
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u16(&mut self) -> std::result::Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn str(&mut self) -> std::result::Result<String, String> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| "text that is not UTF-8".to_string())
    }
    /// The ids, kept as the chunk lays them out (strs): one buffer and offsets.
    fn ids(&mut self, want: usize) -> std::result::Result<crate::column::Ids, String> {
        let n = self.u32()? as usize;
        if n != want {
            return Err(format!("{n} texts where {want} were expected"));
        }
        let offsets: Vec<u32> = self
            .take((n + 1) * 4)?
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let total = *offsets.last().unwrap_or(&0) as usize;
        if offsets.windows(2).any(|w| w[0] > w[1]) || offsets[0] != 0 {
            return Err("text offsets out of order".into());
        }
        let bytes = self.take(total)?;
        let text = std::str::from_utf8(bytes).map_err(|_| "text that is not UTF-8".to_string())?;
        crate::column::Ids::from_parts(text.to_owned(), offsets[1..].to_vec())
            .ok_or_else(|| "a text split inside a character".to_string())
    }

    fn strs(&mut self, want: usize) -> std::result::Result<Vec<String>, String> {
        let n = self.u32()? as usize;
        if n != want {
            return Err(format!("{n} texts where {want} were expected"));
        }
        let offsets: Vec<usize> = self
            .take((n + 1) * 4)?
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
            .collect();
        let total = *offsets.last().unwrap_or(&0);
        if offsets.windows(2).any(|w| w[0] > w[1]) || offsets[0] != 0 {
            return Err("text offsets out of order".into());
        }
        let bytes = self.take(total)?;
        let text = std::str::from_utf8(bytes).map_err(|_| "text that is not UTF-8".to_string())?;
        offsets
            .windows(2)
            .map(|w| {
                text.get(w[0]..w[1])
                    .map(str::to_owned)
                    .ok_or_else(|| "a text split inside a character".to_string())
            })
            .collect()
    }
    /// An interned column whose values are looked up one by one ([`Lazy::get`]).
    fn interned_lazy(&mut self, rows: usize) -> std::result::Result<Lazy<'a>, String> {
        let count = self.u32()? as usize;
        if count > self.b.len() {
            return Err("too many distinct values".into());
        }
        self.at -= 4;
        let distinct = self.strs(count)?;
        let index = self.take(rows.checked_mul(4).ok_or("too many rows")?)?;
        Ok(Lazy { distinct, index })
    }

    /// An interned column as a [`TextColumn`] (no string per row).
    fn column(&mut self, rows: usize) -> std::result::Result<TextColumn, String> {
        let Lazy { distinct, index } = self.interned_lazy(rows)?;
        let count = distinct.len();
        let index = index
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        TextColumn::from_parts(distinct, index)
            .ok_or_else(|| format!("an index past the column's {count} distinct values"))
    }
}
