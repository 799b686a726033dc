//! The statistics of the `manyi` command line (`crosstab`, `nps --by`,
//! `nps --compare`), run as a built binary on the demo data, against the
//! reference values of `docs/statistics.md` (§1 NPS, §2 cross-tabs).
//!
//! JSON numbers are printed by serde_json in shortest round-trip form, so they
//! are the library's f64 values; they are held to the same tolerance as
//! tests/statistics.rs: 5e-9 relative, the most that references printed to 9
//! significant digits support.

mod common;
use common::manyi;
use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/demo/zg-x-branch-2023.csv");

/// statistics.md §2 (scipy: `chi2_contingency(correction=False)`): data Q14 rows × Q2 cols.
const Q14_Q2: [[u64; 5]; 3] = [
    [27, 24, 18, 30, 5],
    [19, 31, 44, 68, 25],
    [2, 7, 15, 26, 25],
];

const REL: f64 = 5e-9;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success and returns stdout.
fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn json(args: &[&str]) -> Value {
    let out = ok(&manyi(args));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

#[track_caller]
fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {v}"))
}

#[track_caller]
fn assert_rel(what: &str, actual: f64, expected: f64) {
    let err = if expected == 0.0 {
        actual.abs()
    } else {
        ((actual - expected) / expected).abs()
    };
    assert!(
        err <= REL,
        "{what}: manyi {actual:.12e}, reference {expected:.12e}, relative error {err:.2e}"
    );
}

#[track_caller]
fn assert_pair(what: &str, v: &Value, expected: [f64; 2]) {
    let a = v
        .as_array()
        .unwrap_or_else(|| panic!("{what}: expected [lo, hi], got {v}"));
    assert_eq!(a.len(), 2, "{what}: {v}");
    assert_rel(&format!("{what} lo"), num(&a[0], what), expected[0]);
    assert_rel(&format!("{what} hi"), num(&a[1], what), expected[1]);
}

#[test]
fn crosstab_json_q2_by_q14() {
    // statistics.md §2 vectors, data Q14 × Q2 (scipy): 52.1687174, 8, 1.56144754e−8,
    // V 0.266962056; "unchanged when transposed (`crosstab q2 q14`)".
    let v = json(&["crosstab", DEMO, "q2", "q14", "--json"]);
    assert_eq!(v["row"], "q2");
    assert_eq!(v["col"], "q14");
    let counts: Vec<Vec<u64>> = serde_json::from_value(v["counts"].clone()).expect("counts");
    let transposed: Vec<Vec<u64>> = (0..5)
        .map(|j| (0..3).map(|i| Q14_Q2[i][j]).collect())
        .collect();
    assert_eq!(
        counts, transposed,
        "5 rows × 3 columns, the spec's matrix transposed"
    );
    assert_eq!(v["n"], 366);
    assert_eq!(v["missing"], 0);
    assert_rel("chi2", num(&v["chi2"], "chi2"), 52.168_717_4);
    assert_eq!(v["df"], 8);
    assert_rel("p", num(&v["p"], "p"), 1.561_447_54e-8);
    assert_rel("cramers_v", num(&v["cramers_v"], "V"), 0.266_962_056);
    assert_rel(
        "cramers_v_corrected",
        num(&v["cramers_v_corrected"], "V_bc"),
        0.246_256_210,
    );
}

#[test]
fn crosstab_json_keeps_zero_cells() {
    // Every option is a row or column, zeros included (statistics.md §2 "Must":
    // counts with empty rows/columns dropped only from the tests). q10 × q1 on a
    // file where q10 C is never chosen.
    let dir = std::env::temp_dir().join(format!("manyi-cli-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("zeros.csv");
    let mut text = String::from("id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n");
    for (k, (q1, q10)) in [("A", "A"), ("B", "A"), ("A", "B"), ("B", "B"), ("A", "A")]
        .iter()
        .enumerate()
    {
        text.push_str(&format!("r{k},{q1},,,,,,,,,{q10},,,,,,,\n"));
    }
    std::fs::write(&path, text).expect("write CSV");
    let out = manyi(&[
        "crosstab",
        path.to_str().expect("UTF-8 path"),
        "q10",
        "q1",
        "--json",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    let v: Value = serde_json::from_str(&ok(&out)).expect("JSON");
    let counts: Vec<Vec<u64>> = serde_json::from_value(v["counts"].clone()).expect("counts");
    assert_eq!(counts, [[2, 1], [1, 1], [0, 0]]);
    assert_eq!(v["dropped_rows"], serde_json::json!(["C"]));
}

#[test]
fn crosstab_lists_give_every_pair() {
    // Lists of questions: every row question by every column question, in that
    // order, each the table its own call gives (statistics.md §2: Q14 × Q2
    // χ² 52.1687174, scipy).
    let v = json(&["crosstab", DEMO, "q14,q2", "q2,q1", "--json"]);
    let tables = v.as_array().expect("an array of cross-tabs");
    let pairs: Vec<(&str, &str)> = tables
        .iter()
        .map(|t| {
            (
                t["row"].as_str().unwrap_or(""),
                t["col"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [("q14", "q2"), ("q14", "q1"), ("q2", "q2"), ("q2", "q1")]
    );
    assert_rel("chi2", num(&tables[0]["chi2"], "chi2"), 52.168_717_4);
    assert_eq!(tables[3], json(&["crosstab", DEMO, "q2", "q1", "--json"]));
    let text = ok(&manyi(&["crosstab", DEMO, "q14,q2", "q2"]));
    assert!(text.contains("52.1687"), "{text}");
    // An unknown question anywhere in a list is named.
    let out = manyi(&["crosstab", DEMO, "q14,q99", "q2"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("q99"), "{err}");
}

#[test]
fn crosstab_human_q14_by_q2() {
    // statistics.md §2: χ² 52.1687174 (scipy), printed to 4 decimals.
    let out = ok(&manyi(&["crosstab", DEMO, "q14", "q2"]));
    assert!(out.contains("χ²"), "{out}");
    assert!(out.contains("52.1687"), "{out}");
    // statistics.md §2 letters: row A 56.25% CDE, row C E 45.45% ABCD.
    assert!(out.contains("56.25% CDE"), "{out}");
    assert!(out.contains("45.45% ABCD"), "{out}");
}

#[test]
fn nps_json_interval() {
    // statistics.md §1 table, thesis (125,104,137) (statistics.md): NPS −3.27868852,
    // SE 4.41919563, MoE 8.66146428, Wald CI [−11.9401528, 5.38277575], adjusted CI
    // [−11.8677252, 5.36366019].
    let v = json(&["nps", DEMO, "--json"]);
    assert_eq!(
        (&v["n"], &v["promoters"], &v["passives"], &v["detractors"]),
        (
            &Value::from(366),
            &Value::from(125),
            &Value::from(104),
            &Value::from(137)
        )
    );
    assert_rel("nps", num(&v["nps"], "nps"), -3.278_688_52);
    // The Wald figures stay in the JSON under `wald`.
    let wald = &v["wald"];
    assert_rel("wald.se", num(&wald["se"], "se"), 4.419_195_63);
    assert_rel("wald.moe95", num(&wald["moe95"], "moe95"), 8.661_464_28);
    assert_pair("wald.ci95", &wald["ci95"], [-11.940_152_8, 5.382_775_75]);
    assert_pair(
        "adjusted.ci95",
        &v["adjusted"]["ci95"],
        [-11.867_725_2, 5.363_660_19],
    );
}

#[test]
fn nps_by_q2_json_segments() {
    // statistics.md §1 "Segments (Wald)" (statistics.md): Q2 A n 48 NPS −8.33333333
    // CI [−32.0256164, 15.3589498]; Q2 D n 124 NPS 15.3225806 CI [0.828347259,
    // 29.8168140]. Segment sizes: the column totals of the §2 Q14 × Q2 matrix.
    let v = json(&["nps", DEMO, "--by", "q2", "--json"]);
    let segments = v["segments"].as_array().expect("segments");
    let options: Vec<&str> = segments
        .iter()
        .map(|s| s["option"].as_str().expect("option"))
        .collect();
    assert_eq!(options, ["A", "B", "C", "D", "E"]);
    let sizes = [48u64, 62, 77, 124, 55];
    for (s, n) in segments.iter().zip(sizes) {
        let option = s["option"].as_str().unwrap_or_default();
        assert_eq!(s["n"], n, "segment {option}");
        assert!(s["nps"].is_number(), "segment {option}: {s}");
        let ci = s["adjusted"]["ci95"].as_array().expect("adjusted.ci95");
        assert_eq!(ci.len(), 2, "segment {option}");
        assert!(
            num(&ci[0], "lo") < num(&s["nps"], "nps") && num(&s["nps"], "nps") < num(&ci[1], "hi")
        );
    }
    assert_rel("A nps", num(&segments[0]["nps"], "nps"), -8.333_333_33);
    assert_pair(
        "A wald.ci95",
        &segments[0]["wald"]["ci95"],
        [-32.025_616_4, 15.358_949_8],
    );
    assert_rel("D nps", num(&segments[3]["nps"], "nps"), 15.322_580_6);
    assert_pair(
        "D wald.ci95",
        &segments[3]["wald"]["ci95"],
        [0.828_347_259, 29.816_814_0],
    );
    assert_eq!(v["comparisons"].as_array().map(Vec::len), Some(10));
}

#[test]
fn nps_compare_a_file_with_itself() {
    let v = json(&["nps", DEMO, "--compare", DEMO, "--json"]);
    let d = &v["difference"];
    assert_eq!(num(&d["delta"], "delta"), 0.0);
    assert_eq!(num(&d["adjusted"]["delta"], "adjusted.delta"), 0.0);
    assert_eq!(num(&d["adjusted"]["p"], "adjusted.p"), 1.0);
    assert_eq!(num(&d["wald"]["p"], "wald.p"), 1.0);
    // SE_Δ = √2·SE (statistics.md §1: SE_Δ = √(SE₁² + SE₂²)), Wald SE 4.41919563,
    // adjusted SE' 4.39584236.
    assert_rel(
        "wald.se",
        num(&d["wald"]["se"], "se"),
        4.419_195_63 * 2f64.sqrt(),
    );
    assert_rel(
        "adjusted.se",
        num(&d["adjusted"]["se"], "se"),
        4.395_842_36 * 2f64.sqrt(),
    );
    assert_eq!(v["a"]["n"], 366);
    assert_eq!(v["b"]["n"], 366);
}

/// A bad command line: exit code 1 (bad input) or 2 (bad command line) as
/// `codes` allows (never 101, a panic, nor death by a signal), a message on
/// stderr, nothing on stdout.
#[track_caller]
fn refused(args: &[&str], codes: &[i32], mentions: &str) {
    let o = manyi(args);
    let err = stderr(&o);
    let code = o.status.code();
    assert!(
        code.is_some_and(|c| codes.contains(&c)),
        "{args:?}: exit {code:?}, expected one of {codes:?}; stderr {err}"
    );
    assert!(o.stdout.is_empty(), "{args:?} printed to stdout");
    assert!(err.starts_with("manyi: "), "{args:?}: {err}");
    assert!(
        err.contains(mentions),
        "{args:?}: {err:?} does not mention {mentions:?}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{args:?} panicked: {err}"
    );
}

#[test]
fn bad_usage_exits_non_zero_without_panicking() {
    // A wrong command line exits 2 (src/cli/main.rs). An unknown question id is
    // reported as bad input (1) today; either code is a clean refusal.
    refused(&["crosstab", DEMO, "q1"], &[2], "two question ids");
    refused(&["crosstab", DEMO], &[2], "two question ids");
    refused(&["freq", DEMO, "--by", "q2"], &[2], "--by");
    refused(
        &["crosstab", DEMO, "q14", "q2", "--compare", DEMO],
        &[2],
        "--compare",
    );
    refused(&["nps", DEMO, "--by"], &[2], "--by");
    refused(&["crosstab", DEMO, "q1", "q99"], &[1, 2], "q99");
    refused(&["crosstab", DEMO, "q99", "q1"], &[1, 2], "q99");
    refused(&["nps", DEMO, "--by", "q99"], &[1, 2], "q99");
}

/// An instrument of two 5-point satisfaction items (A best … E worst) and the
/// file `rows` of their answers, in a fresh directory.
fn five_point(tag: &str, rows: &[(&str, &str)]) -> (PathBuf, String, String) {
    let dir = std::env::temp_dir().join(format!("manyi-cli-stats-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let options: Vec<Value> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|c| serde_json::json!({"code": c, "label": {"zh-CN": c}}))
        .collect();
    let item = |id: &str| serde_json::json!({"id": id, "kind": "single", "text": {"zh-CN": id}, "options": options});
    let inst = serde_json::json!({
        "id": "five", "version": "1", "title": {"zh-CN": "五级"},
        "questions": [item("s1"), item("s2")], "satisfaction": ["s1", "s2"],
    });
    let inst_path = dir.join("five.json");
    std::fs::write(&inst_path, inst.to_string()).expect("write instrument");
    let mut csv = String::from("id,s1,s2\n");
    for (i, (a, b)) in rows.iter().enumerate() {
        csv.push_str(&format!("r{i},{a},{b}\n"));
    }
    let data = dir.join("five.csv");
    std::fs::write(&data, csv).expect("write data");
    let path = |p: PathBuf| p.to_str().expect("UTF-8").to_owned();
    (dir, path(inst_path), path(data))
}

#[test]
fn a_five_point_mean_is_labelled_one_to_five() {
    // Issue 15 item 8: "Mean (1–3)" was printed whatever the instrument. s1:
    // A, B, E → scores 5, 4, 1, mean 10/3 = 3.33; index 100·(10/3 − 1)/4 = 58.33.
    let (dir, inst, data) = five_point("mean", &[("A", "A"), ("B", "C"), ("E", "E")]);
    let out = ok(&manyi(&[
        "report",
        &data,
        "--instrument",
        &inst,
        "--lang",
        "en",
    ]));
    assert!(out.contains("Mean (1–5)"), "{out}");
    assert!(!out.contains("(1–3)"), "{out}");
    assert!(out.contains("3.33") && out.contains("58.33"), "{out}");
    let zh = ok(&manyi(&["report", &data, "--instrument", &inst]));
    assert!(zh.contains("均值 (1–5)"), "{zh}");
    let v = json(&["report", &data, "--instrument", &inst, "--json"]);
    assert_eq!(v["satisfaction"][0]["points"], 5);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn standardized_alpha_says_why_it_is_undefined() {
    // Issue 15 item 8. s2 is s1 reversed (A↔E, B↔D), so r = −1 = −1/(k − 1)
    // with k = 2: standardized α = k·r̄/(1 + (k − 1)·r̄) divides by zero, and
    // every total is 6, so α's total variance is 0 too.
    let rows = [("A", "E"), ("B", "D"), ("C", "C"), ("D", "B"), ("E", "A")];
    let (dir, inst, data) = five_point("alpha", &rows);
    let v = json(&["report", &data, "--instrument", &inst, "--json"]);
    let rel = &v["scale"]["reliability"];
    assert_eq!(rel["mean_inter_item_r"], -1.0);
    assert_eq!(rel["standardized_alpha"], Value::Null);
    assert_eq!(rel["standardized_alpha_undefined"], "mean_r_at_lower_bound");
    assert_eq!(rel["alpha"], Value::Null);
    assert_eq!(rel["alpha_undefined"], "constant_total");
    // The report says so in words, and names α's base.
    let out = ok(&manyi(&[
        "report",
        &data,
        "--instrument",
        &inst,
        "--lang",
        "en",
    ]));
    assert!(
        out.contains("every respondent's total is the same"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_index_and_alpha_say_their_bases() {
    // Issue 15 item 8: the index is per item over its answers, α listwise.
    // Demo: index 43.9344262 (statistics.md §4), α 0.788094737 over all 366.
    let out = ok(&manyi(&["report", DEMO, "--lang", "en"]));
    assert!(
        out.contains("Overall satisfaction index (0–100, each item over its own answers): 43.93"),
        "{out}"
    );
    assert!(
        out.contains("Cronbach's alpha (listwise: those who answered every item): 0.788 (n = 366)"),
        "{out}"
    );
}
