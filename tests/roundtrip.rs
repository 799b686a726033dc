//! Import → export → import round trips, property-tested.
//!
//! Random stores (ids and extra columns full of commas, quotes, line breaks,
//! spaces and Chinese text; every answer code including MISSING; columns in a
//! random order; headers in any letter case) are written as CSV text by an
//! independent writer in this file, imported, and compared with the model they
//! were written from. The store then goes through `to_csv` (with and without a
//! byte-order mark) and back: the result must be equal, and exporting again must
//! give the same bytes. The reader must also never panic, whatever the bytes.
//!
//! The interchange format neutralises formula-like text (see `manyi::csv`):
//! the writer here does so too, by its own code — a text cell that begins with
//! `=`, `+`, `-`, `@`, tab or CR, or with quotes and then one of those, gets
//! one more `'` in front — so the model's texts, quotes first included, must
//! come back exactly.

use manyi::scoring;
use manyi::{ErrorKind, Instrument, ProblemCode, Responses, MISSING};
use proptest::collection::vec;
use proptest::prelude::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/demo/zg-x-branch-2023.csv");

/// The built-in instrument's number of questions.
const NQ: usize = 17;
/// At most this many extra columns.
const MAX_EXTRA: usize = 3;

// ---------------------------------------------------------------------------
// The model and how it is written
// ---------------------------------------------------------------------------

/// A store as the test means it: what an import must give back.
#[derive(Debug, Clone)]
struct Model {
    ids: Vec<String>,
    /// One row of NQ codes per response.
    codes: Vec<Vec<u8>>,
    extra_names: Vec<String>,
    /// One row of `extra_names.len()` values per response.
    extras: Vec<Vec<String>>,
}

/// How the model is written as CSV text.
#[derive(Debug, Clone)]
struct Style {
    /// The file's columns in order: 0 = id, 1..=NQ the questions, NQ+1.. the extras.
    order: Vec<usize>,
    crlf: bool,
    bom: bool,
    final_newline: bool,
    /// Per column: write the header name in upper case.
    upper: Vec<bool>,
    /// Per row and column: bit 0 quote even when not needed, bit 1 lower-case
    /// option letter, bit 2 pad id or answer with spaces, bit 3 write a missing
    /// answer as spaces.
    noise: Vec<Vec<u8>>,
}

fn quote(out: &mut String, s: &str, force: bool) {
    if force || s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// A text cell as the interchange format writes it: one more `'` before text
/// that a spreadsheet would run as a formula, or that looks so escaped already.
fn neutralise(s: &str) -> String {
    let after_quotes = s.trim_start_matches('\'');
    if after_quotes.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn question_ids(inst: &Instrument) -> Vec<String> {
    inst.questions().iter().map(|q| q.id.clone()).collect()
}

/// Writes the model as CSV text; returns the text and the 1-based line each
/// data row starts on.
fn write_csv(inst: &Instrument, m: &Model, s: &Style) -> (String, Vec<usize>) {
    let qids = question_ids(inst);
    let nl = if s.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    if s.bom {
        out.push('\u{FEFF}');
    }
    for (i, &c) in s.order.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let name = match c {
            0 => "id".to_owned(),
            c if c <= NQ => qids[c - 1].clone(),
            c => neutralise(&m.extra_names[c - NQ - 1]),
        };
        let name = if s.upper[c] && c <= NQ {
            name.to_ascii_uppercase()
        } else {
            name
        };
        quote(&mut out, &name, s.upper[c] && c > NQ);
    }
    let mut lines = Vec::new();
    for r in 0..m.ids.len() {
        out.push_str(nl);
        lines.push(physical_lines(&out) + 1);
        for (i, &c) in s.order.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let noise = s.noise[r][c];
            let force = noise & 1 != 0;
            let pad = |t: String| {
                if noise & 4 != 0 {
                    format!("  {t} ")
                } else {
                    t
                }
            };
            let cell = match c {
                0 => pad(neutralise(&m.ids[r])),
                c if c <= NQ => {
                    let q = &inst.questions()[c - 1];
                    let code = m.codes[r][c - 1];
                    if code == MISSING {
                        if noise & 8 != 0 {
                            "   ".to_owned()
                        } else {
                            String::new()
                        }
                    } else {
                        // A code past the question (only written to test refusal)
                        // is written as its number.
                        let text = if usize::from(code) < q.len() {
                            q.code_text(code)
                        } else {
                            code.to_string()
                        };
                        let text = if noise & 2 != 0 {
                            text.to_ascii_lowercase()
                        } else {
                            text
                        };
                        pad(text)
                    }
                }
                c => neutralise(&m.extras[r][c - NQ - 1]),
            };
            quote(&mut out, &cell, force);
        }
    }
    if s.final_newline {
        out.push_str(nl);
    }
    (out, lines)
}

/// Line breaks in `s` as an editor counts them: LF, CRLF and a lone CR.
fn physical_lines(s: &str) -> usize {
    let b = s.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count()
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// A piece of text: plain, tricky for CSV, Chinese, or any character at all.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9_.-]{1,4}",
        3 => prop::sample::select(vec![
            ",", "\"", "\"\"", "\n", "\r\n", "\r", " ", "  ", "\t", "'", ";", "=1+1", ",\"\n",
            "+", "-", "@", "'=",
        ])
        .prop_map(str::to_owned),
        3 => prop::sample::select(vec![
            "中文", "满意", "不满意", "推荐者", "网点，", "“引号”", "é", "😀", "\u{3000}", "\u{FEFF}",
            "\u{0301}", "ẞ", "ı",
        ])
        .prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Any text, including the empty string.
fn text() -> impl Strategy<Value = String> {
    vec(piece(), 0..6).prop_map(|p| p.concat())
}

/// A character that may start or end an id or a column name (ids and names
/// are trimmed on import, so they never begin or end with white space).
fn edge_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range('a', 'z'),
        1 => prop::sample::select(vec!['中', '满', ',', '"', '😀', '-', '0']),
        1 => any::<char>(),
    ]
    .prop_filter("no white space or BOM at the edges", |c| {
        !c.is_whitespace() && *c != '\u{FEFF}'
    })
}

/// Non-empty text without white space at either end.
fn trimmed_text() -> impl Strategy<Value = String> {
    (edge_char(), text(), proptest::option::of(edge_char())).prop_map(|(a, mid, b)| {
        let mut s = String::from(a);
        if let Some(b) = b {
            s.push_str(&mid);
            s.push(b);
        }
        s
    })
}

fn code_strategies(inst: &Instrument) -> Vec<BoxedStrategy<u8>> {
    inst.questions()
        .iter()
        .map(|q| {
            let len = u8::try_from(q.len()).expect("small question");
            prop_oneof![1 => Just(MISSING), 4 => 0..len].boxed()
        })
        .collect()
}

fn model_and_style() -> impl Strategy<Value = (Model, Style)> {
    let inst = Instrument::builtin();
    let row = (
        trimmed_text(),
        code_strategies(&inst),
        vec(text(), MAX_EXTRA),
        vec(any::<u8>(), 1 + NQ + MAX_EXTRA),
    );
    (
        vec(trimmed_text(), 0..=MAX_EXTRA),
        vec(row, 0..12),
        Just((0..1 + NQ + MAX_EXTRA).collect::<Vec<usize>>()).prop_shuffle(),
        any::<(bool, bool, bool)>(),
        vec(any::<bool>(), 1 + NQ + MAX_EXTRA),
    )
        .prop_map(
            move |(names, rows, order, (crlf, bom, final_newline), upper)| {
                // Extra column names: unique (case-insensitively, as headers match)
                // and not the name of a required column.
                let mut extra_names: Vec<String> = Vec::new();
                for n in names {
                    let key = n.to_ascii_lowercase();
                    let reserved = key == "id" || inst.position(&n).is_some();
                    if !reserved && !extra_names.iter().any(|e| e.to_ascii_lowercase() == key) {
                        extra_names.push(n);
                    }
                }
                let k = extra_names.len();
                let mut m = Model {
                    ids: Vec::new(),
                    codes: Vec::new(),
                    extra_names,
                    extras: Vec::new(),
                };
                let mut noise = Vec::new();
                for (id, codes, mut extras, row_noise) in rows {
                    if m.ids.contains(&id) {
                        continue;
                    }
                    extras.truncate(k);
                    m.ids.push(id);
                    m.codes.push(codes);
                    m.extras.push(extras);
                    noise.push(row_noise);
                }
                let order = order.into_iter().filter(|&c| c <= NQ + k).collect();
                let style = Style {
                    order,
                    crlf,
                    bom,
                    final_newline,
                    upper,
                    noise,
                };
                (m, style)
            },
        )
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// The imported store holds exactly the model, extras in file order.
fn assert_matches_model(r: &Responses, m: &Model, s: &Style) {
    assert_eq!(r.len(), m.ids.len());
    assert_eq!(r.ids(), &m.ids[..]);
    for q in 0..NQ {
        let expected: Vec<u8> = m.codes.iter().map(|row| row[q]).collect();
        assert_eq!(r.column(q), &expected[..], "question {}", q + 1);
    }
    let extra_order: Vec<usize> = s
        .order
        .iter()
        .filter(|&&c| c > NQ)
        .map(|&c| c - NQ - 1)
        .collect();
    assert_eq!(r.extras().len(), extra_order.len());
    for (col, &e) in r.extras().iter().zip(&extra_order) {
        assert_eq!(col.name, m.extra_names[e]);
        let expected: Vec<&str> = m.extras.iter().map(|row| row[e].as_str()).collect();
        assert_eq!(col.values, expected, "extra column {:?}", col.name);
    }
}

/// Export, import again: equal; export again: the same bytes.
fn assert_round_trips(inst: &Instrument, r: &Responses) {
    for bom in [false, true] {
        let bytes = r.to_csv(inst, bom).expect("export");
        assert_eq!(bytes.starts_with(b"\xEF\xBB\xBF"), bom);
        let again = Responses::from_csv(inst, &bytes).unwrap_or_else(|e| {
            panic!(
                "the export does not import:\n{e}\n{}",
                String::from_utf8_lossy(&bytes)
            )
        });
        assert_eq!(&again, r, "import(export(r)) != r");
        let bytes2 = again.to_csv(inst, bom).expect("export again");
        assert_eq!(bytes2, bytes, "export is not stable");
    }
}

/// Counts plus missing make n for every question.
fn assert_counts_sum(inst: &Instrument, r: &Responses) {
    let f = scoring::frequencies(inst, r).expect("frequencies");
    assert_eq!(f.n, r.len() as u64);
    assert_eq!(f.questions.len(), inst.questions().len());
    for q in &f.questions {
        assert_eq!(q.counts.iter().sum::<u64>(), q.valid, "{}", q.question);
        assert_eq!(q.valid + q.missing, f.n, "{}", q.question);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn import_gives_the_model_and_round_trips((m, s) in model_and_style()) {
        let inst = Instrument::builtin();
        let (csv, _) = write_csv(&inst, &m, &s);
        let r = Responses::from_csv(&inst, csv.as_bytes())
            .unwrap_or_else(|e| panic!("valid CSV refused:\n{e}\n{csv:?}"));
        assert_matches_model(&r, &m, &s);
        assert_round_trips(&inst, &r);
        assert_counts_sum(&inst, &r);
        // Counts are those of the model.
        let f = scoring::frequencies(&inst, &r).expect("frequencies");
        for (q, fq) in f.questions.iter().enumerate() {
            for (code, &count) in fq.counts.iter().enumerate() {
                let expected = m.codes.iter().filter(|row| usize::from(row[q]) == code).count();
                prop_assert_eq!(count, expected as u64);
            }
            let missing = m.codes.iter().filter(|row| row[q] == MISSING).count();
            prop_assert_eq!(fq.missing, missing as u64);
        }
    }

    #[test]
    fn pushed_store_equals_imported_store((m, s) in model_and_style()) {
        // Built with new + push in the canonical column order (id, questions,
        // extras), the store equals the import of the same data written in that order.
        let inst = Instrument::builtin();
        let names: Vec<&str> = m.extra_names.iter().map(String::as_str).collect();
        let mut pushed = Responses::new(&inst, &names).expect("valid extra names");
        for r in 0..m.ids.len() {
            let extras: Vec<&str> = m.extras[r].iter().map(String::as_str).collect();
            pushed.push(&inst, &m.ids[r], &m.codes[r], &extras).expect("push");
        }
        let canonical = Style {
            order: (0..=NQ + m.extra_names.len()).collect(),
            ..s
        };
        let (csv, _) = write_csv(&inst, &m, &canonical);
        let imported = Responses::from_csv(&inst, csv.as_bytes())
            .unwrap_or_else(|e| panic!("valid CSV refused:\n{e}\n{csv:?}"));
        prop_assert_eq!(&imported, &pushed);
        assert_round_trips(&inst, &pushed);
    }

    #[test]
    fn one_bad_answer_refuses_the_file_at_its_physical_line(
        (m, s) in model_and_style(),
        pick in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!m.ids.is_empty());
        let inst = Instrument::builtin();
        let row = pick.index(m.ids.len());
        let q17 = inst.position("q17").expect("q17");
        let mut bad = m.clone();
        // A score outside Q17's 0–10 scale, written as a code past the scale (11).
        bad.codes[row][q17] = 11;
        let (csv, lines) = write_csv(&inst, &bad, &s);
        let e = Responses::from_csv(&inst, csv.as_bytes()).expect_err("q17 = 11 is refused");
        prop_assert_eq!(e.kind(), ErrorKind::Csv);
        prop_assert_eq!(e.total(), 1, "{}", e);
        let p = &e.problems()[0];
        prop_assert_eq!(p.code, ProblemCode::OutOfRange);
        prop_assert_eq!(p.line, Some(lines[row]), "{}\n{:?}", e, csv);
        let column = s.order.iter().position(|&c| c == q17 + 1).expect("q17 column") + 1;
        prop_assert_eq!(p.column, Some(column));
        prop_assert!(p.field.as_deref().is_some_and(|f| f.eq_ignore_ascii_case("q17")));
        prop_assert_eq!(p.value.as_deref().map(str::trim), Some("11"));
    }

    #[test]
    fn reader_never_panics_on_arbitrary_bytes(bytes in vec(any::<u8>(), 0..600)) {
        check_any_input(&bytes);
    }

    #[test]
    fn reader_never_panics_after_a_valid_header(
        body in vec(
            prop_oneof![
                4 => prop::sample::select(b"ABCabc019 ,\"\r\n-.x".to_vec()),
                1 => any::<u8>(),
            ],
            0..600,
        ),
        extra in any::<bool>(),
    ) {
        let mut bytes = b"id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17".to_vec();
        if extra {
            bytes.extend_from_slice(b",note");
        }
        bytes.extend_from_slice(b"\n");
        bytes.extend_from_slice(&body);
        check_any_input(&bytes);
    }
}

/// Any input gives Ok or a CSV error that says where; an Ok store round-trips.
fn check_any_input(bytes: &[u8]) {
    let inst = Instrument::builtin();
    match Responses::from_csv(&inst, bytes) {
        Ok(r) => {
            assert_counts_sum(&inst, &r);
            assert_round_trips(&inst, &r);
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Csv);
            assert!(!e.problems().is_empty());
            assert!(e.total() >= e.problems().len());
            assert!(e.problems().iter().all(|p| p.line.is_some()), "{e}");
            let _ = e.to_string();
        }
    }
}

#[test]
fn demo_file_round_trips() {
    let inst = Instrument::builtin();
    let original = std::fs::read(DEMO).expect("read demo");
    let r = Responses::from_csv(&inst, &original).expect("demo imports");
    assert_eq!(r.len(), 366);
    assert_round_trips(&inst, &r);
    assert_counts_sum(&inst, &r);
    // The demo needs no quoting and is written with LF: the export is the same
    // file with CRLF line ends (RFC 4180), columns in the order read
    // (id, mode, q1 … q17).
    let exported = r.to_csv(&inst, false).expect("export");
    let text = String::from_utf8(original).expect("UTF-8");
    assert!(!text.contains('\r'));
    assert_eq!(
        String::from_utf8(exported).expect("UTF-8"),
        text.replace('\n', "\r\n")
    );
    let with_bom = r.to_csv(&inst, true).expect("export");
    assert_eq!(&with_bom[..3], b"\xEF\xBB\xBF");
    assert_eq!(Responses::from_csv(&inst, &with_bom).expect("reimport"), r);
}

#[test]
fn blank_and_whitespace_answers_are_missing() {
    // data README: "An empty cell means the question was not answered";
    // answers may carry surrounding spaces.
    let inst = Instrument::builtin();
    let csv = "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n\
               a,,  , b ,,,,,,,,,,,,,,\" 10 \"\n";
    let r = Responses::from_csv(&inst, csv.as_bytes()).expect("imports");
    assert_eq!(r.column(0), [MISSING]);
    assert_eq!(r.column(1), [MISSING]);
    assert_eq!(r.column(2), [1]);
    assert_eq!(r.column(16), [10]);
    assert_counts_sum(&inst, &r);
    // Export writes the canonical form: an empty cell, the capital letter, the number.
    let out = String::from_utf8(r.to_csv(&inst, false).expect("export")).expect("utf8");
    assert!(out.ends_with("\r\na,,,B,,,,,,,,,,,,,,10\r\n"), "{out:?}");
}
