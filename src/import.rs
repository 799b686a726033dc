//! CSV and workbook import: a file of responses read into a [`Responses`],
//! all or nothing (the rules are in [`crate::responses`]'s module docs).
//!
//! Two paths read a CSV file. The fast one ([`Responses::from_csv`], also in
//! pieces) reads a file that has nothing wrong with it without allocating per
//! row; as soon as it meets anything else it gives up, and the reference
//! import ([`Responses::from_csv_reference`]: record by record through
//! [`Reader`], cell by cell) reads the file again and names every problem.
//! The property tests check the two against each other. Workbooks go through
//! the reference import's checks too ([`Responses::from_xlsx`]).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::csv::{restore, Reader};
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, QuestionKind, MISSING};
use crate::responses::{column_name, id_seed, ExtraColumn, Responses, Slot};

impl Responses {
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
pub(crate) mod tests {
    use super::*;
    use crate::error::ProblemCode as P;
    use crate::responses::Keyed;

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

    pub(crate) const HEADER: &str = "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17";

    pub(crate) fn import(body: &str) -> Result<Responses> {
        Responses::from_csv(
            &Instrument::builtin(),
            format!("{HEADER}\n{body}").as_bytes(),
        )
    }

    pub(crate) fn codes(e: &Error) -> Vec<(P, Option<usize>, Option<usize>)> {
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
}
