//! Counting kernels: the tallies under every table (frequencies, NPS, the
//! cross-tabs and the association matrix, α's answer patterns, filters).
//!
//! The rule is the plain loop's: a code `c` of a question with `k` options is
//! counted when `c < k`; any other code (the store only holds
//! [`MISSING`](crate::MISSING)) is not. Counts are exact integers, so a fast
//! kernel either gives the plain loop's numbers or is wrong:
//! tests/count_props.rs compares each with its plain loop on random columns.
//!
//! The kernels are written lane by lane over blocks of [`LANES`] bytes, with
//! small per-lane counters flushed before they can overflow, so the compiler
//! turns them into SIMD without `unsafe`: SSE2 natively, wasm simd128 in the
//! browser (enabled in `.cargo/config.toml`). A million rows of one-byte
//! codes are a megabyte per question; these loops stream it a few times from
//! L1 instead of paying one dependent load and store per row.
//!
//! - [`count_codes`]: one question's counts: per code, a compare-and-add
//!   over 16 lanes (up to 16 options), else four interleaved histograms.
//! - [`Bitmaps`]: one bit per row and option, a block of rows at a time; the
//!   joint count of option i of one question and option j of another is the
//!   popcount of their AND. The association matrix counts every pair of
//!   questions from one set of bitmaps per block.
//! - [`count_codes_where`]: the same over the rows a filter keeps, given as
//!   a column of one option (0 kept, 0xFF dropped) OR-ed into the codes, so
//!   a filter change recounts without copying the data set.
//! - [`histogram`]: the count of each byte value.
//! - [`count_patterns`]: the count of each answer pattern of several
//!   questions (α's sums), packed into one byte per row a block at a time.

/// Bytes handled together: one 128-bit SIMD register.
pub const LANES: usize = 16;

/// Rows per block of bitmaps: 512 bytes per option, so the bitmaps of every
/// option of 16 questions (~75 options) stay in L1/L2 while pairs are counted.
pub const BLOCK_ROWS: usize = 4096;

/// Up to this many options, [`count_codes`] compares per code; past it, a histogram.
const COMPARE_UP_TO: usize = 16;

/// Sixteen byte lanes: wasm simd128 in the browser, two u64 words (SWAR)
/// elsewhere; the same operations, so the kernels read the same on both and
/// the property tests run the SWAR path natively.
mod lanes {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod imp {
        use core::arch::wasm32::*;

        #[derive(Clone, Copy)]
        pub struct V(v128);

        impl V {
            #[inline(always)]
            pub fn load(c: &[u8]) -> V {
                let (a, b) = c[..16].split_at(8);
                let word = |x: &[u8]| i64::from_le_bytes(x.try_into().unwrap_or([0; 8]));
                V(i64x2(word(a), word(b)))
            }
            #[inline(always)]
            pub fn splat(b: u8) -> V {
                V(u8x16_splat(b))
            }
            /// 0xFF where equal, else 0.
            #[inline(always)]
            pub fn eq(self, o: V) -> V {
                V(u8x16_eq(self.0, o.0))
            }
            #[inline(always)]
            pub fn and(self, o: V) -> V {
                V(v128_and(self.0, o.0))
            }
            #[inline(always)]
            pub fn or(self, o: V) -> V {
                V(v128_or(self.0, o.0))
            }
            /// Writes the 16 lanes to `out[..16]`.
            #[inline(always)]
            pub fn store(self, out: &mut [u8]) {
                // Array assignments, not `copy_from_slice`: at opt-level "s"
                // the latter stays a call per 8 bytes.
                let (a, b) = out[..16].split_at_mut(8);
                if let (Ok(a), Ok(b)) = (<&mut [u8; 8]>::try_from(a), <&mut [u8; 8]>::try_from(b)) {
                    *a = i64x2_extract_lane::<0>(self.0).to_le_bytes();
                    *b = i64x2_extract_lane::<1>(self.0).to_le_bytes();
                }
            }
            /// Adds 1 in each lane where `mask` is 0xFF (no lane may pass 255).
            #[inline(always)]
            pub fn count(self, mask: V) -> V {
                V(u8x16_sub(self.0, mask.0))
            }
            /// Adds lane by lane (no lane may pass 255).
            #[inline(always)]
            pub fn add(self, o: V) -> V {
                V(u8x16_add(self.0, o.0))
            }
            /// Bit l: the top bit of lane l.
            #[inline(always)]
            pub fn bitmask(self) -> u16 {
                u8x16_bitmask(self.0)
            }
            #[inline(always)]
            pub fn sum(self) -> u64 {
                let w = u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(self.0));
                u64::from(u32x4_extract_lane::<0>(w))
                    + u64::from(u32x4_extract_lane::<1>(w))
                    + u64::from(u32x4_extract_lane::<2>(w))
                    + u64::from(u32x4_extract_lane::<3>(w))
            }
        }
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    mod imp {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HIGH: u64 = 0x8080_8080_8080_8080;

        #[derive(Clone, Copy)]
        pub struct V([u64; 2]);

        #[inline(always)]
        fn map(a: V, b: V, f: impl Fn(u64, u64) -> u64) -> V {
            V([f(a.0[0], b.0[0]), f(a.0[1], b.0[1])])
        }

        impl V {
            #[inline(always)]
            pub fn load(c: &[u8]) -> V {
                let (a, b) = c[..16].split_at(8);
                let word = |x: &[u8]| u64::from_le_bytes(x.try_into().unwrap_or([0; 8]));
                V([word(a), word(b)])
            }
            #[inline(always)]
            pub fn splat(b: u8) -> V {
                V([ONES * u64::from(b); 2])
            }
            /// 0xFF where equal, else 0.
            #[inline(always)]
            pub fn eq(self, o: V) -> V {
                map(self, o, |a, b| {
                    let x = a ^ b;
                    // Top bit set in each byte of x that is not zero.
                    let nonzero = (((x & LOW7) + LOW7) | x) & HIGH;
                    ((!nonzero & HIGH) >> 7) * 0xff
                })
            }
            #[inline(always)]
            pub fn and(self, o: V) -> V {
                map(self, o, |a, b| a & b)
            }
            #[inline(always)]
            pub fn or(self, o: V) -> V {
                map(self, o, |a, b| a | b)
            }
            /// Writes the 16 lanes to `out[..16]`.
            #[inline(always)]
            pub fn store(self, out: &mut [u8]) {
                let (a, b) = out[..16].split_at_mut(8);
                if let (Ok(a), Ok(b)) = (<&mut [u8; 8]>::try_from(a), <&mut [u8; 8]>::try_from(b)) {
                    *a = self.0[0].to_le_bytes();
                    *b = self.0[1].to_le_bytes();
                }
            }
            /// Adds 1 in each lane where `mask` is 0xFF (no lane may pass 255,
            /// so no carry crosses lanes).
            #[inline(always)]
            pub fn count(self, mask: V) -> V {
                map(self, mask, |a, m| a + (m & ONES))
            }
            /// Adds lane by lane (no lane may pass 255).
            #[inline(always)]
            pub fn add(self, o: V) -> V {
                map(self, o, |a, b| a + b)
            }
            /// Bit l: the top bit of lane l.
            #[inline(always)]
            pub fn bitmask(self) -> u16 {
                let gather =
                    |x: u64| (((x & HIGH) >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u16;
                gather(self.0[0]) | gather(self.0[1]) << 8
            }
            #[inline(always)]
            pub fn sum(self) -> u64 {
                let pairs =
                    |x: u64| (x & 0x00ff_00ff_00ff_00ff) + ((x >> 8) & 0x00ff_00ff_00ff_00ff);
                let all = pairs(self.0[0]) + pairs(self.0[1]);
                all.wrapping_mul(0x0001_0001_0001_0001) >> 48
            }
        }
    }

    pub use imp::V;
}

use lanes::V;

/// The count of each byte value in `bytes`.
///
/// Four interleaved tables, so that runs of the same value do not wait on each
/// other's increments; u32 tables, flushed every 2³⁰ bytes.
pub fn histogram(bytes: &[u8]) -> [u64; 256] {
    let mut out = [0u64; 256];
    for part in bytes.chunks(1 << 30) {
        let mut t = [[0u32; 256]; 4];
        let mut quads = part.chunks_exact(4);
        for q in &mut quads {
            t[0][usize::from(q[0])] += 1;
            t[1][usize::from(q[1])] += 1;
            t[2][usize::from(q[2])] += 1;
            t[3][usize::from(q[3])] += 1;
        }
        for &b in quads.remainder() {
            t[0][usize::from(b)] += 1;
        }
        for (v, o) in out.iter_mut().enumerate() {
            *o += u64::from(t[0][v]) + u64::from(t[1][v]) + u64::from(t[2][v]) + u64::from(t[3][v]);
        }
    }
    out
}

/// How many bytes of a whole number of 16-byte chunks equal `code`, at most
/// 255 chunks (so a lane's u8 counter cannot overflow).
#[inline(always)]
fn count_equal_chunks(bytes: &[u8], code: u8) -> u64 {
    let (mut acc, code) = (V::splat(0), V::splat(code));
    for chunk in bytes.chunks_exact(LANES) {
        acc = acc.count(V::load(chunk).eq(code));
    }
    acc.sum()
}

/// The count of each code `0..k` in `column` (codes at or past `k` are not
/// counted: the caller's missing = length − Σ counts).
pub fn count_codes(column: &[u8], k: usize) -> Vec<u64> {
    if k > COMPARE_UP_TO {
        let h = histogram(column);
        return h[..k.min(256)].to_vec();
    }
    let mut counts = vec![0u64; k];
    // 255 chunks of 16 bytes: each lane's counter reaches at most 255; the
    // block (4 KB) stays in L1 while each code is compared.
    let block = 255 * LANES;
    let mut blocks = column.chunks_exact(block);
    for b in &mut blocks {
        for (code, count) in counts.iter_mut().enumerate() {
            *count += count_equal_chunks(b, code as u8);
        }
    }
    let rest = blocks.remainder();
    let whole = rest.len() - rest.len() % LANES;
    for (code, count) in counts.iter_mut().enumerate() {
        *count += count_equal_chunks(&rest[..whole], code as u8);
    }
    for &c in &rest[whole..] {
        if let Some(count) = counts.get_mut(usize::from(c)) {
            *count += 1;
        }
    }
    counts
}

/// `column` with every row that `keep` drops turned into MISSING: `keep` is
/// 0 for a kept row and 0xFF for a dropped one (a selection as a column of
/// one option), so the result is `code | keep`, 16 lanes at a time. Appends
/// to `out` (cleared first).
fn masked(column: &[u8], keep: &[u8], out: &mut Vec<u8>) {
    let n = column.len().min(keep.len());
    out.clear();
    out.resize(n, 0);
    let whole = n - n % LANES;
    // Iterators stepped by hand: at opt-level "s" a `zip` of `chunks_exact`
    // is not inlined into the loop (measured: 3× slower in wasm).
    let (mut cs, mut ks) = (column.chunks_exact(LANES), keep.chunks_exact(LANES));
    for o in out[..whole].chunks_exact_mut(LANES) {
        let (Some(c), Some(k)) = (cs.next(), ks.next()) else {
            break;
        };
        V::load(c).or(V::load(k)).store(o);
    }
    for ((o, &c), &k) in out[whole..]
        .iter_mut()
        .zip(&column[whole..n])
        .zip(&keep[whole..n])
    {
        *o = c | k;
    }
}

/// `column` with the rows `keep` drops (0xFF) turned into MISSING: a copy the
/// pair kernels can count as they count any column.
pub fn masked_codes(column: &[u8], keep: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    masked(column, keep, &mut out);
    out
}

/// [`count_codes`] over the rows `keep` keeps (0: kept, 0xFF: dropped; see
/// [`masked`]); every row when `keep` is `None`.
pub fn count_codes_where(column: &[u8], k: usize, keep: Option<&[u8]>) -> Vec<u64> {
    let Some(keep) = keep else {
        return count_codes(column, k);
    };
    // Each block of 255 chunks masked into a buffer that stays in L1, then
    // counted by `count_codes` itself.
    let mut counts = vec![0u64; k];
    let mut buf = Vec::with_capacity(255 * LANES);
    for (c, m) in column.chunks(255 * LANES).zip(keep.chunks(255 * LANES)) {
        masked(c, m, &mut buf);
        for (total, part) in counts.iter_mut().zip(count_codes(&buf, k)) {
            *total += part;
        }
    }
    counts
}

/// The plain loop [`count_codes_where`] must agree with.
pub fn count_codes_where_plain(column: &[u8], k: usize, keep: Option<&[u8]>) -> Vec<u64> {
    let mut counts = vec![0u64; k];
    for (r, &c) in column.iter().enumerate() {
        let kept = keep.is_none_or(|keep| keep.get(r) == Some(&0));
        if kept && usize::from(c) < k {
            counts[usize::from(c)] += 1;
        }
    }
    counts
}

/// The plain loop [`count_codes`] must agree with.
pub fn count_codes_plain(column: &[u8], k: usize) -> Vec<u64> {
    let mut counts = vec![0u64; k];
    for &c in column {
        if usize::from(c) < k {
            counts[usize::from(c)] += 1;
        }
    }
    counts
}

/// One bit per row for each option of some questions, over one block of at
/// most [`BLOCK_ROWS`] rows (rows past the block's end are 0 bits).
///
/// Bit `r % 64` of word `r / 64` of option `i`'s bitmap is set when the row's
/// code is `i`; a missing answer sets no bit of its question. Words are u64
/// so that a joint count is one AND and one `popcnt` per 64 rows (wasm's
/// `i64.popcnt` is one x86 instruction; its byte-lane popcount is several).
pub struct Bitmaps {
    /// Per question, the index of its first option's bitmap.
    first: Vec<usize>,
    /// Options per question.
    lens: Vec<usize>,
    /// Every bitmap, BLOCK_ROWS / 64 words each.
    bits: Vec<u64>,
    /// A block's codes padded with MISSING to a whole number of words.
    pad: Vec<u8>,
}

const BITMAP_WORDS: usize = BLOCK_ROWS / 64;

impl Bitmaps {
    /// Room for the options of questions with `lens` options each.
    pub fn new(lens: &[usize]) -> Bitmaps {
        let mut first = Vec::with_capacity(lens.len());
        let mut total = 0;
        for &k in lens {
            first.push(total);
            total += k;
        }
        Bitmaps {
            first,
            lens: lens.to_vec(),
            bits: vec![0; total * BITMAP_WORDS],
            pad: vec![crate::MISSING; BLOCK_ROWS],
        }
    }

    /// Sets question `q`'s bitmaps from its codes in this block (at most
    /// [`BLOCK_ROWS`]).
    pub fn fill(&mut self, q: usize, codes: &[u8]) {
        let codes = if codes.len() % 64 == 0 {
            codes
        } else {
            self.pad.fill(crate::MISSING);
            self.pad[..codes.len()].copy_from_slice(codes);
            &self.pad[..codes.len().div_ceil(64) * 64]
        };
        // Each 16 codes loaded once for all the question's options.
        let (k, first) = (self.lens[q], self.first[q]);
        let bits = &mut self.bits[first * BITMAP_WORDS..(first + k) * BITMAP_WORDS];
        bits.fill(0);
        let splats: Vec<V> = (0..k).map(|i| V::splat(i as u8)).collect();
        for (w, rows) in codes.chunks_exact(64).enumerate() {
            for (l, chunk) in rows.chunks_exact(LANES).enumerate() {
                let v = V::load(chunk);
                for (i, &code) in splats.iter().enumerate() {
                    bits[i * BITMAP_WORDS + w] |= u64::from(v.eq(code).bitmask()) << (16 * l);
                }
            }
        }
    }

    /// Option `i` of question `q`'s bitmap.
    fn bitmap(&self, q: usize, i: usize) -> &[u64] {
        let start = (self.first[q] + i) * BITMAP_WORDS;
        &self.bits[start..start + BITMAP_WORDS]
    }

    /// Adds the joint counts of questions `a` and `b` in this block to
    /// `table` (row-major, `lens[a] × lens[b]`).
    pub fn add_pairs(&self, a: usize, b: usize, table: &mut [u64]) {
        let kb = self.lens[b];
        if a == b {
            for i in 0..kb {
                table[i * kb + i] += popcount(self.bitmap(a, i));
            }
            return;
        }
        for i in 0..self.lens[a] {
            let x = self.bitmap(a, i);
            for j in 0..kb {
                table[i * kb + j] += and_popcount(x, self.bitmap(b, j));
            }
        }
    }
}

/// Set bits of `x & y` (equal lengths).
#[inline(always)]
fn and_popcount(x: &[u64], y: &[u64]) -> u64 {
    x.iter()
        .zip(y)
        .map(|(a, b)| u64::from((a & b).count_ones()))
        .sum()
}

/// Set bits of `x`.
fn popcount(x: &[u64]) -> u64 {
    x.iter().map(|a| u64::from(a.count_ones())).sum()
}

/// The joint counts of two columns of codes with `r` and `c` options: the
/// row-major r × c table of rows answering both (codes below `r` and `c`).
///
/// When (r + 1)(c + 1) ≤ 256 each row's pair is packed into one byte through
/// two lookup tables (a missing code lands in an extra row or column, dropped
/// at the end) and counted in four interleaved byte histograms; wider pairs
/// go through per-option bitmaps.
pub fn count_pairs(rows: &[u8], cols: &[u8], r: usize, c: usize) -> Vec<u64> {
    let n = rows.len().min(cols.len());
    let (rows, cols) = (&rows[..n], &cols[..n]);
    let w = c + 1;
    let mut table = vec![0u64; r * c];
    if (r + 1) * w > 256 {
        let mut maps = Bitmaps::new(&[r, c]);
        for start in (0..n).step_by(BLOCK_ROWS) {
            let end = (start + BLOCK_ROWS).min(n);
            maps.fill(0, &rows[start..end]);
            maps.fill(1, &cols[start..end]);
            maps.add_pairs(0, 1, &mut table);
        }
        return table;
    }
    let mut row_of = [0u8; 256];
    let mut col_of = [0u8; 256];
    for v in 0..256 {
        row_of[v] = (v.min(r) * w) as u8;
        col_of[v] = v.min(c) as u8;
    }
    let cell =
        |a: u8, b: u8| usize::from(row_of[usize::from(a)].wrapping_add(col_of[usize::from(b)]));
    for (rs, cs) in rows.chunks(1 << 30).zip(cols.chunks(1 << 30)) {
        let mut t = [[0u32; 256]; 4];
        // Eight rows a step, read as one word per column; the iterators are
        // stepped by hand (a `zip` of `chunks_exact` is not inlined at
        // opt-level "s": measured 3 ms a call at 1M rows in wasm, 4× native).
        let (mut a8, mut b8) = (rs.chunks_exact(8), cs.chunks_exact(8));
        while let (Some(a), Some(b)) = (a8.next(), b8.next()) {
            let a = u64::from_le_bytes([a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]]);
            let b = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            for k in 0..8 {
                t[k & 3][cell((a >> (8 * k)) as u8, (b >> (8 * k)) as u8)] += 1;
            }
        }
        let tail = rs.len() - rs.len() % 8;
        for (&a, &b) in rs[tail..].iter().zip(&cs[tail..]) {
            t[0][cell(a, b)] += 1;
        }
        for i in 0..r {
            for j in 0..c {
                let x = i * w + j;
                table[i * c + j] += u64::from(t[0][x])
                    + u64::from(t[1][x])
                    + u64::from(t[2][x])
                    + u64::from(t[3][x]);
            }
        }
    }
    table
}

/// The plain loop [`count_pairs`] must agree with.
pub fn count_pairs_plain(rows: &[u8], cols: &[u8], r: usize, c: usize) -> Vec<u64> {
    let mut table = vec![0u64; r * c];
    for (&a, &b) in rows.iter().zip(cols) {
        if usize::from(a) < r && usize::from(b) < c {
            table[usize::from(a) * c + usize::from(b)] += 1;
        }
    }
    table
}

/// The joint counts of every pair `a ≤ b` of `columns` (with `lens` options
/// each): `tables[a][b]`, row-major `lens[a] × lens[b]`, empty for `a > b`.
/// One set of bitmaps per block of rows serves every pair.
pub fn count_all_pairs(columns: &[&[u8]], lens: &[usize]) -> Vec<Vec<Vec<u64>>> {
    let k = columns.len();
    let n = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut tables: Vec<Vec<Vec<u64>>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    if a <= b {
                        vec![0; lens[a] * lens[b]]
                    } else {
                        Vec::new()
                    }
                })
                .collect()
        })
        .collect();
    let mut maps = Bitmaps::new(lens);
    for start in (0..n).step_by(BLOCK_ROWS) {
        let end = (start + BLOCK_ROWS).min(n);
        for (q, col) in columns.iter().enumerate() {
            maps.fill(q, &col[start..end]);
        }
        for (a, row) in tables.iter_mut().enumerate() {
            for (b, table) in row.iter_mut().enumerate().skip(a) {
                maps.add_pairs(a, b, table);
            }
        }
    }
    tables
}

/// Codes packed into one byte per row: `Σ code_a · stride_a` over the columns
/// (stride_a = Π lens[..a]), or 255 when any code is at or past its column's
/// `lens` (missing). The caller keeps `Π lens ≤ 255`, so packed codes stay
/// below 255. Writes one byte per row of `rows` to `out`.
///
/// Sixteen rows at a time, without a multiply (wasm has no byte multiply):
/// per column and option, compare, mask the option's `code · stride` and add;
/// a row is answered in full when every column matched one option.
fn pack_codes(columns: &[&[u8]], lens: &[usize], rows: std::ops::Range<usize>, out: &mut Vec<u8>) {
    out.clear();
    out.resize(rows.len(), 0);
    let mut strides = Vec::with_capacity(lens.len());
    let mut stride = 1usize;
    for &k in lens {
        strides.push(stride);
        stride *= k;
    }
    let whole = rows.len() - rows.len() % LANES;
    let all = V::splat(columns.len() as u8);
    for (i, o) in out[..whole].chunks_exact_mut(LANES).enumerate() {
        let at = rows.start + i * LANES;
        let (mut packed, mut hits) = (V::splat(0), V::splat(0));
        for ((col, &k), &stride) in columns.iter().zip(lens).zip(&strides) {
            let codes = V::load(&col[at..at + LANES]);
            for c in 0..k {
                let hit = codes.eq(V::splat(c as u8));
                packed = packed.add(hit.and(V::splat((c * stride) as u8)));
                hits = hits.count(hit);
            }
        }
        let missing = hits.eq(all).eq(V::splat(0));
        packed.or(missing).store(o);
    }
    for (r, o) in (rows.start + whole..rows.end).zip(&mut out[whole..]) {
        let mut packed = 0usize;
        for ((col, &k), &stride) in columns.iter().zip(lens).zip(&strides) {
            let c = usize::from(col[r]);
            if c >= k {
                packed = 255;
                break;
            }
            packed += c * stride;
        }
        *o = packed as u8;
    }
}

/// Rows packed per pass of [`count_patterns`]: 64 KB of packed codes (and as
/// much scratch) stay in L2 between the packing and the histogram.
const PATTERN_BLOCK: usize = 1 << 16;

/// The number of answer patterns of questions with `lens` options, `None`
/// past 2¹⁶ (too many to count one by one).
fn pattern_count(lens: &[usize]) -> Option<usize> {
    lens.iter()
        .try_fold(1usize, |p, &l| p.checked_mul(l))
        .filter(|&p| p <= 1 << 16)
}

/// The count of each answer pattern of `columns` (with `lens` options each)
/// among the rows that answer every column: index `Σ code_a · stride_a`,
/// stride_a = Π lens[..a] (the first column varies fastest). `None` when there
/// are more than 2¹⁶ patterns.
///
/// Up to 255 patterns, each block of rows is packed into one byte per row
/// column by column (SIMD-friendly) and counted by [`histogram`]; past that,
/// one row at a time through per-column lookup tables.
pub fn count_patterns(columns: &[&[u8]], lens: &[usize]) -> Option<Vec<u64>> {
    let patterns = pattern_count(lens)?;
    let n = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut counts = vec![0u64; patterns];
    if patterns <= 255 {
        let mut packed = Vec::new();
        for start in (0..n).step_by(PATTERN_BLOCK) {
            let end = (start + PATTERN_BLOCK).min(n);
            pack_codes(columns, lens, start..end, &mut packed);
            let h = histogram(&packed);
            for (c, &x) in counts.iter_mut().zip(h.iter()) {
                *c += x;
            }
        }
        return Some(counts);
    }
    // Branch-free: per column a table from code to code·stride, a missing code
    // to `patterns` (so any missing answer sends the row past the last
    // pattern, into a slot that is dropped).
    let mut stride = 1usize;
    let luts: Vec<[usize; 256]> = lens
        .iter()
        .map(|&k| {
            let mut lut = [patterns; 256];
            for (c, v) in lut.iter_mut().enumerate().take(k) {
                *v = c * stride;
            }
            stride *= k;
            lut
        })
        .collect();
    let mut slots = vec![0u64; patterns + 1];
    for r in 0..n {
        let index: usize = luts
            .iter()
            .zip(columns)
            .map(|(lut, col)| lut[usize::from(col[r])])
            .sum();
        slots[index.min(patterns)] += 1;
    }
    counts.copy_from_slice(&slots[..patterns]);
    Some(counts)
}

/// The plain loop [`count_patterns`] must agree with.
pub fn count_patterns_plain(columns: &[&[u8]], lens: &[usize]) -> Option<Vec<u64>> {
    let patterns = pattern_count(lens)?;
    let n = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut counts = vec![0u64; patterns];
    'rows: for r in 0..n {
        let (mut index, mut stride) = (0, 1);
        for (col, &k) in columns.iter().zip(lens) {
            let c = usize::from(col[r]);
            if c >= k {
                continue 'rows;
            }
            index += c * stride;
            stride *= k;
        }
        counts[index] += 1;
    }
    Some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MISSING;

    #[test]
    fn counts_agree_with_the_plain_loop_at_block_edges() {
        for n in [0, 1, 15, 16, 17, 4079, 4080, 4081, 4096, 5000, 9000] {
            let col: Vec<u8> = (0..n)
                .map(|i| {
                    if i % 7 == 3 {
                        MISSING
                    } else {
                        (i * 31 % 11) as u8
                    }
                })
                .collect();
            for k in [1, 2, 5, 11, 17] {
                assert_eq!(
                    count_codes(&col, k),
                    count_codes_plain(&col, k),
                    "n {n} k {k}"
                );
            }
            let other: Vec<u8> = col.iter().rev().map(|&c| c.wrapping_add(1) % 12).collect();
            assert_eq!(
                count_pairs(&col, &other, 11, 12),
                count_pairs_plain(&col, &other, 11, 12),
                "n {n}"
            );
        }
    }
}
