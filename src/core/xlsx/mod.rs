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

mod parts;
mod read;
mod write;
mod zip;

pub use read::read_first_sheet;
pub use write::write;

use crate::error::{Error, ErrorKind, Problem, ProblemCode};

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
pub(super) fn bad(message: impl Into<String>, field: Option<&str>, value: Option<&str>) -> Error {
    let mut problem = Problem::new(ProblemCode::Unreadable, message);
    if let Some(field) = field {
        problem = problem.in_field(field);
    }
    if let Some(value) = value {
        problem = problem.with_value(value);
    }
    Error::single(ErrorKind::Xlsx, problem)
}

pub(super) fn damaged(message: impl Into<String>) -> Error {
    bad(message, None, None)
}

#[cfg(test)]
mod tests {
    use super::parts::*;
    use super::read::*;
    use super::write::*;
    use super::zip::*;
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
