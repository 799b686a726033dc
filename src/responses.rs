//! The columnar response store, and CSV import and export.
//!
//! A [`Responses`] holds one `Vec<u8>` of answer codes per question (see
//! [`crate::instrument`] for the codes), the response ids, and every other
//! column of the file as text, in the file's column order. It knows the id and
//! version of the instrument its codes belong to.
//!
//! Import is all-or-nothing: every row is checked (ragged rows, invalid UTF-8,
//! empty or duplicate ids, unknown option letters, scale values that are not
//! whole numbers or are off the scale) and if anything is wrong the whole file
//! is refused with every problem (up to [`crate::error::MAX_PROBLEMS`]) named by
//! line, column and value. Header names match case-insensitively and ids are
//! trimmed; answers may be lower-case letters and may carry surrounding spaces.
//! Export writes the columns in the order they were read, so an import, export
//! and import again gives the same store.
//!
//! The CSV files are for spreadsheets, so their text cells — the header, ids,
//! extra columns (call-back contacts among them) and single-choice answers
//! (letters, or option texts in the labelled export) — are written
//! neutralised against formula injection and restored on import, by the rule
//! in [`crate::csv`]: a text that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return, or with quotes and then one of those, gets one more `'` in
//! front, and import takes exactly that `'` off again. Scale answers are
//! numbers and are written and read as they are. The .xlsx workbook types its
//! cells, so nothing is neutralised or restored there.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::csv::{restore, write_cells, Cell, Reader};
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, Lang, QuestionKind, MISSING};

/// Where a column of the file goes in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Id,
    Question(usize),
    Extra(usize),
}

/// A column that is neither the id nor a question, kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraColumn {
    /// The header cell, as written.
    pub name: String,
    /// One value per response (interned).
    pub values: crate::column::TextColumn,
}

/// Responses to one instrument, stored by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responses {
    pub(crate) instrument_id: String,
    pub(crate) instrument_version: String,
    pub(crate) ids: crate::column::Ids,
    pub(crate) answers: Vec<Vec<u8>>,
    pub(crate) extras: Vec<ExtraColumn>,
    pub(crate) layout: Vec<Slot>,
    /// The id index [`Responses::push`] keeps.
    pub(crate) pushed: PushIndex,
}

/// The id index [`Responses::push`] keeps, so that refusing a repeated id is
/// a look-up, not a scan of every id held: built on the first push over the
/// ids held then, and brought up to date with rows appended since by other
/// paths (ids are only ever appended in place). Not part of the value:
/// responses compare equal whatever their index.
#[derive(Debug, Clone, Default)]
pub(crate) struct PushIndex(Option<(crate::column::IdIndex, usize)>);

impl PartialEq for PushIndex {
    fn eq(&self, _: &PushIndex) -> bool {
        true
    }
}

impl Eq for PushIndex {}

impl Responses {
    /// An empty store for `instrument`, with the columns `id`, the questions in
    /// order, then `extra` columns. Refuses extra names that are empty, have
    /// surrounding spaces, repeat (in any letter case) or clash with `id` or a
    /// question id, since the exported file could not be imported again.
    pub fn new(instrument: &Instrument, extra: &[&str]) -> Result<Self> {
        let mut taken: Vec<String> = vec!["id".into()];
        taken.extend(
            instrument
                .questions()
                .iter()
                .map(|q| q.id.to_ascii_lowercase()),
        );
        let mut problems = Vec::new();
        for (i, name) in extra.iter().enumerate() {
            let key = name.to_ascii_lowercase();
            let problem = if name.is_empty() || column_name(name) != *name {
                Some((
                    ProblemCode::UnnamedColumn,
                    "a column name is not empty and has no surrounding spaces",
                ))
            } else if taken.contains(&key) {
                Some((
                    ProblemCode::DuplicateColumn,
                    "the same name as another column (letter case aside)",
                ))
            } else {
                None
            };
            if let Some((code, message)) = problem {
                problems.push(
                    Problem::new(code, message)
                        .in_field(format!("extra[{i}]"))
                        .with_value(*name),
                );
            }
            taken.push(key);
        }
        if !problems.is_empty() {
            let total = problems.len();
            return Err(Error::new(ErrorKind::Request, problems, total));
        }
        let mut store = Responses::empty(instrument);
        store.layout.push(Slot::Id);
        store
            .layout
            .extend((0..instrument.questions().len()).map(Slot::Question));
        store.layout.extend((0..extra.len()).map(Slot::Extra));
        store.extras = extra
            .iter()
            .map(|n| ExtraColumn {
                name: (*n).to_owned(),
                values: crate::column::TextColumn::new(),
            })
            .collect();
        Ok(store)
    }

    /// A store with no columns laid out yet.
    fn empty(instrument: &Instrument) -> Self {
        Responses {
            instrument_id: instrument.id().to_owned(),
            instrument_version: instrument.version().to_owned(),
            ids: crate::column::Ids::new(),
            answers: vec![Vec::new(); instrument.questions().len()],
            extras: Vec::new(),
            layout: Vec::new(),
            pushed: PushIndex::default(),
        }
    }

    /// Appends one response: its id, one code per question, one text per extra
    /// column. Refuses an empty or duplicate id, a wrong number of codes or
    /// extras, and a code outside its question.
    pub fn push(
        &mut self,
        instrument: &Instrument,
        id: &str,
        codes: &[u8],
        extras: &[&str],
    ) -> Result<()> {
        let fail =
            |code, msg: String| Err(Error::single(ErrorKind::Request, Problem::new(code, msg)));
        let id = id.trim();
        if id.is_empty() {
            return fail(ProblemCode::EmptyId, "the response id is empty".into());
        }
        let (index, covered) = self.pushed.0.get_or_insert_with(Default::default);
        if *covered > self.ids.len() {
            (*index, *covered) = Default::default();
        }
        for r in *covered..self.ids.len() {
            index.insert(&self.ids, self.ids.get(r), r);
        }
        *covered = self.ids.len();
        if index.get(&self.ids, id).is_some() {
            return fail(
                ProblemCode::DuplicateId,
                format!("response id {id:?} is already stored"),
            );
        }
        if codes.len() != self.answers.len() || extras.len() != self.extras.len() {
            return fail(
                ProblemCode::RaggedRow,
                format!(
                    "expected {} answers and {} extra values, got {} and {}",
                    self.answers.len(),
                    self.extras.len(),
                    codes.len(),
                    extras.len()
                ),
            );
        }
        for (q, &c) in instrument.questions().iter().zip(codes) {
            if c != MISSING && usize::from(c) >= q.len() {
                return fail(
                    ProblemCode::OutOfRange,
                    format!("code {c} is outside {}", q.id),
                );
            }
        }
        self.ids.push(id);
        let row = self.ids.len() - 1;
        if let Some((index, covered)) = &mut self.pushed.0 {
            index.insert(&self.ids, id, row);
            *covered = self.ids.len();
        }
        for (col, &c) in self.answers.iter_mut().zip(codes) {
            col.push(c);
        }
        for (col, v) in self.extras.iter_mut().zip(extras) {
            col.values.push(v);
        }
        Ok(())
    }

    /// Builds a store from columns already checked once (a device's own saved
    /// responses): `codes` holds one row of `instrument.questions().len()` codes
    /// per id, `extra_values` one row of `extra_names.len()` texts per id.
    /// Refuses, all or nothing, wrong lengths, empty or duplicate ids and codes
    /// outside their question.
    pub fn from_columns(
        instrument: &Instrument,
        ids: &[String],
        codes: &[u8],
        extra_names: &[&str],
        extra_values: &[String],
    ) -> Result<Responses> {
        let (q, e) = (instrument.questions().len(), extra_names.len());
        let mut store = Responses::new(instrument, extra_names)?;
        let wrong = |msg: String| {
            Err(Error::single(
                ErrorKind::Request,
                Problem::new(ProblemCode::RaggedRow, msg),
            ))
        };
        if codes.len() != ids.len() * q || extra_values.len() != ids.len() * e {
            return wrong(format!(
                "{} ids need {} codes and {} extra values, not {} and {}",
                ids.len(),
                ids.len() * q,
                ids.len() * e,
                codes.len(),
                extra_values.len()
            ));
        }
        let mut seen = std::collections::HashSet::with_capacity_and_hasher(ids.len(), Keyed);
        for (r, id) in ids.iter().enumerate() {
            let id = id.trim();
            if id.is_empty() || !seen.insert(id) {
                let code = if id.is_empty() {
                    ProblemCode::EmptyId
                } else {
                    ProblemCode::DuplicateId
                };
                return Err(Error::single(
                    ErrorKind::Request,
                    Problem::new(code, "each response needs its own non-empty id")
                        .with_value(id)
                        .at_line(r + 1),
                ));
            }
        }
        for (j, question) in instrument.questions().iter().enumerate() {
            let col: Vec<u8> = codes.iter().skip(j).step_by(q).copied().collect();
            if let Some(r) = col
                .iter()
                .position(|&c| c != MISSING && usize::from(c) >= question.len())
            {
                return Err(Error::single(
                    ErrorKind::Request,
                    Problem::new(
                        ProblemCode::OutOfRange,
                        format!(
                            "code {} is outside {} (response {}); it takes {}",
                            col[r],
                            question.id,
                            ids[r].trim(),
                            question.expected()
                        ),
                    )
                    .in_field(question.id.clone())
                    .at_line(r + 1)
                    .with_value(col[r].to_string()),
                ));
            }
            store.answers[j] = col;
        }
        store.ids = ids.iter().map(|id| id.trim()).collect();
        for (k, col) in store.extras.iter_mut().enumerate() {
            col.values = crate::column::TextColumn::from_values(
                extra_values
                    .iter()
                    .skip(k)
                    .step_by(e.max(1))
                    .take(ids.len()),
            );
        }
        Ok(store)
    }

    /// Every response's codes, one row after another (`len() × questions`).
    pub fn codes_by_row(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() * self.answers.len());
        for r in 0..self.len() {
            out.extend(self.answers.iter().map(|col| col[r]));
        }
        out
    }

    /// Imports a file of responses by what it is, not what it is called: an
    /// .xlsx workbook (a zip archive, which starts with `PK\x03\x04`) or else
    /// the interchange CSV. A CSV file never starts with those bytes, so a
    /// workbook piped on standard input is read as one, not reported as a
    /// CSV file full of binary.
    pub fn from_bytes(instrument: &Instrument, bytes: &[u8]) -> Result<Responses> {
        if bytes.starts_with(b"PK\x03\x04") {
            Responses::from_xlsx(instrument, bytes)
        } else {
            Responses::from_csv(instrument, bytes)
        }
    }

    /// Imports a CSV file in the interchange format, all or nothing.
    pub fn from_csv(instrument: &Instrument, bytes: &[u8]) -> Result<Responses> {
        match fast_csv(instrument, bytes) {
            Some(r) => Ok(r),
            None => Responses::from_csv_reference(instrument, bytes),
        }
    }

    /// Imports a CSV file of `len` bytes handed over in pieces, as
    /// [`from_csv`](Self::from_csv) does, without ever holding the whole file:
    /// `read(from, buf)` appends the bytes from offset `from` to `buf`, at
    /// most `piece` of them. Only whole records are read from each piece
    /// (the rest waits for the next). A file with anything wrong is read
    /// again whole by the reference import, which names every problem.
    pub fn from_csv_pieces(
        instrument: &Instrument,
        len: usize,
        piece: usize,
        mut read: impl FnMut(usize, &mut Vec<u8>),
    ) -> Result<Responses> {
        let piece = piece.max(1);
        let mut fast = || -> Option<Responses> {
            let mut window = Vec::with_capacity(piece * 2);
            let mut next = 0;
            let mut fast: Option<Fast> = None;
            loop {
                if next < len {
                    let want = piece.min(len - next);
                    let before = window.len();
                    read(next, &mut window);
                    if window.len() != before + want {
                        return None;
                    }
                    next += want;
                }
                let last = next >= len;
                let mut from = 0;
                if fast.is_none() {
                    match Fast::begin(instrument, &window, len) {
                        Some((f, pos)) => {
                            fast = Some(f);
                            from = pos;
                        }
                        None if last => return None,
                        // The header goes on in the next piece.
                        None => continue,
                    }
                }
                let state = fast.as_mut()?;
                let cut = if last {
                    window.len()
                } else {
                    from + complete_records(&window[from..])
                };
                state.rows(&window[from..cut])?;
                if last {
                    break;
                }
                window.drain(..cut);
            }
            fast?.finish()
        };
        match fast() {
            Some(r) => Ok(r),
            None => {
                let mut all = Vec::with_capacity(len);
                let mut at = 0;
                while at < len {
                    let before = all.len();
                    read(at, &mut all);
                    if all.len() == before {
                        break;
                    }
                    at = all.len();
                }
                Responses::from_csv_reference(instrument, &all)
            }
        }
    }

    /// The straightforward import of a CSV file, record by record through
    /// [`Reader`] and cell by cell: what [`from_csv`](Self::from_csv) does when
    /// its fast path finds anything wrong (so every problem is named by this
    /// code), and what the property tests check the fast path against.
    #[doc(hidden)]
    pub fn from_csv_reference(instrument: &Instrument, bytes: &[u8]) -> Result<Responses> {
        let mut reader = Reader::new(bytes);
        Importer::new(instrument, ErrorKind::Csv, true).run(|fields| reader.read_record(fields))
    }

    /// Imports the first worksheet of an .xlsx workbook laid out as the
    /// interchange CSV (a header row, then a row per response), all or nothing,
    /// with the same checks; lines are the sheet's row numbers.
    pub fn from_xlsx(instrument: &Instrument, bytes: &[u8]) -> Result<Responses> {
        let rows = crate::xlsx::read_first_sheet(bytes)?;
        let mut rows = rows.into_iter();
        // A sheet leaves out empty cells at the end of a row (Excel does, and
        // so does the reader): a short row is padded to the header's width.
        let mut width = None;
        Importer::new(instrument, ErrorKind::Xlsx, false).run(|fields| {
            let (line, cells) = rows.next()?;
            fields.clear();
            fields.extend(cells.into_iter().map(|c| Cow::Owned(c.into_bytes())));
            let w = *width.get_or_insert(fields.len());
            if fields.len() < w {
                fields.resize(w, Cow::Borrowed(&[][..]));
            }
            Some(Ok(line))
        })
    }

    /// Exports to the interchange format: UTF-8 (with a byte-order mark if
    /// `bom`, which Excel needs to read Chinese text), CRLF line ends, columns in
    /// the order they were imported, option letters and scale values as text,
    /// text cells neutralised against formula injection (module docs).
    pub fn to_csv(&self, instrument: &Instrument, bom: bool) -> Result<Vec<u8>> {
        self.csv_with(instrument, None, bom, None)
    }

    /// Exports for people: as [`to_csv`](Self::to_csv), but each option as its
    /// text in `lang` instead of its letter. Importing it gives the letters back.
    pub fn to_labelled_csv(
        &self,
        instrument: &Instrument,
        lang: Lang,
        bom: bool,
    ) -> Result<Vec<u8>> {
        self.csv_with(instrument, Some(lang), bom, None)
    }

    /// The labelled CSV with one more text column at the end: `name` in the
    /// header and `values[r]` in row r (e.g. why a detractor is on the follow-up list).
    pub fn to_labelled_csv_with(
        &self,
        instrument: &Instrument,
        lang: Lang,
        bom: bool,
        name: &str,
        values: &[String],
    ) -> Result<Vec<u8>> {
        self.csv_with(instrument, Some(lang), bom, Some((name, values)))
    }

    fn csv_with(
        &self,
        instrument: &Instrument,
        labels: Option<Lang>,
        bom: bool,
        appended: Option<(&str, &[String])>,
    ) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(64 + self.len() * (self.answers.len() * 2 + 16));
        if bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        // Scale answers are numbers; every other cell (the header too) is text.
        let qs = instrument.questions();
        let number: Vec<bool> = self
            .layout
            .iter()
            .map(|s| matches!(*s, Slot::Question(q) if qs[q].kind == QuestionKind::Scale))
            .collect();
        let mut header = true;
        let mut r = 0;
        self.each_row(instrument, labels, |row| {
            let more = appended.map(|(name, values)| {
                if header {
                    name
                } else {
                    values.get(r).map_or("", String::as_str)
                }
            });
            write_cells(
                &mut out,
                row.iter()
                    .zip(&number)
                    .map(|(cell, &number)| {
                        if number && !header {
                            Cell::Number(cell)
                        } else {
                            Cell::Text(cell)
                        }
                    })
                    .chain(more.map(Cell::Text)),
            );
            if !header {
                r += 1;
            }
            header = false;
        })?;
        Ok(out)
    }

    /// Calls `f` with the header, then with each response as text, columns in
    /// file order: answers as letters (or, with `labels`, option texts).
    pub fn each_row(
        &self,
        instrument: &Instrument,
        labels: Option<Lang>,
        mut f: impl FnMut(&[String]),
    ) -> Result<()> {
        self.check_instrument(instrument)?;
        let qs = instrument.questions();
        let mut row: Vec<String> = self
            .layout
            .iter()
            .map(|s| match *s {
                Slot::Id => "id".to_owned(),
                Slot::Question(q) => qs[q].id.clone(),
                Slot::Extra(e) => self.extras[e].name.clone(),
            })
            .collect();
        f(&row);
        for r in 0..self.len() {
            row.clear();
            row.extend(self.layout.iter().map(|s| match *s {
                Slot::Id => self.ids[r].to_owned(),
                Slot::Question(q) => {
                    let code = self.answers[q][r];
                    match labels {
                        Some(lang) if code != MISSING => qs[q].code_label(code, lang),
                        _ => qs[q].code_text(code),
                    }
                }
                Slot::Extra(e) => self.extras[e].values.get(r).to_owned(),
            }));
            f(&row);
        }
        Ok(())
    }

    /// Refuses an instrument other than the one these responses were read with.
    pub fn check_instrument(&self, instrument: &Instrument) -> Result<()> {
        if instrument.id() == self.instrument_id && instrument.version() == self.instrument_version
        {
            return Ok(());
        }
        Err(Error::single(
            ErrorKind::Request,
            Problem::new(
                ProblemCode::UnknownName,
                format!(
                    "these responses belong to instrument {} version {}, not {} version {}",
                    self.instrument_id,
                    self.instrument_version,
                    instrument.id(),
                    instrument.version()
                ),
            ),
        ))
    }

    /// The number of responses.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no responses.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of the instrument the codes belong to.
    pub fn instrument_id(&self) -> &str {
        &self.instrument_id
    }

    /// The version of the instrument the codes belong to.
    pub fn instrument_version(&self) -> &str {
        &self.instrument_version
    }

    /// The response ids, in file order.
    pub fn ids(&self) -> &crate::column::Ids {
        &self.ids
    }

    /// The codes of question `q` (by index), one per response.
    pub fn column(&self, q: usize) -> &[u8] {
        &self.answers[q]
    }

    /// The columns that are neither the id nor a question.
    pub fn extras(&self) -> &[ExtraColumn] {
        &self.extras
    }

    /// The responses at `rows` (indices, in the order given) as a store of their
    /// own; a row past the end is refused, naming it.
    pub fn select(&self, rows: &[u32]) -> Result<Responses> {
        if let Some(&bad) = rows.iter().find(|&&r| r as usize >= self.len()) {
            return Err(Error::single(
                ErrorKind::Request,
                Problem::new(
                    ProblemCode::OutOfRange,
                    format!("there are {} responses, so no row {bad}", self.len()),
                )
                .with_value(bad.to_string()),
            ));
        }
        let pick = |col: &[u8]| rows.iter().map(|&r| col[r as usize]).collect();
        Ok(Responses {
            instrument_id: self.instrument_id.clone(),
            instrument_version: self.instrument_version.clone(),
            ids: self.ids.select(rows),
            answers: self.answers.iter().map(|c| pick(c)).collect(),
            extras: self
                .extras
                .iter()
                .map(|c| ExtraColumn {
                    name: c.name.clone(),
                    values: c.values.select(rows),
                })
                .collect(),
            layout: self.layout.clone(),
            pushed: PushIndex::default(),
        })
    }
}

/// A header cell as a column name: without surrounding white space or a stray
/// byte-order mark (U+FEFF, left by files saved with two).
fn column_name(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// The secret that keys [`Keyed`]: 128 random bits per process, from the
/// standard library's randomly keyed `RandomState` natively, or given by the
/// page ([`seed_id_hashing`]) where that has no randomness (wasm32).
static ID_SEED: std::sync::OnceLock<[u64; 2]> = std::sync::OnceLock::new();

/// Keys id hashing with 16 random bytes (the wasm boundary passes the
/// browser's `crypto.getRandomValues`); only the first call counts.
pub fn seed_id_hashing(seed: [u8; 16]) {
    let (a, b) = seed.split_at(8);
    let word = |x: &[u8]| u64::from_le_bytes(x.try_into().unwrap_or_default());
    let _ = ID_SEED.set([word(a), word(b)]);
}

fn id_seed() -> [u64; 2] {
    *ID_SEED.get_or_init(|| {
        use std::hash::BuildHasher;
        let state = std::collections::hash_map::RandomState::new();
        [
            state.hash_one(0x6d61_6e79_u64),
            state.hash_one(0x695f_6964_u64),
        ]
    })
}

/// Hashing for maps keyed by text from files (ids, values): SipHash over a
/// secret 128-bit prefix, then the key, so that nobody can craft keys whose
/// hashes collide (an unkeyed hash let a crafted file make import quadratic,
/// and std's own keys are fixed on wasm32).
#[derive(Debug, Clone, Copy, Default)]
pub struct Keyed;

impl std::hash::BuildHasher for Keyed {
    type Hasher = std::hash::DefaultHasher;
    fn build_hasher(&self) -> Self::Hasher {
        // The secret prefix is hashed once; each key starts from a copy.
        static PREFIXED: std::sync::OnceLock<std::hash::DefaultHasher> = std::sync::OnceLock::new();
        PREFIXED
            .get_or_init(|| {
                use std::hash::Hasher;
                let [k0, k1] = id_seed();
                let mut h = std::hash::DefaultHasher::new();
                h.write_u64(k0);
                h.write_u64(k1);
                h
            })
            .clone()
    }
}

/// The bytes that end an unquoted field.
const DELIMITER: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// A quick seeded hash of a short text (64-bit multiply and fold over 8-byte
/// words), where a clash costs only time: two ids with one hash send the
/// file to the reference import, a clash of extra values misses a cache.
fn quick_hash(bytes: &[u8], seed: u64) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = seed ^ (bytes.len() as u64).wrapping_mul(K);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        h = ((h ^ v).wrapping_mul(K)).rotate_left(31);
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h ^ u64::from_le_bytes(last)).wrapping_mul(K);
    h ^ (h >> 29)
}

/// `text.trim()`, quicker when it begins and ends with a visible ASCII
/// character (most ids), which trimming leaves as they are.
#[inline]
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(b'!'..=b'~'), Some(b'!'..=b'~')) => text,
        _ => text.trim(),
    }
}

/// A one-byte answer cell that is not an answer (the lookup tables' mark).
const NOT_AN_ANSWER: u8 = 0xFE;

/// The fast import of a CSV file that has nothing wrong with it, or `None`
/// as soon as anything is (then [`Responses::from_csv_reference`] reads it
/// again and names every problem, so problems read exactly as before).
///
/// Each piece of the file is checked as UTF-8 once, not field by field.
/// Records are cut at commas and line ends straight from the bytes, without a
/// vector of fields per record; a record that starts with a quote, a space, a
/// tab or a line end (quoted fields, blank lines) goes through [`Reader`]. A
/// one-byte answer is looked up in a table per column (made once, by
/// `parse_answer` itself, so it answers as that does); longer cells go
/// through `parse_answer`. Ids go into one buffer ([`crate::column::Ids`]);
/// duplicates are found by sorting their hashes; extra columns are interned
/// as they are read. Nothing is allocated per row.
fn fast_csv(instrument: &Instrument, bytes: &[u8]) -> Option<Responses> {
    let (mut fast, pos) = Fast::begin(instrument, bytes, bytes.len())?;
    fast.rows(&bytes[pos..])?;
    fast.finish()
}

/// How far into `window` the records are certainly complete: up to the last
/// line end outside quotes (by the parity of quotes, which a literal quote in
/// an unquoted field can fool — then a record is cut inside quotes, its quote
/// is never closed, and the file goes to the reference import: slower, never
/// wrong).
fn complete_records(window: &[u8]) -> usize {
    let quote_count = |b: &[u8]| b.iter().filter(|&&c| c == b'"').count();
    // Quotes before `end`, walking back from the end over line ends.
    let mut quotes = quote_count(window);
    let mut end = window.len();
    while let Some(i) = window[..end]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
    {
        quotes -= quote_count(&window[i..end]);
        // A CR is a line end of its own only when no LF follows (which may
        // be in the next piece).
        let ends = window[i] == b'\n' || window.get(i + 1).is_some_and(|&b| b != b'\n');
        if quotes % 2 == 0 && ends {
            return i + 1;
        }
        end = i;
    }
    0
}

/// The state of a fast import between pieces of the file.
struct Fast<'i> {
    instrument: &'i Instrument,
    store: Responses,
    /// Per column, for a question: the code of each one-byte cell.
    tables: Vec<[u8; 256]>,
    /// Each id's quick hash, in row order; sorted at the end, where two equal
    /// hashes send the file to the reference import (a duplicate id, or a
    /// rare or crafted clash, which costs the time of the reference import
    /// and nothing else).
    hashes: Vec<u64>,
    seed: u64,
    /// Per extra column, recent values by a quick hash: their index among the
    /// distinct values. A hit repeats it without hashing the value again with
    /// the keyed hash; a clash only costs a miss, so the quick hash needs no key.
    recent: Vec<Vec<u32>>,
    line: usize,
}

impl<'i> Fast<'i> {
    /// Reads the header at the start of `first` (the first piece of a file of
    /// `total` bytes); returns the state and where the rows begin in `first`.
    fn begin(instrument: &'i Instrument, first: &[u8], total: usize) -> Option<(Fast<'i>, usize)> {
        let mut reader = Reader::new(first);
        let mut fields = Vec::new();
        let mut imp = Importer::new(instrument, ErrorKind::Csv, true);
        let header_line = reader.read_record(&mut fields)?.ok()?;
        let (src, pos, line) = reader.position();
        if pos == src.len() && first.len() < total {
            // The header may go on in the next piece.
            return None;
        }
        let header = imp.header(&fields, header_line);
        let store = imp.layout(&header, header_line);
        if imp.problems.total > 0 {
            return None;
        }
        let qs = instrument.questions();
        let tables: Vec<[u8; 256]> = store
            .layout
            .iter()
            .map(|slot| {
                let mut t = [NOT_AN_ANSWER; 256];
                if let Slot::Question(q) = *slot {
                    for b in 0..128u8 {
                        let cell = (b as char).to_string();
                        let cell = if qs[q].kind == QuestionKind::Single {
                            restore(cell.trim())
                        } else {
                            &cell
                        };
                        if let Ok(code) = qs[q].parse_answer(cell) {
                            t[usize::from(b)] = code;
                        }
                    }
                }
                t
            })
            .collect();
        // A guess at the number of rows, from the first one's length: room
        // for the columns at once instead of growing (and copying) them.
        let first_len = src[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(src.len() - pos)
            .max(8);
        let guess = total.saturating_sub(first.len() - src.len() + pos) / first_len + 1;
        let mut fast = Fast {
            instrument,
            recent: vec![vec![u32::MAX; 256]; store.extras.len()],
            store,
            tables,
            hashes: Vec::with_capacity(guess),
            seed: id_seed()[0],
            line,
        };
        fast.store.ids = crate::column::Ids::with_capacity(guess, 0);
        for col in &mut fast.store.answers {
            col.reserve(guess);
        }
        Some((fast, first.len() - src.len() + pos))
    }

    /// One cell of column `c`; `None` if anything is wrong with it.
    fn cell(&mut self, c: usize, cell: &str) -> Option<()> {
        let store = &mut self.store;
        match store.layout[c] {
            Slot::Id => {
                let id = restore(trim(cell));
                let id = if id.len() < cell.len() { trim(id) } else { id };
                if id.is_empty() {
                    return None;
                }
                store.ids.push(id);
                self.hashes.push(quick_hash(id.as_bytes(), self.seed));
            }
            Slot::Question(q) => {
                let code = match cell.len() {
                    0 => MISSING,
                    1 => match self.tables[c][usize::from(cell.as_bytes()[0])] {
                        NOT_AN_ANSWER => return None,
                        code => code,
                    },
                    _ => {
                        let question = &self.instrument.questions()[q];
                        question
                            .parse_answer(if question.kind == QuestionKind::Single {
                                restore(cell.trim())
                            } else {
                                cell
                            })
                            .ok()?
                    }
                };
                store.answers[q].push(code);
            }
            Slot::Extra(e) => {
                let v = restore(cell);
                let col = &mut store.extras[e].values;
                if col.is_plain() {
                    col.push(v);
                    return Some(());
                }
                let h = quick_hash(v.as_bytes(), self.seed);
                let slot = &mut self.recent[e][(h >> 56) as usize];
                if *slot != u32::MAX && col.parts().0[*slot as usize] == v {
                    col.push_index(*slot);
                } else {
                    let i = col.push_get(v);
                    *slot = if col.is_plain() { u32::MAX } else { i };
                }
            }
        }
        Some(())
    }

    /// Reads the records of `src`, which holds whole records only.
    fn rows(&mut self, src: &[u8]) -> Option<()> {
        let text = std::str::from_utf8(src).ok()?;
        let cols = self.store.layout.len();
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(cols);
        let mut fields = Vec::new();
        let mut pos = 0;
        while pos < src.len() {
            let start = pos;
            spans.clear();
            let mut plain = !matches!(src[pos], b'\n' | b'\r' | b' ' | b'\t');
            while plain {
                let begin = pos;
                let end = match (src.get(pos), src.get(pos + 1)) {
                    // One byte, then a delimiter: most answers.
                    (Some(&b), Some(&d))
                        if DELIMITER[usize::from(d)] && !DELIMITER[usize::from(b)] =>
                    {
                        if b == b'"' {
                            plain = false;
                            break;
                        }
                        pos + 1
                    }
                    (Some(b'"'), _) => {
                        plain = false;
                        break;
                    }
                    _ => src[pos..]
                        .iter()
                        .position(|&b| DELIMITER[usize::from(b)])
                        .map_or(src.len(), |k| pos + k),
                };
                pos = end;
                spans.push((begin, pos));
                let last = spans.len() == cols;
                match src.get(pos) {
                    Some(b',') if !last => pos += 1,
                    Some(b'\r') if last => {
                        pos += 1;
                        if src.get(pos) == Some(&b'\n') {
                            pos += 1;
                        }
                        self.line += 1;
                        break;
                    }
                    Some(b'\n') if last => {
                        pos += 1;
                        self.line += 1;
                        break;
                    }
                    None if last => break,
                    // A record with more or fewer fields than the header.
                    _ => return None,
                }
            }
            if plain {
                for (c, &(a, b)) in spans.iter().enumerate() {
                    // A one-letter answer, straight from its table.
                    if b == a + 1 {
                        if let Slot::Question(q) = self.store.layout[c] {
                            match self.tables[c][usize::from(src[a])] {
                                NOT_AN_ANSWER => return None,
                                code => self.store.answers[q].push(code),
                            }
                            continue;
                        }
                    }
                    self.cell(c, &text[a..b])?;
                }
                continue;
            }
            // Quotes or blank lines: the reader's way, from this record on.
            let mut reader = Reader::resume(&src[start..], self.line);
            match reader.read_record(&mut fields) {
                None => {
                    let (_, _, line) = reader.position();
                    self.line = line;
                    break;
                }
                Some(Err(_)) => return None,
                Some(Ok(_)) if fields.len() != cols => return None,
                Some(Ok(_)) => {
                    for (c, f) in fields.iter().enumerate() {
                        self.cell(c, std::str::from_utf8(f).ok()?)?;
                    }
                }
            }
            let (_, p, l) = reader.position();
            (pos, self.line) = (start + p, l);
        }
        Some(())
    }

    /// The store, unless two ids share a hash.
    fn finish(mut self) -> Option<Responses> {
        self.hashes.sort_unstable();
        if self.hashes.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        drop(self.hashes);
        self.store.ids.shrink_to_fit();
        for col in &mut self.store.answers {
            col.shrink_to_fit();
        }
        Some(self.store)
    }
}

/// Collects problems up to the cap while counting them all.
struct Problems {
    kind: ErrorKind,
    kept: Vec<Problem>,
    total: usize,
}

impl Problems {
    fn push(&mut self, p: Problem) {
        self.total += 1;
        if self.kept.len() < crate::error::MAX_PROBLEMS {
            self.kept.push(p);
        }
    }

    fn into_error(self) -> Error {
        Error::new(self.kind, self.kept, self.total)
    }
}

struct Importer<'i> {
    instrument: &'i Instrument,
    problems: Problems,
    /// Text cells were written neutralised against formula injection (a CSV
    /// file): [`restore`] them. A workbook's cells are typed, so not there.
    neutralised: bool,
}

impl<'i> Importer<'i> {
    fn new(instrument: &'i Instrument, kind: ErrorKind, neutralised: bool) -> Self {
        Importer {
            instrument,
            neutralised,
            problems: Problems {
                kind,
                kept: Vec::new(),
                total: 0,
            },
        }
    }

    /// Imports records from `next`, which fills a record's fields and returns
    /// its line (or a problem that makes it unreadable), `None` at the end.
    fn run<'a>(
        mut self,
        mut next: impl FnMut(&mut Vec<Cow<'a, [u8]>>) -> Option<Result<usize, Problem>>,
    ) -> Result<Responses> {
        let kind = self.problems.kind;
        let mut fields = Vec::new();
        let Some(first) = next(&mut fields) else {
            return Err(Error::single(
                kind,
                Problem::new(
                    ProblemCode::NoHeader,
                    "the file is empty: it needs a header row",
                )
                .at_line(1),
            ));
        };
        let header_line = first.map_err(|p| Error::single(kind, p))?;
        let header = self.header(&fields, header_line);
        let mut store = self.layout(&header, header_line);
        if self.problems.total > 0 {
            return Err(self.problems.into_error());
        }
        let names: Vec<String> = header
            .iter()
            .map(|h| column_name(h.as_deref().unwrap_or_default()).to_owned())
            .collect();
        // Duplicate ids: an index of rows by keyed hash; each row's line, to
        // name the first one.
        let mut seen = crate::column::IdIndex::with_capacity(0);
        let mut lines: Vec<u32> = Vec::new();
        let qs = self.instrument.questions();
        // Single-choice answers are text (option texts in a labelled export).
        let text_answer: Vec<bool> = qs
            .iter()
            .map(|q| self.neutralised && q.kind == QuestionKind::Single)
            .collect();
        // Reused from row to row: no allocation per field, only per kept text.
        let mut codes = vec![MISSING; qs.len()];
        let mut extras = vec![String::new(); store.extras.len()];
        while let Some(rec) = next(&mut fields) {
            let line = match rec {
                Ok(line) => line,
                Err(mut p) => {
                    // The reader knows field numbers only; name the column.
                    if let Some(name) = p.column.and_then(|c| names.get(c.wrapping_sub(1))) {
                        p.field = Some(name.clone());
                    }
                    self.problems.push(p);
                    continue;
                }
            };
            if fields.len() != names.len() {
                self.problems.push(
                    Problem::new(
                        ProblemCode::RaggedRow,
                        format!(
                            "{} field{}, but the header has {}",
                            fields.len(),
                            if fields.len() == 1 { "" } else { "s" },
                            names.len()
                        ),
                    )
                    .at_line(line),
                );
                continue;
            }
            let before = self.problems.total;
            codes.fill(MISSING);
            let mut id: &str = "";
            for (c, (field, slot)) in fields.iter().zip(&store.layout).enumerate() {
                let Some(text) = self.text(field, line, c, &names[c]) else {
                    continue;
                };
                match *slot {
                    Slot::Id => {
                        id = self.restored(text.trim()).trim();
                        if id.is_empty() {
                            self.problems.push(
                                Problem::new(ProblemCode::EmptyId, "the response id is empty")
                                    .at_line(line)
                                    .at_column(c + 1, &names[c])
                                    .with_value(text),
                            );
                        } else if let Some(first) =
                            seen.get(&store.ids, id).map(|r| lines[r] as usize)
                        {
                            self.problems.push(
                                Problem::new(
                                    ProblemCode::DuplicateId,
                                    format!("the same response id as line {first}"),
                                )
                                .first_at(first)
                                .at_line(line)
                                .at_column(c + 1, &names[c])
                                .with_value(text),
                            );
                        }
                    }
                    Slot::Question(q) => match qs[q].parse_answer(if text_answer[q] {
                        restore(text.trim())
                    } else {
                        text
                    }) {
                        Ok(code) => codes[q] = code,
                        Err((code, message)) => self.problems.push(
                            Problem::new(code, message)
                                .at_line(line)
                                .at_column(c + 1, &names[c])
                                .with_value(text)
                                .expecting(qs[q].expected()),
                        ),
                    },
                    Slot::Extra(e) => self.restored(text).clone_into(&mut extras[e]),
                }
            }
            // Every id is kept (seen refers to it by index); a store with any
            // problem is dropped, so a half-kept row is never returned.
            store.ids.push(id);
            if !id.is_empty() {
                seen.insert(&store.ids, id, store.ids.len() - 1);
            }
            lines.push(line as u32);
            if self.problems.total == before {
                for (col, &code) in store.answers.iter_mut().zip(&codes) {
                    col.push(code);
                }
                for (col, v) in store.extras.iter_mut().zip(&extras) {
                    col.values.push(v);
                }
            }
        }
        if self.problems.total > 0 {
            return Err(self.problems.into_error());
        }
        Ok(store)
    }

    /// The header cells as names (restored), `None` for a cell that is not
    /// UTF-8 (recorded as a problem).
    fn header(&mut self, fields: &[Cow<'_, [u8]>], line: usize) -> Vec<Option<String>> {
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                self.text(f, line, i, &format!("header {}", i + 1))
                    .map(|raw| {
                        let name = column_name(raw);
                        match self.restored(name) {
                            restored if restored.len() < name.len() => restored.to_owned(),
                            _ => raw.to_owned(),
                        }
                    })
            })
            .collect()
    }

    /// Maps header cells to slots; records unnamed, duplicate and missing
    /// columns. Cells that were not UTF-8 (`None`, already reported) only keep
    /// their place.
    fn layout(&mut self, header: &[Option<String>], line: usize) -> Responses {
        let inst = self.instrument;
        let mut store = Responses::empty(inst);
        let mut taken: HashMap<String, usize> = HashMap::new();
        for (c, raw) in header.iter().enumerate() {
            let Some(raw) = raw else {
                store.extras.push(ExtraColumn {
                    name: String::new(),
                    values: crate::column::TextColumn::new(),
                });
                store.layout.push(Slot::Extra(store.extras.len() - 1));
                continue;
            };
            let name = column_name(raw);
            let key = name.to_ascii_lowercase();
            if name.is_empty() {
                self.problems.push(
                    Problem::new(
                        ProblemCode::UnnamedColumn,
                        "this column has no name; name it, or delete the column if it is empty",
                    )
                    .at_line(line)
                    .at_column(c + 1, format!("header {}", c + 1))
                    .with_value(raw.clone()),
                );
            } else if let Some(first) = taken.insert(key.clone(), c) {
                self.problems.push(
                    Problem::new(
                        ProblemCode::DuplicateColumn,
                        format!("the same column name as column {}", first + 1),
                    )
                    .at_line(line)
                    .at_column(c + 1, name)
                    .with_value(raw.clone()),
                );
            }
            let slot = if key == "id" {
                Slot::Id
            } else if let Some(q) = inst.position(&key) {
                Slot::Question(q)
            } else {
                store.extras.push(ExtraColumn {
                    name: name.to_owned(),
                    values: crate::column::TextColumn::new(),
                });
                Slot::Extra(store.extras.len() - 1)
            };
            store.layout.push(slot);
        }
        let mut required = vec!["id".to_owned()];
        required.extend(inst.questions().iter().map(|q| q.id.to_ascii_lowercase()));
        for name in required {
            if !taken.contains_key(&name) {
                self.problems.push(
                    Problem::new(
                        ProblemCode::MissingColumn,
                        format!("the header has no column {name:?}, which is required"),
                    )
                    .at_line(line)
                    .in_field(name),
                );
            }
        }
        store
    }

    /// A text cell as it was before export: [`restore`]d if the file's text
    /// cells are neutralised.
    fn restored<'t>(&self, cell: &'t str) -> &'t str {
        if self.neutralised {
            restore(cell)
        } else {
            cell
        }
    }

    /// The field as text, or `None` after recording invalid UTF-8.
    fn text<'f>(&mut self, field: &'f [u8], line: usize, c: usize, name: &str) -> Option<&'f str> {
        match std::str::from_utf8(field) {
            Ok(s) => Some(s),
            Err(e) => {
                let at = e.valid_up_to();
                self.problems.push(
                    Problem::new(
                        ProblemCode::InvalidUtf8,
                        format!(
                            "not valid UTF-8 (byte 0x{:02X} at byte {} of the field); \
                             if the file was saved as GBK/GB18030, save it again as UTF-8",
                            field[at],
                            at + 1
                        ),
                    )
                    .at_line(line)
                    .at_column(c + 1, name)
                    .with_value(String::from_utf8_lossy(field)),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_carry_what_was_expected_for_every_language() {
        let inst = Instrument::builtin();
        let head = "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17";
        let csv = format!(
            "{head}\na,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9\nb,Z,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,11\na,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,x\n"
        );
        let e = Responses::from_csv(&inst, csv.as_bytes()).unwrap_err();
        let got: Vec<_> = e
            .problems()
            .iter()
            .map(|p| (p.code, p.expected.as_deref(), p.first_line))
            .collect();
        assert_eq!(
            got,
            [
                (ProblemCode::UnknownOption, Some("A B"), None),
                (ProblemCode::OutOfRange, Some("0–10"), None),
                (ProblemCode::DuplicateId, None, Some(2)),
                (ProblemCode::NotAnInteger, Some("0–10"), None),
            ]
        );
    }

    use crate::error::ProblemCode as P;

    /// Ids crafted so that an unkeyed hash (std's SipHash with fixed keys, as
    /// on wasm32) puts them all in one bucket of a 1,024-bucket table.
    fn crafted_ids(count: usize) -> Vec<String> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let fixed = BuildHasherDefault::<DefaultHasher>::default();
        (0u64..)
            .map(|i| format!("C{i:08}"))
            .filter(|id| fixed.hash_one(id.as_str()) & 1023 == 0)
            .take(count)
            .collect()
    }

    #[test]
    fn crafted_ids_do_not_collide_in_the_keyed_hash() {
        let ids = crafted_ids(600);
        let mut buckets = vec![0usize; 1024];
        for id in &ids {
            buckets[(std::hash::BuildHasher::hash_one(&Keyed, id.as_str()) & 1023) as usize] += 1;
        }
        // 600 ids in 1,024 buckets: the fullest holds about 4 when the hash
        // is keyed; 12 would be a one-in-a-billion draw. Unkeyed, all 600.
        let fullest = buckets.iter().max().copied().unwrap_or_default();
        assert!(fullest <= 12, "{fullest} crafted ids share a bucket");
        // And they import like any other ids.
        let body: String = ids
            .iter()
            .map(|id| format!("{id},A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,5\n"))
            .collect();
        assert_eq!(import(&body).expect("distinct ids").len(), 600);
    }

    const HEADER: &str = "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17";

    fn import(body: &str) -> Result<Responses> {
        Responses::from_csv(
            &Instrument::builtin(),
            format!("{HEADER}\n{body}").as_bytes(),
        )
    }

    fn codes(e: &Error) -> Vec<(P, Option<usize>, Option<usize>)> {
        e.problems()
            .iter()
            .map(|p| (p.code, p.line, p.column))
            .collect()
    }

    #[test]
    fn reads_codes_and_missing() {
        let r =
            import("r1,A,b,C,D,E,F,G,A,B,C,D,A,B,C,A,B,10\nr2,B,,,,,,,,,,,,,,,, 0\n").expect("ok");
        assert_eq!(r.len(), 2);
        assert_eq!(r.column(0), &[0, 1]);
        assert_eq!(r.column(1), &[1, MISSING]);
        assert_eq!(r.column(16), &[10, 0]);
        assert_eq!(r.ids(), &["r1", "r2"]);
    }

    #[test]
    fn collects_every_problem_with_its_place() {
        let e = import(
            "r1,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,11\n\
             r1,Z,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,7.5\n\
             ,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,1\n\
             r4,A,A\n",
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Csv);
        assert_eq!(
            codes(&e),
            [
                (P::OutOfRange, Some(2), Some(18)),
                (P::DuplicateId, Some(3), Some(1)),
                (P::UnknownOption, Some(3), Some(2)),
                (P::NotAnInteger, Some(3), Some(18)),
                (P::EmptyId, Some(4), Some(1)),
                (P::RaggedRow, Some(5), None),
            ]
        );
        assert!(e.to_string().contains(
            r#"line 3, column 2 (q1), value "Z": not an option of q1; expected one of A B"#
        ));
    }

    #[test]
    fn header_problems() {
        let inst = Instrument::builtin();
        let e = Responses::from_csv(&inst, b"ID,Q1,q1,note\n").unwrap_err();
        let missing: Vec<_> = e
            .problems()
            .iter()
            .filter(|p| p.code == P::MissingColumn)
            .map(|p| p.field.clone().unwrap_or_default())
            .collect();
        assert_eq!(missing.len(), 16);
        assert_eq!(missing[0], "q2");
        assert_eq!(codes(&e)[0], (P::DuplicateColumn, Some(1), Some(3)));
        let e = Responses::from_csv(&inst, b"").unwrap_err();
        assert_eq!(codes(&e), [(P::NoHeader, Some(1), None)]);
    }

    #[test]
    fn invalid_utf8_names_the_field() {
        let mut bytes =
            format!("{HEADER},note\nr1,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,1,").into_bytes();
        bytes.extend_from_slice(b"\xD6\xD0\n");
        let e = Responses::from_csv(&Instrument::builtin(), &bytes).unwrap_err();
        assert_eq!(codes(&e), [(P::InvalidUtf8, Some(2), Some(19))]);
        assert!(e.problems()[0].message.contains("GBK"));
    }

    #[test]
    fn export_keeps_columns_in_order() {
        let inst = Instrument::builtin();
        let src = "note,q17,id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16\r\n\
                   \"hi, there\",9,x1,a,B,C,D,E,F,G,A,B,C,D,A,B,C,A,\r\n";
        let r = Responses::from_csv(&inst, src.as_bytes()).expect("ok");
        let out =
            String::from_utf8(r.to_csv(&inst, false).expect("same instrument")).expect("utf8");
        assert_eq!(out, src.replace(",a,", ",A,"));
        assert_eq!(r.extras()[0].values, ["hi, there"]);
    }

    #[test]
    fn text_cells_are_neutralised_and_restored() {
        let inst = Instrument::builtin();
        let mut r = Responses::new(&inst, &["=note", "phone"]).expect("names");
        let mut answers = [MISSING; 17];
        answers[0] = 0;
        answers[16] = 10;
        r.push(&inst, "=1+1", &answers, &["'-already", "+86 1"])
            .expect("ok");
        answers[16] = 0;
        r.push(&inst, "'x", &answers, &["@a", "-"]).expect("ok");
        let out = String::from_utf8(r.to_csv(&inst, false).expect("export")).expect("utf8");
        assert_eq!(
            out,
            format!(
                "{HEADER},'=note,phone\r\n\
                 '=1+1,A,,,,,,,,,,,,,,,,10,''-already,'+86 1\r\n\
                 'x,A,,,,,,,,,,,,,,,,0,'@a,'-\r\n"
            )
        );
        assert_eq!(Responses::from_csv(&inst, out.as_bytes()).expect("back"), r);
        // Ids are trimmed after the quote is taken off; single-choice answers
        // lose a quote too, scale answers never.
        let e = import(" '\t=a ,'-,,,,,,,,,,,,,,,,1\n").unwrap_err();
        assert_eq!(codes(&e), [(P::UnknownOption, Some(2), Some(2))]);
        let r = import(" '\t=a ,A,,,,,,,,,,,,,,,,'1\n").unwrap_err();
        assert_eq!(codes(&r), [(P::NotAnInteger, Some(2), Some(18))]);
        let r = import(" '=a ,A,,,,,,,,,,,,,,,,1\n").expect("ok");
        assert_eq!(r.ids(), ["=a"]);
    }

    #[test]
    fn columns_round_trip() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../www/demo/zg-x-branch-2023.csv");
        let r = Responses::from_csv(&inst, demo).expect("demo");
        let extras: Vec<String> = (0..r.len())
            .map(|i| r.extras()[0].values.get(i).to_owned())
            .collect();
        let ids = r.ids().to_vec();
        let again = Responses::from_columns(&inst, &ids, &r.codes_by_row(), &["mode"], &extras)
            .expect("ok");
        // The same data (columns are laid out id, questions, extras).
        assert_eq!(again.ids(), r.ids());
        assert!(again.codes_by_row() == r.codes_by_row());
        assert_eq!(again.extras(), r.extras());
        let mut dup = r.ids().to_vec();
        dup[5] = dup[0].clone();
        let e = Responses::from_columns(&inst, &dup, &r.codes_by_row(), &["mode"], &extras)
            .unwrap_err();
        assert_eq!(e.problems()[0].code, P::DuplicateId);
        let mut codes = r.codes_by_row();
        codes[16] = 11;
        // A code outside its question is said to be that, where (issue 20:
        // it was reported as a ragged row, "field count mismatch" on the page).
        let e = Responses::from_columns(&inst, &ids, &codes, &["mode"], &extras).unwrap_err();
        let p = &e.problems()[0];
        assert_eq!(p.code, P::OutOfRange);
        assert_eq!(p.field.as_deref(), Some("q17"));
        assert_eq!(p.line, Some(1));
        assert_eq!(p.value.as_deref(), Some("11"));
        assert!(Responses::from_columns(&inst, &ids, &codes[1..], &["mode"], &extras).is_err());
    }

    #[test]
    fn push_checks_like_import() {
        let inst = Instrument::builtin();
        let mut r = Responses::new(&inst, &["mode"]).expect("a good name");
        for bad in [&["id"][..], &["Q1"], &["a", "A"], &[" note "], &[""]] {
            assert!(Responses::new(&inst, bad).is_err(), "{bad:?}");
        }
        let mut codes = [0u8; 17];
        r.push(&inst, "a", &codes, &["paper"]).expect("ok");
        assert_eq!(
            r.push(&inst, "a", &codes, &["paper"])
                .unwrap_err()
                .problems()[0]
                .code,
            P::DuplicateId
        );
        // Rows appended by another path are seen too (the index catches up).
        r.ids.push("c");
        r.answers.iter_mut().for_each(|c| c.push(0));
        r.extras[0].values.push("kiosk");
        let dup = r.push(&inst, "c", &codes, &["paper"]).unwrap_err();
        assert_eq!(dup.problems()[0].code, P::DuplicateId);
        r.push(&inst, "d", &codes, &["paper"]).expect("a new id");
        assert_eq!(r.ids().iter().collect::<Vec<_>>(), ["a", "c", "d"]);
        codes[0] = 2;
        assert_eq!(
            r.push(&inst, "b", &codes, &["paper"])
                .unwrap_err()
                .problems()[0]
                .code,
            P::OutOfRange
        );
        assert_eq!(r.len(), 3);
    }
}
