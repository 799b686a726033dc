#![cfg(not(target_arch = "wasm32"))]
//! The .xlsx reader and writer: round trips, workbooks built by hand the way
//! Excel and LibreOffice lay them out (DEFLATE entries, data descriptors,
//! shared strings with rich text), files LibreOffice wrote, plain-words errors,
//! and fuzzing: whatever the bytes, the reader returns, quickly, without a panic.
//!
//! Hostile inputs kept under `tests/fuzz-corpus/xlsx/` are read by
//! [`corpus_files_are_refused_quickly`]; `cargo test --test xlsx -- --ignored
//! write_hostile_corpus` writes the hand-made ones again.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use manyi::xlsx::{read_first_sheet, write, Cell, Sheet};
use manyi::{Error, ErrorKind, ProblemCode};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// A zip writer of our own, independent of the one in src/core/xlsx.rs.

/// CRC-32, bit by bit (the library uses a table).
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// One zip entry, with knobs for lying.
#[derive(Clone)]
struct Entry {
    name: String,
    data: Vec<u8>,
    /// DEFLATE (8) or stored (0); anything else is written as if stored.
    method: u16,
    flags: u16,
    /// Sizes and CRC in the local header are zero and follow the data in a
    /// descriptor, as Excel and LibreOffice write them.
    descriptor: bool,
    /// Replaces the true uncompressed size in the central directory.
    declared_size: Option<u32>,
    /// Replaces the true CRC in the central directory.
    declared_crc: Option<u32>,
}

fn entry(name: &str, data: impl Into<Vec<u8>>) -> Entry {
    Entry {
        name: name.to_string(),
        data: data.into(),
        method: 8,
        flags: 0,
        descriptor: true,
        declared_size: None,
        declared_crc: None,
    }
}

fn push16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A zip archive of `entries`; with `zip64`, every size and offset in the
/// central directory and its end record is in ZIP64 form.
fn build_zip(entries: &[Entry], zip64: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let payload = if e.method == 8 {
            miniz_oxide::deflate::compress_to_vec(&e.data, 6)
        } else {
            e.data.clone()
        };
        let crc = crc32(&e.data);
        let flags = e.flags | if e.descriptor { 8 } else { 0 };
        let offset = out.len() as u32;
        push32(&mut out, 0x0403_4b50);
        push16(&mut out, 20);
        push16(&mut out, flags);
        push16(&mut out, e.method);
        push32(&mut out, 0); // time and date
        if e.descriptor {
            out.extend_from_slice(&[0; 12]);
        } else {
            push32(&mut out, crc);
            push32(&mut out, payload.len() as u32);
            push32(&mut out, e.data.len() as u32);
        }
        push16(&mut out, e.name.len() as u16);
        push16(&mut out, 0);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&payload);
        if e.descriptor {
            push32(&mut out, 0x0807_4b50);
            push32(&mut out, crc);
            push32(&mut out, payload.len() as u32);
            push32(&mut out, e.data.len() as u32);
        }

        let size = e.declared_size.unwrap_or(e.data.len() as u32);
        push32(&mut central, 0x0201_4b50);
        push16(&mut central, 20);
        push16(&mut central, 20);
        push16(&mut central, flags);
        push16(&mut central, e.method);
        push32(&mut central, 0);
        push32(&mut central, e.declared_crc.unwrap_or(crc));
        if zip64 {
            push32(&mut central, u32::MAX);
            push32(&mut central, u32::MAX);
        } else {
            push32(&mut central, payload.len() as u32);
            push32(&mut central, size);
        }
        push16(&mut central, e.name.len() as u16);
        push16(&mut central, if zip64 { 28 } else { 0 });
        central.extend_from_slice(&[0; 10]);
        push32(&mut central, if zip64 { u32::MAX } else { offset });
        central.extend_from_slice(e.name.as_bytes());
        if zip64 {
            push16(&mut central, 1);
            push16(&mut central, 24);
            push64(&mut central, u64::from(size));
            push64(&mut central, payload.len() as u64);
            push64(&mut central, u64::from(offset));
        }
    }
    let dir_offset = out.len();
    out.extend_from_slice(&central);
    if zip64 {
        let record = out.len();
        push32(&mut out, 0x0606_4b50);
        push64(&mut out, 44);
        push16(&mut out, 45);
        push16(&mut out, 45);
        push32(&mut out, 0);
        push32(&mut out, 0);
        push64(&mut out, entries.len() as u64);
        push64(&mut out, entries.len() as u64);
        push64(&mut out, central.len() as u64);
        push64(&mut out, dir_offset as u64);
        push32(&mut out, 0x0706_4b50);
        push32(&mut out, 0);
        push64(&mut out, record as u64);
        push32(&mut out, 1);
    }
    push32(&mut out, 0x0605_4b50);
    push32(&mut out, 0);
    let count = if zip64 {
        u16::MAX
    } else {
        entries.len() as u16
    };
    push16(&mut out, count);
    push16(&mut out, count);
    push32(
        &mut out,
        if zip64 {
            u32::MAX
        } else {
            central.len() as u32
        },
    );
    push32(&mut out, if zip64 { u32::MAX } else { dir_offset as u32 });
    push16(&mut out, 0);
    out
}

const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn rels(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>"#
    )
}

/// The parts of a one-sheet workbook named `Sheet1` around `sheet` (the
/// worksheet's XML) and, if given, a shared strings part.
fn workbook(sheet: &str, shared: Option<&str>) -> Vec<Entry> {
    let mut wb_rels = format!(
        r#"<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>"#
    );
    let mut parts = vec![
        entry(
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
        ),
        entry(
            "_rels/.rels",
            rels(&format!(
                r#"<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>"#
            )),
        ),
        entry(
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0"?><workbook {NS}><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        entry("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(shared) = shared {
        wb_rels.push_str(&format!(
            r#"<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>"#
        ));
        parts.push(entry("xl/sharedStrings.xml", shared));
    }
    parts.push(entry("xl/_rels/workbook.xml.rels", rels(&wb_rels)));
    parts
}

fn sheet_xml(rows: &str) -> String {
    format!(r#"<?xml version="1.0"?><worksheet {NS}><sheetData>{rows}</sheetData></worksheet>"#)
}

fn read(entries: &[Entry]) -> Result<Vec<(usize, Vec<String>)>, Error> {
    read_first_sheet(&build_zip(entries, false))
}

fn row(n: usize, cells: &[&str]) -> (usize, Vec<String>) {
    (n, cells.iter().map(|s| s.to_string()).collect())
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// The one problem of an xlsx error: its message and field.
fn problem(result: Result<Vec<(usize, Vec<String>)>, Error>) -> (String, Option<String>) {
    let e = result.expect_err("the workbook must be refused");
    assert_eq!(e.kind(), ErrorKind::Xlsx, "{e}");
    assert_eq!(e.problems().len(), 1, "{e}");
    let p = &e.problems()[0];
    assert_eq!(p.code, ProblemCode::Unreadable);
    (p.message.clone(), p.field.clone())
}

fn assert_refused(result: Result<Vec<(usize, Vec<String>)>, Error>, words: &str) {
    let (message, _) = problem(result);
    assert!(
        message.contains(words),
        "{message:?} does not say {words:?}"
    );
}

// ---------------------------------------------------------------------------
// Round trips

#[test]
fn text_numbers_and_gaps_round_trip() {
    let awkward = [
        "a,b,c",
        "say \"hi\"",
        "<b>&amp;</b> & <",
        "two\nlines",
        "crlf\r\nend",
        "lone\rcr",
        "满意度调查：非常满意",
        "  padded  ",
        " ",
        "tab\there",
        "\u{1}\u{8}\u{b}\u{1f} controls",
        "_x0041_ stays literal, _x005F_ too",
        "emoji 😀 and \u{FFFE}\u{FFFF}",
        "]]> <![CDATA[",
    ];
    let mut rows: Vec<Vec<Cell>> = awkward
        .iter()
        .map(|s| vec![text("id"), text(s), Cell::Empty, text("end")])
        .collect();
    rows.push(vec![
        Cell::Number(0.0),
        Cell::Number(10.0),
        Cell::Number(7.5),
    ]);
    rows.push(vec![Cell::Empty, Cell::Empty, Cell::Number(-3.0)]);
    rows.push(vec![Cell::Empty, text("")]);
    rows.push(vec![text("last")]);
    let bytes = write(&[
        Sheet {
            name: "Responses".into(),
            rows,
        },
        Sheet {
            name: "Second".into(),
            rows: vec![vec![text("not this one")]],
        },
        Sheet {
            name: "Third".into(),
            rows: vec![],
        },
    ]);
    let read = read_first_sheet(&bytes).expect("reads");
    let mut want: Vec<(usize, Vec<String>)> = awkward
        .iter()
        .enumerate()
        .map(|(i, s)| row(i + 1, &["id", s, "", "end"]))
        .collect();
    let n = awkward.len();
    want.push(row(n + 1, &["0", "10", "7.5"]));
    want.push(row(n + 2, &["", "", "-3"]));
    want.push(row(n + 4, &["last"]));
    assert_eq!(read, want);
}

#[test]
fn writing_is_deterministic_and_names_are_made_valid() {
    let sheets = [
        Sheet {
            name: "Q1/Q2: [results]?".into(),
            rows: vec![vec![text("x")]],
        },
        Sheet {
            name: "q1_q2_ _results__".into(),
            rows: vec![],
        },
    ];
    let bytes = write(&sheets);
    assert_eq!(bytes, write(&sheets));
    let workbook = String::from_utf8(unzip(&bytes, "xl/workbook.xml")).expect("utf-8");
    assert!(
        workbook.contains(r#"name="Q1_Q2_ _results__""#)
            && workbook.contains(r#"name="q1_q2_ _results__ (2)""#),
        "{workbook}"
    );
}

/// The uncompressed bytes of `name`, found with the local headers only.
fn unzip(zip: &[u8], name: &str) -> Vec<u8> {
    let mut at = 0;
    while zip[at..].starts_with(&0x0403_4b50u32.to_le_bytes()) {
        let u16_at = |o: usize| usize::from(u16::from_le_bytes([zip[at + o], zip[at + o + 1]]));
        let u32_at = |o: usize| {
            u32::from_le_bytes([
                zip[at + o],
                zip[at + o + 1],
                zip[at + o + 2],
                zip[at + o + 3],
            ]) as usize
        };
        let (size, name_len, extra_len) = (u32_at(18), u16_at(26), u16_at(28));
        let start = at + 30 + name_len + extra_len;
        if &zip[at + 30..at + 30 + name_len] == name.as_bytes() {
            return miniz_oxide::inflate::decompress_to_vec(&zip[start..start + size])
                .expect("inflate");
        }
        at = start + size;
    }
    panic!("no {name}");
}

// ---------------------------------------------------------------------------
// Workbooks laid out as Excel and LibreOffice write them

#[test]
fn shared_strings_rich_text_and_every_cell_type() {
    let shared = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="7">
  <si><t>id</t></si>
  <si><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">Very </t></r><r><t>satisfied</t></r></si>
  <si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>
  <si><t>a &amp; b &lt;c&gt; &#20013;&#x6587; &quot;q&quot; &apos;s&apos;</t></si>
  <si><t xml:space="preserve">line_x000D_
break</t></si>
  <si><t/></si>
  <si/>
  <si><t><![CDATA[<raw> & ]]></t></si>
</sst>"#;
    let sheet = sheet_xml(
        r#"
    <row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="3"><v>1</v></c>
      <c r="D1" t="inlineStr"><is><r><t>in</t></r><r><rPr><i/></rPr><t>line</t></r></is></c></row>
    <row r="2"><c r="A2"><v>7</v></c><c r="B2"><v>7.0</v></c><c r="C2" t="n"><v>7.5</v></c>
      <c r="D2"><v>1.5E+2</v></c><c r="E2"><v>0.30000000000000004</v></c>
      <c r="F2" t="b"><v>1</v></c><c r="G2" t="b"><v>0</v></c>
      <c r="H2" t="str"><f>A1&amp;"x"</f><v>idx</v></c><c r="I2" t="e"><f>1/0</f><v>#DIV/0!</v></c>
      <c r="J2" s="4"><v>45000</v></c><c r="K2" t="d"><v>2024-05-01T00:00:00</v></c></row>
    <row r="5"><c r="C5" t="s"><v>2</v></c><c r="D5" t="s"><v>3</v></c></row>
    <row r="3"><c r="B3" t="s"><v>4</v></c><c r="C3" t="s"><v>5</v></c><c r="D3" t="s"><v>6</v></c></row>
    <row r="4"/>
    <row r="6"><c r="A6" s="1"/><c r="B6" s="1" t="s"/><c r="C6"><f>NA()</f></c></row>
    <row><c t="s"><v>7</v></c><c/><c><v>-0.5</v></c></row>
  "#,
    );
    let got = read(&workbook(&sheet, Some(shared))).expect("reads");
    assert_eq!(
        got,
        vec![
            row(1, &["id", "Very satisfied", "", "inline"]),
            row(
                2,
                &[
                    "7",
                    "7",
                    "7.5",
                    "150",
                    "0.30000000000000004",
                    "TRUE",
                    "FALSE",
                    "idx",
                    "#DIV/0!",
                    "45000",
                    "2024-05-01T00:00:00"
                ]
            ),
            row(3, &["", "line\r\nbreak"]),
            row(5, &["", "", "東京", "a & b <c> 中文 \"q\" 's'"]),
            row(7, &["<raw> & ", "", "-0.5"]),
        ]
    );
}

#[test]
fn first_worksheet_in_tab_order_through_relationships() {
    // Tab order: a chart sheet, then "Responses 2024" (sheet2.xml), then
    // "Other" (sheet1.xml); absolute and relative targets, the workbook in
    // a folder other than xl/, and prefixed elements (x:) as some libraries write.
    let wb = format!(
        r#"<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="{REL}"><x:sheets>
        <x:sheet name="Chart" sheetId="3" rel:id="rId3"/>
        <x:sheet name="Responses 2024" sheetId="2" rel:id="rId2"/>
        <x:sheet name="Other" sheetId="1" rel:id="rId1"/></x:sheets></x:workbook>"#
    );
    let wb_rels = rels(&format!(
        r#"<Relationship Id="rId1" Type="{REL}/worksheet" Target="/book/sheets/sheet1.xml"/>
        <Relationship Id="rId2" Type="{REL}/worksheet" Target="./sheets/../sheets/sheet2.xml"/>
        <Relationship Id="rId3" Type="{REL}/chartsheet" Target="sheets/chart1.xml"/>
        <Relationship Id="rId9" Type="{REL}/hyperlink" Target="https://example.com" TargetMode="External"/>"#
    ));
    let sheet = |text: &str| {
        format!(
            r#"<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row x:r="1"><x:c r="B1" t="inlineStr"><x:is><x:t>{text}</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>"#
        )
    };
    let entries = vec![
        entry(
            "_rels/.rels",
            rels(&format!(
                r#"<Relationship Id="a" Type="{REL}/officeDocument" Target="book/main.xml"/>"#
            )),
        ),
        entry("book/main.xml", wb),
        entry("book/_rels/main.xml.rels", wb_rels),
        entry("book/sheets/sheet1.xml", sheet("other")),
        entry("book/sheets/sheet2.xml", sheet("first")),
        entry("book/sheets/chart1.xml", "<chartsheet/>"),
    ];
    assert_eq!(read(&entries), Ok(vec![row(1, &["", "first"])]));
}

#[test]
fn stored_entries_zip64_and_no_descriptors() {
    let sheet = sheet_xml(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
    let mut entries = workbook(&sheet, None);
    for (i, e) in entries.iter_mut().enumerate() {
        e.method = if i % 2 == 0 { 0 } else { 8 };
        e.descriptor = i % 3 == 0;
    }
    assert_eq!(read(&entries), Ok(vec![row(1, &["1"])]));
    assert_eq!(
        read_first_sheet(&build_zip(&entries, true)),
        Ok(vec![row(1, &["1"])])
    );
}

// ---------------------------------------------------------------------------
// Files LibreOffice wrote

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xlsx")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn libreoffice_survey_from_csv() {
    // LibreOffice 7 converted this CSV (rich text runs, data descriptors):
    // id,q1,q2,q17,comment / r1,A,B,9,"Great, really ""great""" /
    // r2,C,,10,中文评论 <ok> & fine / r3,,E,0, / ,,,, / r5,d,A,7.5,"two\nlines"
    assert_eq!(
        read_first_sheet(&fixture("libreoffice-survey.xlsx")),
        Ok(vec![
            row(1, &["id", "q1", "q2", "q17", "comment"]),
            row(2, &["r1", "A", "B", "9", "Great, really \"great\""]),
            row(3, &["r2", "C", "", "10", "中文评论 <ok> & fine"]),
            row(4, &["r3", "", "E", "0"]),
            row(6, &["r5", "d", "A", "7.5", "two\nlines"]),
        ])
    );
}

#[test]
fn libreoffice_resaved_our_workbook() {
    // A workbook written by `write`, opened and saved again by LibreOffice:
    // it writes CR and tab as character references and numbers as 1E+020.
    assert_eq!(
        read_first_sheet(&fixture("libreoffice-resaved.xlsx")),
        Ok(vec![
            row(1, &["id", "note", "", "n"]),
            row(2, &["a,b \"q\" <&> x\ny", " 满意 ", "", "7.5"]),
            row(4, &["0", "10", "1E+020", "-1.25E-007"]),
            row(5, &["_x0041_", "tab\there", "#NUM!", "cr\rlf"]),
        ])
    );
}

// ---------------------------------------------------------------------------
// Errors in plain words, with the place

#[test]
fn not_a_workbook() {
    assert_refused(read_first_sheet(b""), "not a zip file");
    assert_refused(read_first_sheet(b"id,q1\r\nr1,A\r\n"), "not a zip file");
    assert_refused(
        read_first_sheet(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest of an old .xls"),
        "old-style .xls",
    );
    let docx = vec![
        entry(
            "_rels/.rels",
            rels(&format!(
                r#"<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>"#
            )),
        ),
        entry("word/document.xml", "<w:document xmlns:w=\"w\"/>"),
    ];
    assert_refused(read(&docx), "not a spreadsheet");
    assert_refused(
        read(&[entry("hello.txt", "hi")]),
        "no workbook part (xl/workbook.xml)",
    );
    let good = write(&[]);
    assert_refused(read_first_sheet(&good[..good.len() / 2]), "not a zip file");
}

#[test]
fn encryption_and_compression_methods() {
    let mut entries = workbook(&sheet_xml(""), None);
    entries[2].flags = 1;
    let (message, field) = problem(read(&entries));
    assert!(message.contains("encrypted"), "{message}");
    assert_eq!(field.as_deref(), Some("xl/workbook.xml"));

    let mut entries = workbook(&sheet_xml(""), None);
    entries[3].method = 12;
    let (message, field) = problem(read(&entries));
    assert!(
        message.contains("unsupported compression method 12"),
        "{message}"
    );
    assert_eq!(field.as_deref(), Some("xl/worksheets/sheet1.xml"));
}

#[test]
fn damaged_zip_entries() {
    let sheet = sheet_xml(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
    let mut e = workbook(&sheet, None);
    e[3].declared_crc = Some(12345);
    assert_refused(read(&e), "checksum (CRC-32) does not match");

    let mut e = workbook(&sheet, None);
    e[3].declared_size = Some(u32::MAX - 1);
    assert_refused(read(&e), "more than 256 MiB");

    let mut e = workbook(&sheet, None);
    e[3].declared_size = Some(10);
    assert_refused(read(&e), "longer than declared");

    let mut e = workbook(&sheet, None);
    e[3].declared_size = Some(sheet.len() as u32 + 10);
    assert_refused(read(&e), "fewer bytes than declared");

    // The end record promises more entries than the directory holds.
    let mut zip = build_zip(&workbook(&sheet, None), false);
    let end = zip.len() - 22;
    zip[end + 8..end + 12].copy_from_slice(&[9, 0, 9, 0]);
    assert_refused(read_first_sheet(&zip), "zip directory is cut short");
}

#[test]
fn no_worksheet() {
    let mut e = workbook(&sheet_xml(""), None);
    e[2] = entry(
        "xl/workbook.xml",
        format!("<workbook {NS}><sheets/></workbook>"),
    );
    assert_refused(read(&e), "the workbook has no sheets");
    let mut e = workbook(&sheet_xml(""), None);
    e.retain(|e| e.name != "xl/_rels/workbook.xml.rels");
    assert_refused(read(&e), "xl/_rels/workbook.xml.rels");
    let mut e = workbook(&sheet_xml(""), None);
    e.retain(|e| e.name != "xl/worksheets/sheet1.xml");
    let (message, field) = problem(read(&e));
    assert!(message.contains("is missing"), "{message}");
    assert_eq!(field.as_deref(), Some("Sheet1"));
}

#[test]
fn malformed_xml_names_part_and_offset() {
    let sheet =
        r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData></worksheet>"#;
    let (message, field) = problem(read(&workbook(sheet, None)));
    assert!(message.contains("malformed at byte offset 51"), "{message}");
    assert_eq!(field.as_deref(), Some("xl/worksheets/sheet1.xml"));

    let (message, _) = problem(read(&workbook(
        &sheet_xml("<row><c><v>&bogus;</v></c></row>"),
        None,
    )));
    assert!(message.contains("unknown entity &bogus;"), "{message}");

    let full = sheet_xml(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
    let cut = &full[..full.find("</sheetData>").expect("end")];
    let (message, _) = problem(read(&workbook(cut, None)));
    assert!(message.contains("ends early"), "{message}");
}

#[test]
fn bad_cell_references_name_the_cell() {
    for (reference, words) in [
        ("B0", "row 0 does not exist"),
        ("XFD1048577", "past 1048576"),
        ("XFE1", "past XFD"),
        ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1", "past XFD"),
        ("A99999999999999999999999999999999", "past 1048576"),
        ("$A$1", "no column letters"),
        ("1A", "no column letters"),
        ("A1B", "column letters then a row number"),
    ] {
        let sheet = sheet_xml(&format!(r#"<row><c r="{reference}"><v>1</v></c></row>"#));
        let (message, field) = problem(read(&workbook(&sheet, None)));
        assert!(message.contains(words), "{reference}: {message}");
        assert!(
            message.contains(&format!("{reference:?}")),
            "{reference}: {message}"
        );
        assert_eq!(field, Some(format!("Sheet1!{reference}")));
    }

    // A sheet name with a space is quoted as Excel does.
    let mut e = workbook(
        &sheet_xml(r#"<row r="2"><c r="C2" t="s"><v>3</v></c></row>"#),
        None,
    );
    e[2] = entry(
        "xl/workbook.xml",
        format!(
            r#"<workbook {NS}><sheets><sheet name="It's mine" r:id="rId1"/></sheets></workbook>"#
        ),
    );
    let (message, field) = problem(read(&e));
    assert!(
        message.contains("shared string \"3\", but the workbook has 0"),
        "{message}"
    );
    assert_eq!(field.as_deref(), Some("'It''s mine'!C2"));
}

#[test]
fn rows_and_cells_out_of_place() {
    let cases = [
        (
            r#"<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>"#,
            "out of order",
        ),
        (
            r#"<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>"#,
            "out of order",
        ),
        (
            r#"<row r="2"><c r="A3"><v>1</v></c></row>"#,
            "cell A3 is inside row 2",
        ),
        (
            r#"<row r="2"><c><v>1</v></c></row><row r="2"><c><v>1</v></c></row>"#,
            "row 2 appears twice",
        ),
        (r#"<row r="0"/>"#, "row number \"0\" is not valid"),
        (r#"<row r="1048577"/>"#, "more than 1048576 rows"),
        (r#"<row r="1048576"/><row/>"#, "more than 1048576 rows"),
    ];
    for (rows, words) in cases {
        assert_refused(read(&workbook(&sheet_xml(rows), None)), words);
    }
    let mut cells = String::from(r#"<row r="1">"#);
    for _ in 0..16_385 {
        cells.push_str("<c/>");
    }
    cells.push_str("</row>");
    assert_refused(
        read(&workbook(&sheet_xml(&cells), None)),
        "more than 16384 cells",
    );
    // The last cell of the last row is fine.
    assert_eq!(
        read(&workbook(
            &sheet_xml(r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#),
            None
        ))
        .map(|rows| (rows[0].0, rows[0].1.len())),
        Ok((1_048_576, 16_384))
    );
}

#[test]
fn memory_is_capped() {
    // Each row places one cell in column XFD: 16 384 cells of memory for 30
    // bytes of XML.
    let rows: String = (1..=2_000)
        .map(|r| format!(r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#))
        .collect();
    assert_refused(
        read(&workbook(&sheet_xml(&rows), None)),
        "too large to import",
    );

    // One 1 MiB shared string used in 300 cells.
    let shared = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{}</t></si></sst>"#,
        "a".repeat(1 << 20)
    );
    let cells = r#"<row><c t="s"><v>0</v></c></row>"#.repeat(300);
    assert_refused(
        read(&workbook(&sheet_xml(&cells), Some(&shared))),
        "too large to import",
    );
}

// ---------------------------------------------------------------------------
// Hostile files and fuzzing

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/xlsx")
}

/// Reads `bytes`, failing the test if that takes more than a few seconds.
fn read_quickly(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, Error> {
    let start = Instant::now();
    let result = read_first_sheet(bytes);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    result
}

#[test]
fn corpus_files_are_refused_quickly() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/fuzz-corpus/xlsx")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the corpus is missing files");
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let result = read_quickly(&bytes);
        if name.starts_with("hostile-") {
            let e = result.expect_err(&name);
            assert_eq!(e.kind(), ErrorKind::Xlsx, "{name}");
            assert!(!e.problems()[0].message.is_empty(), "{name}");
        }
    }
}

/// Writes the hand-made hostile files of the corpus (`hostile-*.bin`).
#[test]
#[ignore = "writes tests/fuzz-corpus/xlsx; run by hand"]
fn write_hostile_corpus() {
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).expect("mkdir");
    let put = |name: &str, bytes: Vec<u8>| {
        std::fs::write(dir.join(format!("hostile-{name}.bin")), bytes).expect("write");
    };
    let plain = sheet_xml(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);

    // Declares a 4 GiB sheet.
    let mut e = workbook(&plain, None);
    e[3].declared_size = Some(u32::MAX);
    put("declared-4gib", build_zip(&e, false));

    // Declares 1 KiB, inflates to 16 MiB of spaces.
    let mut e = workbook(
        &format!("<worksheet>{}</worksheet>", " ".repeat(16 << 20)),
        None,
    );
    e[3].declared_size = Some(1024);
    put("lying-size-bomb", build_zip(&e, false));

    // The central directory cut in half, the end record kept.
    let zip = build_zip(&workbook(&plain, None), false);
    let end = zip.len() - 22;
    let dir_offset =
        u32::from_le_bytes([zip[end + 16], zip[end + 17], zip[end + 18], zip[end + 19]]) as usize;
    let cut = (dir_offset + end) / 2;
    let mut truncated = zip[..cut].to_vec();
    truncated.extend_from_slice(&zip[end..]);
    put("truncated-central-directory", truncated);

    // Every entry of the directory points at the same local header.
    let mut zip = build_zip(&workbook(&plain, None), false);
    let end = zip.len() - 22;
    let mut at =
        u32::from_le_bytes([zip[end + 16], zip[end + 17], zip[end + 18], zip[end + 19]]) as usize;
    while zip[at..at + 4] == 0x0201_4b50u32.to_le_bytes() {
        zip[at + 42..at + 46].copy_from_slice(&[0; 4]);
        let len = |o: usize| usize::from(u16::from_le_bytes([zip[at + o], zip[at + o + 1]]));
        at += 46 + len(28) + len(30) + len(32);
    }
    put("overlapping-entries", zip);

    // Cell references past the last row and column, and absurdly long.
    put(
        "cell-ref-overflow",
        build_zip(
            &workbook(
                &sheet_xml(r#"<row r="1"><c r="XFD1048577"><v>1</v></c></row>"#),
                None,
            ),
            false,
        ),
    );
    put(
        "column-letters-overflow",
        build_zip(
            &workbook(
                &sheet_xml(&format!(
                    r#"<row><c r="{}1"><v>1</v></c></row>"#,
                    "Z".repeat(5000)
                )),
                None,
            ),
            false,
        ),
    );

    // 200 000 nested elements inside a cell, never closed.
    put(
        "deep-xml",
        build_zip(
            &workbook(
                &format!("<worksheet><sheetData><row><c>{}", "<x>".repeat(200_000)),
                None,
            ),
            false,
        ),
    );

    // A 16 384-cell row, 2 000 times: gigabytes of cells from kilobytes.
    let rows: String = (1..=2_000)
        .map(|r| format!(r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#))
        .collect();
    put(
        "wide-rows",
        build_zip(&workbook(&sheet_xml(&rows), None), false),
    );

    // ZIP64 end record pointing outside the file.
    let mut zip = build_zip(&workbook(&plain, None), true);
    let locator = zip.len() - 22 - 20;
    zip[locator + 8..locator + 16].copy_from_slice(&u64::MAX.to_le_bytes());
    put("zip64-offset-overflow", zip);
}

/// One mutation of a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Overwrite32(usize, u32),
}

fn apply(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(i, bit) => {
                if let Some(b) = bytes.get_mut(i % len) {
                    *b ^= 1 << (bit % 8);
                }
            }
            Mutation::Truncate(i) => bytes.truncate(i % len),
            Mutation::Insert(i, data) => {
                let at = (i % len).min(bytes.len());
                bytes.splice(at..at, data.iter().copied());
            }
            Mutation::Overwrite32(i, v) => {
                let at = i % len;
                for (k, b) in v.to_le_bytes().into_iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + k) {
                        *slot = b;
                    }
                }
            }
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let tokens: Vec<&'static [u8]> = vec![
        b"<",
        b">",
        b"/>",
        b"&",
        b"&amp;",
        b"&#0;",
        b"&#xFFFFFFFF;",
        b"]]>",
        b"<![CDATA[",
        b"<row>",
        b"</row>",
        b"<c>",
        b"</c>",
        b"<v>",
        b"</v>",
        b"<si>",
        b"<t>",
        b"<rPh>",
        b" r=\"XFD1048577\"",
        b" r=\"B0\"",
        b" r=\"A1\"",
        b" t=\"s\"",
        b" t=\"b\"",
        b"<v>99999</v>",
        b"_x0000_",
        b"_xD800_",
        b"\xFF\xFE",
        b"\0",
        b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, d)| Mutation::Insert(i, d)),
        (any::<usize>(), proptest::sample::select(tokens))
            .prop_map(|(i, t)| Mutation::Insert(i, t.to_vec())),
        (
            any::<usize>(),
            prop_oneof![
                Just(0u32),
                Just(u32::MAX),
                Just(0x7FFF_FFFF),
                Just(0xFFFF),
                Just(0x0403_4b50),
                Just(0x0201_4b50),
                any::<u32>()
            ]
        )
            .prop_map(|(i, v)| Mutation::Overwrite32(i, v)),
    ]
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        any::<String>().prop_map(Cell::Text),
        "[ -~]{0,12}".prop_map(Cell::Text),
        any::<f64>().prop_map(Cell::Number),
        (-1000i32..1000).prop_map(|n| Cell::Number(f64::from(n) / 4.0)),
        Just(Cell::Empty),
    ]
}

fn sheet_rows() -> impl Strategy<Value = Vec<Vec<Cell>>> {
    proptest::collection::vec(proptest::collection::vec(cell(), 0..6), 0..6)
}

/// The parts of a small workbook with shared strings, as XML to mutate.
fn sample_parts() -> Vec<Entry> {
    let shared = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>id</t></si><si><r><t>a</t></r><r><t>b</t></r><rPh><t>x</t></rPh></si></sst>"#;
    workbook(
        &sheet_xml(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row><row r="2"><c r="A2"><v>7.0</v></c><c t="inlineStr"><is><t>x&amp;y</t></is></c><c t="b"><v>1</v></c></row>"#,
        ),
        Some(shared),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_quickly(&bytes);
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend_from_slice(&bytes);
        zipped.extend_from_slice(b"PK\x05\x06");
        let _ = read_quickly(&zipped);
    }

    #[test]
    fn mutated_workbooks_never_panic(
        rows in sheet_rows(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = write(&[Sheet { name: "S".into(), rows }]);
        apply(&mut bytes, &mutations);
        let _ = read_quickly(&bytes);
    }

    #[test]
    fn mutated_parts_never_panic(
        part in 0usize..6,
        mutations in proptest::collection::vec(mutation(), 1..6),
        stored in any::<bool>(),
    ) {
        // Mutating the XML before zipping gets past the checksums to the parser.
        let mut parts = sample_parts();
        let k = part % parts.len();
        apply(&mut parts[k].data, &mutations);
        if stored {
            parts[k].method = 0;
        }
        let _ = read_quickly(&build_zip(&parts, false));
    }

    #[test]
    fn numbers_keep_their_value(v in r"-?[0-9]{1,20}(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?") {
        let sheet = sheet_xml(&format!("<row><c><v>{v}</v></c></row>"));
        let read = read(&workbook(&sheet, None)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got = &read[0].1[0];
        prop_assert_eq!(got.parse::<f64>().ok(), v.parse::<f64>().ok(), "{} read as {}", v, got);
        if !v.contains(['e', 'E', '.']) {
            prop_assert_eq!(got, &v);
        }
    }

    #[test]
    fn written_workbooks_read_back(rows in sheet_rows()) {
        let bytes = write(&[Sheet { name: "S".into(), rows: rows.clone() }]);
        let read = read_first_sheet(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let want: Vec<(usize, Vec<Cell>)> = rows
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                let blank = |c: &Cell| matches!(c, Cell::Empty) || *c == Cell::Text(String::new());
                while r.last().is_some_and(blank) {
                    r.pop();
                }
                (i + 1, r)
            })
            .filter(|(_, r)| !r.is_empty())
            .collect();
        prop_assert_eq!(read.len(), want.len());
        for ((n, got), (m, cells)) in read.iter().zip(&want) {
            prop_assert_eq!(n, m);
            prop_assert_eq!(got.len(), cells.len());
            for (g, c) in got.iter().zip(cells) {
                match c {
                    Cell::Text(t) => prop_assert_eq!(g, t),
                    Cell::Empty => prop_assert_eq!(g, ""),
                    Cell::Number(v) if v.is_finite() => {
                        prop_assert_eq!(g.parse::<f64>().ok(), Some(*v), "{}", g);
                    }
                    Cell::Number(_) => prop_assert_eq!(g, "#NUM!"),
                }
            }
        }
    }
}
