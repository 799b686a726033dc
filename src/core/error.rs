//! The one error type of the core.
//!
//! Every failure a person can cause (a malformed instrument, a bad CSV file, an
//! unknown question id) is an [`Error`]: a kind plus a list of [`Problem`]s, each
//! naming *where* (line, column, field or JSON path) and *what* (the value) went
//! wrong. Imports collect every problem of a file, up to [`MAX_PROBLEMS`], so a
//! person can fix a file in one pass; the total is kept even past the cap.

use std::fmt;

use serde::Serialize;

/// How many problems an error keeps; the rest are only counted.
pub const MAX_PROBLEMS: usize = 100;

/// What kind of input failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// An instrument (questionnaire definition) that cannot be used.
    Instrument,
    /// A CSV file of responses that cannot be imported: nothing was imported.
    Csv,
    /// An .xlsx workbook of responses that cannot be imported: nothing was imported.
    Xlsx,
    /// A backup file that cannot be restored: nothing was restored.
    Backup,
    /// A request that names something that does not exist (a question id, say).
    Request,
    /// A response code or invitation token that is refused: nothing was stored.
    Code,
}

/// What exactly is wrong, machine-readable, so that a page can explain it in
/// the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// The instrument is not valid JSON or does not have the expected shape.
    Json,
    /// The instrument is well-formed JSON but breaks a rule (duplicate ids, …).
    Invalid,
    /// The file has no header row.
    NoHeader,
    /// A required column (`id`, a question id) is not in the header.
    MissingColumn,
    /// Two header cells name the same column.
    DuplicateColumn,
    /// A header cell is empty.
    UnnamedColumn,
    /// A row has more or fewer fields than the header.
    RaggedRow,
    /// A field is not valid UTF-8.
    InvalidUtf8,
    /// A quoted field is never closed.
    UnterminatedQuote,
    /// Text follows the closing quote of a quoted field.
    TextAfterQuote,
    /// The response id is empty.
    EmptyId,
    /// The response id was already used on an earlier line.
    DuplicateId,
    /// A single-choice answer is not one of the question's option letters.
    UnknownOption,
    /// A scale answer is not a whole number.
    NotAnInteger,
    /// A scale answer is a whole number outside the scale.
    OutOfRange,
    /// A file that is not what it claims to be (not an .xlsx workbook, not a
    /// manyi backup), or is damaged.
    Unreadable,
    /// Two responses with the same id and different answers, met while merging.
    Conflict,
    /// A question id or other name that the instrument does not have.
    UnknownName,
    /// A response code or token with characters or a length it cannot have.
    Malformed,
    /// A response code whose check character does not match (mistyped or altered).
    BadChecksum,
    /// A response code of a layout or questionnaire version this device does not read.
    UnknownVersion,
    /// An invitation made with another branch's key.
    ForeignToken,
    /// An invitation whose signature does not verify: altered or forged.
    ForgedToken,
    /// A questionnaire with the id and version of one already held, but other
    /// questions or options: it needs a new version.
    InstrumentChanged,
    /// A questionnaire named by a link that is not a file of this site's
    /// `instruments/` folder (another origin, an absolute path, `..`).
    ForeignSource,
    /// A response code whose answers were changed after the customer's phone
    /// sealed them (its seal does not verify with the invitation's secret).
    BadSeal,
    /// A staff passphrase too short, too long or one character repeated.
    WeakPassphrase,
    /// An encrypted backup that cannot be opened: its envelope is damaged, of
    /// an unknown version, or asks for more key-derivation work than allowed.
    SealedBackup,
}

/// One thing wrong with an input, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What is wrong.
    pub code: ProblemCode,
    /// 1-based line of the file (for a CSV row: the line the record starts on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column: the field number in a CSV row, the character in JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The column's header name in a CSV file, or the JSON path in an instrument.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The offending value, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What was expected instead, language-neutral (the option letters
    /// "A B C", a range "0–10"), so that a translation can say it too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// For a repeated id: the line where it first stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_line: Option<usize>,
    /// A sentence that says what is wrong and, where possible, what was expected.
    pub message: String,
}

impl Problem {
    /// A problem with only a code and a message; add the location with the builders.
    pub fn new(code: ProblemCode, message: impl Into<String>) -> Self {
        Problem {
            code,
            line: None,
            column: None,
            field: None,
            value: None,
            expected: None,
            first_line: None,
            message: message.into(),
        }
    }

    /// Sets the 1-based line.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the 1-based column and the column's name (header cell or JSON path).
    pub fn at_column(mut self, column: usize, field: impl Into<String>) -> Self {
        self.column = Some(column);
        self.field = Some(field.into());
        self
    }

    /// Sets the field name (a header cell or a JSON path) without a column number.
    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets what was expected instead (language-neutral).
    pub fn expecting(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Sets the line where a repeated value first stands.
    pub fn first_at(mut self, line: usize) -> Self {
        self.first_line = Some(line);
        self
    }

    /// Sets the offending value.
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        if let Some(line) = self.line {
            write!(f, "line {line}")?;
            wrote = true;
        }
        match (self.column, &self.field) {
            (Some(c), Some(name)) => {
                write!(f, "{}column {c} ({name})", if wrote { ", " } else { "" })?;
                wrote = true;
            }
            (Some(c), None) => {
                write!(f, "{}column {c}", if wrote { ", " } else { "" })?;
                wrote = true;
            }
            (None, Some(name)) => {
                write!(f, "{}{name}", if wrote { ", " } else { "" })?;
                wrote = true;
            }
            (None, None) => {}
        }
        if let Some(value) = &self.value {
            write!(f, "{}value {value:?}", if wrote { ", " } else { "" })?;
            wrote = true;
        }
        if wrote {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// The error of every fallible operation in the core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    kind: ErrorKind,
    problems: Vec<Problem>,
    total: usize,
}

impl Error {
    /// An error with the problems found (at most [`MAX_PROBLEMS`] are kept) and
    /// the total number found.
    pub fn new(kind: ErrorKind, mut problems: Vec<Problem>, total: usize) -> Self {
        problems.truncate(MAX_PROBLEMS);
        let total = total.max(problems.len());
        Error {
            kind,
            problems,
            total,
        }
    }

    /// An error with exactly one problem.
    pub fn single(kind: ErrorKind, problem: Problem) -> Self {
        Error::new(kind, vec![problem], 1)
    }

    /// The same problems, reported as a failure of another kind of input (a
    /// CSV inside a backup is the backup's failure).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Puts `prefix` before every problem's field (e.g. `sets[1].` for a part
    /// of a larger file), naming the part where there was no field.
    pub fn prefix_fields(&mut self, prefix: &str) {
        for p in &mut self.problems {
            let field = p.field.take().unwrap_or_default();
            p.field = Some(format!("{prefix}{field}").trim_end_matches('.').to_owned());
        }
    }

    /// What kind of input failed.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The problems found, in input order, at most [`MAX_PROBLEMS`].
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// How many problems there were in all, including those past the cap.
    pub fn total(&self) -> usize {
        self.total
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Instrument => "invalid instrument",
            ErrorKind::Csv => "CSV file not imported (nothing was imported)",
            ErrorKind::Xlsx => "workbook not imported (nothing was imported)",
            ErrorKind::Backup => "backup not restored (nothing was restored)",
            ErrorKind::Request => "invalid request",
            ErrorKind::Code => "code refused (nothing was stored)",
        };
        let plural = if self.total == 1 { "" } else { "s" };
        write!(f, "{what}: {} problem{plural}", self.total)?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        let hidden = self.total - self.problems.len();
        if hidden > 0 {
            write!(f, "\n  … and {hidden} more")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_place_and_value() {
        let p = Problem::new(ProblemCode::UnknownOption, "not an option of q3 (A–E)")
            .at_line(7)
            .at_column(5, "q3")
            .with_value("Z");
        assert_eq!(
            p.to_string(),
            r#"line 7, column 5 (q3), value "Z": not an option of q3 (A–E)"#
        );
    }

    #[test]
    fn cap_keeps_total() {
        let many: Vec<_> = (0..150)
            .map(|i| Problem::new(ProblemCode::EmptyId, "empty").at_line(i + 2))
            .collect();
        let e = Error::new(ErrorKind::Csv, many, 150);
        assert_eq!(e.problems().len(), MAX_PROBLEMS);
        assert_eq!(e.total(), 150);
        assert!(e.to_string().ends_with("… and 50 more"));
        assert!(e
            .to_string()
            .starts_with("CSV file not imported (nothing was imported): 150 problems"));
    }
}
