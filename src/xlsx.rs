//! .xlsx workbooks (Office Open XML spreadsheets), read and written in memory.
//!
//! The reader takes the first worksheet, in the workbook's tab order, and
//! returns its cells as text, row by row: shared strings (rich text runs joined,
//! phonetic guides left out), inline strings, formula results (the cached
//! value, never the formula), booleans as `TRUE`/`FALSE`, error values as
//! written (`#N/A`), and numbers as written in the file, except that a whole
//! number loses a `.0` ending (`7`, not `7.0`) and a moderate exponent form is
//! written out (`150`, not `1.5E+2`). Styles are not read, so a date
//! comes out as its serial number. XML entities and Excel's `_xHHHH_` escapes
//! are decoded. Each cell lands in the column its reference names (gaps are
//! filled with empty text) and trailing empty cells are dropped; rows without
//! any text are left out, as blank lines of a CSV file are.
//!
//! The reader treats every file as hostile: it never panics, works in time
//! linear in the size of the unpacked parts, unpacks at most
//! [`MAX_UNPACKED`] bytes in all (checked while inflating, whatever the zip
//! headers claim) and keeps at most [`MAX_CELL_MEMORY`] bytes of cells. Zip
//! entries must be stored or DEFLATE-compressed and not encrypted; ZIP64
//! archives are read. Rows and columns are capped at Excel's limits,
//! [`MAX_ROWS`] and [`MAX_COLUMNS`]. Any damage (a checksum or size that does
//! not match, malformed XML, a cell reference such as `B0`) refuses the whole
//! file with a sentence that says what is wrong and, where it can, in which
//! cell (`Sheet1!C5`).
//!
//! The writer makes a minimal workbook with the parts Excel requires (content
//! types, relationships, workbook, styles, sheets, shared strings): text as
//! shared strings, numbers as numbers, one plain cell style, the first sheet
//! active, DEFLATE-compressed, the same bytes for the same sheets. Sheet names are made valid for
//! Excel (at most 31 characters, none of `[]:*?/\`, unique ignoring case).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};

/// The most rows a worksheet has (Excel's limit); row 1 048 577 is an error.
pub const MAX_ROWS: usize = 1_048_576;
/// The most columns a worksheet has (Excel's limit, column `XFD`).
pub const MAX_COLUMNS: usize = 16_384;
/// The most bytes the reader unpacks from one workbook, all parts together.
pub const MAX_UNPACKED: usize = 256 << 20;
/// The most memory, in bytes, the reader spends on the cells it returns and
/// the shared strings table (each text counts its length plus 24 bytes).
pub const MAX_CELL_MEMORY: usize = 256 << 20;

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, written as a shared string; empty text is written as an empty cell.
    Text(String),
    /// A number; NaN and infinities are written as the error value `#NUM!`.
    Number(f64),
    /// Nothing: the cell is left out.
    Empty,
}

/// One worksheet to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The tab name; [`write`] makes it valid for Excel.
    pub name: String,
    /// The rows from row 1, each from column `A`. Rows past [`MAX_ROWS`] and
    /// cells past [`MAX_COLUMNS`] are not written.
    pub rows: Vec<Vec<Cell>>,
}

// ---------------------------------------------------------------------------
// Errors

/// Every error of this module is made here, so that its kind and code change in
/// one place. `field` names the sheet or cell (`Sheet1!C5`) or the zip entry,
/// `value` the offending text.
fn bad(message: impl Into<String>, field: Option<&str>, value: Option<&str>) -> Error {
    let mut problem = Problem::new(ProblemCode::Unreadable, message);
    if let Some(field) = field {
        problem = problem.in_field(field);
    }
    if let Some(value) = value {
        problem = problem.with_value(value);
    }
    Error::single(ErrorKind::Xlsx, problem)
}

fn damaged(message: impl Into<String>) -> Error {
    bad(message, None, None)
}

// ---------------------------------------------------------------------------
// Reading

/// Reads the first worksheet (in workbook order) as rows of text cells: the
/// 1-based row number and the row's cells from column `A`, for each row with
/// any text. See the [module documentation](self) for how cells become text.
///
/// ```
/// use manyi::xlsx::{read_first_sheet, write, Cell, Sheet};
/// let rows = vec![vec![Cell::Text("id".into()), Cell::Text("q1".into())],
///                 vec![Cell::Text("r1".into()), Cell::Number(7.0)]];
/// let bytes = write(&[Sheet { name: "Data".into(), rows }]);
/// let read = read_first_sheet(&bytes).unwrap();
/// assert_eq!(read, vec![(1, vec!["id".to_string(), "q1".to_string()]),
///                       (2, vec!["r1".to_string(), "7".to_string()])]);
/// ```
pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>> {
    let zip = Zip::parse(bytes)?;
    let mut budget = Budget {
        unpacked: MAX_UNPACKED,
        cells: MAX_CELL_MEMORY,
    };

    // The workbook part: named by the package relationships, by convention
    // xl/workbook.xml.
    let mut workbook_path = None;
    if let Some(xml) = zip.read_part("_rels/.rels", &mut budget)? {
        workbook_path = read_rels(&xml, "_rels/.rels")?
            .into_iter()
            .find(|r| r.kind.ends_with("/officeDocument"))
            .map(|r| resolve("", &r.target));
    }
    let workbook_path = workbook_path.unwrap_or_else(|| "xl/workbook.xml".to_string());
    let Some(workbook_xml) = zip.read_part(&workbook_path, &mut budget)? else {
        return Err(damaged(format!(
            "this zip file is not an .xlsx workbook: it has no workbook part ({workbook_path})"
        )));
    };
    let sheets = read_workbook(&workbook_xml, &workbook_path)?;

    let (dir, file) = split_path(&workbook_path);
    let rels_path = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    let Some(rels_xml) = zip.read_part(&rels_path, &mut budget)? else {
        return Err(damaged(format!(
            "the workbook is damaged: {rels_path}, which says where its sheets are, is missing"
        )));
    };
    let rels = read_rels(&rels_xml, &rels_path)?;
    let rel = |id: &str| rels.iter().find(|r| r.id == id);

    let first = sheets.iter().find_map(|(name, id)| {
        rel(id)
            .filter(|r| r.kind.ends_with("/worksheet"))
            .map(|r| (name.as_str(), resolve(dir, &r.target)))
    });
    let Some((sheet_name, sheet_path)) = first else {
        return Err(damaged(if sheets.is_empty() {
            "the workbook has no sheets".to_string()
        } else {
            "the workbook has no worksheet (only chart or macro sheets)".to_string()
        }));
    };

    let shared = match rels.iter().find(|r| r.kind.ends_with("/sharedStrings")) {
        Some(r) => {
            let path = resolve(dir, &r.target);
            match zip.read_part(&path, &mut budget)? {
                Some(xml) => read_shared_strings(&xml, &path, &mut budget)?,
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    };

    let Some(sheet_xml) = zip.read_part(&sheet_path, &mut budget)? else {
        return Err(bad(
            format!("the workbook is damaged: the worksheet's part {sheet_path} is missing"),
            Some(&sheet_ref(sheet_name)),
            None,
        ));
    };
    read_sheet(&sheet_xml, &sheet_path, sheet_name, &shared, &mut budget)
}

/// What the reader may still spend, in bytes.
struct Budget {
    unpacked: usize,
    cells: usize,
}

impl Budget {
    fn spend_cells(&mut self, bytes: usize, sheet: &str) -> Result<()> {
        match self.cells.checked_sub(bytes) {
            Some(left) => {
                self.cells = left;
                Ok(())
            }
            None => Err(bad(
                format!(
                    "the worksheet is too large to import: its cells need more than {} MiB",
                    MAX_CELL_MEMORY >> 20
                ),
                Some(sheet),
                None,
            )),
        }
    }
}

// ---------------------------------------------------------------------------
// Zip container

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIR: u32 = 0x0605_4b50;
const ZIP64_END_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_END_OF_CENTRAL_DIR: u32 = 0x0606_4b50;
const OLE2_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

fn le64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

fn to_usize(n: u64) -> Option<usize> {
    usize::try_from(n).ok()
}

/// One entry of the central directory.
struct Entry<'a> {
    name: &'a [u8],
    flags: u16,
    method: u16,
    crc: u32,
    compressed: usize,
    size: usize,
    offset: usize,
}

/// A zip archive held in memory: its central directory, trusted for nothing
/// but where to look.
struct Zip<'a> {
    bytes: &'a [u8],
    entries: Vec<Entry<'a>>,
}

impl<'a> Zip<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self> {
        let not_zip = || {
            if bytes.starts_with(OLE2_MAGIC) {
                damaged(
                    "this is an old-style .xls workbook or a password-protected .xlsx; \
                     save it from Excel as an .xlsx workbook without a password",
                )
            } else {
                damaged("this is not an .xlsx workbook: it is not a zip file")
            }
        };
        let truncated = || {
            damaged("the workbook is damaged: its zip directory is cut short or points outside it")
        };

        // The end-of-central-directory record: the last one in the final
        // 64 KiB + 22 bytes (the record and the longest comment).
        if bytes.len() < 22 {
            return Err(not_zip());
        }
        let last = bytes.len() - 22;
        let eocd = (last.saturating_sub(0xFFFF)..=last)
            .rev()
            .find(|&at| le32(bytes, at) == Some(END_OF_CENTRAL_DIR))
            .ok_or_else(not_zip)?;
        let field16 = |at| le16(bytes, eocd + at).map(u64::from).ok_or_else(truncated);
        let field32 = |at| le32(bytes, eocd + at).map(u64::from).ok_or_else(truncated);
        let mut count = field16(10)?;
        let mut dir_offset = field32(16)?;

        if count == 0xFFFF || field32(12)? == 0xFFFF_FFFF || dir_offset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the real one.
            if let Some(locator) = eocd.checked_sub(20) {
                if le32(bytes, locator) == Some(ZIP64_END_LOCATOR) {
                    let at = le64(bytes, locator + 8)
                        .and_then(to_usize)
                        .ok_or_else(truncated)?;
                    if le32(bytes, at) != Some(ZIP64_END_OF_CENTRAL_DIR) {
                        return Err(truncated());
                    }
                    count = le64(bytes, at + 32).ok_or_else(truncated)?;
                    dir_offset = le64(bytes, at + 48).ok_or_else(truncated)?;
                }
            }
        }

        let mut entries = Vec::new();
        let mut at = to_usize(dir_offset).ok_or_else(truncated)?;
        for _ in 0..count {
            // Each entry takes at least 46 bytes, so a lying count ends here.
            if le32(bytes, at) != Some(CENTRAL_HEADER) {
                return Err(truncated());
            }
            let get16 = |off: usize| le16(bytes, at + off).ok_or_else(truncated);
            let get32 = |off: usize| le32(bytes, at + off).ok_or_else(truncated);
            let flags = get16(8)?;
            let method = get16(10)?;
            let crc = get32(16)?;
            let mut compressed = u64::from(get32(20)?);
            let mut size = u64::from(get32(24)?);
            let name_len = usize::from(get16(28)?);
            let extra_len = usize::from(get16(30)?);
            let comment_len = usize::from(get16(32)?);
            let mut offset = u64::from(get32(42)?);
            let name_start = at + 46;
            let extra_start = name_start + name_len;
            let end = extra_start + extra_len + comment_len;
            let name = bytes.get(name_start..extra_start).ok_or_else(truncated)?;
            let extra = bytes
                .get(extra_start..extra_start + extra_len)
                .ok_or_else(truncated)?;
            // ZIP64 extra field: the 64-bit values of the fields set to all ones.
            let mut pos = 0;
            while let (Some(id), Some(len)) = (le16(extra, pos), le16(extra, pos + 2)) {
                let data = extra
                    .get(pos + 4..pos + 4 + usize::from(len))
                    .unwrap_or(&[]);
                if id == 1 {
                    let mut next = 0;
                    for field in [&mut size, &mut compressed, &mut offset] {
                        if *field == 0xFFFF_FFFF {
                            *field = le64(data, next).ok_or_else(truncated)?;
                            next += 8;
                        }
                    }
                }
                pos += 4 + usize::from(len);
            }
            entries.push(Entry {
                name,
                flags,
                method,
                crc,
                compressed: to_usize(compressed).ok_or_else(truncated)?,
                size: to_usize(size).ok_or_else(truncated)?,
                offset: to_usize(offset).ok_or_else(truncated)?,
            });
            at = end;
        }
        Ok(Zip { bytes, entries })
    }

    /// The entry named `name`: exactly, else ignoring ASCII case and taking
    /// `\` for `/` (part names are case-insensitive).
    fn find(&self, name: &str) -> Option<&Entry<'a>> {
        let want = name.as_bytes();
        self.entries.iter().find(|e| e.name == want).or_else(|| {
            let norm = |b: &u8| {
                if *b == b'\\' {
                    b'/'
                } else {
                    b.to_ascii_lowercase()
                }
            };
            self.entries.iter().find(|e| {
                e.name.len() == want.len() && e.name.iter().map(norm).eq(want.iter().map(norm))
            })
        })
    }

    /// The unpacked bytes of the part `name`, `None` if there is no such entry.
    fn read_part(&self, name: &str, budget: &mut Budget) -> Result<Option<Vec<u8>>> {
        let Some(entry) = self.find(name) else {
            return Ok(None);
        };
        let damaged_entry =
            |what: &str| bad(format!("the workbook is damaged: {what}"), Some(name), None);
        if entry.flags & 1 != 0 {
            return Err(bad(
                "the workbook is encrypted; save it without a password",
                Some(name),
                None,
            ));
        }
        if entry.method != 0 && entry.method != 8 {
            return Err(bad(
                format!(
                    "unsupported compression method {} (only stored and DEFLATE are read); \
                     save the workbook again from a spreadsheet program",
                    entry.method
                ),
                Some(name),
                None,
            ));
        }
        if entry.size > budget.unpacked {
            return Err(bad(
                format!(
                    "the workbook is too large: its parts unpack to more than {} MiB",
                    MAX_UNPACKED >> 20
                ),
                Some(name),
                Some(&entry.size.to_string()),
            ));
        }
        let bytes = self.bytes;
        if le32(bytes, entry.offset) != Some(LOCAL_HEADER) {
            return Err(damaged_entry("its zip entry header is missing"));
        }
        let header = |off: usize| {
            le16(bytes, entry.offset + off)
                .map(usize::from)
                .ok_or_else(|| damaged_entry("its zip entry header is cut short"))
        };
        let start = entry.offset + 30 + header(26)? + header(28)?;
        let data = start
            .checked_add(entry.compressed)
            .and_then(|end| bytes.get(start..end))
            .ok_or_else(|| damaged_entry("its compressed data runs past the end of the file"))?;
        let unpacked = if entry.method == 0 {
            if data.len() != entry.size {
                return Err(damaged_entry("its stored size does not match"));
            }
            data.to_vec()
        } else {
            if data.is_empty() {
                return Err(damaged_entry("its compressed data is empty"));
            }
            // Inflates at most the declared size, which is within the budget:
            // more output is an error, found while inflating.
            let out = miniz_oxide::inflate::decompress_to_vec_with_limit(data, entry.size)
                .map_err(|_| {
                    damaged_entry("its compressed data is corrupt or longer than declared")
                })?;
            if out.len() != entry.size {
                return Err(damaged_entry("it unpacks to fewer bytes than declared"));
            }
            out
        };
        if crc32(&unpacked) != entry.crc {
            return Err(damaged_entry("its checksum (CRC-32) does not match"));
        }
        budget.unpacked -= entry.size;
        Ok(Some(unpacked))
    }
}

/// The CRC-32 (IEEE) lookup table, built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// The CRC-32 that zip files use.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

// ---------------------------------------------------------------------------
// XML parts

/// A pull parser over one part, with errors that name the part.
struct Xml<'a> {
    reader: Reader<&'a [u8]>,
    part: &'a str,
}

impl<'a> Xml<'a> {
    fn new(xml: &'a [u8], part: &'a str) -> Result<Self> {
        if xml.starts_with(b"\xFF\xFE") || xml.starts_with(b"\xFE\xFF") {
            return Err(bad(
                "the part is UTF-16 encoded, which is not supported; save the workbook again",
                Some(part),
                None,
            ));
        }
        let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
        Ok(Xml {
            reader: Reader::from_reader(xml),
            part,
        })
    }

    fn malformed(&self, what: &str, at: u64) -> Error {
        bad(
            format!("the XML is malformed at byte offset {at}: {what}"),
            Some(self.part),
            None,
        )
    }

    fn not_utf8(&self, at: u64) -> Error {
        self.malformed("the text is not valid UTF-8", at)
    }

    fn next(&mut self) -> Result<Event<'a>> {
        self.reader
            .read_event()
            .map_err(|e| self.malformed(xml_error_words(&e), self.reader.error_position()))
    }

    /// The value of the attribute named `key` (a qualified name as written,
    /// or, for `key` of the form `:local`, any prefixed name with that local part).
    fn attr(&self, e: &BytesStart<'_>, key: &str) -> Result<Option<String>> {
        let pos = self.reader.buffer_position();
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|_| self.malformed("an attribute is malformed", pos))?;
            let name = a.key;
            let hit = match key.strip_prefix(':') {
                Some(local) => {
                    name.prefix().is_some() && name.local_name().as_ref() == local.as_bytes()
                }
                None => name.as_ref() == key.as_bytes(),
            };
            if hit {
                // Values we read (references, ids, paths, sheet names) hold no
                // line breaks, so entities are all there is to decode.
                let raw = std::str::from_utf8(&a.value).map_err(|_| self.not_utf8(pos))?;
                let value = quick_xml::escape::unescape(raw).map_err(|_| {
                    self.malformed("a character or entity reference is not valid", pos)
                })?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }

    /// Appends the text of a text, CDATA or entity event to `out`.
    fn text(&self, event: &Event<'_>, out: &mut String) -> Result<()> {
        let pos = self.reader.buffer_position();
        match event {
            Event::Text(t) => out.push_str(&t.xml10_content().map_err(|_| self.not_utf8(pos))?),
            Event::CData(t) => out.push_str(&t.xml10_content().map_err(|_| self.not_utf8(pos))?),
            Event::GeneralRef(r) => {
                if let Some(c) = r
                    .resolve_char_ref()
                    .map_err(|e| self.malformed(xml_error_words(&e), pos))?
                {
                    out.push(c);
                } else {
                    let name = r.decode().map_err(|_| self.not_utf8(pos))?;
                    match name.as_ref() {
                        "lt" => out.push('<'),
                        "gt" => out.push('>'),
                        "amp" => out.push('&'),
                        "apos" => out.push('\''),
                        "quot" => out.push('"'),
                        other => {
                            return Err(self.malformed(&format!("unknown entity &{other};"), pos));
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// What a quick-xml error means, in plain words (its own messages are left
/// out of the WebAssembly build, which they would grow by some 8 KB).
fn xml_error_words(e: &quick_xml::Error) -> &'static str {
    match e {
        quick_xml::Error::Syntax(_) => "a tag, comment or CDATA section is not closed",
        quick_xml::Error::IllFormed(_) => "the tags do not match or do not nest",
        quick_xml::Error::InvalidAttr(_) => "an attribute is malformed",
        quick_xml::Error::Encoding(_) => "the text is not valid UTF-8",
        quick_xml::Error::Escape(_) => "a character or entity reference is not valid",
        _ => "it is not well-formed XML",
    }
}

/// One relationship of a `.rels` part.
struct Rel {
    id: String,
    kind: String,
    target: String,
}

fn read_rels(xml: &[u8], part: &str) -> Result<Vec<Rel>> {
    let mut x = Xml::new(xml, part)?;
    let mut rels = Vec::new();
    loop {
        match x.next()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                if x.attr(&e, "TargetMode")?.as_deref() == Some("External") {
                    continue;
                }
                if let (Some(id), Some(kind), Some(target)) = (
                    x.attr(&e, "Id")?,
                    x.attr(&e, "Type")?,
                    x.attr(&e, "Target")?,
                ) {
                    rels.push(Rel { id, kind, target });
                }
            }
            Event::Eof => return Ok(rels),
            _ => {}
        }
    }
}

/// The workbook's sheets in tab order: name and relationship id.
fn read_workbook(xml: &[u8], part: &str) -> Result<Vec<(String, String)>> {
    let mut x = Xml::new(xml, part)?;
    let mut sheets = Vec::new();
    let mut root = None;
    loop {
        match x.next()? {
            Event::Start(e) | Event::Empty(e) => {
                let local = e.local_name();
                if root.is_none() {
                    root = Some(local.as_ref().to_vec());
                    if local.as_ref() != b"workbook" {
                        return Err(damaged(format!(
                            "this is not an .xlsx workbook: its main part {part} is not a \
                             spreadsheet (a Word or PowerPoint file?)"
                        )));
                    }
                } else if local.as_ref() == b"sheet" {
                    let name = x.attr(&e, "name")?.unwrap_or_default();
                    if let Some(id) = x.attr(&e, ":id")? {
                        sheets.push((name, id));
                    }
                }
            }
            Event::Eof => return Ok(sheets),
            _ => {}
        }
    }
}

/// The text of a shared string or inline string: the `<t>` elements, outside
/// phonetic runs (`<rPh>`), joined.
#[derive(Default)]
struct RichText {
    text: String,
    phonetic: usize,
    t: Option<String>,
}

impl RichText {
    fn start(&mut self, local: &[u8]) {
        match local {
            b"rPh" => self.phonetic += 1,
            b"t" if self.phonetic == 0 => self.t = Some(String::new()),
            _ => {}
        }
    }

    fn end(&mut self, local: &[u8]) {
        match local {
            b"rPh" => self.phonetic = self.phonetic.saturating_sub(1),
            b"t" => {
                if let Some(t) = self.t.take() {
                    self.text.push_str(&unescape_x(&t));
                }
            }
            _ => {}
        }
    }
}

fn read_shared_strings(xml: &[u8], part: &str, budget: &mut Budget) -> Result<Vec<String>> {
    let mut x = Xml::new(xml, part)?;
    let mut strings = Vec::new();
    let mut si: Option<RichText> = None;
    loop {
        let event = x.next()?;
        match &event {
            Event::Start(e) => match (&mut si, e.local_name().as_ref()) {
                (None, b"si") => si = Some(RichText::default()),
                (Some(rich), local) => rich.start(local),
                _ => {}
            },
            Event::Empty(e) => match (&mut si, e.local_name().as_ref()) {
                (None, b"si") => {
                    budget.spend_cells(size_of::<String>(), part)?;
                    strings.push(String::new());
                }
                (Some(rich), local) => {
                    rich.start(local);
                    rich.end(local);
                }
                _ => {}
            },
            Event::End(e) => match (&mut si, e.local_name().as_ref()) {
                (Some(_), b"si") => {
                    let text = si.take().map(|r| r.text).unwrap_or_default();
                    budget.spend_cells(size_of::<String>() + text.len(), part)?;
                    strings.push(text);
                }
                (Some(rich), local) => rich.end(local),
                _ => {}
            },
            Event::Eof => return Ok(strings),
            _ => {
                if let Some(t) = si.as_mut().and_then(|r| r.t.as_mut()) {
                    x.text(&event, t)?;
                }
            }
        }
    }
}

/// Decodes Excel's `_xHHHH_` escapes (how it writes control characters; a
/// literal `_x0041_` is written `_x005F_x0041_`).
fn unescape_x(s: &str) -> Cow<'_, str> {
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let decoded = from
            .get(2..6)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter(|_| from.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = from.get(7..).unwrap_or("");
            }
            None => {
                out.push('_');
                rest = from.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// How a cell's value is stored (the `t` attribute).
#[derive(Clone, Copy, PartialEq)]
enum CellType {
    Number,
    Shared,
    Inline,
    Str,
    Bool,
    Other,
}

/// A cell being read.
struct OpenCell {
    column: usize,
    reference: String,
    kind: CellType,
    v: Option<String>,
    inline: Option<RichText>,
    in_v: bool,
}

/// A row being read.
struct OpenRow {
    number: usize,
    cells: Vec<String>,
    last_column: usize,
}

fn read_sheet(
    xml: &[u8],
    part: &str,
    sheet_name: &str,
    shared: &[String],
    budget: &mut Budget,
) -> Result<Vec<(usize, Vec<String>)>> {
    let sheet = sheet_ref(sheet_name);
    let cell_field = |reference: &str| format!("{sheet}!{reference}");
    let mut x = Xml::new(xml, part)?;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut root_seen = false;
    let mut in_data = false;
    let mut last_row = 0;
    let mut row: Option<OpenRow> = None;
    let mut cell: Option<OpenCell> = None;
    loop {
        let event = x.next()?;
        let (e, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                if let Some(c) = cell.as_mut() {
                    if c.in_v && local == b"v" {
                        c.in_v = false;
                        continue;
                    }
                    if local != b"c" {
                        if let Some(rich) = c.inline.as_mut() {
                            rich.end(local);
                        }
                        continue;
                    }
                }
                match local {
                    b"c" => {
                        if let (Some(c), Some(r)) = (cell.take(), row.as_mut()) {
                            let value = cell_text(c, shared, &cell_field)?;
                            place(r, value, budget, &sheet)?;
                        }
                    }
                    b"row" => {
                        if let Some(r) = row.take() {
                            if !r.cells.is_empty() {
                                budget.spend_cells(size_of::<(usize, Vec<String>)>(), &sheet)?;
                                rows.push((r.number, r.cells));
                            }
                        }
                    }
                    b"sheetData" => break,
                    _ => {}
                }
                continue;
            }
            Event::Eof => {
                if in_data {
                    return Err(bad(
                        "the worksheet's XML ends early, inside the cells (the file is cut short)",
                        Some(part),
                        None,
                    ));
                }
                break;
            }
            _ => {
                if let Some(c) = cell.as_mut() {
                    if c.in_v {
                        if let Some(v) = c.v.as_mut() {
                            x.text(&event, v)?;
                        }
                    } else if let Some(t) = c.inline.as_mut().and_then(|r| r.t.as_mut()) {
                        x.text(&event, t)?;
                    }
                }
                continue;
            }
        };
        let local = e.local_name();
        let local = local.as_ref();
        if !root_seen {
            root_seen = true;
            if local != b"worksheet" {
                return Err(bad(
                    "the first sheet's part is not a worksheet",
                    Some(part),
                    None,
                ));
            }
            continue;
        }
        if let Some(c) = cell.as_mut() {
            match (local, c.inline.as_mut()) {
                (b"v", None) => {
                    c.v = Some(String::new());
                    c.in_v = !empty;
                }
                (b"is", None) if !empty => c.inline = Some(RichText::default()),
                (_, Some(rich)) => {
                    rich.start(local);
                    if empty {
                        rich.end(local);
                    }
                }
                _ => {}
            }
            continue;
        }
        match local {
            b"sheetData" if !in_data => in_data = !empty,
            b"row" if in_data && row.is_none() => {
                let number = match x.attr(e, "r")? {
                    Some(text) => parse_row_number(&text).ok_or_else(|| {
                        bad(
                            format!("row number {text:?} is not valid (rows are 1 to {MAX_ROWS})"),
                            Some(&sheet),
                            Some(&text),
                        )
                    })?,
                    None => last_row + 1,
                };
                if number > MAX_ROWS {
                    return Err(bad(
                        format!("the worksheet has more than {MAX_ROWS} rows"),
                        Some(&sheet),
                        None,
                    ));
                }
                last_row = number;
                if !empty {
                    row = Some(OpenRow {
                        number,
                        cells: Vec::new(),
                        last_column: 0,
                    });
                }
            }
            b"c" => {
                let Some(r) = row.as_mut() else {
                    continue;
                };
                let (column, reference) = match x.attr(e, "r")? {
                    Some(text) => {
                        let (column, row_number) = parse_cell_ref(&text).map_err(|why| {
                            bad(
                                format!("cell reference {text:?} is not valid: {why}"),
                                Some(&cell_field(&text)),
                                Some(&text),
                            )
                        })?;
                        if row_number != r.number {
                            return Err(bad(
                                format!("cell {text} is inside row {}", r.number),
                                Some(&cell_field(&text)),
                                Some(&text),
                            ));
                        }
                        (column, text)
                    }
                    None => {
                        let column = r.last_column + 1;
                        if column > MAX_COLUMNS {
                            return Err(bad(
                                format!("row {} has more than {MAX_COLUMNS} cells", r.number),
                                Some(&sheet),
                                None,
                            ));
                        }
                        (column, format!("{}{}", column_name(column), r.number))
                    }
                };
                if column <= r.last_column {
                    return Err(bad(
                        format!(
                            "cell {reference} comes after {}{} in its row: \
                             cells are out of order or repeated",
                            column_name(r.last_column),
                            r.number
                        ),
                        Some(&cell_field(&reference)),
                        None,
                    ));
                }
                let kind = match x.attr(e, "t")?.as_deref() {
                    None | Some("n") => CellType::Number,
                    Some("s") => CellType::Shared,
                    Some("inlineStr") => CellType::Inline,
                    Some("str") => CellType::Str,
                    Some("b") => CellType::Bool,
                    Some(_) => CellType::Other,
                };
                let open = OpenCell {
                    column,
                    reference,
                    kind,
                    v: None,
                    inline: None,
                    in_v: false,
                };
                if empty {
                    let value = cell_text(open, shared, &cell_field)?;
                    place(r, value, budget, &sheet)?;
                } else {
                    cell = Some(open);
                }
            }
            _ => {}
        }
    }
    if !rows.windows(2).all(|w| w[0].0 < w[1].0) {
        rows.sort_unstable_by_key(|(number, _)| *number);
        if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(bad(
                format!("row {} appears twice", w[0].0),
                Some(&sheet),
                None,
            ));
        }
    }
    Ok(rows)
}

/// Puts a cell's text in its column of the row, filling a gap with empty text.
fn place(
    row: &mut OpenRow,
    (column, value): (usize, String),
    budget: &mut Budget,
    sheet: &str,
) -> Result<()> {
    row.last_column = column;
    if value.is_empty() {
        return Ok(());
    }
    let gap = (column - 1).saturating_sub(row.cells.len());
    budget.spend_cells((gap + 1) * size_of::<String>() + value.len(), sheet)?;
    row.cells.resize(column - 1, String::new());
    row.cells.push(value);
    Ok(())
}

/// A finished cell's column and text.
fn cell_text(
    cell: OpenCell,
    shared: &[String],
    cell_field: &dyn Fn(&str) -> String,
) -> Result<(usize, String)> {
    let OpenCell {
        column,
        reference,
        kind,
        v,
        inline,
        ..
    } = cell;
    let inline = inline.map(|r| r.text);
    let text = match kind {
        CellType::Shared if v.is_none() => String::new(),
        CellType::Shared => {
            let v = v.unwrap_or_default();
            let index = v.trim();
            match index.parse::<usize>().ok().and_then(|i| shared.get(i)) {
                Some(s) => s.clone(),
                None => {
                    return Err(bad(
                        format!(
                            "the cell refers to shared string {index:?}, but the workbook has {} \
                             shared strings",
                            shared.len()
                        ),
                        Some(&cell_field(&reference)),
                        Some(index),
                    ))
                }
            }
        }
        CellType::Inline => inline.or(v).unwrap_or_default(),
        CellType::Bool => match v.as_deref().map(str::trim) {
            Some("1") => "TRUE".to_string(),
            Some("0") => "FALSE".to_string(),
            _ => v.unwrap_or_default(),
        },
        CellType::Number => match v {
            Some(v) => number_text(v),
            None => inline.unwrap_or_default(),
        },
        CellType::Str | CellType::Other => v.or(inline).unwrap_or_default(),
    };
    Ok((column, text))
}

/// A number's text as written, but `7` for `7.0`, and an exponent form
/// written out (`0.001` for `1E-3`, `150` for `1.5E+2`) when that gives at
/// most 15 digits before the point and 5 zeros after it. Works on the digits, so
/// nothing is rounded.
fn number_text(v: String) -> String {
    let t = v.trim();
    let (sign, rest) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t),
    };
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (rest, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let has_dot = mantissa.contains('.');
    if whole.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || (has_dot && fraction.is_empty())
    {
        return v;
    }
    let Some(exponent) = exponent else {
        if has_dot && fraction.bytes().all(|b| b == b'0') {
            return format!("{sign}{whole}");
        }
        return if t.len() == v.len() { v } else { t.to_string() };
    };
    let exp_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let Some(exp) = (!exp_digits.is_empty() && exp_digits.len() <= 3 && all_digits(exp_digits))
        .then(|| exp_digits.parse::<i64>().ok())
        .flatten()
        .map(|e| if exponent.starts_with('-') { -e } else { e })
    else {
        return v;
    };
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0');
    let point = whole.len() as i64 + exp - (digits.len() - significant.len()) as i64;
    let significant = significant.trim_end_matches('0');
    if significant.is_empty() {
        return format!("{sign}0");
    }
    if !(-5..=15).contains(&point) {
        return v;
    }
    let len = significant.len() as i64;
    let text = if point <= 0 {
        format!(
            "0.{}{significant}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    } else if point >= len {
        format!("{significant}{}", "0".repeat((point - len) as usize))
    } else {
        let (int, frac) = significant.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{text}")
}

fn parse_row_number(text: &str) -> Option<usize> {
    let mut n: usize = 0;
    if text.is_empty() {
        return None;
    }
    for b in text.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(usize::from(b - b'0'))?;
        if n > MAX_ROWS {
            return Some(MAX_ROWS + 1);
        }
    }
    (n > 0).then_some(n)
}

/// A cell reference's 1-based column and row, or why it is not valid.
fn parse_cell_ref(text: &str) -> std::result::Result<(usize, usize), String> {
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    let digits = text.get(letters..).unwrap_or("");
    if letters == 0 {
        return Err("it has no column letters".into());
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("it must be column letters then a row number, like C5".into());
    }
    let column = text.bytes().take(letters.min(4)).fold(0usize, |n, b| {
        n * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    if letters > 3 || column > MAX_COLUMNS {
        return Err(format!(
            "the column is past {}, the last column",
            column_name(MAX_COLUMNS)
        ));
    }
    match parse_row_number(digits) {
        None => Err("row 0 does not exist (rows start at 1)".into()),
        Some(row) if row > MAX_ROWS => Err(format!("the row is past {MAX_ROWS}, the last row")),
        Some(row) => Ok((column, row)),
    }
}

/// The letters of a 1-based column: 1 is `A`, 27 is `AA`.
fn column_name(mut column: usize) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        column = (column - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A sheet name as Excel writes it in a reference: quoted unless plain.
fn sheet_ref(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// The directory (without the final `/`) and file name of a part path.
fn split_path(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// The part path that `target`, relative to the directory `dir`, names.
fn resolve(dir: &str, target: &str) -> String {
    let (base, target) = match target.strip_prefix('/') {
        Some(absolute) => ("", absolute),
        None => (dir, target),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in base.split('/').chain(target.split('/')) {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

// ---------------------------------------------------------------------------
// Writing

const SML: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Writes a workbook with these sheets, the first one active (an empty list
/// gives one empty sheet). Text goes in a shared strings table, numbers are
/// numbers. The zip archive is not ZIP64, so the workbook must stay under 4 GiB.
pub fn write(sheets: &[Sheet]) -> Vec<u8> {
    let empty = [Sheet {
        name: String::new(),
        rows: Vec::new(),
    }];
    let sheets = if sheets.is_empty() {
        &empty[..]
    } else {
        sheets
    };
    let names = sheet_names(sheets);

    let mut strings: Vec<&str> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut string_refs = 0usize;
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for (n, sheet) in sheets.iter().enumerate() {
        let mut xml = String::new();
        let _ = write!(
            xml,
            "{XML_DECL}<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheetViews>\
             <sheetView workbookViewId=\"0\"{}/></sheetViews><sheetData>",
            if n == 0 { " tabSelected=\"1\"" } else { "" }
        );
        for (r, cells) in sheet.rows.iter().take(MAX_ROWS).enumerate() {
            let mut opened = false;
            for (c, cell) in cells.iter().take(MAX_COLUMNS).enumerate() {
                if matches!(cell, Cell::Empty) || matches!(cell, Cell::Text(t) if t.is_empty()) {
                    continue;
                }
                if !opened {
                    let _ = write!(xml, "<row r=\"{}\">", r + 1);
                    opened = true;
                }
                let reference = format!("{}{}", column_name(c + 1), r + 1);
                match cell {
                    Cell::Text(t) => {
                        let next = strings.len();
                        let i = *index.entry(t.as_str()).or_insert(next);
                        if i == next {
                            strings.push(t);
                        }
                        string_refs += 1;
                        let _ = write!(xml, "<c r=\"{reference}\" t=\"s\"><v>{i}</v></c>");
                    }
                    Cell::Number(v) if v.is_finite() => {
                        let _ =
                            write!(xml, "<c r=\"{reference}\"><v>{}</v></c>", format_number(*v));
                    }
                    _ => {
                        let _ = write!(xml, "<c r=\"{reference}\" t=\"e\"><v>#NUM!</v></c>");
                    }
                }
            }
            if opened {
                xml.push_str("</row>");
            }
        }
        xml.push_str("</sheetData></worksheet>");
        parts.push((
            format!("xl/worksheets/sheet{}.xml", n + 1),
            xml.into_bytes(),
        ));
    }

    let mut content_types = format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" \
         ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" \
         ContentType=\"{SML}.sheet.main+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" \
         ContentType=\"{SML}.styles+xml\"/>"
    );
    let mut workbook = format!(
        "{XML_DECL}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><bookViews>\
         <workbookView activeTab=\"0\"/></bookViews><sheets>"
    );
    let mut workbook_rels = format!("{XML_DECL}<Relationships xmlns=\"{PKG_REL_NS}\">");
    for (n, name) in names.iter().enumerate() {
        let n = n + 1;
        let _ = write!(
            content_types,
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" \
             ContentType=\"{SML}.worksheet+xml\"/>"
        );
        workbook.push_str("<sheet name=\"");
        escape(&mut workbook, name, true);
        let _ = write!(workbook, "\" sheetId=\"{n}\" r:id=\"rId{n}\"/>");
        let _ = write!(
            workbook_rels,
            "<Relationship Id=\"rId{n}\" Type=\"{REL_NS}/worksheet\" \
             Target=\"worksheets/sheet{n}.xml\"/>"
        );
    }
    workbook.push_str("</sheets></workbook>");
    let styles_id = names.len() + 1;
    let _ = write!(
        workbook_rels,
        "<Relationship Id=\"rId{styles_id}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/>"
    );
    if !strings.is_empty() {
        let _ = write!(
            content_types,
            "<Override PartName=\"/xl/sharedStrings.xml\" \
             ContentType=\"{SML}.sharedStrings+xml\"/>"
        );
        let _ = write!(
            workbook_rels,
            "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/sharedStrings\" \
             Target=\"sharedStrings.xml\"/>",
            styles_id + 1
        );
        let mut sst = format!(
            "{XML_DECL}<sst xmlns=\"{MAIN_NS}\" count=\"{string_refs}\" uniqueCount=\"{}\">",
            strings.len()
        );
        for s in &strings {
            sst.push_str("<si><t xml:space=\"preserve\">");
            escape(&mut sst, s, false);
            sst.push_str("</t></si>");
        }
        sst.push_str("</sst>");
        parts.push(("xl/sharedStrings.xml".into(), sst.into_bytes()));
    }
    content_types.push_str("</Types>");
    workbook_rels.push_str("</Relationships>");
    let styles = format!(
        "{XML_DECL}<styleSheet xmlns=\"{MAIN_NS}\">\
         <fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>\
         </font></fonts>\
         <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>\
         <fill><patternFill patternType=\"gray125\"/></fill></fills>\
         <borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
         <cellStyleXfs count=\"1\">\
         <xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
         <cellXfs count=\"1\">\
         <xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/></cellXfs>\
         <cellStyles count=\"1\">\
         <cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
         </styleSheet>"
    );
    let package_rels = format!(
        "{XML_DECL}<Relationships xmlns=\"{PKG_REL_NS}\"><Relationship Id=\"rId1\" \
         Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    );

    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), content_types.into_bytes()),
        ("_rels/.rels".into(), package_rels.into_bytes()),
        ("xl/workbook.xml".into(), workbook.into_bytes()),
        (
            "xl/_rels/workbook.xml.rels".into(),
            workbook_rels.into_bytes(),
        ),
        ("xl/styles.xml".into(), styles.into_bytes()),
    ];
    entries.extend(parts);
    zip(&entries)
}

/// A number as `<v>` text: plain decimal unless very large or small.
fn format_number(v: f64) -> String {
    if v == 0.0 || (1e-5..1e15).contains(&v.abs()) {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

/// Appends `s` to `out` escaped for XML text (or an attribute value), with the
/// characters XML cannot hold written as Excel does, `_xHHHH_`.
fn escape(out: &mut String, s: &str, attribute: bool) {
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '_' if !attribute && rest.len() >= 7 && looks_escaped(rest) => out.push_str("_x005F_"),
            '\t' | '\n' if !attribute => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                if !attribute {
                    let _ = write!(out, "_x{:04X}_", c as u32);
                }
            }
            c => out.push(c),
        }
        rest = rest.get(len..).unwrap_or("");
    }
}

/// Whether `s` starts with `_xHHHH_`, which the reader would decode.
fn looks_escaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 7
        && b.starts_with(b"_x")
        && b.get(2..6)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        && b.get(6) == Some(&b'_')
}

/// Sheet names valid for Excel: at most 31 UTF-16 units, none of `[]:*?/\`
/// or control characters, not starting or ending with `'`, not `History`,
/// unique ignoring case.
fn sheet_names(sheets: &[Sheet]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    let mut names = Vec::new();
    for (n, sheet) in sheets.iter().enumerate() {
        let cleaned: String = sheet
            .name
            .chars()
            .map(|c| match c {
                '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
                c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => '_',
                c => c,
            })
            .collect();
        let cleaned = cleaned.trim_matches('\'');
        let base = if cleaned.trim().is_empty() || cleaned.eq_ignore_ascii_case("history") {
            format!("Sheet{}", n + 1)
        } else {
            cleaned.to_string()
        };
        let mut k = 1;
        let mut name = truncate_utf16(&base, 31);
        while taken.contains(&name.to_lowercase()) {
            k += 1;
            let suffix = format!(" ({k})");
            name = truncate_utf16(&base, 31 - suffix.len()) + &suffix;
        }
        taken.push(name.to_lowercase());
        names.push(name);
    }
    names
}

fn truncate_utf16(s: &str, max: usize) -> String {
    let mut units = 0;
    let mut out = String::new();
    for c in s.chars() {
        units += c.len_utf16();
        if units > max {
            break;
        }
        out.push(c);
    }
    // A name cut short must not end with an apostrophe either.
    out.trim_end_matches('\'').to_string()
}

/// A zip archive of `entries`, each DEFLATE-compressed, with fixed timestamps
/// so that the same sheets always give the same bytes.
fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    const DOS_DATE_1980_01_01: u16 = (1 << 5) | 1;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let compressed = miniz_oxide::deflate::compress_to_vec(data, 6);
        let crc = crc32(data);
        let offset = out.len() as u32;
        let mut common = Vec::with_capacity(26);
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        common.extend_from_slice(&0u16.to_le_bytes()); // flags
        common.extend_from_slice(&8u16.to_le_bytes()); // DEFLATE
        common.extend_from_slice(&0u16.to_le_bytes()); // time
        common.extend_from_slice(&DOS_DATE_1980_01_01.to_le_bytes());
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(compressed.len() as u32).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra length

        out.extend_from_slice(&LOCAL_HEADER.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&compressed);

        central.extend_from_slice(&CENTRAL_HEADER.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&common);
        central.extend_from_slice(&[0; 10]); // comment length, disk, attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let dir_offset = out.len() as u32;
    let count = entries.len() as u16;
    out.extend_from_slice(&central);
    out.extend_from_slice(&END_OF_CENTRAL_DIR.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn cell_references() {
        assert_eq!(parse_cell_ref("A1"), Ok((1, 1)));
        assert_eq!(parse_cell_ref("c5"), Ok((3, 5)));
        assert_eq!(parse_cell_ref("AA10"), Ok((27, 10)));
        assert_eq!(parse_cell_ref("XFD1048576"), Ok((MAX_COLUMNS, MAX_ROWS)));
        for bad in [
            "B0",
            "XFE1",
            "XFD1048577",
            "AAAA1",
            "ZZZZZZZZZZZZZZZZZZZZ1",
            "A",
            "1",
            "",
        ] {
            assert!(parse_cell_ref(bad).is_err(), "{bad}");
        }
        assert!(parse_cell_ref("A99999999999999999999999999").is_err());
        assert!(parse_cell_ref("$A$1").is_err());
        assert!(parse_cell_ref("A1x").is_err());
        assert!(parse_cell_ref("É1").is_err());
    }

    #[test]
    fn column_names() {
        for (n, name) in [
            (1, "A"),
            (26, "Z"),
            (27, "AA"),
            (52, "AZ"),
            (703, "AAA"),
            (16_384, "XFD"),
        ] {
            assert_eq!(column_name(n), name);
            assert_eq!(parse_cell_ref(&format!("{name}1")), Ok((n, 1)));
        }
    }

    #[test]
    fn numbers_as_written() {
        for (v, want) in [
            ("7", "7"),
            ("7.0", "7"),
            ("-3.000", "-3"),
            ("7.5", "7.5"),
            ("7.50", "7.50"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("1E-3", "0.001"),
            ("1.5E+2", "150"),
            ("1E+20", "1E+20"),
            ("1e14", "100000000000000"),
            ("1e15", "1e15"),
            ("-2.50e-1", "-0.25"),
            ("0.0E+0", "0"),
            ("00012.3400E1", "123.4"),
            ("1.5E+", "1.5E+"),
            ("1E9999", "1E9999"),
            ("1.E2", "1.E2"),
            (" 7 ", "7"),
            ("-", "-"),
            ("1.2345678901234E-7", "1.2345678901234E-7"),
            ("abc", "abc"),
            ("", ""),
        ] {
            assert_eq!(number_text(v.to_string()), want, "{v}");
        }
        for v in [0.0, 10.0, 7.5, -2.25, 1e20, 1e-7, 123456789.125] {
            let written = format_number(v);
            assert_eq!(written.parse::<f64>(), Ok(v), "{written}");
        }
    }

    #[test]
    fn x_escapes() {
        assert_eq!(unescape_x("a_x000D_b"), "a\rb");
        assert_eq!(unescape_x("_x005F_x0041_"), "_x0041_");
        assert_eq!(unescape_x("_x12_ _xZZZZ_ _x"), "_x12_ _xZZZZ_ _x");
        assert_eq!(unescape_x("_xD800_"), "_xD800_");
        let mut out = String::new();
        escape(&mut out, "a\rb\u{1}_x0041_<&>\"\t", false);
        assert_eq!(out, "a_x000D_b_x0001__x005F_x0041_&lt;&amp;&gt;\"\t");
        assert_eq!(unescape_x(&out), "a\rb\u{1}_x0041_&lt;&amp;&gt;\"\t");
    }

    #[test]
    fn sheet_names_follow_excel_rules() {
        let sheet = |name: &str| Sheet {
            name: name.to_string(),
            rows: Vec::new(),
        };
        let names = sheet_names(&[
            sheet("a[b]:c*d?e/f\\g"),
            sheet(""),
            sheet("Data"),
            sheet("DATA"),
            sheet(&"x".repeat(40)),
            sheet(&"x".repeat(40)),
            sheet("'quoted'"),
            sheet("History"),
            sheet(&"满".repeat(40)),
        ]);
        assert_eq!(names[0], "a_b__c_d_e_f_g");
        assert_eq!(names[1], "Sheet2");
        assert_eq!(names[2], "Data");
        assert_eq!(names[3], "DATA (2)");
        assert_eq!(names[4], "x".repeat(31));
        assert_eq!(names[5], format!("{} (2)", "x".repeat(27)));
        assert_eq!(names[6], "quoted");
        assert_eq!(names[7], "Sheet8");
        assert_eq!(names[8], "满".repeat(31));
    }

    #[test]
    fn paths_resolve() {
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("xl/a", "../b/./c.xml"), "xl/b/c.xml");
        assert_eq!(resolve("", "../../x.xml"), "x.xml");
    }

    #[test]
    fn round_trip() {
        let rows = vec![
            vec![text("id"), text("note"), Cell::Empty, text("n")],
            vec![
                text("a,b \"q\" <&> x\ny\r\nz"),
                text(" 满意 "),
                Cell::Empty,
                Cell::Number(7.5),
            ],
            vec![],
            vec![
                Cell::Number(0.0),
                Cell::Number(10.0),
                Cell::Empty,
                Cell::Empty,
            ],
            vec![text("_x0041_"), text("\u{1}"), Cell::Number(f64::NAN)],
        ];
        let bytes = write(&[
            Sheet {
                name: "First".into(),
                rows,
            },
            Sheet {
                name: "Second".into(),
                rows: vec![vec![text("other")]],
            },
        ]);
        let read = read_first_sheet(&bytes).expect("reads");
        assert_eq!(
            read,
            vec![
                (1, strings(&["id", "note", "", "n"])),
                (
                    2,
                    strings(&["a,b \"q\" <&> x\ny\r\nz", " 满意 ", "", "7.5"])
                ),
                (4, strings(&["0", "10"])),
                (5, strings(&["_x0041_", "\u{1}", "#NUM!"])),
            ]
        );
    }

    #[test]
    fn empty_workbook() {
        assert_eq!(read_first_sheet(&write(&[])), Ok(vec![]));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = read_first_sheet(b"id,q1\nr1,A\n").expect_err("csv");
        assert_eq!(e.kind(), ErrorKind::Xlsx);
        assert!(e.to_string().contains("not a zip file"), "{e}");
        let e = read_first_sheet(OLE2_MAGIC).expect_err("ole");
        assert!(e.to_string().contains(".xls"), "{e}");
    }
}
