//! Every malformed CSV file in `tests/bad-csv/` is refused, all or nothing, with
//! exactly the error text documented next to it in `NAME.err`, both through the
//! library and through the `manyi` command line.
//!
//! See `tests/bad-csv/README.md` for what is wrong with each file.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::manyi_stdin;

use manyi::{ErrorKind, Instrument, Responses};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("bad-csv")
}

/// Every `*.csv` in the fixture directory with its expected error text.
fn fixtures() -> Vec<(PathBuf, String)> {
    let dir = fixture_dir();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let err_path = path.with_extension("err");
        let expected = std::fs::read_to_string(&err_path).unwrap_or_else(|e| {
            panic!(
                "{} has no readable expected-error file {}: {e}",
                path.display(),
                err_path.display()
            )
        });
        let expected = expected.strip_suffix('\n').unwrap_or(&expected).to_owned();
        out.push((path, expected));
    }
    out.sort();
    assert!(!out.is_empty(), "no *.csv fixtures in {}", dir.display());
    out
}

#[test]
fn every_err_file_has_its_csv() {
    let dir = fixture_dir();
    for entry in std::fs::read_dir(&dir).expect("fixture dir") {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("err") {
            assert!(
                path.with_extension("csv").is_file(),
                "{} has no CSV file next to it",
                path.display()
            );
        }
    }
}

#[test]
fn library_refuses_each_file_with_the_documented_error() {
    let inst = Instrument::builtin();
    let mut failures = Vec::new();
    for (path, expected) in fixtures() {
        let bytes = std::fs::read(&path).expect("read fixture");
        let name = path.file_name().expect("file name").to_string_lossy();
        match Responses::from_csv(&inst, &bytes) {
            Ok(r) => failures.push(format!("{name}: imported {} responses", r.len())),
            Err(e) => {
                if e.kind() != ErrorKind::Csv {
                    failures.push(format!("{name}: error kind {:?}, not Csv", e.kind()));
                }
                // The summary counts every problem; at most MAX_PROBLEMS are listed.
                assert!(e.problems().len() <= manyi::error::MAX_PROBLEMS);
                assert!(e.total() >= e.problems().len() && !e.problems().is_empty());
                let actual = e.to_string();
                if actual != expected {
                    failures.push(format!(
                        "{name}:\n--- expected\n{expected}\n--- actual\n{actual}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn every_problem_has_a_line_number() {
    // Problems in a CSV file always say where: a person must be able to find them.
    let inst = Instrument::builtin();
    for (path, _) in fixtures() {
        let bytes = std::fs::read(&path).expect("read fixture");
        let e = Responses::from_csv(&inst, &bytes).expect_err("bad file");
        for p in e.problems() {
            assert!(p.line.is_some(), "{}: {p} has no line", path.display());
        }
    }
}

#[test]
fn cli_exits_1_and_prints_the_same_problems_on_stderr() {
    let mut failures = Vec::new();
    for (path, expected) in fixtures() {
        let out = Command::new(env!("CARGO_BIN_EXE_manyi"))
            .arg("freq")
            .arg(&path)
            .output()
            .expect("run manyi");
        let name = path.file_name().expect("file name").to_string_lossy();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(1) {
            failures.push(format!("{name}: exit status {:?}, not 1", out.status));
        }
        if !out.stdout.is_empty() {
            failures.push(format!(
                "{name}: printed on stdout: {}",
                String::from_utf8_lossy(&out.stdout)
            ));
        }
        if !stderr.contains(&expected) {
            failures.push(format!(
                "{name}: stderr lacks the documented error\n--- expected\n{expected}\n--- stderr\n{stderr}"
            ));
        }
        // The message names the file it is about.
        if !stderr.contains(&*path.to_string_lossy()) {
            failures.push(format!("{name}: stderr does not name the file: {stderr}"));
        }
        let lower = stderr.to_lowercase();
        if lower.contains("panicked")
            || lower.contains("backtrace")
            || lower.contains("internal error")
        {
            failures.push(format!("{name}: looks like a crash: {stderr}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn cli_reports_the_same_from_stdin() {
    // `manyi freq -` reads the file from standard input and fails the same way.
    let (path, expected) = fixtures()
        .into_iter()
        .find(|(p, _)| p.ends_with("several-problems.csv"))
        .expect("several-problems.csv is a fixture");
    let out = manyi_stdin(&["freq", "-"], &std::fs::read(path).expect("read"));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&expected));
}

#[test]
fn problems_carry_the_right_machine_readable_codes() {
    // The page explains problems in the reader's language from these codes, so
    // each fixture must yield the code of the one thing wrong with it.
    use manyi::ProblemCode as P;
    let expected: &[(&str, &[P])] = &[
        ("unknown-option", &[P::UnknownOption]),
        ("q17-out-of-range", &[P::OutOfRange]),
        ("q17-not-integer", &[P::NotAnInteger]),
        ("q17-negative", &[P::OutOfRange]),
        ("duplicate-id", &[P::DuplicateId]),
        ("empty-id", &[P::EmptyId]),
        ("missing-column", &[P::MissingColumn]),
        ("duplicate-column", &[P::DuplicateColumn]),
        (
            "header-problems",
            &[P::DuplicateColumn, P::MissingColumn, P::MissingColumn],
        ),
        ("ragged-short", &[P::RaggedRow]),
        ("ragged-long", &[P::RaggedRow]),
        ("invalid-utf8", &[P::InvalidUtf8]),
        ("invalid-utf8-header", &[P::InvalidUtf8]),
        ("unterminated-quote", &[P::UnterminatedQuote]),
        ("text-after-quote", &[P::TextAfterQuote]),
        ("empty", &[P::NoHeader]),
        ("blank-lines", &[P::NoHeader]),
        (
            "several-problems",
            &[
                P::UnknownOption,
                P::OutOfRange,
                P::DuplicateId,
                P::TextAfterQuote,
                P::UnknownOption,
                P::EmptyId,
                P::RaggedRow,
                P::NotAnInteger,
            ],
        ),
    ];
    let inst = Instrument::builtin();
    for (name, codes) in expected {
        let path = fixture_dir().join(format!("{name}.csv"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let e = Responses::from_csv(&inst, &bytes).expect_err(name);
        let got: Vec<P> = e.problems().iter().map(|p| p.code).collect();
        assert_eq!(&got, codes, "{name}");
    }
    // 105 bad rows: 100 kept, all 105 counted.
    let bytes = std::fs::read(fixture_dir().join("too-many-problems.csv")).expect("read");
    let e = Responses::from_csv(&inst, &bytes).expect_err("too many");
    assert_eq!((e.problems().len(), e.total()), (100, 105));
    assert!(e.problems().iter().all(|p| p.code == P::OutOfRange));
}
