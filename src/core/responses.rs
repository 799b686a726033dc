//! The columnar response store, and its CSV export (import: [`crate::import`]).
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

use crate::csv::{neutralise, write_cells, write_field, Cell};
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
    pub(crate) fn empty(instrument: &Instrument) -> Self {
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
        self.check_instrument(instrument)?;
        let mut out = Vec::with_capacity(64 + self.len() * (self.answers.len() * 2 + 16));
        if bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        let qs = instrument.questions();
        write_cells(
            &mut out,
            self.layout
                .iter()
                .map(|s| match *s {
                    Slot::Id => "id",
                    Slot::Question(q) => qs[q].id.as_str(),
                    Slot::Extra(e) => self.extras[e].name.as_str(),
                })
                .chain(appended.map(|(name, _)| name))
                .map(Cell::Text),
        );
        // Each answer's cell is written once per question and code, not once
        // per row: scale answers are numbers, every other cell is text
        // (neutralised). A million rows then cost no allocation each.
        let mut cells: Vec<Vec<Vec<u8>>> = vec![Vec::new(); self.answers.len()];
        for s in &self.layout {
            if let Slot::Question(q) = *s {
                let question = &qs[q];
                cells[q] = (0..=u8::MAX)
                    .map(|code| {
                        let text = match labels {
                            Some(lang) if code != MISSING => question.code_label(code, lang),
                            _ => question.code_text(code),
                        };
                        let mut cell = Vec::new();
                        if question.kind == QuestionKind::Scale {
                            write_field(&mut cell, &text);
                        } else {
                            write_field(&mut cell, &neutralise(&text));
                        }
                        cell
                    })
                    .collect();
            }
        }
        for r in 0..self.len() {
            for (i, s) in self.layout.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match *s {
                    Slot::Id => write_field(&mut out, &neutralise(self.ids.get(r))),
                    Slot::Question(q) => {
                        out.extend_from_slice(&cells[q][usize::from(self.answers[q][r])]);
                    }
                    Slot::Extra(e) => {
                        write_field(&mut out, &neutralise(self.extras[e].values.get(r)));
                    }
                }
            }
            if let Some((_, values)) = appended {
                out.push(b',');
                let value = values.get(r).map_or("", String::as_str);
                write_field(&mut out, &neutralise(value));
            }
            out.extend_from_slice(b"\r\n");
        }
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

    /// Names `to` as these responses' instrument: for a text revision of the
    /// one they were read with (the caller checked [`Instrument::revises`]),
    /// whose questions and codes are the same.
    pub(crate) fn relabel(&mut self, to: &Instrument) {
        self.instrument_id = to.id().to_owned();
        self.instrument_version = to.version().to_owned();
    }

    /// The rows, moved out: these responses keep their instrument and
    /// columns with no rows (an import moves a file's rows into the device
    /// instead of copying them: ~40 MB at a million rows).
    pub(crate) fn take_rows(&mut self) -> Responses {
        let empty = Responses {
            instrument_id: self.instrument_id.clone(),
            instrument_version: self.instrument_version.clone(),
            ids: crate::column::Ids::new(),
            answers: vec![Vec::new(); self.answers.len()],
            extras: self
                .extras
                .iter()
                .map(|e| ExtraColumn {
                    name: e.name.clone(),
                    values: crate::column::TextColumn::new(),
                })
                .collect(),
            layout: self.layout.clone(),
            pushed: PushIndex::default(),
        };
        std::mem::replace(self, empty)
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
        Ok(self.pick(rows))
    }

    /// The responses at `rows` (each below `len()`), in that order.
    pub(crate) fn pick(&self, rows: &[u32]) -> Responses {
        let pick = |col: &[u8]| rows.iter().map(|&r| col[r as usize]).collect();
        Responses {
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
        }
    }
}

/// A header cell as a column name: without surrounding white space or a stray
/// byte-order mark (U+FEFF, left by files saved with two).
pub(crate) fn column_name(raw: &str) -> &str {
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

pub(crate) fn id_seed() -> [u64; 2] {
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::error::ProblemCode as P;
    use crate::import::tests::{codes, import, HEADER};

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
        let demo = include_bytes!("../../www/demo/zg-x-branch-2023.csv");
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

    /// The CSV as written before the per-code cells: each row's cells as
    /// text through [`Responses::each_row`], then [`write_cells`].
    fn reference_csv(
        r: &Responses,
        inst: &Instrument,
        labels: Option<Lang>,
        appended: Option<(&str, &[String])>,
    ) -> Vec<u8> {
        let qs = inst.questions();
        let number: Vec<bool> = r
            .layout
            .iter()
            .map(|s| matches!(*s, Slot::Question(q) if qs[q].kind == QuestionKind::Scale))
            .collect();
        let mut out = Vec::new();
        let mut row_no: Option<usize> = None;
        r.each_row(inst, labels, |row| {
            let more = appended.map(|(name, values)| match row_no {
                None => name,
                Some(i) => values.get(i).map_or("", String::as_str),
            });
            write_cells(
                &mut out,
                row.iter()
                    .zip(&number)
                    .map(|(cell, &number)| {
                        if number && row_no.is_some() {
                            Cell::Number(cell)
                        } else {
                            Cell::Text(cell)
                        }
                    })
                    .chain(more.map(Cell::Text)),
            );
            row_no = Some(row_no.map_or(0, |i| i + 1));
        })
        .unwrap();
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn csv_cells_written_per_code_are_the_cells_written_per_row(
            rows in proptest::collection::vec(
                (
                    proptest::collection::vec(0u8..=255, 17),
                    "[-=+@a-c ,\"中']{0,4}",
                    "[-=a]{0,2}",
                ),
                0..12,
            ),
            appended in proptest::collection::vec("[=, a\"]{0,3}", 0..14),
        ) {
            let inst = Instrument::builtin();
            let mut r = Responses::new(&inst, &["note", "mode"]).unwrap();
            for (i, (codes, note, mode)) in rows.iter().enumerate() {
                // Codes the questions have, or MISSING.
                let codes: Vec<u8> = codes
                    .iter()
                    .zip(inst.questions())
                    .map(|(&c, q)| if usize::from(c) < q.len() { c } else { MISSING })
                    .collect();
                r.push(&inst, &format!("{}{i}", &note.chars().take(2).collect::<String>()), &codes, &[note, mode])
                    .unwrap();
            }
            for labels in [None, Some(Lang::ZhCn), Some(Lang::En)] {
                proptest::prop_assert_eq!(
                    r.csv_with(&inst, labels, false, None).unwrap(),
                    reference_csv(&r, &inst, labels, None)
                );
                proptest::prop_assert_eq!(
                    r.csv_with(&inst, labels, false, Some(("why", appended.as_slice()))).unwrap(),
                    reference_csv(&r, &inst, labels, Some(("why", appended.as_slice())))
                );
            }
        }
    }
}
