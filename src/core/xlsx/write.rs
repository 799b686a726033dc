//! Writing a minimal workbook (the parts Excel requires), the same bytes for
//! the same sheets.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::read::column_name;
use super::zip::zip;
use super::{Cell, Sheet, MAX_COLUMNS, MAX_ROWS};

// ---------------------------------------------------------------------------
// Writing

pub(super) const SML: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
pub(super) const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
pub(super) const REL_NS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub(super) const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
pub(super) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

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
pub(super) fn format_number(v: f64) -> String {
    if v == 0.0 || (1e-5..1e15).contains(&v.abs()) {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

/// Appends `s` to `out` escaped for XML text (or an attribute value), with the
/// characters XML cannot hold written as Excel does, `_xHHHH_`.
pub(super) fn escape(out: &mut String, s: &str, attribute: bool) {
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
pub(super) fn looks_escaped(s: &str) -> bool {
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
pub(super) fn sheet_names(sheets: &[Sheet]) -> Vec<String> {
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

pub(super) fn truncate_utf16(s: &str, max: usize) -> String {
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
