//! One instrument's responses as the device keeps them ([`StoredSet`]): the
//! answers, whether each row was exported, its call-back contact (kept apart
//! from the answers, only with consent) and where it came from ([`Origin`]).

use super::*;

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

impl Contact {
    /// Whether `phone` (trimmed) can be a call-back number: an optional
    /// leading `+`, then only ASCII digits, spaces, parentheses and hyphens,
    /// with 5 to 20 digits (a short extension up to an international number
    /// with its country code). The survey asks again rather than keep a
    /// number the branch could not call.
    pub fn phone_ok(phone: &str) -> bool {
        let phone = phone.trim();
        let body = phone.strip_prefix('+').unwrap_or(phone);
        let allowed = |c: char| c.is_ascii_digit() || c.is_whitespace() || "()-".contains(c);
        let digits = body.chars().filter(char::is_ascii_digit).count();
        !body.is_empty() && body.chars().all(allowed) && (5..=20).contains(&digits)
    }
}

/// Where a row of a loaded set came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A chunk (bulk data) or an import not yet written.
    Chunk,
    /// The log record with this key.
    Log(String),
}

/// Where each row of a set is kept: in a chunk for nearly every row, in the
/// log for the single responses saved since the last compaction (which folds
/// them into chunks). Kept sparse, the log rows' keys by row and every other
/// row a chunk row: one [`Origin`] a row was 12 bytes of wasm memory (24
/// natively) per row to say "chunk", 12 MB at a million rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    len: usize,
    /// The log rows: row → [`Origin::Log`].
    log: BTreeMap<usize, Origin>,
}

/// What every row not in the log is.
static CHUNK: Origin = Origin::Chunk;

impl Origins {
    /// `len` chunk rows.
    pub fn chunks(len: usize) -> Origins {
        Origins {
            len,
            log: BTreeMap::new(),
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a row.
    pub fn push(&mut self, origin: Origin) {
        self.len += 1;
        self.set(self.len - 1, origin);
    }

    /// Sets row `r`'s origin (`r` below [`len`](Self::len)).
    pub fn set(&mut self, r: usize, origin: Origin) {
        assert!(r < self.len, "row {r} of {}", self.len);
        match origin {
            Origin::Chunk => self.log.remove(&r),
            log => self.log.insert(r, log),
        };
    }

    /// Every row's origin, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Origin> + '_ {
        (0..self.len).map(move |r| &self[r])
    }

    /// The keys of the log records the rows come from, in row order.
    pub fn log_keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.log.values().filter_map(|o| match o {
            Origin::Log(k) => Some(k.as_str()),
            Origin::Chunk => None,
        })
    }

    /// How many rows come from the log.
    pub fn log_rows(&self) -> usize {
        self.log.len()
    }

    /// Every row a chunk row (after compaction, or an import that replaced them).
    pub fn all_chunks(&mut self) {
        self.log.clear();
    }

    /// Appends `other`'s rows.
    pub fn extend(&mut self, other: Origins) {
        let at = self.len;
        self.len += other.len;
        self.log
            .extend(other.log.into_iter().map(|(r, o)| (at + r, o)));
    }
}

impl std::ops::Index<usize> for Origins {
    type Output = Origin;

    fn index(&self, r: usize) -> &Origin {
        assert!(r < self.len, "row {r} of {}", self.len);
        self.log.get(&r).unwrap_or(&CHUNK)
    }
}

impl FromIterator<Origin> for Origins {
    fn from_iter<I: IntoIterator<Item = Origin>>(iter: I) -> Origins {
        let mut o = Origins::default();
        for origin in iter {
            o.push(origin);
        }
        o
    }
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
    pub contacts: Vec<Option<Box<Contact>>>,
    /// Per row: where it is kept.
    pub origin: Origins,
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
            origin: Origins::default(),
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
        self.each_chunk().collect()
    }

    /// [`chunks`](Self::chunks) one at a time, each encoded when asked for: a
    /// caller that hands each on before asking for the next holds one chunk,
    /// not all (60 MB at a million rows, in a wasm memory that never shrinks).
    pub fn each_chunk(&self) -> impl Iterator<Item = Vec<u8>> + '_ {
        let rows: Vec<u32> = (0..self.len())
            .filter(|&r| self.origin[r] == Origin::Chunk)
            .map(|r| r as u32)
            .collect();
        (0..rows.len()).step_by(CHUNK_ROWS).map(move |start| {
            let part = &rows[start..(start + CHUNK_ROWS).min(rows.len())];
            chunk::encode_rows(self, part.iter().map(|&r| r as usize))
        })
    }

    /// This set as `newer`'s, which revises its instrument in wording only
    /// (the caller checked [`Instrument::revises`]): the same rows and codes.
    pub(super) fn carried_to(mut self, newer: &Instrument) -> StoredSet {
        self.responses.relabel(newer);
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
