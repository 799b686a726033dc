//! The chunk format: how a set's rows are kept as bytes on the device.
//!
//! Little-endian throughout. "MNYC", format version (u8), the instrument JSON
//! (str), rows (u32), questions (u16), then per question `rows` code bytes,
//! `rows` export flags (0/1), the ids (strs), the layout (u16 count, then per
//! slot a tag byte 0 = id, 1 = question, 2 = extra, and a u16 index), the extra
//! columns (u16 count, then per column its name and an interned column), the
//! contacts (`rows` presence bytes, then name, phone and consent time as
//! interned columns), and an 8-byte checksum of everything before it.
//! A str is a u32 byte length and UTF-8; strs are a u32 count, count + 1 u32
//! offsets and the bytes; an interned column is its distinct values (strs)
//! and a u32 index per row.

use super::*;

const MAGIC: &[u8; 4] = b"MNYC";
const CHUNK_VERSION: u8 = 1;

/// A chunk's bytes for `set`: all its rows, whatever their origin.
pub fn encode_chunk(set: &StoredSet) -> Vec<u8> {
    encode_rows(set, 0..set.len())
}

/// The chunk of `set`'s rows `rows` (in range, in that order): the bytes
/// [`encode_chunk`] gives for [`StoredSet::select`] of those rows, written
/// without that copy of them (a quarter of a million rows a chunk; the page's
/// worker after a 1M-row import: 109 -> 96 MB). The buffer starts at about the
/// codes and ids and grows: sized for every column at once it measured 114 MB
/// (growing at the top of the heap is in place; a large block first is not).
pub(super) fn encode_rows(
    set: &StoredSet,
    rows: impl ExactSizeIterator<Item = usize> + Clone,
) -> Vec<u8> {
    let r = &set.responses;
    let n = rows.len();
    let json = serde_json::to_string(&set.instrument).unwrap_or_default();
    let mut out = Vec::with_capacity(64 + json.len() + n * (r.answers.len() + 24));
    out.extend_from_slice(MAGIC);
    out.push(CHUNK_VERSION);
    put_str(&mut out, &json);
    put_u32(&mut out, n as u32);
    out.extend_from_slice(&(r.answers.len() as u16).to_le_bytes());
    for col in &r.answers {
        out.extend(rows.clone().map(|i| col[i]));
    }
    out.extend(rows.clone().map(|i| u8::from(set.exported[i])));
    put_strs(&mut out, rows.clone().map(|i| &r.ids[i]), n);
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
        put_column(&mut out, &e.values, rows.clone());
    }
    out.extend(rows.clone().map(|i| u8::from(set.contacts[i].is_some())));
    for f in [
        (|c: &Contact| c.name.as_str()) as fn(&Contact) -> &str,
        |c| &c.phone,
        |c| &c.consent_at,
    ] {
        let values = rows
            .clone()
            .map(|i| set.contacts[i].as_deref().map(f).unwrap_or(""));
        put_column(&mut out, &TextColumn::from_values(values), 0..n);
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
                *slot = Some(Box::new(Contact {
                    name: name.get(r)?,
                    phone: phone.get(r)?,
                    consent_at: consent.get(r)?,
                }));
            }
        }
        Ok(StoredSet {
            fingerprint: fingerprint(&instrument),
            instrument,
            responses,
            exported,
            contacts,
            origin: Origins::chunks(n),
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

/// An interned column's rows `rows` as the format writes it: only the
/// values in use, in order of first use (so the same values always give the
/// same bytes).
fn put_column(out: &mut Vec<u8>, col: &TextColumn, rows: impl Iterator<Item = usize> + Clone) {
    let (distinct, index) = col.parts();
    let mut map = vec![u32::MAX; distinct.len()];
    let mut order: Vec<&str> = Vec::new();
    for r in rows.clone() {
        let i = index.get(r) as usize;
        if map[i] == u32::MAX {
            map[i] = order.len() as u32;
            order.push(&distinct[i]);
        }
    }
    put_strs(out, order.iter().copied(), order.len());
    for r in rows {
        put_u32(out, map[index.get(r) as usize]);
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
