#![cfg(not(target_arch = "wasm32"))]
//! CSV import's fast path, property-tested against the straightforward one.
//!
//! `Responses::from_csv` cuts records straight from the bytes, looks one-byte
//! answers up in a table, keeps ids in one buffer and finds duplicates by
//! sorting hashes; `Responses::from_csv_reference` reads record by record
//! through the RFC 4180 reader and checks cell by cell. On random files —
//! columns in any order with extra columns, a byte-order mark or not, LF, CRLF
//! and CR line ends, blank lines, quoted cells with `""` and line breaks,
//! lower-case letters and spaces, option texts, neutralised cells, scale
//! values on and off the scale, empty, repeated and quoted ids, ragged rows,
//! a quote never closed and bytes that are not UTF-8 — both give the same
//! store, or the same error with the same problems at the same line, column
//! and value; and so does `Responses::from_csv_pieces`, the same file handed
//! over in pieces of any size (as the wasm boundary reads it).

use manyi::{Instrument, Responses};
use proptest::collection::vec;
use proptest::prelude::*;

/// Cells for a single-choice question: letters, texts, and wrong ones.
const SINGLE: [&str; 16] = [
    "A", "B", "a", "b", "", " ", "C", "Z", " A ", "\"B\"", "'=A", "1", "AB", "是", "'", "\"A,\"",
];
/// Cells for the 0–10 scale.
const SCALE: [&str; 12] = [
    "0", "10", "7", " 9", "", "11", "-1", "x", "7.5", "\"5\"", "'1", "010",
];
/// Cells for an extra column.
const EXTRA: [&str; 12] = [
    "paper",
    "online",
    "",
    "\"a, b\"",
    "\"say \"\"hi\"\"\"",
    "\"two\nlines\"",
    "'=1+1",
    "'-x",
    "中文",
    " pad ",
    "5\" screen",
    "\"\"",
];
/// Ids: a small set, so that some repeat.
const IDS: [&str; 10] = [
    "r1", "r2", "r3", " r4 ", "'=r5", "", "\"r6\"", "甲", "R-7", "\"r,8\"",
];

fn header(extras: usize, order: &[usize]) -> Vec<String> {
    let mut cols: Vec<String> = vec!["id".into()];
    cols.extend((1..=17).map(|i| format!("q{i}")));
    cols.extend(
        ["mode", "note", "备注"]
            .iter()
            .take(extras)
            .map(|s| s.to_string()),
    );
    // A rotation and a swap, picked by the test: any column order.
    let n = cols.len();
    let mut out: Vec<String> = (0..n).map(|i| cols[(i + order[0]) % n].clone()).collect();
    out.swap(order[1] % n, order[2] % n);
    if order[3] % 5 == 0 {
        out[0] = out[0].to_uppercase();
    }
    out
}

#[derive(Debug, Clone)]
struct File {
    bom: bool,
    extras: usize,
    order: Vec<usize>,
    ends: usize,
    rows: Vec<(usize, Vec<usize>, usize)>,
    tail: usize,
}

fn file() -> impl Strategy<Value = File> {
    (
        any::<bool>(),
        0usize..4,
        vec(0usize..40, 4),
        0usize..4,
        vec((0usize..10, vec(0usize..1000, 20), 0usize..40), 0..30),
        0usize..6,
    )
        .prop_map(|(bom, extras, order, ends, rows, tail)| File {
            bom,
            extras,
            order,
            ends,
            rows,
            tail,
        })
}

fn render(f: &File, mostly_valid: bool) -> Vec<u8> {
    let names = header(f.extras, &f.order);
    let end = |k: usize| ["\n", "\r\n", "\r", "\n"][(f.ends + k) % 4];
    let mut out = Vec::new();
    if f.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    out.extend_from_slice(names.join(",").as_bytes());
    out.extend_from_slice(end(0).as_bytes());
    for (r, (id, picks, shape)) in f.rows.iter().enumerate() {
        let mut cells: Vec<String> = Vec::new();
        for (c, name) in names.iter().enumerate() {
            let p = picks[c % picks.len()];
            let lname = name.to_lowercase();
            let cell = if lname == "id" {
                if mostly_valid {
                    format!("id{r}")
                } else {
                    IDS[*id].to_string()
                }
            } else if lname == "q17" {
                SCALE[if mostly_valid { p % 3 } else { p % SCALE.len() }].to_string()
            } else if lname.starts_with('q') {
                SINGLE[if mostly_valid {
                    p % 5
                } else {
                    p % SINGLE.len()
                }]
                .to_string()
            } else {
                EXTRA[p % EXTRA.len()].to_string()
            };
            cells.push(cell);
        }
        match shape {
            0 if !mostly_valid => {
                cells.pop();
            }
            1 if !mostly_valid => cells.push("more".into()),
            2 => out.extend_from_slice(end(r + 1).as_bytes()),
            // Spaces before the first cell (not before a quoted one, where
            // they would make the quotes literal).
            3 if !cells[0].starts_with('"') => out.extend_from_slice(b"  \t"),
            4 => out.extend_from_slice(format!(" \t{}", end(r)).as_bytes()),
            _ => {}
        }
        out.extend_from_slice(cells.join(",").as_bytes());
        if *shape == 5 && !mostly_valid {
            out.extend_from_slice(b"\xD6\xD0");
        }
        if *shape == 6 && !mostly_valid && r + 1 == f.rows.len() {
            out.extend_from_slice(b",\"never closed");
        }
        if r + 1 < f.rows.len() || f.tail % 2 == 0 {
            out.extend_from_slice(end(r + 1).as_bytes());
        }
    }
    if f.tail == 1 {
        out.extend_from_slice(b"\n\n");
    }
    out
}

/// The file handed over in pieces of `piece` bytes.
fn pieces(inst: &Instrument, bytes: &[u8], piece: usize) -> manyi::Result<Responses> {
    Responses::from_csv_pieces(inst, bytes.len(), piece, |from, buf| {
        buf.extend_from_slice(&bytes[from..(from + piece).min(bytes.len())]);
    })
}

fn same(inst: &Instrument, bytes: &[u8]) -> Result<(), TestCaseError> {
    let reference = || Responses::from_csv_reference(inst, bytes);
    let piece = 1 + bytes.len() % 97;
    for fast in [
        Responses::from_csv(inst, bytes),
        pieces(inst, bytes, piece),
        pieces(inst, bytes, 3),
        pieces(inst, bytes, 4096),
    ] {
        compare(fast, reference())?;
    }
    Ok(())
}

fn compare(
    fast: manyi::Result<Responses>,
    reference: manyi::Result<Responses>,
) -> Result<(), TestCaseError> {
    match (fast, reference) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.ids(), b.ids());
        }
        (Err(a), Err(b)) => {
            prop_assert_eq!(a.to_string(), b.to_string());
            prop_assert_eq!(format!("{:?}", a.problems()), format!("{:?}", b.problems()));
        }
        (a, b) => prop_assert!(
            false,
            "fast {:?}, reference {:?}",
            a.map(|r| r.len()),
            b.map(|r| r.len())
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fast_import_reads_as_the_reference_does(f in file()) {
        let inst = Instrument::builtin();
        same(&inst, &render(&f, false))?;
        let valid = render(&f, true);
        same(&inst, &valid)?;
        // The valid rendering is valid: the fast path's own result is compared.
        prop_assert!(Responses::from_csv_reference(&inst, &valid).is_ok());
    }

    #[test]
    fn arbitrary_bytes_read_the_same(head in 0usize..3, body in vec(prop::sample::select(vec![b'a', b'A', b'B', b',', b'"', b'\n', b'\r', b' ', b'\'', b'1', b'0', 0xC3, 0xA9]), 0..400)) {
        let inst = Instrument::builtin();
        let mut bytes = Vec::new();
        if head > 0 {
            bytes.extend_from_slice(b"id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17");
            if head == 2 {
                bytes.extend_from_slice(b",x");
            }
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&body);
        same(&inst, &bytes)?;
    }
}

#[test]
fn valid_files_take_the_fast_path_and_match() {
    // The demo file and a generated one: large, valid, the usual case.
    let inst = Instrument::builtin();
    let demo = include_bytes!("../www/demo/zg-x-branch-2023.csv");
    same(&inst, demo).expect("demo");
    let data = manyi::generate::generate(&inst, 5000, 7).expect("generate");
    let csv = data.to_csv(&inst, true).expect("csv");
    same(&inst, &csv).expect("generated");
    assert_eq!(Responses::from_csv(&inst, &csv).expect("ok"), data);
    let labelled = data
        .to_labelled_csv(&inst, manyi::Lang::ZhCn, false)
        .expect("labelled");
    same(&inst, &labelled).expect("labelled");
}
