//! The `manyi` command line, run as a built binary.
//!
//! Reference counts are the thesis's (the table "What the thesis published" in
//! `docs/questionnaire.md`) and, for unpublished ones, the data README's
//! (`docs/data.md`); the data set is the repository's demo copy.

mod common;
use common::{manyi, manyi_stdin, stderr, stdout, TempDir, DEMO};
use std::path::Path;
use std::process::{Command, Output};

use manyi::Instrument;
use serde_json::Value;

/// Asserts a successful run and returns its stdout.
fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    assert!(o.stderr.is_empty(), "stderr: {}", stderr(o));
    stdout(o)
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&ok(o)).expect("stdout is JSON")
}

fn no_crash(o: &Output) {
    let e = stderr(o).to_lowercase();
    assert!(
        !e.contains("panicked") && !e.contains("backtrace") && !e.contains("internal error"),
        "{e}"
    );
}

/// Counts in option order: thesis tables 3.5–3.11 and text, the rest from the data README.
#[rustfmt::skip]
const COUNTS: &[(&str, &[u64])] = &[
    ("q1", &[177, 189]),                                 // thesis table 3.5
    ("q2", &[48, 62, 77, 124, 55]),                      // thesis table 3.6
    ("q3", &[30, 89, 52, 182, 13]),                      // data README (B, D: thesis text)
    ("q4", &[39, 127, 52, 39, 17, 43, 14, 35]),          // thesis table 3.7
    ("q5", &[96, 142, 71, 38, 19]),                      // data README
    ("q6", &[55, 136, 52, 29, 42, 40, 12]),              // data README (A, B, C: thesis text)
    ("q7", &[136, 86, 42, 31, 19, 24, 17, 11]),          // data README (A–E: thesis text)
    ("q8", &[20, 130, 73, 91, 35, 11, 6]),               // thesis table 3.8
    ("q9", &[51, 95, 129, 62, 29]),                      // thesis table 3.9
    ("q10", &[44, 128, 194]),                            // thesis text
    ("q11", &[11, 77, 112, 166]),                        // thesis table 3.10
    ("q12", &[76, 158, 132]),                            // thesis table 3.11
    ("q13", &[71, 169, 126]),                            // data README
    ("q14", &[104, 187, 75]),                            // thesis table 3.11
    ("q15", &[52, 107, 207]),                            // thesis table 3.11
    ("q16", &[89, 203, 74]),                             // thesis table 3.11
    ("q17", &[9, 5, 8, 14, 19, 37, 45, 49, 55, 58, 67]), // data README (groups: thesis fig. 3.8)
];

#[test]
fn freq_json_has_every_count() {
    let v = json(&manyi(&["freq", DEMO, "--json"]));
    assert_eq!(v["n"], 366);
    let qs = v["questions"].as_object().expect("questions is an object");
    assert_eq!(qs.len(), 17);
    assert_eq!(
        v["questions"]["q1"]["counts"],
        serde_json::json!({"A": 177, "B": 189})
    );
    for (id, counts) in COUNTS {
        let q = &v["questions"][id];
        assert_eq!(q["missing"], 0, "{id}");
        assert_eq!(q["valid"], 366, "{id}");
        let keys: Vec<String> = if *id == "q17" {
            (0..=10).map(|s: u32| s.to_string()).collect()
        } else {
            (0..counts.len())
                .map(|i| char::from(b'A' + i as u8).to_string())
                .collect()
        };
        let got = q["counts"].as_object().expect("counts is an object");
        assert_eq!(got.len(), keys.len(), "{id}: {got:?}");
        for (k, &c) in keys.iter().zip(counts.iter()) {
            assert_eq!(got[k], c, "{id} {k}");
            // percent is of the valid answers, here count / 366.
            let pct = q["percent"][k].as_f64().expect("percent");
            assert!((pct - 100.0 * c as f64 / 366.0).abs() < 1e-9, "{id} {k}");
        }
    }
}

#[test]
fn freq_json_keeps_option_order() {
    // JSON objects are unordered, but a person reads the output: options must
    // come in the order printed on the form, and Q17 as 0, 1, …, 10 (not 0, 1, 10, 2).
    let out = ok(&manyi(&["freq", DEMO, "--json"]));
    let q17 = &out[out.find("\"q17\"").expect("q17")..];
    let mut last = 0;
    for (score, count) in COUNTS[16].1.iter().enumerate() {
        let at = q17
            .find(&format!("\"{score}\": {count}"))
            .unwrap_or_else(|| panic!("q17 score {score} count {count} in {q17}"));
        assert!(at >= last, "q17 score {score} out of order");
        last = at;
    }
    let qpos: Vec<usize> = (1..=17)
        .map(|i| out.find(&format!("\"q{i}\"")).expect("question key"))
        .collect();
    assert!(
        qpos.windows(2).all(|w| w[0] < w[1]),
        "questions out of order"
    );
}

#[test]
fn nps_json() {
    let v = json(&manyi(&["nps", DEMO, "--json"]));
    // thesis fig. 3.8: 125 / 104 / 137 of 366; NPS −3.28 (statistics.md §1: −3.2786885)
    assert_eq!(v["n"], 366);
    assert_eq!(v["missing"], 0);
    assert_eq!(v["promoters"], 125);
    assert_eq!(v["passives"], 104);
    assert_eq!(v["detractors"], 137);
    let nps = v["nps"].as_f64().expect("nps is a number");
    assert!((nps - -3.2786885).abs() < 1e-6, "{nps}");
    // thesis fig. 3.8: 34.15%, 28.42%, 37.43%
    for (key, pct) in [
        ("pct_promoters", "34.15"),
        ("pct_passives", "28.42"),
        ("pct_detractors", "37.43"),
    ] {
        assert_eq!(format!("{:.2}", v[key].as_f64().expect(key)), pct, "{key}");
    }
}

/// The line of `out` that starts with `label` (an NPS group's row).
fn group_line<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line for {label} in {out}"))
}

/// Each NPS group named by `labels` (promoters, passives, detractors) on its
/// own line with its count and share (thesis fig. 3.8: 125 / 104 / 137 of
/// 366), not merely somewhere in the output.
fn assert_groups(out: &str, labels: [&str; 3]) {
    let want = [("125", "34.15%"), ("104", "28.42%"), ("137", "37.43%")];
    for (label, (count, share)) in labels.into_iter().zip(want) {
        let line = group_line(out, label);
        assert!(
            has_cell(line, count) && has_cell(line, share),
            "{label}: {line}"
        );
    }
}

/// Whether `cell` is one of the whitespace-separated cells of `line`.
fn has_cell(line: &str, cell: &str) -> bool {
    line.split_whitespace().any(|c| c == cell)
}

#[test]
fn nps_human_chinese_by_default() {
    let out = ok(&manyi(&["nps", DEMO]));
    // thesis fig. 3.8: NPS = −3.28 (printed with an ASCII minus)
    assert!(out.contains("-3.28"), "{out}");
    assert_groups(&out, ["推荐者", "被动者", "贬损者"]);
    assert!(!out.contains("Promoters"), "{out}");
    // --lang zh-CN is the same as the default.
    assert_eq!(out, ok(&manyi(&["nps", DEMO, "--lang", "zh-CN"])));
}

#[test]
fn nps_human_english() {
    let out = ok(&manyi(&["nps", DEMO, "--lang", "en"]));
    assert!(out.contains("-3.28"), "{out}");
    assert_groups(&out, ["Promoters", "Passives", "Detractors"]);
    assert!(!out.contains("推荐者"), "{out}");
    // Options may come before the command too.
    assert_eq!(out, ok(&manyi(&["--lang", "en", "nps", DEMO])));
}

/// The questions as printed in docs/questionnaire.md (问题 column).
const QUESTION_TEXTS: [&str; 17] = [
    "您的性别",
    "您的年龄",
    "您的学历",
    "您的职业",
    "您的家庭年收入",
    "您通过何种途径成为本行客户",
    "您选择银行时最看重哪一项",
    "目前您的资产主要投资于以下哪一项",
    "您是否愿意参加我行举办的客户活动",
    "是否有专职人员与您进行维护与联络",
    "银行客户经理与您的联络频率",
    "银行工作人员的态度是否能让您感到满意",
    "银行个性化、差异化服务是否能让您感到满意",
    "手机银行的日常使用体验是否能让您感到满意",
    "银行业务办理效率是否能让您感到满意",
    "银行工作人员专业水平是否能让您感到满意",
    "您有多大可能将本行的服务与产品推荐给亲友",
];

#[test]
fn report_has_every_question_heading() {
    let out = ok(&manyi(&["report", DEMO]));
    for (i, text) in QUESTION_TEXTS.iter().enumerate() {
        let heading = format!("Q{} {text}", i + 1);
        assert!(out.contains(&heading), "{heading} missing from the report");
    }
    // The report also carries the NPS (thesis fig. 3.8) and the satisfaction items.
    assert!(out.contains("-3.28"));
    assert!(out.contains("满意度"));
    // Satisfaction index of Q15, statistics.md §4: 28.8251366 → 28.83
    assert!(out.contains("28.83"));
    let en = ok(&manyi(&["report", DEMO, "--lang", "en"]));
    // English question texts, questionnaire.md "Question (en)" column, as headings.
    for heading in [
        "Q1 Gender",
        "Q2 Age",
        "Q3 Education",
        "Q14 Everyday use of mobile banking",
        "Q6 How did you become our customer?",
    ] {
        assert!(
            en.lines().any(|l| l.trim() == heading),
            "{heading} missing from the English report"
        );
    }
}

#[test]
fn report_json_is_the_library_report() {
    let v = json(&manyi(&["report", DEMO, "--json"]));
    assert_eq!(v["n"], 366);
    assert_eq!(v["instrument"], "zg-x-branch-2023");
    assert_eq!(v["nps"]["promoters"], 125);
    assert_eq!(v["frequencies"]["questions"]["q4"]["counts"]["B"], 127);
    let sat = v["satisfaction"].as_array().expect("satisfaction items");
    assert_eq!(sat.len(), 5);
    // statistics.md §4: Q12 index 42.3497268
    let idx = sat[0]["index"].as_f64().expect("index");
    assert!((idx - 42.3497268).abs() < 1e-6, "{idx}");
}

#[test]
fn stdin_is_read_for_a_dash() {
    let bytes = std::fs::read(DEMO).expect("read demo");
    let from_file = ok(&manyi(&["report", DEMO]));
    let from_stdin = ok(&manyi_stdin(&["report", "-"], &bytes));
    assert_eq!(from_stdin, from_file);
    let v: Value =
        serde_json::from_str(&ok(&manyi_stdin(&["nps", "-", "--json"], &bytes))).expect("json");
    assert_eq!(v["promoters"], 125);
}

fn usage_error(args: &[&str], mentions: &str) {
    let o = manyi(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "{args:?} printed on stdout");
    let e = stderr(&o);
    assert!(e.contains("Usage"), "{args:?}: no usage in {e}");
    assert!(e.contains(mentions), "{args:?}: {mentions:?} not in {e}");
    no_crash(&o);
}

#[test]
fn usage_errors_exit_2() {
    usage_error(&["frobnicate", DEMO], "frobnicate");
    usage_error(&["frobnicate"], "frobnicate");
    usage_error(&["freq", DEMO, "--frobnicate"], "--frobnicate");
    usage_error(&["freq"], "freq");
    usage_error(&["nps"], "nps");
    usage_error(&["report", "--json"], "report");
    // One file too many: still a usage error (the message names the command).
    usage_error(&["freq", DEMO, "extra.csv"], "freq");
    usage_error(&["nps", DEMO, "--lang", "fr"], "fr");
    usage_error(&["nps", DEMO, "--lang"], "--lang");
    usage_error(&["nps", DEMO, "--instrument"], "--instrument");
}

#[test]
fn help_and_version() {
    for args in [&["--help"][..], &["-h"], &[]] {
        let out = ok(&manyi(args));
        assert!(out.contains("Usage"), "{args:?}");
    }
    let v = ok(&manyi(&["--version"]));
    assert_eq!(v.trim(), format!("manyi {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn nonexistent_file_exits_1_naming_it() {
    let dir = TempDir::new("missing");
    let path = dir.0.join("no-such-file.csv");
    let path = path.to_str().expect("UTF-8 path");
    for cmd in ["freq", "nps", "report"] {
        let o = manyi(&[cmd, path]);
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        assert!(o.stdout.is_empty());
        assert!(stderr(&o).contains(path), "{cmd}: {}", stderr(&o));
        no_crash(&o);
    }
    let o = manyi(&["instrument", "--instrument", path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(path));
}

/// A small instrument of both kinds with both roles, as a person would write it.
const TINY: &str = r#"{
  "id": "tiny",
  "version": "2",
  "title": {"zh-CN": "小问卷", "en": "Tiny survey"},
  "questions": [
    {"id": "colour", "kind": "single", "text": {"zh-CN": "颜色", "en": "Colour"},
     "options": [
       {"code": "A", "label": {"zh-CN": "红", "en": "Red"}},
       {"code": "B", "label": {"zh-CN": "绿", "en": "Green"}},
       {"code": "C", "label": {"zh-CN": "蓝"}}
     ]},
    {"id": "happy", "kind": "single", "text": {"zh-CN": "满意吗"},
     "options": [
       {"code": "A", "label": {"zh-CN": "满意"}},
       {"code": "B", "label": {"zh-CN": "不满意"}}
     ]},
    {"id": "ltr", "kind": "scale", "text": {"zh-CN": "推荐", "en": "Recommend"},
     "min": 0, "max": 10}
  ],
  "satisfaction": ["happy"],
  "nps": "ltr"
}
"#;

/// Five responses to TINY, computed by hand below.
const TINY_CSV: &str = "id,colour,happy,ltr,note\n\
    a,A,A,10,\n\
    b,B,B,0,\"x, y\"\n\
    c,c,A,9,\n\
    d,A,,7,\n\
    e,B,B,,late\n";

#[test]
fn custom_instrument_works_on_a_matching_csv() {
    let dir = TempDir::new("tiny");
    let inst = dir.write("tiny.json", TINY.as_bytes());
    let csv = dir.write("tiny.csv", TINY_CSV.as_bytes());

    let f = json(&manyi(&["freq", &csv, "--json", "--instrument", &inst]));
    assert_eq!(f["n"], 5);
    // colour: A (a, d), B (b, e), C (c, lower case in the file)
    assert_eq!(
        f["questions"]["colour"]["counts"],
        serde_json::json!({"A": 2, "B": 2, "C": 1})
    );
    // happy: A (a, c), B (b, e), d blank
    assert_eq!(
        f["questions"]["happy"]["counts"],
        serde_json::json!({"A": 2, "B": 2})
    );
    assert_eq!(f["questions"]["happy"]["missing"], 1);
    assert_eq!(f["questions"]["ltr"]["missing"], 1);
    assert_eq!(
        f["questions"]["ltr"]["counts"]
            .as_object()
            .expect("ltr")
            .len(),
        11
    );

    let n = json(&manyi(&["nps", &csv, "--json", "--instrument", &inst]));
    // ltr 10, 0, 9, 7 and one blank: 2 promoters, 1 passive, 1 detractor of 4;
    // NPS = 100·(2 − 1)/4 = 25.
    assert_eq!(n["n"], 4);
    assert_eq!(n["missing"], 1);
    assert_eq!(
        (&n["promoters"], &n["passives"], &n["detractors"]),
        (&Value::from(2), &Value::from(1), &Value::from(1))
    );
    assert_eq!(n["nps"].as_f64(), Some(25.0));

    let r = ok(&manyi(&[
        "report",
        &csv,
        "--instrument",
        &inst,
        "--lang",
        "en",
    ]));
    for text in [
        "Tiny survey",
        "COLOUR Colour",
        "HAPPY 满意吗",
        "LTR Recommend",
        "25.00",
    ] {
        assert!(r.contains(text), "{text} missing from {r}");
    }

    // The built-in demo file does not match this instrument: exit 1, the columns named.
    let o = manyi(&["freq", DEMO, "--instrument", &inst]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(e.contains("\"colour\"") && e.contains("\"ltr\""), "{e}");
    no_crash(&o);

    // `manyi instrument --instrument FILE` prints that instrument back.
    let back = ok(&manyi(&["instrument", "--instrument", &inst]));
    assert_eq!(
        Instrument::from_json(&back).expect("reloads"),
        Instrument::from_json(TINY).expect("tiny is valid")
    );
}

#[test]
fn malformed_instrument_exits_1_naming_the_place() {
    let dir = TempDir::new("bad-instrument");
    let csv = dir.write("tiny.csv", TINY_CSV.as_bytes());

    // A JSON syntax error on line 3 (a missing comma after "version").
    let broken = TINY.replacen("\"version\": \"2\",", "\"version\": \"2\"", 1);
    assert_ne!(broken, TINY);
    let path = dir.write("broken.json", broken.as_bytes());
    let o = manyi(&["freq", &csv, "--instrument", &path]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(e.contains(&path), "{e}");
    assert!(e.contains("invalid instrument"), "{e}");
    assert!(
        e.contains("line 4"),
        "the error is where \"title\" begins: {e}"
    );
    no_crash(&o);

    // Well-formed JSON that breaks rules: a one-option question, a lower-case code.
    let rules = TINY
        .replacen(
            r#"{"code": "A", "label": {"zh-CN": "满意"}},
       {"code": "B", "label": {"zh-CN": "不满意"}}"#,
            r#"{"code": "A", "label": {"zh-CN": "满意"}}"#,
            1,
        )
        .replacen(r#""code": "C""#, r#""code": "c""#, 1);
    assert_ne!(rules, TINY);
    let path = dir.write("rules.json", rules.as_bytes());
    let o = manyi(&["nps", &csv, "--instrument", &path]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(e.contains("questions[0].options[2].code"), "{e}");
    assert!(e.contains("questions[1].options"), "{e}");
    assert!(e.contains("2 problems"), "{e}");
    no_crash(&o);

    // Not UTF-8 at all.
    let path = dir.write("gbk.json", b"{\"id\": \"\xD6\xD0\"}");
    let o = manyi(&["nps", &csv, "--instrument", &path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&path));
    no_crash(&o);
}

#[test]
fn instrument_command_prints_the_builtin_instrument() {
    let out = ok(&manyi(&["instrument"]));
    let inst = Instrument::from_json(&out).expect("manyi instrument prints a valid instrument");
    assert_eq!(inst, Instrument::builtin());
    assert_eq!(inst.questions().len(), 17);
    // The template is what a person edits: same file shape as instruments/*.json.
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["id"], "zg-x-branch-2023");
    assert_eq!(v["nps"], "q17");
}

#[test]
fn a_bad_csv_through_the_cli_names_the_file() {
    let dir = TempDir::new("bad-csv");
    let csv = dir.write(
        "bad.csv",
        b"id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n\
          r1,A,B,C,D,E,A,B,C,D,A,B,A,B,C,A,B,11\n",
    );
    let o = manyi(&["nps", &csv]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(e.contains(&csv), "{e}");
    assert!(e.contains("line 2, column 18 (q17), value \"11\""), "{e}");
    no_crash(&o);
}

#[test]
fn paths_are_accepted_as_given() {
    // A relative path works too (the command runs in the crate's directory).
    let rel = Path::new("www").join("demo").join("zg-x-branch-2023.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_manyi"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("nps")
        .arg(&rel)
        .arg("--json")
        .output()
        .expect("run manyi");
    assert_eq!(json(&o)["detractors"], 137);
}

#[test]
fn generate_is_deterministic_and_imports_back() {
    let dir = std::env::temp_dir().join(format!("manyi-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.csv");
    let out = common::manyi(&[
        "generate",
        "--n",
        "300",
        "--seed",
        "5",
        "-o",
        a.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = common::manyi(&["generate", "--n", "300", "--seed", "5"]);
    assert_eq!(
        std::fs::read(&a).unwrap(),
        again.stdout,
        "same seed, same bytes, file or stdout"
    );
    let report = common::manyi(&["report", a.to_str().unwrap(), "--json"]);
    assert!(report.status.success());
    let r: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(r["n"], 300);
    let usage = common::manyi(&["generate"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("--n"));
    std::fs::remove_dir_all(&dir).unwrap();
}
