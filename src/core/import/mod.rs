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

mod fast;
use fast::{complete_records, fast_csv, Fast};

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
