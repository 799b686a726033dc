//! Reading the first worksheet of a workbook as rows of text (the rules are
//! in the [module documentation](super)).

use quick_xml::events::Event;

use super::parts::{read_rels, read_shared_strings, read_workbook, RichText, Xml};
use super::zip::Zip;
use super::{bad, damaged, MAX_CELL_MEMORY, MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED};
use crate::error::Result;

// ---------------------------------------------------------------------------
// Reading

/// Reads the first worksheet (in workbook order) as rows of text cells: the
/// 1-based row number and the row's cells from column `A`, for each row with
/// any text. See the [module documentation](super) for how cells become text.
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
pub(super) struct Budget {
    pub(super) unpacked: usize,
    pub(super) cells: usize,
}

impl Budget {
    pub(super) fn spend_cells(&mut self, bytes: usize, sheet: &str) -> Result<()> {
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

/// How a cell's value is stored (the `t` attribute).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum CellType {
    Number,
    Shared,
    Inline,
    Str,
    Bool,
    Other,
}

/// A cell being read.
pub(super) struct OpenCell {
    pub(super) column: usize,
    pub(super) reference: String,
    pub(super) kind: CellType,
    pub(super) v: Option<String>,
    pub(super) inline: Option<RichText>,
    pub(super) in_v: bool,
}

/// A row being read.
pub(super) struct OpenRow {
    pub(super) number: usize,
    pub(super) cells: Vec<String>,
    pub(super) last_column: usize,
}

pub(super) fn read_sheet(
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
pub(super) fn place(
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
pub(super) fn cell_text(
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
pub(super) fn number_text(v: String) -> String {
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

pub(super) fn parse_row_number(text: &str) -> Option<usize> {
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
pub(super) fn parse_cell_ref(text: &str) -> std::result::Result<(usize, usize), String> {
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
pub(super) fn column_name(mut column: usize) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        column = (column - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A sheet name as Excel writes it in a reference: quoted unless plain.
pub(super) fn sheet_ref(name: &str) -> String {
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
pub(super) fn split_path(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// The part path that `target`, relative to the directory `dir`, names.
pub(super) fn resolve(dir: &str, target: &str) -> String {
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
