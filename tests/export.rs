//! `manyi export`: every format the page offers, and the SPSS and Parquet
//! files read back by independent readers — PSPP (Debian's `pspp`: GET,
//! DISPLAY DICTIONARY, FREQUENCIES), pyreadstat (ReadStat), pyarrow and DuckDB
//! (tests/reference/read_sav.py and read_parquet.py; versions pinned in
//! tests/requirements.txt; `./dev test` installs them). Every count must equal
//! `manyi freq --json`, the NPS from SQL must equal `manyi nps --json`, and
//! every label must be the instrument's text exactly.
//!
//! A reader that is not installed skips its test with a message, except when
//! the environment variable CI is set: then it is a failure.
//! The 1,000,000-response check is `#[ignore]`d from the plain `cargo test`
//! (a minute or two); `./dev test` runs it with `--ignored`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{header, manyi, stderr, stdout, TempDir, DEMO};
use manyi::{Instrument, Lang, QuestionKind};
use serde_json::Value;

/// Whether CI is running the tests (a missing reader is then a failure).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Whether `probe` runs; if not, says so and skips (fails under CI).
fn have(what: &str, probe: &mut Command) -> bool {
    if probe.output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(
        !in_ci(),
        "{what} is not installed, and CI is set: `./dev test` installs it"
    );
    eprintln!("SKIPPED: {what} is not installed (`./dev setup` installs it)");
    false
}

fn have_pspp() -> bool {
    have(
        "PSPP (Debian's pspp)",
        Command::new("pspp").arg("--version"),
    )
}

fn have_python(module: &str) -> bool {
    have(
        &format!("the Python package {module} (tests/requirements.txt)"),
        Command::new("python3").args(["-c", &format!("import {module}")]),
    )
}

fn reference(script: &str) -> String {
    format!("{}/tests/reference/{script}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs a reference script and parses its JSON.
fn python_json(script: &str, args: &[&str]) -> Value {
    let out = Command::new("python3")
        .arg(reference(script))
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// Runs `manyi` and parses the JSON it prints.
fn manyi_json(args: &[&str]) -> Value {
    let out = manyi(args);
    assert!(out.status.success(), "manyi {args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("manyi prints JSON")
}

/// Exports `input` in `format` to `dir/name` and returns its path.
fn export(input: &str, format: &str, lang: &str, dir: &TempDir, name: &str) -> String {
    let path = dir.path(name);
    let out = manyi(&[
        "export", input, "--format", format, "-o", &path, "--lang", lang,
    ]);
    assert!(out.status.success(), "export {format}: {}", stderr(&out));
    assert_eq!(stdout(&out), "");
    path
}

/// Each question's non-zero counts (by answer as written) and its missing.
type Frequencies = BTreeMap<String, (BTreeMap<String, u64>, u64)>;

/// `manyi freq --json`: the number of responses and the frequencies.
fn freq(input: &str) -> (u64, Frequencies) {
    let f = manyi_json(&["freq", input, "--json"]);
    let mut out = BTreeMap::new();
    for (q, v) in f["questions"].as_object().expect("questions") {
        let counts = v["counts"]
            .as_object()
            .expect("counts")
            .iter()
            .map(|(k, c)| (k.clone(), c.as_u64().expect("count")))
            .filter(|&(_, c)| c > 0)
            .collect();
        out.insert(q.clone(), (counts, v["missing"].as_u64().expect("missing")));
    }
    (f["n"].as_u64().expect("n"), out)
}

/// A question's counts keyed by the .sav code: option k (A = 0) is k + 1, a
/// scale value stays itself.
fn sav_codes(inst: &Instrument, q: &str, counts: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let (_, question) = inst.question(q).expect("question");
    counts
        .iter()
        .map(|(k, &c)| match question.kind {
            QuestionKind::Single => {
                let i = question
                    .options
                    .iter()
                    .position(|o| o.code == *k)
                    .expect("letter");
                ((i + 1).to_string(), c)
            }
            QuestionKind::Scale => (k.clone(), c),
        })
        .collect()
}

fn counts_of(v: &Value) -> BTreeMap<String, u64> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, c)| (k.clone(), c.as_u64().expect("count")))
                .collect()
        })
        .unwrap_or_default()
}

/// The CSV file's header, as the column names.
fn columns_of(input: &str) -> Vec<String> {
    let text = std::fs::read_to_string(input).expect("read CSV");
    let first = text
        .lines()
        .next()
        .expect("header")
        .trim_start_matches('\u{feff}');
    first.split(',').map(str::to_owned).collect()
}

/// pyreadstat's reading of the .sav agrees with `manyi freq` and the instrument.
fn check_sav_pyreadstat(input: &str, sav: &str, lang: Lang) {
    let inst = Instrument::builtin();
    let (n, f) = freq(input);
    let r = python_json("read_sav.py", &[sav]);
    assert_eq!(r["n"].as_u64(), Some(n));
    assert_eq!(r["encoding"], "UTF-8");
    let names: Vec<String> = serde_json::from_value(r["names"].clone()).expect("names");
    let columns = columns_of(input);
    assert_eq!(names.len(), columns.len());
    for (name, column) in names.iter().zip(&columns) {
        // Names SPSS refuses are changed (tested below); the questions' never are.
        if column == "id" || inst.position(column).is_some() {
            assert_eq!(name, column);
        }
    }
    let satisfaction: Vec<usize> = inst.satisfaction().to_vec();
    for (i, q) in inst.questions().iter().enumerate() {
        let id = q.id.as_str();
        assert_eq!(r["labels"][id], q.text.get(lang), "{id}'s variable label");
        let (counts, missing) = &f[id];
        assert_eq!(
            counts_of(&r["counts"][id]),
            sav_codes(&inst, id, counts),
            "{id}"
        );
        assert_eq!(r["missing"][id].as_u64(), Some(*missing), "{id} missing");
        let labels = &r["value_labels"][id];
        let measure = r["measure"][id].as_str().expect("measure");
        match q.kind {
            QuestionKind::Single => {
                for (k, o) in q.options.iter().enumerate() {
                    assert_eq!(labels[(k + 1).to_string()], o.label.get(lang), "{id} {k}");
                }
                assert_eq!(labels.as_object().expect("labels").len(), q.options.len());
                let want = if satisfaction.contains(&i) {
                    "ordinal"
                } else {
                    "nominal"
                };
                assert_eq!(measure, want, "{id}");
            }
            QuestionKind::Scale => {
                let min = q.min.unwrap_or(0).to_string();
                let max = q.max.unwrap_or(0).to_string();
                let ends = [(min, &q.min_label), (max, &q.max_label)];
                for (v, text) in ends {
                    let text = text.as_ref().expect("the NPS question labels its ends");
                    assert_eq!(labels[v.as_str()], text.get(lang), "{id} end {v}");
                }
                assert_eq!(measure, "scale");
            }
        }
    }
}

/// Splits one line of PSPP's CSV output (fields with commas are quoted).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("field").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => out.last_mut().expect("field").push(c),
        }
    }
    out
}

/// PSPP's output tables by title, each a list of rows.
type Tables = BTreeMap<String, Vec<Vec<String>>>;

/// Runs PSPP on the .sav (GET, DISPLAY DICTIONARY, FREQUENCIES of `freqs`),
/// fails on any warning or error, and returns its tables.
fn pspp(sav: &str, freqs: &str, dir: &TempDir) -> Tables {
    let syntax = dir.path("read.sps");
    std::fs::write(
        &syntax,
        format!(
            "SET TVARS=NAMES TNUMBERS=VALUES.\nGET FILE='{sav}'.\nDISPLAY DICTIONARY.\n\
             FREQUENCIES VARIABLES={freqs}.\n"
        ),
    )
    .expect("write syntax");
    let csv = dir.path("pspp.csv");
    let out = Command::new("pspp")
        .args(["-O", "format=csv", "-o", &csv, &syntax])
        .output()
        .expect("run pspp");
    let text = std::fs::read_to_string(&csv).expect("PSPP's output");
    let all = format!("{}\n{}\n{text}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "pspp failed:\n{all}");
    for line in all.lines() {
        let l = line.to_lowercase();
        assert!(
            !l.contains("warning") && !l.contains("error"),
            "PSPP complained: {line}"
        );
    }
    let mut tables = Tables::new();
    let mut current = None;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("Table: ") {
            current = Some(title.to_owned());
            tables.insert(title.to_owned(), Vec::new());
        } else if line.is_empty() {
            current = None;
        } else if let Some(t) = &current {
            tables.get_mut(t).expect("table").push(csv_fields(line));
        }
    }
    tables
}

/// PSPP's dictionary and frequencies agree with `manyi freq` and the instrument.
fn check_sav_pspp(input: &str, sav: &str, lang: Lang, dir: &TempDir) {
    let inst = Instrument::builtin();
    let (_, f) = freq(input);
    let tables = pspp(sav, "q1 TO q17", dir);
    let vars = &tables["Variables"];
    let label = |name: &str| {
        vars.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("no variable {name}"))[2]
            .clone()
    };
    // Value labels: rows "variable,value,label", the variable only on its first row.
    let mut value_labels: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut var = String::new();
    for row in &tables["Value Labels"][1..] {
        if !row[0].is_empty() {
            var = row[0].clone();
        }
        value_labels.insert((var.clone(), row[1].clone()), row[2].clone());
    }
    for q in inst.questions() {
        let id = q.id.as_str();
        assert_eq!(label(id), q.text.get(lang), "{id}'s label in PSPP");
        for (k, o) in q.options.iter().enumerate() {
            let key = (id.to_owned(), (k + 1).to_string());
            assert_eq!(
                value_labels.get(&key).map(String::as_str),
                Some(o.label.get(lang))
            );
        }
        // FREQUENCIES: "Valid,value,count,…", ",value,count,…", "Missing,System,count,…".
        let mut counts = BTreeMap::new();
        let mut missing = 0;
        let mut section = String::new();
        for row in &tables[id][1..] {
            if !row[0].is_empty() {
                section = row[0].clone();
            }
            let count: u64 = row[2].parse().unwrap_or(0);
            match section.as_str() {
                "Valid" => {
                    counts.insert(row[1].clone(), count);
                }
                "Missing" => missing += count,
                _ => {}
            }
        }
        let (want, want_missing) = &f[id];
        assert_eq!(
            counts,
            sav_codes(&inst, id, want),
            "{id}'s frequencies in PSPP"
        );
        assert_eq!(missing, *want_missing, "{id}'s missing in PSPP");
    }
}

/// pyarrow's and DuckDB's reading of the Parquet file agrees with `manyi freq`
/// and `manyi nps`.
fn check_parquet(input: &str, parquet: &str) {
    let inst = Instrument::builtin();
    let (n, f) = freq(input);
    let r = python_json("read_parquet.py", &[parquet]);
    assert_eq!(r["rows"].as_u64(), Some(n));
    let names: Vec<String> = serde_json::from_value(r["names"].clone()).expect("names");
    assert_eq!(names, columns_of(input));
    assert_eq!(r["metadata"]["instrument_id"], inst.id());
    assert_eq!(r["metadata"]["instrument_version"], inst.version());
    assert_eq!(r["columns"]["id"]["type"], "string");
    assert_eq!(r["columns"]["id"]["nullable"], false);
    for q in inst.questions() {
        let c = &r["columns"][q.id.as_str()];
        let want = if q.kind == QuestionKind::Single {
            "string"
        } else {
            "int8"
        };
        assert_eq!(c["type"], want, "{}'s type", q.id);
        let (counts, missing) = &f[&q.id];
        assert_eq!(&counts_of(&c["counts"]), counts, "{}", q.id);
        assert_eq!(c["nulls"].as_u64(), Some(*missing), "{} nulls", q.id);
    }
    let (q17, _) = &f["q17"];
    let groups: BTreeMap<String, u64> = r["duckdb_groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter(|g| !g[0].is_null())
        .map(|g| (g[0].to_string(), g[1].as_u64().expect("count")))
        .collect();
    assert_eq!(&groups, q17, "DuckDB's GROUP BY q17");
    let nps = manyi_json(&["nps", input, "--json"]);
    let (sql, ours) = (r["duckdb_nps"].as_f64(), nps["nps"].as_f64());
    match (sql, ours) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "DuckDB's NPS {a} vs manyi's {b}"),
        (a, b) => assert_eq!(a, b),
    }
}

#[test]
fn sav_of_the_thesis_data_reads_back_in_pyreadstat() {
    if !have_python("pyreadstat") {
        return;
    }
    let dir = TempDir::new("sav-pyreadstat");
    for (lang, tag) in [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")] {
        let sav = export(DEMO, "sav", tag, &dir, &format!("thesis-{tag}.sav"));
        check_sav_pyreadstat(DEMO, &sav, lang);
    }
}

#[test]
fn sav_of_the_thesis_data_reads_back_in_pspp() {
    if !have_pspp() {
        return;
    }
    let dir = TempDir::new("sav-pspp");
    for (lang, tag) in [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")] {
        let sav = export(DEMO, "sav", tag, &dir, &format!("thesis-{tag}.sav"));
        let bytes = std::fs::read(&sav).expect("read .sav");
        assert_eq!(&bytes[..4], b"$FL2");
        check_sav_pspp(DEMO, &sav, lang, &dir);
    }
}

#[test]
fn parquet_of_the_thesis_data_reads_back_in_pyarrow_and_duckdb() {
    if !have_python("pyarrow") || !have_python("duckdb") {
        return;
    }
    let dir = TempDir::new("parquet-thesis");
    let file = export(DEMO, "parquet", "zh-CN", &dir, "thesis.parquet");
    check_parquet(DEMO, &file);
}

#[test]
fn a_generated_file_reads_back_the_same_everywhere() {
    let (pyreadstat, pyarrow, duckdb, pspp_there) = (
        have_python("pyreadstat"),
        have_python("pyarrow"),
        have_python("duckdb"),
        have_pspp(),
    );
    let dir = TempDir::new("export-generated");
    let input = dir.path("generated.csv");
    let out = manyi(&["generate", "--n", "20000", "--seed", "18", "-o", &input]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sav = export(&input, "sav", "en", &dir, "generated.sav");
    if pyreadstat {
        check_sav_pyreadstat(&input, &sav, Lang::En);
    }
    if pspp_there {
        check_sav_pspp(&input, &sav, Lang::En, &dir);
    }
    if pyarrow && duckdb {
        let parquet = export(&input, "parquet", "en", &dir, "generated.parquet");
        check_parquet(&input, &parquet);
    }
}

/// A file with what SPSS finds hard: comments past 255 bytes (one cut inside
/// a Chinese character at the segment boundary), a column empty in every row,
/// column names SPSS refuses, and a question nobody answered.
fn awkward_file(dir: &TempDir) -> (String, Vec<String>) {
    // "ab" then 100 Chinese characters: 302 bytes, byte 255 inside a character.
    let long = format!(
        "ab{}",
        "服务很好但是排队时间太长了"
            .repeat(8)
            .chars()
            .take(100)
            .collect::<String>()
    );
    let longer = "网点的环境很好，".repeat(25); // 600 bytes: three segments
    let comments = vec![long, longer, String::new()];
    let mut csv = header("comment,网点,empty col,by");
    let answers = [
        "A,B,C,D,,A,B,C,D,A,B,A,B,C,A,B,9",
        "B,A,C,D,,A,B,C,D,A,B,A,B,C,A,B,",
        "A,B,C,D,,A,B,C,D,A,B,A,B,C,A,B,3",
    ];
    for (i, (a, c)) in answers.iter().zip(&comments).enumerate() {
        csv.push_str(&format!("r{i},{a},{c},支行{i},,x\n"));
    }
    let path = dir.path("awkward.csv");
    std::fs::write(&path, csv).expect("write CSV");
    (path, comments)
}

#[test]
fn sav_keeps_long_texts_empty_columns_odd_names_and_unanswered_questions() {
    let (pyreadstat, pspp_there) = (have_python("pyreadstat"), have_pspp());
    let dir = TempDir::new("sav-awkward");
    let (input, comments) = awkward_file(&dir);
    assert!(comments[0].len() > 255 && !comments[0].is_char_boundary(255));
    let sav = export(&input, "sav", "zh-CN", &dir, "awkward.sav");
    if pyreadstat {
        check_sav_pyreadstat(&input, &sav, Lang::ZhCn);
        let r = python_json("read_sav.py", &[&sav, "--values"]);
        let names: Vec<&str> = r["names"].as_array().expect("names")[18..]
            .iter()
            .map(|v| v.as_str().expect("name"))
            .collect();
        // The rule of src/core/sav.rs: a space becomes `_`, a reserved word gets `_`.
        assert_eq!(names, ["comment", "网点", "empty_col", "by_"]);
        assert_eq!(r["labels"]["empty_col"], "empty col");
        assert_eq!(r["labels"]["by_"], "by");
        assert!(r["labels"]["comment"].is_null() && r["labels"]["网点"].is_null());
        let values: Vec<String> =
            serde_json::from_value(r["values"]["comment"].clone()).expect("comments");
        assert_eq!(values, comments, "long texts come back whole");
        assert_eq!(r["values"]["empty_col"], serde_json::json!(["", "", ""]));
        assert_eq!(
            r["values"]["网点"],
            serde_json::json!(["支行0", "支行1", "支行2"])
        );
        // q5 was answered by nobody: still a variable with its labels.
        assert_eq!(r["missing"]["q5"], 3);
        assert_eq!(r["value_labels"]["q5"]["1"], "10万元以下");
    }
    if pspp_there {
        check_sav_pspp(&input, &sav, Lang::ZhCn, &dir);
        let tables = pspp(&sav, "q5", &dir);
        let comment = tables["Variables"]
            .iter()
            .find(|r| r[0] == "comment")
            .expect("comment");
        assert_eq!(
            comment[7],
            format!("A{}", comments[1].len()),
            "a very long string"
        );
        assert!(tables["Variables"]
            .iter()
            .any(|r| r[0] == "empty_col" && r[7] == "A1"));
    }
}

#[test]
fn parquet_keeps_the_type_of_columns_nobody_answered() {
    if !have_python("pyarrow") || !have_python("duckdb") {
        return;
    }
    let dir = TempDir::new("parquet-awkward");
    let (input, comments) = awkward_file(&dir);
    let file = export(&input, "parquet", "zh-CN", &dir, "awkward.parquet");
    check_parquet(&input, &file);
    let r = python_json("read_parquet.py", &[&file]);
    let c = &r["columns"];
    assert_eq!(
        (c["q5"]["type"].as_str(), c["q5"]["nulls"].as_u64()),
        (Some("string"), Some(3))
    );
    assert_eq!(c["empty col"]["type"], "string");
    assert_eq!(c["empty col"]["nulls"], 3);
    assert_eq!(c["comment"]["counts"][&comments[0]], 1);
    assert_eq!(c["comment"]["counts"][&comments[1]], 1);
    // A file where nobody answered the NPS question: still int8, and no NPS.
    let mut csv = header("");
    csv.push_str("r1,A,B,C,D,E,A,B,C,D,A,B,A,B,C,A,B,\n");
    let none = dir.path("no-nps.csv");
    std::fs::write(&none, csv).expect("write");
    let file = export(&none, "parquet", "zh-CN", &dir, "no-nps.parquet");
    let r = python_json("read_parquet.py", &[&file]);
    assert_eq!(r["columns"]["q17"]["type"], "int8");
    assert_eq!(r["columns"]["q17"]["nulls"], 1);
    assert!(r["duckdb_nps"].is_null());
}

#[test]
fn export_writes_every_format_the_page_offers() {
    let dir = TempDir::new("export-formats");
    let (n, f) = freq(DEMO);
    for (format, name) in [("csv", "a.csv"), ("labelled", "b.csv"), ("xlsx", "c.xlsx")] {
        let path = export(DEMO, format, "en", &dir, name);
        assert_eq!(freq(&path), (n, f.clone()), "{format} reads back the same");
    }
    let labelled = std::fs::read_to_string(dir.path("b.csv")).expect("read");
    assert!(labelled.starts_with('\u{feff}') && labelled.contains("Female"));
    let backup = export(DEMO, "backup", "en", &dir, "d.json");
    let text = std::fs::read_to_string(&backup).expect("read backup");
    let restored = manyi::backup::read(&text).expect("a backup manyi restores");
    assert_eq!(restored.responses.len() as u64, n);
    let sav = export(DEMO, "sav", "en", &dir, "e.sav");
    assert_eq!(&std::fs::read(sav).expect("read")[..4], b"$FL2");
    let parquet = export(DEMO, "parquet", "en", &dir, "f.parquet");
    assert_eq!(&std::fs::read(parquet).expect("read")[..4], b"PAR1");
}

#[test]
fn export_refuses_a_wrong_command_line_before_reading() {
    let dir = TempDir::new("export-usage");
    let out_path = dir.path("x.sav");
    let cases: [(&[&str], u8, &str); 5] = [
        (
            &["export", DEMO, "-o", &out_path],
            2,
            "export needs --format",
        ),
        (
            &["export", DEMO, "--format", "spss", "-o", &out_path],
            2,
            "unknown --format \"spss\"",
        ),
        (
            &["export", DEMO, "--format", "sav"],
            2,
            "export needs -o FILE",
        ),
        (
            &["export", "--format", "sav", "-o", &out_path],
            2,
            "export needs one CSV",
        ),
        (
            &["freq", DEMO, "--format", "sav"],
            2,
            "--format goes with export",
        ),
    ];
    for (args, code, message) in cases {
        let out = manyi(args);
        assert_eq!(out.status.code(), Some(i32::from(code)), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    // Bad input is exit 1, and nothing is written.
    let missing = dir.path("missing.csv");
    let out = manyi(&["export", &missing, "--format", "sav", "-o", &out_path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read"));
    let nowhere = dir.path("no/such/dir/x.parquet");
    let out = manyi(&["export", DEMO, "--format", "parquet", "-o", &nowhere]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!Path::new(&out_path).exists() && !Path::new(&nowhere).exists());
}

#[test]
#[ignore = "1,000,000 responses: a minute or two; run with --ignored"]
fn a_million_responses_read_back_the_same_everywhere() {
    let dir = TempDir::new("export-million");
    let input = dir.path("million.csv");
    let out = manyi(&["generate", "--n", "1000000", "--seed", "18", "-o", &input]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sav = export(&input, "sav", "zh-CN", &dir, "million.sav");
    let parquet = export(&input, "parquet", "zh-CN", &dir, "million.parquet");
    if have_python("pyreadstat") {
        check_sav_pyreadstat(&input, &sav, Lang::ZhCn);
    }
    if have_pspp() {
        check_sav_pspp(&input, &sav, Lang::ZhCn, &dir);
    }
    if have_python("pyarrow") && have_python("duckdb") {
        check_parquet(&input, &parquet);
    }
}
