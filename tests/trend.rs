//! NPS trends (issue 17): the core's `trend::trend` and `manyi trend`.
//!
//! Expected values come from two places, said at each test:
//! - `tests/fixtures/trend/reference.json`, written by NumPy/SciPy
//!   (`python3 tests/fixtures/trend/reference.py`, NumPy 2.4.6, SciPy 1.17.1);
//! - the issue's formulas, written out plainly below in [`expected`] (counts
//!   tallied by the test itself from the rows it made), with the two-sided
//!   normal tail from `manyi::stats::normal_two_sided_p`, which
//!   tests/scipy_precision.rs holds to SciPy, and which the fixture checks
//!   again here for the z values of the changes.
//!
//! ISO weeks were checked with Python's `datetime.date(y, m, d).isocalendar()`.

mod common;
use common::{header, manyi, stderr, stdout, TempDir};

use std::collections::BTreeMap;
use std::process::Output;

use manyi::trend::{self, Period, Trend};
use manyi::{Instrument, Responses};
use serde_json::Value;

const Z: f64 = 1.959963984540054;

/// A CSV row of the built-in instrument: questions 1–16 unanswered, the NPS
/// question (q17) `score` or blank, then the extra columns.
fn row(id: &str, score: Option<u8>, extras: &[&str]) -> String {
    let mut r = id.to_owned();
    r.push_str(&",".repeat(16));
    r.push(',');
    if let Some(s) = score {
        r.push_str(&s.to_string());
    }
    for e in extras {
        r.push(',');
        r.push_str(e);
    }
    r.push('\n');
    r
}

fn load(csv: &str) -> Responses {
    Responses::from_csv(&Instrument::builtin(), csv.as_bytes()).expect("test CSV imports")
}

fn run(csv: &str, column: Option<&str>, period: Period) -> Trend {
    trend::trend(&Instrument::builtin(), &load(csv), column, period).expect("trend")
}

fn close(what: &str, got: f64, want: f64) {
    let tol = 1e-12 * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e}"
    );
}

/// Promoters, passives, detractors of a period.
#[derive(Clone, Copy, Default, Debug)]
struct Counts {
    p: u64,
    pa: u64,
    d: u64,
}

impl Counts {
    fn add(&mut self, score: u8) {
        match score {
            9..=10 => self.p += 1,
            7..=8 => self.pa += 1,
            _ => self.d += 1,
        }
    }
    fn n(self) -> u64 {
        self.p + self.pa + self.d
    }
}

/// What a period should show, from the issue's formulas: (n, NPS, ci95,
/// change, z of the change).
struct Expected {
    n: u64,
    nps: f64,
    ci95: [f64; 2],
    change: Option<f64>,
    z: Option<f64>,
}

/// The issue's rules, plainly: NPS = 100·(P − D)/n; n' = n + 3, p̂P = (P +
/// 0.75)/n', p̂D = (D + 0.75)/n', var = (p̂P + p̂D − (p̂P − p̂D)²)/n', ci95 =
/// 100·(p̂P − p̂D ∓ z·√var); z of a change = (NPS'₂ − NPS'₁)/√(var₁ + var₂).
fn expected(periods: &[Counts]) -> Vec<Expected> {
    let mut out: Vec<Expected> = Vec::new();
    let mut before: Option<(f64, f64, f64)> = None;
    for c in periods {
        let (p, d, n) = (c.p as f64, c.d as f64, c.n() as f64);
        let nps = 100.0 * (p - d) / n;
        let n1 = n + 3.0;
        let (pp, pd) = ((p + 0.75) / n1, (d + 0.75) / n1);
        let est = pp - pd;
        let var = (pp + pd - est * est) / n1;
        let ci95 = [
            100.0 * (est - Z * var.sqrt()),
            100.0 * (est + Z * var.sqrt()),
        ];
        let (change, z) = match before {
            None => (None, None),
            Some((nps0, est0, var0)) => {
                (Some(nps - nps0), Some((est - est0) / (var + var0).sqrt()))
            }
        };
        out.push(Expected {
            n: c.n(),
            nps,
            ci95,
            change,
            z,
        });
        before = Some((nps, est, var));
    }
    out
}

fn check(t: &Trend, labels: &[String], want: &[Expected]) {
    let got: Vec<&str> = t.periods.iter().map(|p| p.period.as_str()).collect();
    assert_eq!(got, labels);
    for (p, e) in t.periods.iter().zip(want) {
        let at = &p.period;
        assert_eq!(p.n, e.n, "{at} n");
        close(&format!("{at} nps"), p.nps, e.nps);
        close(&format!("{at} ci lo"), p.ci95[0], e.ci95[0]);
        close(&format!("{at} ci hi"), p.ci95[1], e.ci95[1]);
        match (p.change, e.change, e.z) {
            (None, None, None) => {
                assert_eq!(
                    (p.p, p.significant),
                    (None, None),
                    "{at}: the first has no test"
                )
            }
            (Some(c), Some(ec), Some(z)) => {
                close(&format!("{at} change"), c, ec);
                let want_p = manyi::stats::normal_two_sided_p(z);
                close(&format!("{at} p"), p.p.expect("p"), want_p);
                assert_eq!(p.significant, Some(want_p < 0.05), "{at} significant");
            }
            other => panic!("{at}: change {other:?}"),
        }
    }
}

/// A small deterministic generator (64-bit LCG, Knuth's MMIX constants).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Responses over 2023 and 2024 (each month's scores drawn with its own
/// lean, so NPS moves), some unanswered, some undated. Returns the CSV, the
/// counts per month and per quarter (keys made from the day written), and
/// the number of undated rows.
#[allow(clippy::type_complexity)]
fn two_years() -> (
    String,
    BTreeMap<String, Counts>,
    BTreeMap<String, Counts>,
    u64,
) {
    let mut g = Lcg(17);
    let mut csv = header("date,mode");
    let (mut months, mut quarters) = (BTreeMap::new(), BTreeMap::new());
    let mut undated = 0;
    let mut id = 0;
    for year in [2023, 2024] {
        for month in 1..=12u32 {
            let lean = g.next(5);
            for _ in 0..(20 + g.next(40)) {
                id += 1;
                let day = 1 + g.next(28);
                let score = (g.next(11) + lean).min(10) as u8;
                let answered = g.next(10) != 0;
                let kind = g.next(20);
                let date = match kind {
                    0 => "".to_owned(),
                    1 => format!("{year}/{month:02}/{day:02}"),
                    2 => format!("{year}-{month:02}-{day:02}T09:30:00+08:00"),
                    _ => format!("{year}-{month:02}-{day:02}"),
                };
                let s = answered.then_some(score);
                csv.push_str(&row(&format!("r{id}"), s, &[&date, "paper"]));
                if kind == 0 || kind == 1 {
                    undated += 1;
                } else if answered {
                    months
                        .entry(format!("{year}-{month:02}"))
                        .or_insert_with(Counts::default)
                        .add(score);
                    let q = (month - 1) / 3 + 1;
                    quarters
                        .entry(format!("{year}-Q{q}"))
                        .or_insert_with(Counts::default)
                        .add(score);
                }
            }
        }
    }
    (csv, months, quarters, undated)
}

#[test]
fn two_years_by_month_and_quarter_follow_the_formulas() {
    let (csv, months, quarters, undated) = two_years();
    for (period, groups) in [(Period::Month, &months), (Period::Quarter, &quarters)] {
        let t = run(&csv, Some("date"), period);
        let labels: Vec<String> = groups.keys().cloned().collect();
        let counts: Vec<Counts> = groups.values().copied().collect();
        assert_eq!(labels.len(), if period == Period::Month { 24 } else { 8 });
        check(&t, &labels, &expected(&counts));
        assert_eq!(t.undated, undated, "{period:?} undated");
    }
}

#[test]
fn matches_the_scipy_reference() {
    let text = include_str!("fixtures/trend/reference.json");
    let doc: Value = serde_json::from_str(text).expect("reference JSON");
    assert_eq!(doc["z95"].as_f64(), Some(Z));
    let periods = doc["periods"].as_array().expect("periods");
    let mut csv = header("date");
    let mut id = 0;
    for p in periods {
        let label = p["period"].as_str().expect("period");
        let groups = [("promoters", 10), ("passives", 7), ("detractors", 3)];
        for (group, score) in groups {
            for k in 0..p[group].as_u64().expect("count") {
                id += 1;
                // Spread over the month's days; day 28 exists in every month.
                let date = format!("{label}-{:02}", 1 + k % 28);
                csv.push_str(&row(&format!("r{id}"), Some(score), &[&date]));
            }
        }
    }
    let t = run(&csv, None, Period::Month);
    assert_eq!(t.periods.len(), periods.len());
    assert_eq!(t.undated, 0);
    for (got, want) in t.periods.iter().zip(periods) {
        let at = &got.period;
        assert_eq!(Some(at.as_str()), want["period"].as_str());
        assert_eq!(Some(got.n), want["n"].as_u64(), "{at} n");
        close(
            &format!("{at} nps"),
            got.nps,
            want["nps"].as_f64().expect("nps"),
        );
        for i in 0..2 {
            let w = want["ci95"][i].as_f64().expect("ci");
            close(&format!("{at} ci95[{i}]"), got.ci95[i], w);
        }
        assert_eq!(got.change.is_none(), want["change"].is_null(), "{at}");
        if let Some(c) = got.change {
            close(
                &format!("{at} change"),
                c,
                want["change"].as_f64().expect("change"),
            );
            // scipy: 2 * scipy.stats.norm.sf(abs(z)), e.g. z = -2.891411157449187
            // gives 0.0038351600984430356 (2023-12), z = 4.753530622381056 gives
            // 1.998948116094867e-06 (2024-02).
            let p = got.p.expect("p");
            let w = want["p"].as_f64().expect("p");
            assert!(((p - w) / w).abs() < 1e-9, "{at} p: {p:e} vs scipy {w:e}");
            assert_eq!(got.significant, Some(w < 0.05), "{at} significant");
        }
    }
}

#[test]
fn iso_weeks_and_quarters_at_year_ends() {
    // Python's isocalendar(): 2020-12-31 → (2020, 53), 2021-01-03 → (2020, 53),
    // 2021-01-04 → (2021, 1), 2023-01-01 → (2022, 52), 2024-12-30 → (2025, 1).
    let days = [
        ("2023-01-01", "2022-W52", "2023-Q1"),
        ("2024-12-30", "2025-W01", "2024-Q4"),
        ("2020-12-31", "2020-W53", "2020-Q4"),
        ("2021-01-03", "2020-W53", "2021-Q1"),
        ("2021-01-04", "2021-W01", "2021-Q1"),
        ("2023-03-31", "2023-W13", "2023-Q1"),
        ("2023-04-01", "2023-W13", "2023-Q2"),
        ("2024-12-29", "2024-W52", "2024-Q4"),
    ];
    let mut csv = header("date");
    for (i, (date, _, _)) in days.iter().enumerate() {
        csv.push_str(&row(&format!("r{i}"), Some(9), &[date]));
    }
    let count = |t: &Trend| -> Vec<(String, u64)> {
        t.periods.iter().map(|p| (p.period.clone(), p.n)).collect()
    };
    let mut weeks: BTreeMap<&str, u64> = BTreeMap::new();
    let mut quarters: BTreeMap<&str, u64> = BTreeMap::new();
    for (_, w, q) in days {
        *weeks.entry(w).or_default() += 1;
        *quarters.entry(q).or_default() += 1;
    }
    // The labels sort as text in time order, so BTreeMap order is time order.
    let want = |m: BTreeMap<&str, u64>| -> Vec<(String, u64)> {
        m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    };
    assert_eq!(count(&run(&csv, Some("date"), Period::Week)), want(weeks));
    assert_eq!(
        count(&run(&csv, Some("date"), Period::Quarter)),
        want(quarters)
    );
    let weeks = run(&csv, Some("date"), Period::Week);
    assert_eq!(weeks.periods[0].period, "2020-W53");
    assert_eq!(weeks.periods[0].n, 2);
    assert_eq!(
        weeks.periods.last().map(|p| p.period.as_str()),
        Some("2025-W01")
    );
}

#[test]
fn timestamps_keep_their_written_date() {
    let mut csv = header("date");
    for (i, d) in [
        "2024-03-01T02:00:00+08:00", // 2024-02-29 18:00 UTC, still March as written
        "2024-02-29T23:30:00-05:00", // March in UTC, still February as written
        "2024-03-31T23:59:59Z",
        "  2024-02-01  ",
    ]
    .iter()
    .enumerate()
    {
        csv.push_str(&row(&format!("r{i}"), Some(10), &[&format!("\"{d}\"")]));
    }
    let t = run(&csv, Some("date"), Period::Month);
    let got: Vec<(&str, u64)> = t.periods.iter().map(|p| (p.period.as_str(), p.n)).collect();
    assert_eq!(got, [("2024-02", 2), ("2024-03", 2)]);
    assert_eq!(t.undated, 0);
}

#[test]
fn bad_and_missing_dates_are_undated_answered_or_not() {
    let mut csv = header("date");
    let bad = [
        "2023-02-30",
        "2023/05/01",
        "yesterday",
        "",
        "2023-13-01",
        "05/01/2023",
    ];
    let mut id = 0;
    for d in bad {
        for score in [Some(0), Some(10), None] {
            id += 1;
            csv.push_str(&row(&format!("r{id}"), score, &[d]));
        }
    }
    csv.push_str(&row("ok1", Some(10), &["2023-05-01"]));
    csv.push_str(&row("ok2", None, &["2023-05-02"]));
    let t = run(&csv, Some("date"), Period::Month);
    assert_eq!(t.undated, 3 * bad.len() as u64);
    assert_eq!(t.periods.len(), 1);
    assert_eq!(
        (t.periods[0].period.as_str(), t.periods[0].n),
        ("2023-05", 1)
    );
    assert_eq!(t.periods[0].nps, 100.0);
}

#[test]
fn a_period_without_answers_is_skipped_and_the_next_compared_with_the_one_before() {
    let mut csv = header("date");
    let mut id = 0;
    let mut add = |csv: &mut String, date: &str, scores: &[Option<u8>]| {
        for &s in scores {
            id += 1;
            csv.push_str(&row(&format!("r{id}"), s, &[date]));
        }
    };
    add(
        &mut csv,
        "2023-01-15",
        &[Some(10), Some(9), Some(3), Some(8)],
    );
    add(&mut csv, "2023-02-15", &[None, None, None]); // dated, nobody answered
    add(
        &mut csv,
        "2023-03-15",
        &[Some(0), Some(1), Some(2), Some(10), Some(7)],
    );
    let t = run(&csv, Some("date"), Period::Month);
    let jan = Counts { p: 2, pa: 1, d: 1 };
    let mar = Counts { p: 1, pa: 1, d: 3 };
    check(
        &t,
        &["2023-01".into(), "2023-03".into()],
        &expected(&[jan, mar]),
    );
    assert_eq!(t.undated, 0);
}

#[test]
fn default_date_columns_take_the_first_non_empty() {
    // As the date filter: date, then submitted_at, then keyed_at; the first
    // non-empty one decides, even when it cannot be read.
    let mut csv = header("keyed_at,submitted_at,date");
    csv.push_str(&row("a", Some(10), &["", "", "2023-01-05"]));
    csv.push_str(&row("b", Some(10), &["", "2023-02-05T10:00:00Z", ""]));
    csv.push_str(&row("c", Some(10), &["2023-03-05", "", ""]));
    csv.push_str(&row(
        "d",
        Some(10),
        &["2023-03-05", "2023-02-06", "not a date"],
    ));
    csv.push_str(&row("e", Some(10), &["", "", ""]));
    csv.push_str(&row(
        "f",
        Some(10),
        &["2023-04-05", "2023-02-07", "2023-01-08"],
    ));
    let t = run(&csv, None, Period::Month);
    let got: Vec<(&str, u64)> = t.periods.iter().map(|p| (p.period.as_str(), p.n)).collect();
    assert_eq!(got, [("2023-01", 2), ("2023-02", 1), ("2023-03", 1)]);
    assert_eq!(t.undated, 2);
    // A named column is read alone, whatever its case.
    let t = run(&csv, Some("KEYED_AT"), Period::Month);
    let got: Vec<(&str, u64)> = t.periods.iter().map(|p| (p.period.as_str(), p.n)).collect();
    assert_eq!(got, [("2023-03", 2), ("2023-04", 1)]);
    assert_eq!(t.undated, 3);
}

#[test]
fn unknown_or_absent_date_columns_are_named() {
    let csv = header("mode,when") + &row("a", Some(9), &["paper", "2023-01-01"]);
    let inst = Instrument::builtin();
    let e = trend::trend(&inst, &load(&csv), Some("date"), Period::Month).expect_err("no `date`");
    let text = e.to_string();
    assert!(
        text.contains("\"date\"") && text.contains("mode, when"),
        "{text}"
    );
    let e = trend::trend(&inst, &load(&csv), None, Period::Month).expect_err("no default");
    let text = e.to_string();
    assert!(
        text.contains("date, submitted_at, keyed_at") && text.contains("mode, when"),
        "{text}"
    );
    // The named column works.
    let t = trend::trend(&inst, &load(&csv), Some("when"), Period::Month).expect("when");
    assert_eq!(t.periods[0].period, "2023-01");
}

#[test]
fn date_columns_are_those_mostly_holding_dates() {
    let mut csv = header("mode,when,keyed_at,notes,date,half");
    csv.push_str(&row(
        "a",
        None,
        &[
            "paper",
            "2023-01-01",
            "2023-01-02T08:00:00",
            "hi",
            "",
            "2023-01-01",
        ],
    ));
    csv.push_str(&row(
        "b",
        None,
        &["online", "2023-01-01", "", "", "2023-01-03", "x"],
    ));
    csv.push_str(&row(
        "c",
        None,
        &["online", "soon", "2023-01-04", "2023-01-01", "", ""],
    ));
    // when: 2 of 3 dates; keyed_at 2 of 2; date 1 of 1; half 1 of 2 (not more
    // than half); notes 1 of 2; mode none.
    assert_eq!(
        trend::date_columns(&load(&csv)),
        ["date", "keyed_at", "when"]
    );
    assert!(trend::date_columns(&load(&(header("mode") + &row("a", None, &["x"])))).is_empty());
}

// ---- The command line ----

fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    stdout(o)
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&ok(o)).expect("stdout is JSON")
}

#[test]
fn cli_json_has_exactly_the_issue_fields() {
    let (csv, months, _, undated) = two_years();
    let dir = TempDir::new("trend-json");
    let path = dir.write("two-years.csv", &csv);
    let v = json(&manyi(&[
        "trend",
        &path,
        "--date-column",
        "date",
        "--period",
        "month",
        "--json",
    ]));
    let top: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top, ["periods", "undated"]);
    assert_eq!(v["undated"].as_u64(), Some(undated));
    let periods = v["periods"].as_array().expect("periods");
    assert_eq!(periods.len(), months.len());
    for (i, p) in periods.iter().enumerate() {
        let mut keys: Vec<&str> = p
            .as_object()
            .expect("period")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["change", "ci95", "n", "nps", "p", "period", "significant"]
        );
        assert_eq!(p["ci95"].as_array().map(Vec::len), Some(2));
        if i == 0 {
            assert!(p["change"].is_null() && p["p"].is_null() && p["significant"].is_null());
        } else {
            assert!(p["change"].is_f64() && p["p"].is_f64() && p["significant"].is_boolean());
        }
    }
    // The same numbers as the core's (to a few ulps: serde_json's default
    // float parsing is not exact to the last bit).
    let core = run(&csv, Some("date"), Period::Month);
    for (p, c) in periods.iter().zip(&core.periods) {
        let at = &c.period;
        assert_eq!(p["period"].as_str(), Some(at.as_str()));
        assert_eq!(p["n"].as_u64(), Some(c.n), "{at}");
        let num = |v: &Value| v.as_f64().expect("a number");
        close(&format!("{at} nps"), num(&p["nps"]), c.nps);
        close(&format!("{at} lo"), num(&p["ci95"][0]), c.ci95[0]);
        close(&format!("{at} hi"), num(&p["ci95"][1]), c.ci95[1]);
        if let (Some(change), Some(pv)) = (c.change, c.p) {
            close(&format!("{at} change"), num(&p["change"]), change);
            close(&format!("{at} p"), num(&p["p"]), pv);
            assert_eq!(p["significant"].as_bool(), c.significant, "{at}");
        }
    }
}

#[test]
fn cli_change_and_p_are_nps_compare_s() {
    // Two months' rows written twice: together for trend, apart for nps --compare.
    let (mut all, mut feb, mut mar) = (header("date"), header("date"), header("date"));
    let mut g = Lcg(5);
    for i in 0..60 {
        // February leans to promoters, March does not.
        let (date, file, lean) = if i % 2 == 0 {
            ("2024-02-10", &mut feb, 3)
        } else {
            ("2024-03-10", &mut mar, 0)
        };
        let score = (g.next(11) + lean).min(10);
        let answered = g.next(8) != 0;
        let r = row(&format!("r{i}"), answered.then_some(score as u8), &[date]);
        all.push_str(&r);
        file.push_str(&r);
    }
    let dir = TempDir::new("trend-compare");
    let (all, feb, mar) = (
        dir.write("all.csv", all),
        dir.write("feb.csv", feb),
        dir.write("mar.csv", mar),
    );
    let t = json(&manyi(&["trend", &all, "--period", "month", "--json"]));
    let c = json(&manyi(&["nps", &mar, "--compare", &feb, "--json"]));
    let march = &t["periods"][1];
    assert_eq!(march["period"], "2024-03");
    assert_eq!(march["change"], c["difference"]["delta"]);
    assert_eq!(march["p"], c["difference"]["adjusted"]["p"]);
    assert_eq!(march["n"], c["a"]["n"]);
    assert_eq!(march["ci95"], c["a"]["adjusted"]["ci95"]);
    assert_eq!(t["periods"][0]["nps"], c["b"]["nps"]);
}

#[test]
fn cli_tables_in_both_languages() {
    let doc: Value =
        serde_json::from_str(include_str!("fixtures/trend/reference.json")).expect("reference");
    let mut csv = header("date");
    let mut id = 0;
    for p in doc["periods"].as_array().expect("periods") {
        let label = p["period"].as_str().expect("period");
        for (group, score) in [("promoters", 9), ("passives", 8), ("detractors", 6)] {
            for _ in 0..p[group].as_u64().expect("count") {
                id += 1;
                csv.push_str(&row(
                    &format!("r{id}"),
                    Some(score),
                    &[&format!("{label}-28")],
                ));
            }
        }
    }
    csv.push_str(&row("late", Some(9), &["2024-02-31"]));
    let dir = TempDir::new("trend-table");
    let path = dir.write("t.csv", &csv);
    let en = ok(&manyi(&[
        "trend", &path, "--period", "month", "--lang", "en",
    ]));
    assert!(en.starts_with("NPS by month\n"), "{en}");
    // 2023-12: NPS −30.00, change −75.00, p 0.0038 (scipy 0.0038351600984430356), significant.
    let dec = en
        .lines()
        .find(|l| l.trim_start().starts_with("2023-12"))
        .expect("2023-12 row");
    let cells: Vec<&str> = dec.split_whitespace().collect();
    assert_eq!(
        cells,
        ["2023-12", "20", "-30.00", "[-57.90,", "5.72]", "-75.00", "0.0038", "*"]
    );
    // 2024-01: change +30.00, p 0.2338, not significant: no mark.
    let jan = en
        .lines()
        .find(|l| l.trim_start().starts_with("2024-01"))
        .expect("2024-01 row");
    assert!(jan.trim_end().ends_with("0.2338"), "{jan}");
    let first = en
        .lines()
        .find(|l| l.trim_start().starts_with("2023-11"))
        .expect("first row");
    assert_eq!(first.matches('—').count(), 2, "{first}");
    assert!(
        en.contains("rows with an empty or unreadable date (in no period): 1"),
        "{en}"
    );
    let zh = ok(&manyi(&["trend", &path, "--period", "quarter"]));
    assert!(zh.starts_with("NPS 趋势（按季度）\n"), "{zh}");
    assert!(zh.contains("2023-Q4") && zh.contains("2024-Q1"), "{zh}");
    assert!(
        zh.contains("日期为空或无法识别的行（未计入任何期间）: 1"),
        "{zh}"
    );
}

#[test]
fn cli_refuses_bad_periods_and_columns() {
    let dir = TempDir::new("trend-bad");
    let path = dir.write(
        "t.csv",
        header("date,mode") + &row("a", Some(9), &["2023-01-01", "paper"]),
    );
    for args in [vec!["--period", "year"], vec![]] {
        let mut all = vec!["trend", path.as_str()];
        all.extend(args.iter().copied());
        let o = manyi(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains("month, quarter or week"), "{e}");
    }
    let o = manyi(&["trend", &path, "--period", "week", "--date-column", "when"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("\"when\"") && e.contains("date, mode"), "{e}");
    assert!(o.stdout.is_empty());
}
