//! SPSS system files (.sav), for analysts who work in SPSS or PSPP.
//!
//! Written from the record layout the PSPP developers publish ("System File
//! Format", GNU PSPP Developers Guide). The rules of the export:
//! - One variable per column of the file, in the file's order: `id`, the
//!   questions, then the extra columns.
//! - `id` and extra columns are strings as wide as their longest value in
//!   bytes (at least 1); past 255 bytes they are SPSS "very long strings",
//!   written as 252-byte segments (255 bytes of data in each but the last),
//!   and come back whole. At most 32,767 bytes, SPSS's limit: a longer value
//!   is refused, naming its row and column.
//! - A single-choice question is numeric, its options coded 1 … k in the
//!   instrument's order (A = 1), each code labelled with the option's text in
//!   the chosen language; measurement level ordinal for the instrument's
//!   satisfaction items, nominal for the others. A scale question (the NPS
//!   question's 0–10) holds its values as they are, level scale, with the
//!   instrument's labels on its two ends.
//! - Not answered is system-missing (never a user-missing code).
//! - Each question's variable label is its text in the chosen language,
//!   exactly; a question nobody answered keeps its variable and labels.
//! - Variable names are the column names when SPSS accepts them (at most 64
//!   bytes, a letter first, then letters, digits and `. _ $ # @`, not ending
//!   in `.`, not a reserved word such as `BY`, unique ignoring case). Any
//!   other column name is changed by one fixed rule: each character SPSS does
//!   not accept becomes `_`, a `v` goes in front of a name that does not begin
//!   with a letter, a final `.` becomes `_`, a reserved word gets a `_`, a name
//!   cut to 64 bytes, and a name already taken gets `_2`, `_3`, …; the
//!   original name becomes the variable's label, so nothing is lost.
//! - Text is UTF-8 and says so (character encoding record "UTF-8", machine
//!   integer info character code 65001), so SPSS 16+ and PSPP open the
//!   Chinese labels correctly. Value labels are cut to SPSS's 120 bytes (at a
//!   character boundary); the built-in instrument's are all shorter.
//! - The data are bytecode-compressed (SPSS's "simple" compression: a code
//!   1–251 stands for a small whole number, 255 for system-missing, 254 for 8
//!   blank bytes), which every reader of .sav files supports and which makes a
//!   million responses about a tenth of their uncompressed size.
//! - Trailing spaces of a text are not kept (SPSS pads strings with spaces).

use std::collections::HashSet;

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, Lang, QuestionKind, MISSING};
use crate::responses::{Responses, Slot};

/// The widest string SPSS holds, in bytes.
pub const MAX_STRING: usize = 32_767;

/// The longest value label SPSS keeps, in bytes.
pub const MAX_VALUE_LABEL: usize = 120;

/// The longest variable name, in bytes.
pub const MAX_NAME: usize = 64;

/// SPSS's reserved words: never a variable name.
const RESERVED: [&str; 13] = [
    "ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH",
];

/// The system-missing value: the most negative double.
const SYSMIS: f64 = f64::MIN;

/// The compression bias: a whole number v in −99 … 151 is written as v + 100.
const BIAS: f64 = 100.0;

/// Measurement levels, as the variable display record codes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Nominal = 1,
    Ordinal = 2,
    Scale = 3,
}

/// What a variable holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Text `width` bytes wide: the id or an extra column (index in extras).
    Text { width: usize, extra: Option<usize> },
    /// A question's codes: single-choice 1 … k, a scale `min + code`.
    Number { q: usize, offset: f64 },
}

/// One variable of the file.
#[derive(Debug)]
struct Var {
    name: String,
    label: Option<String>,
    kind: Kind,
    measure: Measure,
    /// The short (8-byte) name of each segment (one unless a very long string).
    shorts: Vec<String>,
    /// Value labels (numeric variables only).
    labels: Vec<(f64, String)>,
}

impl Var {
    /// The width of each segment: 0 for a number, else the string widths.
    fn segment_widths(&self) -> Vec<usize> {
        match self.kind {
            Kind::Number { .. } => vec![0],
            Kind::Text { width, .. } => segment_widths(width),
        }
    }
}

/// The widths of a string's segments: itself up to 255 bytes; past that one
/// segment per 252 bytes, each 255 wide but the last.
fn segment_widths(width: usize) -> Vec<usize> {
    if width <= 255 {
        return vec![width];
    }
    let n = width.div_ceil(252);
    let mut w = vec![255; n - 1];
    w.push(width - (n - 1) * 252);
    w
}

/// 8-byte units a segment of this width takes (a number takes one).
fn slots(width: usize) -> usize {
    width.div_ceil(8).max(1)
}

/// Whether SPSS accepts `name` as a variable name (case-insensitively unique
/// names are checked by the caller).
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    name.len() <= MAX_NAME
        && first.is_alphabetic()
        && chars.all(|c| c.is_alphanumeric() || "._$#@".contains(c))
        && !name.ends_with('.')
        && !RESERVED.contains(&name.to_ascii_uppercase().as_str())
}

/// The name a column gets (the module docs give the rule); `taken` holds the
/// upper-cased names already given and gets this one.
fn variable_name(column: &str, taken: &mut HashSet<String>) -> String {
    let mut name: String = column
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._$#@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !name.chars().next().is_some_and(char::is_alphabetic) {
        name.insert(0, 'v');
    }
    if name.ends_with('.') {
        name.pop();
        name.push('_');
    }
    if RESERVED.contains(&name.to_ascii_uppercase().as_str()) {
        name.push('_');
    }
    let mut candidate = cut(&name, MAX_NAME).to_owned();
    let mut n = 1;
    while taken.contains(&candidate.to_uppercase()) {
        n += 1;
        let suffix = format!("_{n}");
        candidate = format!("{}{suffix}", cut(&name, MAX_NAME - suffix.len()));
    }
    taken.insert(candidate.to_uppercase());
    candidate
}

/// `s` cut to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Gives each variable's segments short names: the upper-cased name when it
/// is ASCII and at most 8 bytes, else `V` and the column number; later
/// segments of a very long string take the first 5 bytes and the segment
/// number. Any clash takes the next free `X1`, `X2`, ….
fn short_names(vars: &mut [Var]) {
    let mut taken = HashSet::new();
    let mut spare = 0usize;
    let mut fresh = |want: String, taken: &mut HashSet<String>| -> String {
        if !want.is_empty() && want.len() <= 8 && taken.insert(want.clone()) {
            return want;
        }
        loop {
            spare += 1;
            let s = format!("X{spare}");
            if taken.insert(s.clone()) {
                return s;
            }
        }
    };
    for (i, v) in vars.iter_mut().enumerate() {
        let upper = v.name.to_ascii_uppercase();
        let first = if upper.is_ascii() && upper.len() <= 8 {
            upper
        } else {
            format!("V{}", i + 1)
        };
        let first = fresh(first, &mut taken);
        let n = v.segment_widths().len();
        let mut shorts = vec![first.clone()];
        for k in 1..n {
            shorts.push(fresh(format!("{}{k}", cut(&first, 5)), &mut taken));
        }
        v.shorts = shorts;
    }
}

/// The dictionary: a variable per column, in file order.
fn dictionary(instrument: &Instrument, responses: &Responses, lang: Lang) -> Result<Vec<Var>> {
    let qs = instrument.questions();
    let mut taken = HashSet::new();
    let mut vars = Vec::with_capacity(responses.layout.len());
    for (c, slot) in responses.layout.iter().enumerate() {
        let (column, texts): (&str, Vec<&str>) = match *slot {
            Slot::Id => ("id", responses.ids.iter().collect()),
            Slot::Question(q) => (qs[q].id.as_str(), Vec::new()),
            Slot::Extra(e) => {
                let x = &responses.extras[e];
                (
                    x.name.as_str(),
                    x.values.parts().0.iter().map(String::as_str).collect(),
                )
            }
        };
        let name = variable_name(column, &mut taken);
        let renamed = (name != column).then(|| column.to_owned());
        let var = match *slot {
            Slot::Question(q) => {
                let question = &qs[q];
                let (offset, measure, labels) = match question.kind {
                    QuestionKind::Single => (
                        1.0,
                        if instrument.satisfaction().contains(&q) {
                            Measure::Ordinal
                        } else {
                            Measure::Nominal
                        },
                        question
                            .options
                            .iter()
                            .enumerate()
                            .map(|(i, o)| (i as f64 + 1.0, o.label.get(lang).to_owned()))
                            .collect(),
                    ),
                    QuestionKind::Scale => {
                        let min = f64::from(question.min.unwrap_or(0));
                        let max = f64::from(question.max.unwrap_or(0));
                        let ends = [(min, &question.min_label), (max, &question.max_label)];
                        let labels = ends
                            .into_iter()
                            .filter_map(|(v, t)| t.as_ref().map(|t| (v, t.get(lang).to_owned())))
                            .collect();
                        (min, Measure::Scale, labels)
                    }
                };
                Var {
                    name,
                    label: Some(question.text.get(lang).to_owned()),
                    kind: Kind::Number { q, offset },
                    measure,
                    shorts: Vec::new(),
                    labels,
                }
            }
            _ => {
                let extra = match *slot {
                    Slot::Extra(e) => Some(e),
                    _ => None,
                };
                let width = texts.iter().map(|t| t.len()).max().unwrap_or(0).max(1);
                if width > MAX_STRING {
                    return Err(too_wide(responses, c, column, &texts));
                }
                Var {
                    name,
                    label: renamed,
                    kind: Kind::Text { width, extra },
                    measure: Measure::Nominal,
                    shorts: Vec::new(),
                    labels: Vec::new(),
                }
            }
        };
        vars.push(var);
    }
    short_names(&mut vars);
    Ok(vars)
}

/// The error for a text past [`MAX_STRING`] bytes, naming its first row.
fn too_wide(responses: &Responses, c: usize, column: &str, texts: &[&str]) -> Error {
    let long = texts
        .iter()
        .find(|t| t.len() > MAX_STRING)
        .copied()
        .unwrap_or("");
    let row = match responses.layout[c] {
        Slot::Extra(e) => responses.extras[e].values.iter().position(|v| v == long),
        _ => responses.ids.iter().position(|v| v == long),
    };
    let mut p = Problem::new(
        ProblemCode::OutOfRange,
        format!(
            "a text of {} bytes: an SPSS string holds at most {MAX_STRING}",
            long.len()
        ),
    )
    .at_column(c + 1, column)
    .expecting(format!("at most {MAX_STRING} bytes"));
    if let Some(r) = row {
        // Line 1 is the header.
        p = p.at_line(r + 2);
    }
    Error::single(ErrorKind::Request, p)
}

/// Little-endian writers of the file's three data types.
struct Out(Vec<u8>);

impl Out {
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn n(&mut self, v: usize) {
        self.i32(i32::try_from(v).unwrap_or(i32::MAX));
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// `s` in exactly `len` bytes, cut or padded with spaces.
    fn padded(&mut self, s: &[u8], len: usize) {
        let s = &s[..s.len().min(len)];
        self.0.extend_from_slice(s);
        self.0.resize(self.0.len() + len - s.len(), b' ');
    }
    /// An extension record (type 7) of `count` elements of `size` bytes.
    fn extension(&mut self, subtype: i32, size: usize, data: &[u8]) {
        self.i32(7);
        self.i32(subtype);
        self.n(size);
        self.n(data.len() / size);
        self.0.extend_from_slice(data);
    }
}

/// The print/write format: type, width, decimals in one int32.
fn format(kind: i32, width: usize, decimals: i32) -> i32 {
    (kind << 16) | ((width.min(255) as i32) << 8) | decimals
}

/// The UTC date and time of a Unix time: year, month, day, hour, minute, second.
fn civil(unix: i64) -> [i64; 6] {
    let d = crate::date::Day::from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    [
        i64::from(d.year),
        i64::from(d.month),
        i64::from(d.day),
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
    ]
}

/// "dd mmm yy" and "hh:mm:ss" of a Unix time, in UTC, as the header has them.
fn date_time(unix: i64) -> (String, String) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let [y, mo, d, h, mi, s] = civil(unix);
    let month = MONTHS[usize::try_from(mo - 1).unwrap_or(0)];
    (
        format!("{d:02} {month} {:02}", y.rem_euclid(100)),
        format!("{h:02}:{mi:02}:{s:02}"),
    )
}

/// A Unix time as ISO 8601 in UTC (`2023-03-01T14:05:09Z`), for the command
/// line's files that record when they were made.
pub fn iso_time(unix: i64) -> String {
    let [y, mo, d, h, mi, s] = civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Writes the responses as an SPSS system file; labels in `lang`; `created`
/// (Unix seconds) is the creation time the header records.
///
/// ```
/// use manyi::{Instrument, Lang, Responses};
/// let inst = Instrument::builtin();
/// let csv = manyi::generate::generate(&inst, 3, 1).unwrap().to_csv(&inst, false).unwrap();
/// let responses = Responses::from_csv(&inst, &csv).unwrap();
/// let sav = manyi::sav::to_sav(&inst, &responses, Lang::ZhCn, 0).unwrap();
/// assert_eq!(&sav[..4], b"$FL2");
/// ```
pub fn to_sav(
    instrument: &Instrument,
    responses: &Responses,
    lang: Lang,
    created: i64,
) -> Result<Vec<u8>> {
    responses.check_instrument(instrument)?;
    let vars = dictionary(instrument, responses, lang)?;
    let mut out = Out(Vec::with_capacity(4096 + responses.len() * 24));
    let case_size: usize = vars.iter().flat_map(Var::segment_widths).map(slots).sum();

    // File header.
    out.0.extend_from_slice(b"$FL2");
    let product = format!("@(#) SPSS DATA FILE manyi {}", env!("CARGO_PKG_VERSION"));
    out.padded(product.as_bytes(), 60);
    out.i32(2); // layout code
    out.n(case_size);
    out.i32(1); // bytecode compression
    out.i32(0); // not weighted
    out.i32(i32::try_from(responses.len()).unwrap_or(-1));
    out.f64(BIAS);
    let (date, time) = date_time(created);
    out.padded(date.as_bytes(), 9);
    out.padded(time.as_bytes(), 8);
    let title = format!("{} v{}", instrument.id(), instrument.version());
    out.padded(cut(&title, 64).as_bytes(), 64);
    out.padded(b"", 3);

    // Variable records, and each variable's first slot (1-based) for its value labels.
    let mut index = Vec::with_capacity(vars.len());
    let mut next = 1usize;
    for v in &vars {
        index.push(next);
        for (s, (&width, short)) in v.segment_widths().iter().zip(&v.shorts).enumerate() {
            let label = if s == 0 { v.label.as_deref() } else { None };
            out.i32(2);
            out.n(width);
            out.i32(i32::from(label.is_some()));
            out.i32(0); // no user-missing values
            let f = match v.kind {
                Kind::Number { .. } => {
                    let top = v.labels.iter().map(|l| l.0).fold(1.0f64, f64::max);
                    format(5, (top.abs().log10().floor() as usize + 1).max(1), 0)
                }
                Kind::Text { .. } => format(1, width, 0),
            };
            out.i32(f);
            out.i32(f);
            out.padded(short.as_bytes(), 8);
            if let Some(label) = label {
                out.n(label.len());
                out.0.extend_from_slice(label.as_bytes());
                out.padded(b"", (4 - label.len() % 4) % 4);
            }
            // Continuation records for the rest of the segment's slots.
            for _ in 1..slots(width) {
                out.i32(2);
                out.i32(-1);
                out.0.extend_from_slice(&[0; 16]);
                out.padded(b"", 8);
            }
            next += slots(width);
        }
    }

    // Value labels (type 3), each followed by the variable it belongs to (type 4).
    for (v, &i) in vars.iter().zip(&index) {
        if v.labels.is_empty() {
            continue;
        }
        out.i32(3);
        out.n(v.labels.len());
        for (value, label) in &v.labels {
            let label = cut(label, MAX_VALUE_LABEL);
            out.f64(*value);
            out.0.push(label.len() as u8);
            out.0.extend_from_slice(label.as_bytes());
            out.padded(b"", (8 - (label.len() + 1) % 8) % 8);
        }
        out.i32(4);
        out.i32(1);
        out.n(i);
    }

    // Machine integer info: version, machine, IEEE floats, compression,
    // little-endian, UTF-8 (code page 65001).
    let mut ints = Out(Vec::new());
    for v in [0, 1, 0, -1, 1, 1, 2, 65001] {
        ints.i32(v);
    }
    out.extension(3, 4, &ints.0);
    // Machine floating-point info: system-missing, highest, lowest.
    let mut floats = Out(Vec::new());
    floats.f64(SYSMIS);
    floats.f64(f64::MAX);
    floats.f64(f64::from_bits(0xffef_ffff_ffff_fffe));
    out.extension(4, 8, &floats.0);
    // Variable display parameters: measure, width, alignment, per segment.
    let mut display = Out(Vec::new());
    for v in &vars {
        for width in v.segment_widths() {
            display.i32(v.measure as i32);
            let (columns, align) = match v.kind {
                Kind::Number { .. } => (8, 1),
                Kind::Text { .. } => (width.clamp(8, 40), 0),
            };
            display.n(columns);
            display.i32(align);
        }
    }
    out.extension(11, 4, &display.0);
    // Long variable names: SHORT=long, tab-separated.
    let names: Vec<String> = vars
        .iter()
        .map(|v| format!("{}={}", v.shorts[0], v.name))
        .collect();
    out.extension(13, 1, names.join("\t").as_bytes());
    // Very long strings: SHORT=width (5 digits), a NUL and a tab each.
    let mut long = Vec::new();
    for v in &vars {
        if let Kind::Text { width, .. } = v.kind {
            if width > 255 {
                long.extend_from_slice(format!("{}={width:05}\0\t", v.shorts[0]).as_bytes());
            }
        }
    }
    if !long.is_empty() {
        out.extension(14, 1, &long);
    }
    out.extension(20, 1, b"UTF-8");
    out.i32(999);
    out.i32(0);

    write_data(&mut out.0, &vars, responses);
    Ok(out.0)
}

/// The cases, bytecode-compressed: eight command bytes, then the 8-byte
/// values the commands 253 stand for, and so on.
fn write_data(out: &mut Vec<u8>, vars: &[Var], responses: &Responses) {
    let mut commands: Vec<u8> = Vec::with_capacity(8);
    let mut raw: Vec<u8> = Vec::with_capacity(64);
    let flush = |out: &mut Vec<u8>, commands: &mut Vec<u8>, raw: &mut Vec<u8>| {
        commands.resize(8, 0);
        out.extend_from_slice(commands);
        out.extend_from_slice(raw);
        commands.clear();
        raw.clear();
    };
    let mut emit = |out: &mut Vec<u8>, code: u8, value: Option<&[u8]>| {
        commands.push(code);
        if let Some(v) = value {
            raw.extend_from_slice(v);
        }
        if commands.len() == 8 {
            flush(out, &mut commands, &mut raw);
        }
    };
    let mut chunk = [b' '; 8];
    for r in 0..responses.len() {
        for v in vars {
            match v.kind {
                Kind::Number { q, offset } => {
                    let code = responses.answers[q][r];
                    if code == MISSING {
                        emit(out, 255, None);
                    } else {
                        let value = f64::from(code) + offset;
                        if (1.0..=251.0).contains(&(value + BIAS)) {
                            emit(out, (value + BIAS) as u8, None);
                        } else {
                            emit(out, 253, Some(&value.to_le_bytes()));
                        }
                    }
                }
                Kind::Text { width, extra } => {
                    let text = match extra {
                        Some(e) => responses.extras[e].values.get(r),
                        None => &responses.ids[r],
                    }
                    .as_bytes();
                    let mut at = 0;
                    for w in segment_widths(width) {
                        // 255 bytes of data in each segment but the last.
                        let take = &text[at.min(text.len())..(at + w.min(255)).min(text.len())];
                        at += 255;
                        for k in 0..slots(w) {
                            chunk.fill(b' ');
                            let part = take.get(k * 8..).unwrap_or(&[]);
                            let part = &part[..part.len().min(8)];
                            chunk[..part.len()].copy_from_slice(part);
                            if chunk == [b' '; 8] {
                                emit(out, 254, None);
                            } else {
                                emit(out, 253, Some(&chunk));
                            }
                        }
                    }
                }
            }
        }
    }
    if !commands.is_empty() {
        flush(out, &mut commands, &mut raw);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_follow_the_published_examples() {
        // The format description's examples: 256 bytes → 255 + 4; 600 → 255, 255, 96;
        // 20,000 → 79 × 255 then 92.
        assert_eq!(segment_widths(255), vec![255]);
        assert_eq!(segment_widths(256), vec![255, 4]);
        assert_eq!(segment_widths(600), vec![255, 255, 96]);
        let w = segment_widths(20_000);
        assert_eq!((w.len(), w[78], w[79]), (80, 255, 92));
    }

    #[test]
    fn names_spss_refuses_are_changed_by_the_rule() {
        let mut taken = HashSet::new();
        let mut name = |s: &str| variable_name(s, &mut taken);
        assert_eq!(name("id"), "id");
        assert_eq!(name("网点"), "网点");
        assert_eq!(name("source file"), "source_file");
        assert_eq!(name("1st"), "v1st");
        assert_eq!(name("by"), "by_");
        assert_eq!(name("end."), "end_");
        assert_eq!(name("source-file"), "source_file_2");
        assert_eq!(name("ID"), "ID_2");
        let long = "a".repeat(70);
        assert_eq!(name(&long).len(), 64);
        assert_eq!(name(&long), format!("{}_2", "a".repeat(62)));
        assert!(is_valid_name("q17") && !is_valid_name("with") && !is_valid_name("_x"));
    }

    #[test]
    fn header_dates_are_civil_utc() {
        // 2023-03-01 14:05:09 UTC is 1677679509 (date -u -d @1677679509).
        assert_eq!(
            date_time(1_677_679_509),
            ("01 Mar 23".to_owned(), "14:05:09".to_owned())
        );
        assert_eq!(
            date_time(0),
            ("01 Jan 70".to_owned(), "00:00:00".to_owned())
        );
        // 2000-02-29 23:59:59 UTC is 951868799 (date -u -d @951868799).
        assert_eq!(iso_time(951_868_799), "2000-02-29T23:59:59Z");
    }

    #[test]
    fn an_overlong_text_is_refused_with_its_place() {
        let inst = Instrument::builtin();
        let mut r = Responses::new(&inst, &["comment"]).unwrap();
        let long = "x".repeat(MAX_STRING + 1);
        r.push(&inst, "r1", &[MISSING; 17], &["short"]).unwrap();
        r.push(&inst, "r2", &[MISSING; 17], &[&long]).unwrap();
        let e = to_sav(&inst, &r, Lang::En, 0).unwrap_err();
        let p = &e.problems()[0];
        assert_eq!(
            (p.line, p.column, p.field.as_deref()),
            (Some(3), Some(19), Some("comment"))
        );
    }
}
