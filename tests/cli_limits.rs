//! The `manyi` command line at and past its limits (issue 14, item 6): many
//! `--by` segments, huge instruments, huge `generate --n`, the merge's
//! temporary file, `--resolve` ids containing `=`. Every bad input ends with
//! exit 1 and a sentence on stderr, never an abort or a panic.

mod common;
use common::{header, manyi, stderr, stdout, TempDir, DEMO};
use std::path::Path;
use std::process::Output;

use serde_json::Value;

/// Asserts a successful run and returns its stdout.
fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    stdout(o)
}

/// Asserts exit 1 with a message on stderr (no panic, no abort) and returns it.
fn refused(o: &Output) -> String {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {e}");
    let lower = e.to_lowercase();
    assert!(
        !lower.contains("panicked") && !lower.contains("internal error"),
        "{e}"
    );
    assert!(e.starts_with("manyi: "), "{e}");
    e
}

/// A row answering only Q1 (blank if empty) and Q17, then `extra` if not empty.
fn row(id: &str, q1: &str, q17: u32, extra: &str) -> String {
    let mut r = format!("{id},{q1}{}{q17}", ",".repeat(16));
    if !extra.is_empty() {
        r.push(',');
        r.push_str(extra);
    }
    r + "\n"
}

/// `rows` responses with only Q17 answered and a distinct `submitted_at` each.
fn distinct_timestamps(rows: usize) -> String {
    let mut csv = header("submitted_at");
    for r in 0..rows {
        let (min, sec) = (r / 60, r % 60);
        let stamp = format!(
            "2024-03-{:02}T{:02}:{:02}:{sec:02}",
            1 + min / 1440,
            min / 60 % 24,
            min % 60
        );
        csv.push_str(&row(&format!("r{r}"), "", (r * 7 % 11) as u32, &stamp));
    }
    csv
}

#[test]
fn nps_by_thirty_thousand_segments_is_summarised_not_quadratic() {
    let dir = TempDir::new("by");
    let file = dir.write("stamps.csv", distinct_timestamps(30_000).as_bytes());
    // Text: the table and the list of differences are bounded, and say so.
    let text = ok(&manyi(&[
        "nps",
        &file,
        "--by",
        "submitted_at",
        "--lang",
        "en",
    ]));
    assert!(text.lines().count() < 300, "{} lines", text.lines().count());
    assert!(
        text.contains("29800 more segments") && text.contains("--json"),
        "{text}"
    );
    assert!(
        text.contains("30000 segments: each compared with the rest"),
        "{text}"
    );
    // JSON: every segment, and one comparison per segment (vs the rest), not per pair.
    let json: Value = serde_json::from_str(&ok(&manyi(&[
        "nps",
        &file,
        "--by",
        "submitted_at",
        "--json",
    ])))
    .expect("JSON");
    assert_eq!(json["segments"].as_array().expect("segments").len(), 30_000);
    assert_eq!(json["compared"], "vs_rest");
    let comparisons = json["comparisons"].as_array().expect("comparisons");
    assert!(comparisons.len() <= 30_000, "{}", comparisons.len());
    assert!(comparisons.iter().all(|c| c["b"] == ""));
    // Chinese text too.
    let zh = ok(&manyi(&["nps", &file, "--by", "submitted_at"]));
    assert!(zh.lines().count() < 300);
}

#[test]
fn nps_by_a_few_segments_still_compares_every_pair() {
    let json: Value =
        serde_json::from_str(&ok(&manyi(&["nps", DEMO, "--by", "q2", "--json"]))).expect("JSON");
    assert_eq!(json["compared"], "pairwise");
    assert_eq!(json["comparisons"].as_array().expect("pairs").len(), 10);
}

#[test]
fn nps_by_more_than_twenty_segments_compares_each_with_the_rest() {
    // 21 values of an extra column: one past the pairwise limit.
    let mut csv = header("branch");
    for r in 0..2100u32 {
        let branch = r % 21;
        // Branch 0 is all promoters, the others mixed.
        let score = if branch == 0 { 10 } else { r % 11 };
        csv.push_str(&row(&format!("r{r}"), "", score, &format!("b{branch:02}")));
    }
    let dir = TempDir::new("rest");
    let file = dir.write("branches.csv", csv.as_bytes());
    let json: Value =
        serde_json::from_str(&ok(&manyi(&["nps", &file, "--by", "branch", "--json"])))
            .expect("JSON");
    assert_eq!(json["compared"], "vs_rest");
    let c = json["comparisons"].as_array().expect("comparisons");
    assert_eq!(c.len(), 21);
    assert_eq!(c[0]["a"], "b00");
    // b00 (NPS 100) against the other 2000 responses, Bonferroni over 21 tests
    // of the adjusted-Wald p.
    assert!(c[0]["delta"].as_f64().expect("delta") > 50.0, "{}", c[0]);
    let p = c[0]["adjusted"]["p"].as_f64().expect("p");
    let p_bonferroni = c[0]["p_bonferroni"].as_f64().expect("p_bonferroni");
    assert!((p_bonferroni - (p * 21.0).min(1.0)).abs() < 1e-12);
    assert_eq!(c[0]["significant"], true);
    let text = ok(&manyi(&["nps", &file, "--by", "branch", "--lang", "en"]));
    assert!(text.contains("b00–rest"), "{text}");
}

/// An instrument with `n` single-choice questions, all satisfaction items.
fn huge_instrument(n: usize) -> String {
    let questions: Vec<Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("s{i}"), "kind": "single", "text": {"zh-CN": "满意吗"},
                "options": [{"code": "A", "label": {"zh-CN": "是"}},
                            {"code": "B", "label": {"zh-CN": "否"}}]
            })
        })
        .collect();
    let ids: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
    serde_json::json!({
        "id": "huge", "version": "1", "title": {"zh-CN": "大"},
        "questions": questions, "satisfaction": ids,
    })
    .to_string()
}

#[test]
fn an_instrument_of_forty_thousand_items_is_refused() {
    let dir = TempDir::new("inst");
    let inst = dir.write("huge.json", huge_instrument(40_000).as_bytes());
    let mut csv = String::from("id");
    for i in 0..40_000 {
        csv.push_str(&format!(",s{i}"));
    }
    csv.push_str("\nr1");
    csv.push_str(&",A".repeat(40_000));
    csv.push('\n');
    let data = dir.write("data.csv", csv.as_bytes());
    let e = refused(&manyi(&["report", &data, "--instrument", &inst]));
    assert!(
        e.contains("questions") && e.contains("at most 200 questions, not 40000"),
        "{e}"
    );
    // The limit itself is fine.
    let ok_inst = dir.write("ok.json", huge_instrument(200).as_bytes());
    ok(&manyi(&["instrument", "--instrument", &ok_inst]));
    let e = refused(&manyi(&[
        "instrument",
        "--instrument",
        &dir.write("201.json", huge_instrument(201).as_bytes()),
    ]));
    assert!(e.contains("not 201"), "{e}");
}

#[test]
fn an_instrument_text_too_long_is_refused_with_its_place() {
    let dir = TempDir::new("text");
    let builtin = manyi::Instrument::builtin().to_json();
    let mut v: Value = serde_json::from_str(&builtin).expect("json");
    v["questions"][3]["text"]["en"] = "x".repeat(5_000).into();
    let inst = dir.write("long.json", v.to_string().as_bytes());
    let e = refused(&manyi(&["instrument", "--instrument", &inst]));
    assert!(
        e.contains("questions[3].text.en") && e.contains("at most 2000 characters"),
        "{e}"
    );
}

#[test]
fn generate_refuses_more_than_its_limit() {
    for n in [
        "4000000000",
        "18446744073709551615",
        "99999999999999999999999999",
    ] {
        let e = refused(&manyi(&["generate", "--n", n]));
        assert!(e.contains("at most 10000000 responses"), "{n}: {e}");
    }
    // Not a number at all is a command-line mistake.
    let o = manyi(&["generate", "--n", "-5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = ok(&manyi(&["generate", "--n", "3", "--seed", "2"]));
    assert_eq!(out.lines().count(), 4);
}

/// Two files that disagree about response `r=1` (an id with `=` in it).
fn conflicting(dir: &TempDir) -> (String, String) {
    let a = header("") + &row("r=1", "A", 9, "") + &row("r2", "B", 3, "");
    let b = header("") + &row("r=1", "B", 9, "") + &row("r3", "A", 10, "");
    let (a, b) = (
        dir.write("a.csv", a.as_bytes()),
        dir.write("b.csv", b.as_bytes()),
    );
    (a, b)
}

#[test]
fn resolve_splits_at_the_last_equals_sign() {
    let dir = TempDir::new("resolve");
    let (a, b) = conflicting(&dir);
    let out = dir.path("all.csv");
    let e = refused(&manyi(&["merge", &a, &b, "-o", &out]));
    assert!(e.contains("r=1: "), "{e}");
    let resolve = format!("r=1={b}");
    let o = manyi(&["merge", &a, &b, "-o", &out, "--resolve", &resolve]);
    ok(&o);
    let merged = std::fs::read_to_string(&out).expect("merged");
    let kept = merged
        .lines()
        .find(|l| l.starts_with("r=1,"))
        .expect("r=1 kept");
    assert!(kept.starts_with("r=1,B,"), "{kept}");
}

#[test]
fn merge_leaves_only_its_output_behind() {
    let dir = TempDir::new("clean");
    let (a, b) = conflicting(&dir);
    let out = dir.path("all.csv");
    let resolve = format!("r=1={a}");
    let merge = || {
        ok(&manyi(&[
            "merge",
            &a,
            &b,
            "-o",
            &out,
            "--resolve",
            &resolve,
        ]))
    };
    merge();
    assert_eq!(dir.names(), ["a.csv", "all.csv", "b.csv"]);
    // Writing again replaces the file, still with nothing else left behind.
    merge();
    assert_eq!(dir.names(), ["a.csv", "all.csv", "b.csv"]);
    // generate -o goes the same way.
    let g = dir.path("gen.csv");
    ok(&manyi(&["generate", "--n", "5", "-o", &g]));
    assert_eq!(dir.names(), ["a.csv", "all.csv", "b.csv", "gen.csv"]);
}

#[test]
fn merge_into_a_directory_fails_and_leaves_nothing() {
    let dir = TempDir::new("isdir");
    let (a, b) = conflicting(&dir);
    std::fs::create_dir(dir.0.join("out")).expect("mkdir");
    let resolve = format!("r=1={a}");
    let e = refused(&manyi(&[
        "merge",
        &a,
        &b,
        "-o",
        &dir.path("out"),
        "--resolve",
        &resolve,
    ]));
    assert!(e.contains("cannot write"), "{e}");
    assert_eq!(dir.names(), ["a.csv", "b.csv", "out"]);
    assert_eq!(
        std::fs::read_dir(dir.0.join("out")).expect("out").count(),
        0
    );
    // A directory that does not exist.
    let missing = dir.path("nowhere/all.csv");
    let e = refused(&manyi(&[
        "merge",
        &a,
        &b,
        "-o",
        &missing,
        "--resolve",
        &resolve,
    ]));
    assert!(e.contains("cannot write") && e.contains("nowhere"), "{e}");
    assert_eq!(dir.names(), ["a.csv", "b.csv", "out"]);
}

#[cfg(unix)]
#[test]
fn merge_into_a_read_only_directory_fails_and_leaves_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("ro");
    let (a, b) = conflicting(&dir);
    let target = TempDir::new("ro-target");
    std::fs::set_permissions(&target.0, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    // root writes anyway: then there is nothing to test here.
    let probe = target.0.join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        let _ = std::fs::remove_file(&probe);
        eprintln!("skipped: this user can write into a read-only directory");
        return;
    }
    let resolve = format!("r=1={a}");
    let out = target.path("all.csv");
    let e = refused(&manyi(&[
        "merge",
        &a,
        &b,
        "-o",
        &out,
        "--resolve",
        &resolve,
    ]));
    assert!(e.contains("cannot write"), "{e}");
    assert!(target.names().is_empty(), "{:?}", target.names());
}

#[cfg(unix)]
#[test]
fn merge_replaces_a_symlinked_output_instead_of_writing_through_it() {
    let dir = TempDir::new("link");
    let (a, b) = conflicting(&dir);
    let victim = dir.write("victim.txt", b"do not touch\n");
    let out = dir.path("all.csv");
    std::os::unix::fs::symlink(&victim, &out).expect("symlink");
    let resolve = format!("r=1={a}");
    ok(&manyi(&[
        "merge",
        &a,
        &b,
        "-o",
        &out,
        "--resolve",
        &resolve,
    ]));
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "do not touch\n"
    );
    let meta = std::fs::symlink_metadata(&out).expect("out");
    assert!(
        meta.file_type().is_file(),
        "the link was replaced by a file"
    );
    assert!(std::fs::read_to_string(&out).expect("out").contains("r=1,"));
    assert_eq!(dir.names(), ["a.csv", "all.csv", "b.csv", "victim.txt"]);
    assert!(Path::new(&victim).exists());
}
