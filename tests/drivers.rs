//! Key-driver analysis (issue 17): the core against numpy, and the CLI.
//!
//! Reference values are in tests/fixtures/drivers/reference.json, written by
//! tests/reference/drivers.py (numpy.linalg.lstsq for every subset, the
//! Shapley formula by explicit weights, Pearson r, the index) from the CSV
//! files it names: the thesis's 366 responses (www/demo), 2,000 generated
//! responses (`manyi generate --n 2000 --seed 7`, committed), and two small
//! files with a perfectly collinear item (q13 = q12) and a constant item (q15).

mod common;
use common::{header, manyi, manyi_stdin, stderr, stdout, TempDir, DEMO};

use manyi::drivers::{drivers, Draw, Drivers, Options, MAX_ITEMS, PATTERNS_PER_ROW};
use manyi::{ErrorKind, Instrument, Responses};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn reference() -> Value {
    let text = std::fs::read_to_string(format!("{ROOT}/tests/fixtures/drivers/reference.json"))
        .expect("reference fixture");
    serde_json::from_str(&text).expect("reference is JSON")
}

fn load(path: &str) -> (Instrument, Responses) {
    let inst = Instrument::builtin();
    let bytes = std::fs::read(path).expect("read CSV");
    let responses = Responses::from_bytes(&inst, &bytes).expect("valid CSV");
    (inst, responses)
}

fn run(path: &str, target: Option<&str>, items: Option<&[&str]>, seed: u64) -> Drivers {
    let (inst, responses) = load(path);
    let items: Option<Vec<String>> = items.map(|v| v.iter().map(|s| s.to_string()).collect());
    let options = Options {
        target,
        items: items.as_deref(),
        seed,
        ..Options::default()
    };
    drivers(&inst, &responses, &options).expect("drivers")
}

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-9,
        "{what}: {actual} vs numpy {expected}"
    );
}

/// The reference case `name`, computed by manyi: the thesis case with the
/// defaults (no target, no items), the others with what the script used.
fn case(name: &str) -> (Value, Drivers) {
    let doc = reference();
    let c = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .expect("case")
        .clone();
    let path = format!("{ROOT}/{}", c["csv"].as_str().expect("csv"));
    let items: Vec<&str> = c["items_asked"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v.as_str().expect("id"))
        .collect();
    let d = if name == "thesis" {
        run(&path, None, None, 1)
    } else {
        run(&path, c["target"].as_str(), Some(&items), 1)
    };
    (c, d)
}

const CASES: [&str; 5] = [
    "thesis",
    "generated",
    "collinear",
    "constant",
    "thesis-target-q16",
];

#[test]
fn every_figure_matches_numpy() {
    for name in CASES {
        let (c, d) = case(name);
        assert_eq!(d.target, c["target"].as_str().expect("target"), "{name}");
        assert_eq!(d.n, c["n"].as_u64().expect("n"), "{name}: listwise n");
        close(d.r2, c["r2"].as_f64().expect("r2"), &format!("{name} r2"));
        let items = c["items"].as_array().expect("items");
        assert_eq!(d.items.len(), items.len());
        for (got, want) in d.items.iter().zip(items) {
            let q = &got.question;
            assert_eq!(q, want["question"].as_str().expect("question"), "{name}");
            let what = |f: &str| format!("{name} {q} {f}");
            match (got.r, want["r"].as_f64()) {
                (Some(r), Some(w)) => close(r, w, &what("r")),
                (None, None) => {}
                other => panic!("{}: {other:?}", what("r")),
            }
            close(
                got.importance,
                want["importance"].as_f64().expect("importance"),
                &what("importance"),
            );
            close(
                got.share.expect("share"),
                want["share"].as_f64().expect("share"),
                &what("share"),
            );
            close(
                got.index,
                want["index"].as_f64().expect("index"),
                &what("index"),
            );
        }
        assert_eq!(
            d.fix_first.as_deref(),
            c["fix_first"].as_str(),
            "{name}: fix_first"
        );
    }
}

#[test]
fn importances_are_nonnegative_and_sum_to_r2() {
    for name in CASES {
        let (_, d) = case(name);
        let sum: f64 = d.items.iter().map(|i| i.importance).sum();
        assert!((sum - d.r2).abs() < 1e-12, "{name}: {sum} vs {}", d.r2);
        assert!(d.items.iter().all(|i| i.importance >= 0.0), "{name}");
        let shares: f64 = d.items.iter().map(|i| i.share.expect("share")).sum();
        assert!((shares - 1.0).abs() < 1e-12, "{name}");
    }
}

#[test]
fn degenerate_items_get_defined_values() {
    // q13's answers are q12's: the two split their part evenly, and the fit
    // stays defined.
    let (_, d) = case("collinear");
    let (a, b) = (&d.items[0], &d.items[1]);
    assert!((a.importance - b.importance).abs() < 1e-12);
    assert_eq!(a.r, b.r);
    // q15 is constant: no r, no part, share 0 with a [0, 0] interval.
    let (_, d) = case("constant");
    let q15 = &d.items[3];
    assert_eq!(q15.question, "q15");
    assert_eq!(q15.r, None);
    assert_eq!((q15.importance, q15.share), (0.0, Some(0.0)));
    assert_eq!(q15.share_ci95, Some([0.0, 0.0]));
    let json = serde_json::to_string(&d).expect("serializes");
    assert!(
        !json.contains("NaN") && json.contains("\"r\":null"),
        "{json}"
    );
}

#[test]
fn bootstrap_is_seeded_and_brackets_the_share() {
    let a = run(DEMO, None, None, 42);
    let b = run(DEMO, None, None, 42);
    let c = run(DEMO, None, None, 43);
    let ci = |d: &Drivers| -> Vec<[f64; 2]> {
        d.items
            .iter()
            .map(|i| i.share_ci95.expect("interval"))
            .collect()
    };
    assert_eq!(ci(&a), ci(&b), "same seed, same intervals");
    assert_ne!(ci(&a), ci(&c), "another seed, other intervals");
    // The point values do not depend on the seed.
    assert_eq!(a.r2, c.r2);
    for d in [
        &a,
        &run(&generated(), None, Some(&["q14", "q12", "q16"]), 5),
    ] {
        for i in &d.items {
            let [lo, hi] = i.share_ci95.expect("interval");
            let s = i.share.expect("share");
            assert!(
                lo <= s && s <= hi,
                "{}: {s} not in [{lo}, {hi}]",
                i.question
            );
            assert!(0.0 <= lo && hi <= 1.0 && hi - lo > 0.01, "{}", i.question);
        }
    }
}

/// The intervals of `data` with the bootstrap drawn `draw`-wise.
fn intervals(data: &[u8], draw: Draw, resamples: usize, seed: u64) -> Vec<[f64; 2]> {
    let inst = Instrument::builtin();
    let responses = Responses::from_csv(&inst, data).expect("valid CSV");
    let options = Options {
        draw,
        resamples,
        seed,
        ..Options::default()
    };
    let d = drivers(&inst, &responses, &options).expect("drivers");
    d.items
        .iter()
        .map(|i| i.share_ci95.expect("interval"))
        .collect()
}

#[test]
fn drawing_by_pattern_and_by_row_give_the_same_bootstrap() {
    // Two exact samplers of the same resampling distribution: on the thesis's
    // 366 responses, 4,000 resamples each, the percentile points agree to within
    // Monte Carlo error (at 1,000 resamples six seeds spread by ~0.004; at
    // 4,000 the difference of two has an SE near 0.0025, and 0.015 is 6 of them).
    let data = std::fs::read(DEMO).expect("demo");
    let rows = intervals(&data, Draw::Rows, 4000, 3);
    let patterns = intervals(&data, Draw::Patterns, 4000, 4);
    for (r, p) in rows.iter().zip(&patterns) {
        for k in 0..2 {
            assert!((r[k] - p[k]).abs() < 0.015, "rows {r:?} vs patterns {p:?}");
        }
    }
    // …and they are different draws: a mix-up of the two would give equal numbers.
    assert_ne!(
        intervals(&data, Draw::Rows, 200, 5),
        intervals(&data, Draw::Patterns, 200, 5)
    );
}

#[test]
fn the_bootstrap_draws_by_pattern_only_where_patterns_are_few() {
    // The thesis data: 366 rows in more than 366/PATTERNS_PER_ROW patterns → drawn by row.
    let demo = std::fs::read(DEMO).expect("demo");
    assert_eq!(
        intervals(&demo, Draw::Auto, 100, 9),
        intervals(&demo, Draw::Rows, 100, 9)
    );
    // 20 distinct answer patterns repeated to 20·PATTERNS_PER_ROW rows → drawn by pattern;
    // one row fewer → by row.
    let patterns: Vec<(String, String)> = (0..20)
        .map(|i| {
            let items: String = (0..5)
                .map(|k| ['A', 'B', 'C'][(i * (k + 1) + k) % 3])
                .collect();
            (items, ((i * 7) % 11).to_string())
        })
        .collect();
    let rows = |n: usize| -> Vec<u8> {
        let all: Vec<(&str, &str)> = (0..n)
            .map(|r| {
                let (a, b) = &patterns[r % patterns.len()];
                (a.as_str(), b.as_str())
            })
            .collect();
        csv(&all)
    };
    let enough = rows(20 * PATTERNS_PER_ROW);
    assert_eq!(
        intervals(&enough, Draw::Auto, 100, 9),
        intervals(&enough, Draw::Patterns, 100, 9)
    );
    let fewer = rows(20 * PATTERNS_PER_ROW - 1);
    assert_eq!(
        intervals(&fewer, Draw::Auto, 100, 9),
        intervals(&fewer, Draw::Rows, 100, 9)
    );
}

fn generated() -> String {
    format!("{ROOT}/tests/fixtures/drivers/generated-n2000-seed7.csv")
}

/// A CSV of the built-in instrument from rows of q12–q16 letters and a q17 value.
fn csv(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut s = header("");
    for (i, (items, q17)) in rows.iter().enumerate() {
        let cells: Vec<String> = items
            .chars()
            .map(|c| if c == '.' { String::new() } else { c.into() })
            .collect();
        s.push_str(&format!(
            "r{i}{},{},{q17}\n",
            ",A".repeat(11),
            cells.join(",")
        ));
    }
    s.into_bytes()
}

fn try_drivers(
    data: &[u8],
    target: Option<&str>,
    items: Option<&[&str]>,
) -> manyi::Result<Drivers> {
    let inst = Instrument::builtin();
    let responses = Responses::from_csv(&inst, data).expect("valid CSV");
    let items: Option<Vec<String>> = items.map(|v| v.iter().map(|s| s.to_string()).collect());
    let options = Options {
        target,
        items: items.as_deref(),
        ..Options::default()
    };
    drivers(&inst, &responses, &options)
}

#[test]
fn listwise_rows_are_decided_by_the_target_and_the_items_asked() {
    // 10 rows: r2 lacks q13, r5 lacks q16, r7 lacks q17 ('.' = blank).
    let data = csv(&[
        ("ABCAB", "9"),
        ("BBCAC", "7"),
        ("A.BBA", "10"),
        ("CCCBC", "3"),
        ("BACCB", "6"),
        ("ABBA.", "8"),
        ("CBACB", "5"),
        ("AAAAA", ""),
        ("BCABA", "8"),
        ("CACBB", "4"),
    ]);
    // Hand count: 10 rows − r2, r5, r7 = 7 with every item; with q14 and
    // q12 only r7 (no q17) drops: 9.
    assert_eq!(try_drivers(&data, None, None).expect("ok").n, 7);
    let d = try_drivers(&data, None, Some(&["q14", "q12"])).expect("ok");
    assert_eq!(d.n, 9);
    assert_eq!(d.items[0].question, "q14");
    // The index still takes every row that answered (q14: 10 rows, hand count
    // 3 A + 2 B + 5 C → mean (9 + 4 + 5)/10 = 1.8, index 40).
    assert!((d.items[0].index - 40.0).abs() < 1e-12);
}

fn message(e: &manyi::Error) -> String {
    assert_eq!(e.kind(), ErrorKind::Request);
    e.to_string()
}

#[test]
fn bad_requests_are_refused_clearly() {
    let data = std::fs::read(DEMO).expect("demo");
    let e = try_drivers(&data, None, Some(&["q3", "q12"])).expect_err("q3 is not a scale item");
    assert!(
        message(&e).contains("q3 is not a satisfaction scale item"),
        "{e}"
    );
    let e = try_drivers(&data, None, Some(&["q12", "q99"])).expect_err("no q99");
    assert!(message(&e).contains("q99"), "{e}");
    let e = try_drivers(&data, None, Some(&["q12", "q12"])).expect_err("twice");
    assert!(message(&e).contains("q12 is named twice"), "{e}");
    let e = try_drivers(&data, Some("q2"), None).expect_err("q2 has no score");
    assert!(message(&e).contains("q2 is neither"), "{e}");
    let e = try_drivers(&data, Some("q12"), None).expect_err("target among items");
    assert!(message(&e).contains("q12 is the target"), "{e}");
    // Too few rows: 5 items need 7.
    let few = csv(&[
        ("ABCAB", "9"),
        ("BBCAC", "7"),
        ("CCCBC", "3"),
        ("BACCB", "6"),
        ("CBACB", "5"),
        ("BCABA", "8"),
    ]);
    let e = try_drivers(&few, None, None).expect_err("6 rows");
    assert!(
        message(&e).contains("6 rows answered q17 and every item: 5 items need at least 7"),
        "{e}"
    );
    // A constant target has nothing to explain.
    let flat = csv(&[
        ("ABCAB", "9"),
        ("BBCAC", "9"),
        ("CCCBC", "9"),
        ("BACCB", "9"),
        ("CBACB", "9"),
        ("BCABA", "9"),
        ("AAAAA", "9"),
    ]);
    let e = try_drivers(&flat, None, None).expect_err("constant q17");
    assert!(
        message(&e).contains("q17 has the same answer in all 7 rows"),
        "{e}"
    );
}

#[test]
fn more_than_twelve_items_are_refused() {
    // The built-in instrument with 13 three-option satisfaction items.
    let mut v: Value = serde_json::from_str(&Instrument::builtin().to_json()).expect("JSON");
    let template = v["questions"][11].clone();
    let mut sat: Vec<Value> = v["satisfaction"].as_array().expect("list").clone();
    for i in 18..=25 {
        let mut q = template.clone();
        q["id"] = Value::from(format!("q{i}"));
        v["questions"].as_array_mut().expect("questions").push(q);
        sat.push(Value::from(format!("q{i}")));
    }
    v["satisfaction"] = Value::from(sat);
    let inst = Instrument::from_json(&v.to_string()).expect("valid instrument");
    assert_eq!(inst.satisfaction().len(), MAX_ITEMS + 1);
    let mut s = String::from("id");
    for q in inst.questions() {
        s.push(',');
        s.push_str(&q.id);
    }
    s.push('\n');
    let responses = Responses::from_csv(&inst, s.as_bytes()).expect("valid");
    let e = drivers(&inst, &responses, &Options::default()).expect_err("13 items");
    assert!(
        e.to_string()
            .contains("13 items: at most 12 can be analysed"),
        "{e}"
    );
}

#[test]
fn cli_json_has_exactly_the_promised_fields() {
    let out = manyi(&["drivers", DEMO, "--json", "--seed", "9"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    // Exactly the issue's fields.
    assert_eq!(keys(&v), ["items", "n", "r2", "target"]);
    // The page's view adds the item to fix first and the importance ×
    // performance chart's dividing lines (fix_first's threshold).
    let lib = run(DEMO, None, None, 9);
    let page = serde_json::to_value(lib.for_page()).expect("JSON");
    assert_eq!(
        keys(&page),
        [
            "fix_first",
            "items",
            "mean_index",
            "mean_share",
            "n",
            "r2",
            "small",
            "target"
        ]
    );
    assert_eq!(
        page["items"],
        serde_json::to_value(&lib).expect("JSON")["items"]
    );
    let items = v["items"].as_array().expect("items");
    let mean = |f: &dyn Fn(&Value) -> f64| items.iter().map(f).sum::<f64>() / items.len() as f64;
    let mean_index = mean(&|i| i["index"].as_f64().unwrap());
    assert!((page["mean_index"].as_f64().unwrap() - mean_index).abs() < 1e-12);
    // Shares sum to 1, so their mean is 1 / p.
    assert!((page["mean_share"].as_f64().unwrap() - 1.0 / items.len() as f64).abs() < 1e-12);
    let fix = page["fix_first"].as_str().unwrap();
    let fix_index = items.iter().find(|i| i["question"] == fix).unwrap()["index"]
        .as_f64()
        .unwrap();
    assert!(
        fix_index < mean_index,
        "the item to fix first is below the mean index"
    );
    let fix_share = items.iter().find(|i| i["question"] == fix).unwrap()["share"]
        .as_f64()
        .unwrap();
    assert!(
        fix_share > page["mean_share"].as_f64().unwrap(),
        "and above the mean share: in the quadrant the chart shades"
    );
    for item in v["items"].as_array().expect("items") {
        assert_eq!(
            keys(item),
            [
                "importance",
                "index",
                "question",
                "r",
                "share",
                "share_ci95"
            ]
        );
    }
    // The same numbers as the library's, seed included (compared as text:
    // parsing floats back may move the last digit).
    let d = run(DEMO, None, None, 9);
    assert_eq!(
        stdout(&out),
        serde_json::to_string_pretty(&d).expect("JSON") + "\n"
    );
    assert_eq!(page["fix_first"], "q12");
    assert_eq!(v["n"], 366);
}

#[test]
fn cli_items_target_and_tables() {
    let out = manyi(&["drivers", DEMO, "--items", "q14, q12,q16", "--json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let ids: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["question"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["q14", "q12", "q16"]);

    let out = manyi(&["drivers", DEMO, "--lang", "en"]);
    let text = stdout(&out);
    assert!(text.starts_with("Key drivers of Q17"), "{text}");
    assert!(text.contains("(n = 366, R² = 0.513)"), "{text}");
    assert!(text.contains("\nFix first: Q12 "), "{text}");
    let out = manyi(&["drivers", DEMO]);
    assert!(stdout(&out).contains("优先改进：Q12 "), "{}", stdout(&out));

    let out = manyi(&["drivers", DEMO, "--items", "q3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("q3 is not a satisfaction scale item"),
        "{}",
        stderr(&out)
    );

    // Standard input and --instrument work as for every command.
    let dir = TempDir::new("drivers");
    let inst = dir.write("inst.json", Instrument::builtin().to_json());
    let data = std::fs::read(DEMO).expect("demo");
    let out = manyi_stdin(&["drivers", "-", "--instrument", &inst, "--json"], &data);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The thesis's first `rows` responses, as a file in `dir`.
fn first_rows(dir: &TempDir, rows: usize) -> String {
    let text = std::fs::read_to_string(DEMO).expect("demo");
    let lines: Vec<&str> = text.lines().take(rows + 1).collect();
    dir.write(&format!("first-{rows}.csv"), lines.join("\n") + "\n")
}

#[test]
fn fewer_than_thirty_listwise_rows_are_flagged_for_the_page_and_the_table() {
    // The same rule as the NPS and the cross-tab's small groups (SMALL_GROUP,
    // 30): a driver analysis of a few answers (say a branch's 13 in a week)
    // still runs, but the page and the CLI's table say to read it with care.
    let dir = TempDir::new("drivers-small");
    let mut seen = [false; 2];
    for rows in 20..60 {
        let path = first_rows(&dir, rows);
        let d = run(&path, None, None, 1);
        let page = serde_json::to_value(d.for_page()).expect("JSON");
        assert_eq!(page["small"], d.n < 30, "{rows} rows, n = {}", d.n);
        if d.n == 29 || d.n == 30 {
            seen[(d.n - 29) as usize] = true;
        }
        let table = stdout(&manyi(&["drivers", &path, "--lang", "en"]));
        assert_eq!(
            table.contains("fewer than 30 answers: read with care"),
            d.n < 30,
            "{rows} rows:\n{table}"
        );
        let zh = stdout(&manyi(&["drivers", &path]));
        assert_eq!(zh.contains("样本少于 30，结果仅供参考"), d.n < 30, "{zh}");
    }
    assert_eq!(
        seen,
        [true, true],
        "the boundary, n = 29 and n = 30, was met"
    );
    // The thesis's 366 are not small.
    let page = serde_json::to_value(run(DEMO, None, None, 1).for_page()).expect("JSON");
    assert_eq!(page["small"], false);
}
