//! A column of text values, interned: each distinct value is kept once and
//! each row holds a 32-bit index into them.
//!
//! Extra columns (mode, device, source, operator, dates…) repeat a handful of
//! values over a million rows; one `String` per row cost a heap allocation
//! each, which dominated loading the device store in wasm. Equality and
//! `Debug` are by the values, row by row, never by the representation.

use std::collections::HashMap;

use crate::responses::Keyed;

/// Each row's index into the distinct values, one, two or four bytes wide
/// as the number of distinct values needs: a column of a few values (mode,
/// source, device, operator) costs a byte a row, not four (4 MB → 1 MB a
/// column at a million rows). It widens when a value needs it, never narrows.
#[derive(Clone, Debug)]
enum Codes {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Default for Codes {
    fn default() -> Codes {
        Codes::U8(Vec::new())
    }
}

/// `$body` with `$v` bound to the codes' vector, whatever its width.
macro_rules! each_width {
    ($codes:expr, $v:ident => $body:expr) => {
        match $codes {
            Codes::U8($v) => $body,
            Codes::U16($v) => $body,
            Codes::U32($v) => $body,
        }
    };
}

impl Codes {
    /// Codes for indices below `distinct` values, as narrow as they allow.
    fn from_u32(index: Vec<u32>, distinct: usize) -> Codes {
        if distinct <= 1 << 8 {
            Codes::U8(index.into_iter().map(|i| i as u8).collect())
        } else if distinct <= 1 << 16 {
            Codes::U16(index.into_iter().map(|i| i as u16).collect())
        } else {
            Codes::U32(index)
        }
    }

    fn len(&self) -> usize {
        each_width!(self, v => v.len())
    }

    fn get(&self, r: usize) -> u32 {
        self.indices().get(r)
    }

    fn last(&self) -> Option<u32> {
        self.len().checked_sub(1).map(|r| self.get(r))
    }

    /// Widens to hold index `i` if it does not fit.
    fn fit(&mut self, i: u32) {
        let fits = match self {
            Codes::U8(_) => i <= u32::from(u8::MAX),
            Codes::U16(_) => i <= u32::from(u16::MAX),
            Codes::U32(_) => true,
        };
        if !fits {
            let all = (0..self.len()).map(|r| self.get(r)).collect();
            *self = Codes::from_u32(all, i as usize + 1);
        }
    }

    fn push(&mut self, i: u32) {
        self.fit(i);
        each_width!(self, v => v.push(i as _))
    }

    fn set(&mut self, r: usize, i: u32) {
        self.fit(i);
        each_width!(self, v => v[r] = i as _)
    }

    fn resize(&mut self, len: usize, i: u32) {
        self.fit(i);
        each_width!(self, v => v.resize(len, i as _))
    }

    fn truncate(&mut self, len: usize) {
        each_width!(self, v => v.truncate(len))
    }

    fn select(&self, rows: &[u32]) -> Codes {
        match self {
            Codes::U8(v) => Codes::U8(rows.iter().map(|&r| v[r as usize]).collect()),
            Codes::U16(v) => Codes::U16(rows.iter().map(|&r| v[r as usize]).collect()),
            Codes::U32(v) => Codes::U32(rows.iter().map(|&r| v[r as usize]).collect()),
        }
    }

    fn indices(&self) -> Indices<'_> {
        match self {
            Codes::U8(v) => Indices::U8(v),
            Codes::U16(v) => Indices::U16(v),
            Codes::U32(v) => Indices::U32(v),
        }
    }
}

/// A column's index per row (see [`TextColumn::parts`]), as wide as it is kept.
#[derive(Clone, Copy, Debug)]
pub enum Indices<'a> {
    /// Up to 256 distinct values.
    U8(&'a [u8]),
    /// Up to 65,536 distinct values.
    U16(&'a [u16]),
    /// More.
    U32(&'a [u32]),
}

impl Indices<'_> {
    /// Row `r`'s index.
    #[inline]
    pub fn get(&self, r: usize) -> u32 {
        match self {
            Indices::U8(v) => u32::from(v[r]),
            Indices::U16(v) => u32::from(v[r]),
            Indices::U32(v) => v[r],
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Indices::U8(v) => v.len(),
            Indices::U16(v) => v.len(),
            Indices::U32(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One text value per row, interned.
#[derive(Clone, Default)]
pub struct TextColumn {
    distinct: Vec<String>,
    index: Codes,
    /// Value → its index in `distinct` once there are more than [`FEW`]
    /// (built on the first write after a column was made from parts, so that
    /// reading never pays for it).
    lookup: Option<HashMap<String, u32, Keyed>>,
    /// The values are (nearly) all different, as in a column of timestamps or
    /// comments: each row gets its own entry and nothing is looked up.
    plain: bool,
}

/// Up to this many distinct values are found by a scan, without hashing.
const FEW: usize = 16;
/// A column with more distinct values than this, and more than half as many
/// as rows, is kept plain.
const MANY: usize = 4096;

impl TextColumn {
    /// An empty column.
    pub fn new() -> TextColumn {
        TextColumn::default()
    }

    /// `len` empty values.
    pub fn empty(len: usize) -> TextColumn {
        let mut c = TextColumn::new();
        c.resize(len);
        c
    }

    /// A column of these values.
    pub fn from_values<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> TextColumn {
        let mut c = TextColumn::new();
        for v in values {
            c.push(v.as_ref());
        }
        c
    }

    /// A column from its distinct values and an index per row; `None` if an
    /// index is out of range. Repeated distinct values are allowed.
    pub fn from_parts(distinct: Vec<String>, index: Vec<u32>) -> Option<TextColumn> {
        if index.iter().any(|&i| i as usize >= distinct.len()) {
            return None;
        }
        Some(TextColumn {
            index: Codes::from_u32(index, distinct.len()),
            distinct,
            lookup: None,
            plain: false,
        })
    }

    /// The distinct values and the index per row.
    pub fn parts(&self) -> (&[String], Indices<'_>) {
        (&self.distinct, self.index.indices())
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }

    /// The value of row `r` (panics past the end, like a slice).
    pub fn get(&self, r: usize) -> &str {
        &self.distinct[self.index.get(r) as usize]
    }

    /// `f` of each row's value, computed once per distinct value (a column
    /// of a few values, such as `mode` or a date, asks `f` a few times for a
    /// million rows).
    pub fn map_rows<'a, T: Clone + 'a>(
        &'a self,
        f: impl FnMut(&str) -> T,
    ) -> impl ExactSizeIterator<Item = T> + 'a {
        let per: Vec<T> = self.distinct.iter().map(|d| d.as_str()).map(f).collect();
        let index = self.index.indices();
        (0..index.len()).map(move |r| per[index.get(r) as usize].clone())
    }

    /// The values, row after row.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        let index = self.index.indices();
        (0..index.len()).map(move |r| self.distinct[index.get(r) as usize].as_str())
    }

    /// The values as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    fn intern(&mut self, v: &str) -> u32 {
        // The previous row's value first: columns repeat themselves.
        if let Some(last) = self.index.last() {
            if self.distinct[last as usize] == v {
                return last;
            }
        }
        if !self.plain && self.distinct.len() > MANY && self.distinct.len() * 2 > self.index.len() {
            self.plain = true;
            self.lookup = None;
        }
        if self.plain {
            return self.add(v);
        }
        if self.distinct.len() <= FEW {
            if let Some(i) = self.distinct.iter().position(|d| d == v) {
                return i as u32;
            }
            return self.add(v);
        }
        let distinct = &self.distinct;
        let lookup = self.lookup.get_or_insert_with(|| {
            let mut m = HashMap::with_capacity_and_hasher(distinct.len(), Keyed);
            for (i, d) in distinct.iter().enumerate() {
                m.entry(d.clone()).or_insert(i as u32);
            }
            m
        });
        if let Some(&i) = lookup.get(v) {
            return i;
        }
        lookup.insert(v.to_owned(), self.distinct.len() as u32);
        self.add(v)
    }

    /// A new distinct value (the lookup, if any, is the caller's).
    fn add(&mut self, v: &str) -> u32 {
        self.distinct.push(v.to_owned());
        self.distinct.len() as u32 - 1
    }

    /// Appends a value.
    pub fn push(&mut self, v: &str) {
        let i = self.intern(v);
        self.index.push(i);
    }

    /// Appends a value and returns its index among the distinct values, for
    /// [`push_index`](Self::push_index) to repeat it.
    pub(crate) fn push_get(&mut self, v: &str) -> u32 {
        let i = self.intern(v);
        self.index.push(i);
        i
    }

    /// Appends the value a [`push_get`](Self::push_get) returned `i` for
    /// (in a column that is not plain, where indices are shared).
    pub(crate) fn push_index(&mut self, i: u32) {
        self.index.push(i);
    }

    /// Whether each row gets its own entry (values are not shared).
    pub(crate) fn is_plain(&self) -> bool {
        self.plain
    }

    /// Replaces the value of row `r`.
    pub fn set(&mut self, r: usize, v: &str) {
        let i = self.intern(v);
        self.index.set(r, i);
    }

    /// Cuts or pads (with empty values) to `len` rows.
    pub fn resize(&mut self, len: usize) {
        if len > self.index.len() {
            let empty = self.intern("");
            self.index.resize(len, empty);
        } else {
            self.index.truncate(len);
        }
    }

    /// The rows at `rows`, in that order (each must be in range).
    pub fn select(&self, rows: &[u32]) -> TextColumn {
        TextColumn {
            distinct: self.distinct.clone(),
            index: self.index.select(rows),
            lookup: None,
            plain: self.plain,
        }
    }

    /// Appends every row of `other`.
    pub fn extend(&mut self, other: &TextColumn) {
        let map: Vec<u32> = other.distinct.iter().map(|d| self.intern(d)).collect();
        if let Some(&widest) = map.iter().max() {
            self.index.fit(widest);
        }
        let from = other.index.indices();
        let mapped = (0..from.len()).map(|r| map[from.get(r) as usize]);
        match &mut self.index {
            Codes::U8(v) => v.extend(mapped.map(|i| i as u8)),
            Codes::U16(v) => v.extend(mapped.map(|i| i as u16)),
            Codes::U32(v) => v.extend(mapped),
        }
    }
}

impl std::ops::Index<usize> for TextColumn {
    type Output = str;
    fn index(&self, r: usize) -> &str {
        self.get(r)
    }
}

impl PartialEq for TextColumn {
    fn eq(&self, other: &TextColumn) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for TextColumn {}

impl<S: AsRef<str>> PartialEq<[S]> for TextColumn {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for TextColumn {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for TextColumn {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl std::fmt::Debug for TextColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a TextColumn {
    type Item = &'a str;
    type IntoIter = Box<dyn Iterator<Item = &'a str> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// The response ids: one text buffer and the offset where each id ends.
///
/// A million ids as `String`s cost a heap allocation and a 24-byte header
/// each (12 bytes on wasm32, plus the allocator's rounding); here they cost
/// their bytes and four bytes of offset. Equality and `Debug` are by the ids.
#[derive(Clone)]
pub struct Ids {
    bytes: String,
    /// `ends[i]` is where id `i` ends; it starts where the one before ends.
    ends: Vec<u32>,
}

impl Default for Ids {
    fn default() -> Ids {
        Ids::new()
    }
}

impl Ids {
    /// No ids.
    pub fn new() -> Ids {
        Ids {
            bytes: String::new(),
            ends: Vec::new(),
        }
    }

    /// No ids, with room for `n` of about `bytes_each` bytes.
    pub fn with_capacity(n: usize, bytes_each: usize) -> Ids {
        Ids {
            bytes: String::with_capacity(n * bytes_each),
            ends: Vec::with_capacity(n),
        }
    }

    /// Ids from their concatenated bytes and the offset where each ends;
    /// `None` unless the offsets rise, stay within the bytes and fall on
    /// character boundaries.
    pub fn from_parts(bytes: String, ends: Vec<u32>) -> Option<Ids> {
        let mut at = 0usize;
        for &e in &ends {
            let e = e as usize;
            if e < at || e > bytes.len() || !bytes.is_char_boundary(e) {
                return None;
            }
            at = e;
        }
        if at != bytes.len() {
            return None;
        }
        Some(Ids { bytes, ends })
    }

    /// The concatenated bytes and the end of each id.
    pub fn parts(&self) -> (&str, &[u32]) {
        (&self.bytes, &self.ends)
    }

    /// The number of ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Id `i` (panics past the end, like a slice).
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// Appends an id.
    pub fn push(&mut self, id: &str) {
        self.bytes.push_str(id);
        self.ends.push(self.bytes.len() as u32);
    }

    /// The ids in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + Clone + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The ids as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// Whether `id` is one of them (a scan: build an [`IdIndex`] for many).
    pub fn contains(&self, id: &str) -> bool {
        self.iter().any(|x| x == id)
    }

    /// The ids at `rows`, in that order (each must be in range).
    pub fn select(&self, rows: &[u32]) -> Ids {
        let mut out = Ids::with_capacity(rows.len(), 0);
        for &r in rows {
            out.push(self.get(r as usize));
        }
        out
    }

    /// Appends every id of `other`.
    pub fn extend(&mut self, other: &Ids) {
        let base = self.bytes.len() as u32;
        self.bytes.push_str(&other.bytes);
        self.ends.extend(other.ends.iter().map(|&e| e + base));
    }

    /// Frees spare capacity (after an import, whose buffers grew by doubling).
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl<S: AsRef<str>> FromIterator<S> for Ids {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Ids {
        let mut ids = Ids::new();
        for s in iter {
            ids.push(s.as_ref());
        }
        ids
    }
}

impl std::ops::Index<usize> for Ids {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        self.get(i)
    }
}

impl PartialEq for Ids {
    fn eq(&self, other: &Ids) -> bool {
        self.ends.len() == other.ends.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Ids {}

impl<S: AsRef<str>> PartialEq<[S]> for Ids {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for &Ids {
    fn eq(&self, other: &[S]) -> bool {
        **self == *other
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Ids {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for &Ids {
    fn eq(&self, other: &[S; N]) -> bool {
        **self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Ids {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for &Ids {
    fn eq(&self, other: &Vec<S>) -> bool {
        **self == other[..]
    }
}

impl<'a> IntoIterator for &'a Ids {
    type Item = &'a str;
    type IntoIter = IdsIter<'a>;
    fn into_iter(self) -> IdsIter<'a> {
        IdsIter { ids: self, next: 0 }
    }
}

/// The ids of an [`Ids`], in order.
#[derive(Debug, Clone)]
pub struct IdsIter<'a> {
    ids: &'a Ids,
    next: usize,
}

impl<'a> Iterator for IdsIter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let i = self.next;
        (i < self.ids.len()).then(|| {
            self.next += 1;
            self.ids.get(i)
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.ids.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for IdsIter<'_> {}

impl std::fmt::Debug for Ids {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Finds ids by their text: an open-addressing table of row numbers, hashed
/// by the keyed hash ([`Keyed`]), so that no file can be crafted to make
/// every id land in one bucket. Each slot holds the row and 32 bits of the
/// id's hash (so that a probe rarely reads an id that is not the one looked
/// for); the ids themselves stay in their [`Ids`]. Kept at most half full.
#[derive(Clone, Default)]
pub struct IdIndex {
    /// Per slot: (hash's high 32 bits) << 32 | row + 1, or 0 when free; the
    /// length is a power of two.
    slots: Vec<u64>,
    len: usize,
}

impl std::fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdIndex({} ids)", self.len)
    }
}

impl IdIndex {
    /// An index of every id in `ids` (a repeated id keeps its first row).
    pub fn of(ids: &Ids) -> IdIndex {
        let mut ix = IdIndex::with_capacity(ids.len());
        for (r, id) in ids.iter().enumerate() {
            ix.insert(ids, id, r);
        }
        ix
    }

    /// An empty index with room for `n` ids before it grows.
    pub fn with_capacity(n: usize) -> IdIndex {
        let size = (n.max(8) * 2).next_power_of_two();
        IdIndex {
            slots: vec![0; size],
            len: 0,
        }
    }

    fn hash(id: &str) -> u64 {
        use std::hash::BuildHasher;
        Keyed.hash_one(id)
    }

    /// The slot of `id` (or the free slot where it would go), by its hash.
    fn find(&self, ids: &Ids, id: &str, h: u64) -> usize {
        let mask = self.slots.len() - 1;
        let tag = h >> 32;
        let mut at = Self::spread(tag) & mask;
        loop {
            let s = self.slots[at];
            if s == 0 || (s >> 32 == tag && ids.get((s as u32 - 1) as usize) == id) {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// The row holding `id` in `ids` (the ids this index was built over).
    pub fn get(&self, ids: &Ids, id: &str) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        match self.slots[self.find(ids, id, Self::hash(id))] {
            0 => None,
            s => Some((s as u32 - 1) as usize),
        }
    }

    /// Records `id` at `row` of `ids` unless it is there already; returns the
    /// row it was first recorded at, if it was.
    pub fn insert(&mut self, ids: &Ids, id: &str, row: usize) -> Option<usize> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let h = Self::hash(id);
        let at = self.find(ids, id, h);
        match self.slots[at] {
            0 => {
                self.slots[at] = (h >> 32) << 32 | (row as u64 + 1);
                self.len += 1;
                None
            }
            s => Some((s as u32 - 1) as usize),
        }
    }

    /// Points `id` (already indexed) at `row` instead.
    pub fn repoint(&mut self, ids: &Ids, id: &str, row: usize) {
        if self.slots.is_empty() {
            return;
        }
        let h = Self::hash(id);
        let at = self.find(ids, id, h);
        if self.slots[at] != 0 {
            self.slots[at] = (h >> 32) << 32 | (row as u64 + 1);
        }
    }

    /// The number of ids indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no id is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Doubles the table; a slot's place follows from its tag alone, so no
    /// id is hashed again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        let mask = size - 1;
        for s in old.into_iter().filter(|&s| s != 0) {
            let mut at = Self::spread(s >> 32) & mask;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = s;
        }
    }

    /// The slot position of a 32-bit tag (a mix of it, so that positions use
    /// all of its bits).
    fn spread(tag: u64) -> usize {
        (tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_reads_back() {
        let mut c = TextColumn::from_values(["paper", "online", "paper", "", "paper"]);
        assert_eq!(c.parts().0.len(), 3);
        assert_eq!(c, ["paper", "online", "paper", "", "paper"]);
        c.set(1, "kiosk");
        c.resize(7);
        assert_eq!(c, ["paper", "kiosk", "paper", "", "paper", "", ""]);
        assert_eq!(&c[1], "kiosk");
        assert_eq!(c.select(&[6, 1, 0]), ["", "kiosk", "paper"]);
        let mut d =
            TextColumn::from_parts(vec!["x".into(), "paper".into()], vec![1, 0]).expect("in range");
        d.extend(&c);
        assert_eq!(d.len(), 9);
        assert_eq!(d.get(3), "kiosk");
        assert!(TextColumn::from_parts(vec!["x".into()], vec![1]).is_none());
        assert_eq!(format!("{:?}", TextColumn::from_values(["a"])), "[\"a\"]");
    }

    #[test]
    fn ids_read_back_and_are_found() {
        let list: Vec<String> = (0..1000).map(|i| format!("id-{i}")).collect();
        let mut ids: Ids = list.iter().collect();
        assert_eq!(ids, list);
        assert_eq!(&ids[7], "id-7");
        let ix = IdIndex::of(&ids);
        assert_eq!(ix.len(), 1000);
        assert_eq!(ix.get(&ids, "id-999"), Some(999));
        assert_eq!(ix.get(&ids, "id-1000"), None);
        let mut ix2 = IdIndex::with_capacity(0);
        let mut grown = Ids::new();
        for (r, id) in list.iter().enumerate() {
            grown.push(id);
            assert_eq!(ix2.insert(&grown, id, r), None);
        }
        grown.push("id-3");
        assert_eq!(ix2.insert(&grown, "id-3", 1000), Some(3));
        ix2.repoint(&grown, "id-3", 1000);
        assert_eq!(ix2.get(&grown, "id-3"), Some(1000));
        ids.extend(&Ids::from_iter(["", "中文"]));
        assert_eq!(ids.len(), 1002);
        assert_eq!(ids.get(1000), "");
        assert_eq!(ids.select(&[1001, 0]), ["中文", "id-0"]);
        let (b, e) = ids.parts();
        assert_eq!(Ids::from_parts(b.to_owned(), e.to_vec()), Some(ids.clone()));
        assert!(Ids::from_parts("中".into(), vec![1]).is_none());
        assert!(Ids::from_parts("ab".into(), vec![1]).is_none());
        assert!(Ids::from_parts("ab".into(), vec![2, 1]).is_none());
    }

    #[test]
    fn many_and_all_different_values_read_back() {
        // Past the short list (hashed): repeats are shared.
        let values: Vec<String> = (0..3 * MANY).map(|i| format!("v{}", i % 300)).collect();
        let mut c = TextColumn::from_values(&values);
        assert_eq!(c, values);
        assert_eq!(c.parts().0.len(), 300);
        // Then values that are all different: past MANY of them the column goes plain.
        let unique: Vec<String> = (0..3 * MANY).map(|i| format!("u{i}")).collect();
        for u in &unique {
            c.push(u);
        }
        assert!(c.plain);
        c.set(0, "v1");
        assert_eq!(c.get(0), "v1");
        assert_eq!(c.len(), 6 * MANY);
        assert_eq!(c.iter().skip(3 * MANY).collect::<Vec<_>>(), unique);
    }

    #[test]
    fn the_index_is_as_wide_as_its_values_need_and_widens_in_place() {
        // A few values: a byte a row.
        let mut c = TextColumn::from_values(["paper", "online", "paper"]);
        assert!(matches!(c.parts().1, Indices::U8(_)));
        // Past 256 distinct values: two bytes, the rows kept.
        let mut plain: Vec<String> = c.to_vec();
        for i in 0..300 {
            let v = format!("d{i}");
            c.push(&v);
            plain.push(v);
        }
        assert!(matches!(c.parts().1, Indices::U16(_)));
        assert_eq!(c, plain);
        // Past 65,536: four bytes (a set, a resize and an append widen too).
        let mut wide = TextColumn::new();
        let values: Vec<String> = (0..70_000).map(|i| format!("w{i}")).collect();
        for v in &values {
            wide.push(v);
        }
        assert!(matches!(wide.parts().1, Indices::U32(_)));
        assert_eq!(wide, values);
        let mut small = TextColumn::from_values(["a", "b"]);
        small.extend(&wide);
        assert!(matches!(small.parts().1, Indices::U32(_)));
        assert_eq!(small.len(), 70_002);
        assert_eq!(small.get(70_001), "w69999");
        let mut set = TextColumn::from_values(["a"; 3]);
        for (i, v) in values.iter().take(300).enumerate() {
            set.set(i % 3, v);
        }
        assert!(matches!(set.parts().1, Indices::U16(_)));
        assert_eq!(set.to_vec(), ["w297", "w298", "w299"]);
        // From parts: as narrow as the distinct values allow.
        let parts = TextColumn::from_parts(vec!["x".into(), "y".into()], vec![1, 0, 1]).unwrap();
        assert!(matches!(parts.parts().1, Indices::U8(_)));
        assert_eq!(parts, ["y", "x", "y"]);
        assert_eq!(parts.select(&[2, 1]), ["y", "x"]);
    }

    proptest::proptest! {
        /// Any pushes, sets, resizes and appends read back as a plain list of strings.
        #[test]
        fn a_column_reads_back_as_its_values(
            ops in proptest::collection::vec((0u8..4, 0u16..600, 0usize..50), 0..200),
        ) {
            let mut c = TextColumn::new();
            let mut plain: Vec<String> = Vec::new();
            for (op, v, at) in ops {
                let v = format!("v{v}");
                match op {
                    0 => {
                        c.push(&v);
                        plain.push(v);
                    }
                    1 if !plain.is_empty() => {
                        let r = at % plain.len();
                        c.set(r, &v);
                        plain[r] = v;
                    }
                    2 => {
                        c.resize(at);
                        plain.resize(at, String::new());
                    }
                    _ => {
                        let other = TextColumn::from_values([v.as_str(), "x", v.as_str()]);
                        c.extend(&other);
                        plain.extend([v.clone(), "x".into(), v]);
                    }
                }
                proptest::prop_assert_eq!(c.to_vec(), plain.clone());
            }
        }
    }
}
