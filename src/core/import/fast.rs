//! The fast CSV path: a file with nothing wrong with it read without
//! allocating per row (ids into one buffer, answers looked up in a table per
//! column, delimiters found by table). It gives up (`None`) at the first thing
//! it does not expect, and the reference import reads the file again.

use super::*;

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
pub(super) fn fast_csv(instrument: &Instrument, bytes: &[u8]) -> Option<Responses> {
    let (mut fast, pos) = Fast::begin(instrument, bytes, bytes.len())?;
    fast.rows(&bytes[pos..])?;
    fast.finish()
}

/// How far into `window` the records are certainly complete: up to the last
/// line end outside quotes (by the parity of quotes, which a literal quote in
/// an unquoted field can fool — then a record is cut inside quotes, its quote
/// is never closed, and the file goes to the reference import: slower, never
/// wrong).
pub(super) fn complete_records(window: &[u8]) -> usize {
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
pub(super) struct Fast<'i> {
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
    pub(super) fn begin(
        instrument: &'i Instrument,
        first: &[u8],
        total: usize,
    ) -> Option<(Fast<'i>, usize)> {
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
    pub(super) fn rows(&mut self, src: &[u8]) -> Option<()> {
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
    pub(super) fn finish(mut self) -> Option<Responses> {
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
