//! A column of text values, interned: each distinct value is kept once and
//! each row holds a 32-bit index into them.
//!
//! Extra columns (mode, device, source, operator, dates…) repeat a handful of
//! values over a million rows; one `String` per row cost a heap allocation
//! each, which dominated loading the device store in wasm. Equality and
//! `Debug` are by the values, row by row, never by the representation.

use std::collections::HashMap;

use crate::responses::Keyed;

/// One text value per row, interned.
#[derive(Clone, Default)]
pub struct TextColumn {
    distinct: Vec<String>,
    index: Vec<u32>,
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
            distinct,
            index,
            lookup: None,
            plain: false,
        })
    }

    /// The distinct values and the index per row.
    pub fn parts(&self) -> (&[String], &[u32]) {
        (&self.distinct, &self.index)
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The value of row `r` (panics past the end, like a slice).
    pub fn get(&self, r: usize) -> &str {
        &self.distinct[self.index[r] as usize]
    }

    /// The values, row after row.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        self.index
            .iter()
            .map(|&i| self.distinct[i as usize].as_str())
    }

    /// The values as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    fn intern(&mut self, v: &str) -> u32 {
        // The previous row's value first: columns repeat themselves.
        if let Some(&last) = self.index.last() {
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

    /// Replaces the value of row `r`.
    pub fn set(&mut self, r: usize, v: &str) {
        let i = self.intern(v);
        self.index[r] = i;
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
            index: rows.iter().map(|&r| self.index[r as usize]).collect(),
            lookup: None,
            plain: self.plain,
        }
    }

    /// Appends every row of `other`.
    pub fn extend(&mut self, other: &TextColumn) {
        let map: Vec<u32> = other.distinct.iter().map(|d| self.intern(d)).collect();
        self.index
            .extend(other.index.iter().map(|&i| map[i as usize]));
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
}
