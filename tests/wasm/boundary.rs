//! The WebAssembly boundary as JavaScript sees it, run in headless Chromium by
//! wasm-bindgen-test-runner (`./dev test`; see README.md).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect};
use manyi_wasm::{
    answer_secret, builtin_instrument, check_invitation, check_passphrase, encode_response,
    file_kind, instrument_path, intake_code, invitation_count, issue_token, lock_rules,
    max_invitations, parse_instrument, qr_code, Dataset, DeviceStore, Incoming,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEMO: &[u8] = include_bytes!("../../www/demo/zg-x-branch-2023.csv");

/// Bytes as the JavaScript array `Dataset.fromCsv` reads in pieces.
fn array(bytes: &[u8]) -> js_sys::Uint8Array {
    js_sys::Uint8Array::from(bytes)
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |v, key| {
        Reflect::get(&v, &JsValue::from_str(key)).unwrap_or_else(|_| panic!("no {key} in {path}"))
    })
}

fn num(v: &JsValue, path: &str) -> f64 {
    get(v, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number"))
}

#[wasm_bindgen_test]
fn thesis_numbers_cross_the_boundary() {
    let ds = Dataset::from_csv(&array(DEMO), None).expect("demo imports");
    assert_eq!(ds.length(), 366);
    // Thesis figure 3.8: promoters 125, passives 104, detractors 137, NPS −3.28.
    let nps = ds.nps().expect("nps");
    assert_eq!(num(&nps, "promoters"), 125.0);
    assert_eq!(num(&nps, "passives"), 104.0);
    assert_eq!(num(&nps, "detractors"), 137.0);
    assert!((num(&nps, "nps") - (-3.278_688_524_590_164)).abs() < 1e-12);
    // Thesis table 3.5 (Q1) and the data README's Q17 split (67 tens).
    let freq = ds.frequencies().expect("frequencies");
    assert_eq!(num(&freq, "n"), 366.0);
    assert_eq!(num(&freq, "questions.q1.counts.A"), 177.0);
    assert_eq!(num(&freq, "questions.q1.counts.B"), 189.0);
    assert_eq!(num(&freq, "questions.q17.counts.10"), 67.0);
    assert!((num(&freq, "questions.q1.percent.A") - 48.360_655_737_704_92).abs() < 1e-9);
    // statistics.md §4: Q15 is the least satisfying item, index 28.8251366.
    let sat = ds.satisfaction().expect("satisfaction");
    let sat: Array = sat.dyn_into().expect("an array");
    assert_eq!(sat.length(), 5);
    assert!((num(&sat.get(3), "index") - 28.825_136_6).abs() < 1e-6);
    let report = ds.report().expect("report");
    assert_eq!(num(&report, "nps.n"), 366.0);
}

#[wasm_bindgen_test]
fn columns_are_typed_arrays_of_codes() {
    let ds = Dataset::from_csv(&array(DEMO), None).expect("demo imports");
    let q1 = ds.column("q1").expect("q1");
    assert_eq!(q1.len(), 366);
    assert_eq!(q1.iter().filter(|&&c| c == 0).count(), 177);
    assert!(ds.column("q99").is_err());
    assert_eq!(ds.ids()[0], "X2023-0001");
}

#[wasm_bindgen_test]
fn export_round_trips() {
    let ds = Dataset::from_csv(&array(DEMO), None).expect("demo imports");
    let bytes = ds.to_csv(true).expect("export");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let again = Dataset::from_csv(&array(&bytes), None).expect("reimports");
    assert_eq!(again.length(), 366);
    for q in ["q1", "q9", "q17"] {
        assert_eq!(again.column(q).expect("col"), ds.column(q).expect("col"));
    }
}

#[wasm_bindgen_test]
fn bad_csv_is_a_js_error_with_located_problems() {
    let csv = b"id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n\
                a,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9\n\
                b,Z,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,12\n";
    let err = Dataset::from_csv(&array(csv), None).err().expect("refused");
    let e: js_sys::Error = err.clone().dyn_into().expect("a JS Error");
    let message = String::from(e.message());
    assert!(message.contains("nothing was imported"), "{message}");
    assert!(
        message.contains(r#"line 3, column 2 (q1), value "Z""#),
        "{message}"
    );
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("csv"));
    assert_eq!(num(&err, "total"), 2.0);
    let problems: Array = get(&err, "problems").dyn_into().expect("array");
    assert_eq!(problems.length(), 2);
    assert_eq!(num(&problems.get(1), "line"), 3.0);
    assert_eq!(num(&problems.get(1), "column"), 18.0);
    assert_eq!(
        get(&problems.get(1), "code").as_string().as_deref(),
        Some("out_of_range")
    );
    assert_eq!(
        get(&problems.get(1), "value").as_string().as_deref(),
        Some("12")
    );
}

#[wasm_bindgen_test]
fn instruments_load_and_fail_with_places() {
    let inst = builtin_instrument().expect("builtin");
    let qs: Array = get(&inst, "questions").dyn_into().expect("array");
    assert_eq!(qs.length(), 17);
    assert_eq!(
        get(&qs.get(0), "text.zh-CN").as_string().as_deref(),
        Some("您的性别")
    );
    let err = parse_instrument("{\"id\": 1}").expect_err("refused");
    let problems: Array = get(&err, "problems").dyn_into().expect("array");
    assert_eq!(num(&problems.get(0), "line"), 1.0);
    // A CSV against a custom instrument: one scale question.
    let custom = r#"{"id":"mini","version":"2","title":{"zh-CN":"小"},
        "questions":[{"id":"rec","kind":"scale","min":0,"max":10,"text":{"zh-CN":"推荐"}}],
        "nps":"rec"}"#;
    let ds = Dataset::from_csv(&array(b"id,rec\n1,10\n2,0\n3,\n"), Some(custom.into()))
        .expect("imports");
    let nps = ds.nps().expect("nps");
    assert_eq!(
        (num(&nps, "n"), num(&nps, "missing"), num(&nps, "nps")),
        (2.0, 1.0, 0.0)
    );
}

#[wasm_bindgen_test]
fn a_banner_of_crosstabs_crosses_the_boundary_once() {
    let ds = Dataset::from_csv(&array(DEMO), None).expect("demo imports");
    let ids = |list: &[&str]| -> JsValue {
        list.iter()
            .map(|id| JsValue::from_str(id))
            .collect::<Array>()
            .into()
    };
    let many: Array = ds
        .crosstabs(ids(&["q14", "q1"]), ids(&["q2", "q14"]))
        .expect("crosstabs")
        .dyn_into()
        .expect("array");
    assert_eq!(many.length(), 4);
    // Row question after row question: q14 × q2 is the first, and is the
    // single call's table (statistics.md §2: chi2 52.1687174).
    let first = many.get(0);
    assert_eq!(get(&first, "row").as_string().as_deref(), Some("q14"));
    assert_eq!(get(&first, "col").as_string().as_deref(), Some("q2"));
    assert!((num(&first, "chi2") - 52.168_717_4).abs() < 1e-6);
    // q1 × q14 is the transpose of the pair counted as q14 × q1.
    let one = ds.crosstab("q1", "q14").expect("crosstab");
    let last = many.get(3);
    assert_eq!(num(&last, "n"), num(&one, "n"));
    assert_eq!(num(&last, "chi2"), num(&one, "chi2"));
    let err = ds
        .crosstabs(ids(&["q99"]), ids(&["q2"]))
        .expect_err("an unknown question is refused");
    let e: js_sys::Error = err.dyn_into().expect("a JS Error");
    let message = String::from(e.message());
    assert!(message.contains("q99"), "{message}");
}

#[wasm_bindgen_test]
fn crosstab_and_nps_intervals_cross_the_boundary() {
    let ds = Dataset::from_csv(&array(DEMO), None).expect("demo imports");
    // statistics.md §2, data Q14 rows × Q2 columns: chi2 52.1687174, df 8,
    // p 1.56144754e-8, V 0.266962056 (scipy chi2_contingency, correction=False).
    let t = ds.crosstab("q14", "q2").expect("crosstab");
    assert!((num(&t, "chi2") - 52.168_717_4).abs() < 1e-6);
    assert_eq!(num(&t, "df"), 8.0);
    assert!((num(&t, "p") / 1.561_447_54e-8 - 1.0).abs() < 1e-6);
    assert!((num(&t, "cramers_v") - 0.266_962_056).abs() < 1e-8);
    let counts: Array = get(&t, "counts").dyn_into().expect("rows");
    let first: Array = counts.get(0).dyn_into().expect("cells");
    assert_eq!(first.get(0).as_f64(), Some(27.0));
    let letters: Array = get(&t, "letters").dyn_into().expect("rows");
    let row_a: Array = letters.get(0).dyn_into().expect("cells");
    assert_eq!(row_a.get(0).as_string().as_deref(), Some("CDE"));
    // statistics.md §1: thesis NPS SE 4.41919563, Wald CI [−11.9401528, 5.38277575]
    // (under `wald`); the adjusted-Wald CI the pages show, [−11.8677252, 5.36366019].
    let nps = ds.nps().expect("nps");
    assert!((num(&nps, "wald.se") - 4.419_195_63).abs() < 1e-7);
    let ci: Array = get(&nps, "wald.ci95").dyn_into().expect("pair");
    assert!((ci.get(0).as_f64().expect("lo") + 11.940_152_8).abs() < 1e-6);
    let ci: Array = get(&nps, "adjusted.ci95").dyn_into().expect("pair");
    assert!((ci.get(0).as_f64().expect("lo") + 11.867_725_2).abs() < 1e-6);
    assert!((num(&nps, "adjusted.moe95") - 8.615_692_71).abs() < 1e-7);
    // Q2 D segment: NPS 15.3225806, CI [0.828347259, 29.8168140].
    let by = ds.nps_by("q2").expect("segments");
    let segs: Array = get(&by, "segments").dyn_into().expect("array");
    assert_eq!(
        get(&segs.get(3), "option").as_string().as_deref(),
        Some("D")
    );
    assert!((num(&segs.get(3), "nps") - 15.322_580_6).abs() < 1e-6);
    let same = ds.compare_nps(&ds).expect("difference");
    assert_eq!(num(&same, "delta"), 0.0);
    assert_eq!(num(&same, "adjusted.p"), 1.0);
    // statistics.md §4: Cronbach's alpha of Q12–Q16 = 0.788094737.
    let scale = ds.scale().expect("scale");
    assert!((num(&scale, "reliability.alpha") - 0.788_094_737).abs() < 1e-8);
}

#[wasm_bindgen_test]
fn stores_merge_and_back_up_across_the_boundary() {
    let ds = Dataset::from_csv(&array(DEMO), None).expect("demo imports");
    // A device's saved columns rebuild the same data set.
    let again = Dataset::from_columns(
        ds.ids(),
        &ds.codes_by_row(),
        ds.extra_names(),
        ds.extra_values(),
        None,
    )
    .expect("columns");
    assert_eq!(again.codes_by_row(), ds.codes_by_row());
    // Merging the same data changes nothing.
    let plan = ds.plan_merge(&again).expect("plan");
    assert_eq!(Array::from(&get(&plan, "same")).length(), 366);
    assert_eq!(Array::from(&get(&plan, "conflicts")).length(), 0);
    // A conflicting copy of one response must be resolved by a person.
    let csv = b"id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17\n\
                X2023-0001,B,A,C,G,A,D,H,C,E,B,D,C,C,C,C,B,3\nnew-1,A,,,,,,,,,,,,,,,,9\n";
    let incoming = Dataset::from_csv(&array(csv), None).expect("imports");
    let plan = ds.plan_merge(&incoming).expect("plan");
    let conflicts = Array::from(&get(&plan, "conflicts"));
    assert_eq!(conflicts.length(), 1);
    assert_eq!(
        get(&conflicts.get(0), "id").as_string().as_deref(),
        Some("X2023-0001")
    );
    assert!(ds.merge(&incoming, JsValue::NULL).is_err());
    let choice = js_sys::Object::new();
    Reflect::set(&choice, &"X2023-0001".into(), &"incoming".into()).expect("set");
    let merged = ds.merge(&incoming, choice.into()).expect("merged");
    assert_eq!(merged.length(), 367);
    assert_eq!(merged.column("q1").expect("q1")[0], 1);
    // A backup restores everything, audit trail included.
    let audit = Array::of1(&JsValue::from_str("edited X2023-0001"));
    let text = merged
        .to_backup(audit.into(), "2026-11-23")
        .expect("backup");
    let restored = Dataset::from_backup(&text).expect("restores");
    assert_eq!(restored.codes_by_row(), merged.codes_by_row());
    assert_eq!(
        Array::from(&restored.audit().expect("audit"))
            .get(0)
            .as_string()
            .as_deref(),
        Some("edited X2023-0001")
    );
    // The labelled export reads back to the same letters.
    let labelled = ds.to_labelled_csv("zh-CN", true).expect("labelled");
    assert!(String::from_utf8_lossy(&labelled).contains("不满意"));
    let back = Dataset::from_csv(&array(&labelled), None).expect("labelled imports");
    assert_eq!(back.codes_by_row(), ds.codes_by_row());
}

/// Workbooks are in the file formats add-on only (`--features export`).
#[cfg(feature = "export")]
#[wasm_bindgen_test]
fn workbooks_round_trip_across_the_boundary() {
    let ds = Dataset::from_csv(&array(DEMO), None).expect("demo imports");
    let book = ds.to_xlsx("zh-CN").expect("workbook");
    assert_eq!(&book[..2], b"PK");
    let back = Dataset::from_xlsx(&book, None).expect("reads back");
    assert_eq!(back.codes_by_row(), ds.codes_by_row());
    assert_eq!(back.ids(), ds.ids());
    let err = Dataset::from_xlsx(b"not a workbook", None)
        .err()
        .expect("refused");
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("xlsx"));
}

#[wasm_bindgen_test]
fn filters_and_the_follow_up_list_cross_the_boundary() {
    let ds = Dataset::from_csv(&array(DEMO), None).expect("demo imports");
    // Thesis table 3.5: 177 men (Q1 A). A filter object in, a smaller dataset out.
    let filter = js_sys::JSON::parse(r#"{"answers": {"q1": ["A"]}}"#).expect("json");
    let men = ds.filtered(filter.clone()).expect("filter");
    assert_eq!(men.length(), 177);
    let counts = ds.filter_counts(filter).expect("counts");
    assert_eq!(
        (num(&counts, "rows"), num(&counts, "total")),
        (177.0, 366.0)
    );
    // Thesis figure 3.8: 137 detractors, each with its flags.
    let list: Array = ds
        .follow_up()
        .expect("follow-up")
        .dyn_into()
        .expect("array");
    assert_eq!(list.length(), 137);
    assert!(num(&list.get(0), "score") <= 6.0);
    assert!(Array::is_array(&get(&list.get(0), "flags")));
    // The association matrix: χ² of Q2 × Q14 (statistics.md: 52.1687174, scipy).
    let ids = js_sys::JSON::parse(r#"["q2", "q14"]"#).expect("json");
    let m: Array = ds
        .associations(ids)
        .expect("matrix")
        .dyn_into()
        .expect("array");
    assert_eq!(m.length(), 4);
    assert!((num(&m.get(1), "chi2") - 52.168_717_4).abs() < 1e-6);
    let some = ds.rows(&[0, 2]).expect("rows");
    assert_eq!(some.length(), 2);
    // A bad filter is an Error naming the value.
    let bad = js_sys::JSON::parse(r#"{"answers": {"q2": ["Z"]}}"#).expect("json");
    let err = ds.filtered(bad).err().expect("refused");
    assert_eq!(
        get(
            &get(&err, "problems").dyn_into::<Array>().unwrap().get(0),
            "value"
        ),
        "Z"
    );
    assert!(ds.rows(&[366]).is_err());
}

#[wasm_bindgen_test]
fn response_codes_cross_the_boundary() {
    let key = [3u8; 32];
    let token = issue_token(&key, &[1, 2, 3, 4, 5]).expect("token");
    let codes: Vec<u8> = vec![0, 1, 2, 3, 4, 0, 1, 2, 3, 0, 1, 2, 0, 1, 2, 255, 10];
    let secret = answer_secret(&key, &token).expect("secret");
    check_invitation(&token, &secret).expect("a whole link");
    assert!(check_invitation(&token, &secret[..10]).is_err());
    let code = encode_response(&codes, &token, &secret, None).expect("code");
    let back = intake_code(&key, &code, None).expect("accepted");
    let got: Vec<u8> = Array::from(&get(&back, "codes"))
        .iter()
        .map(|v| v.as_f64().expect("number") as u8)
        .collect();
    assert_eq!(got, codes);
    assert_eq!(get(&back, "token"), token.as_str());
    // The response it makes: its id is the token's, its provenance columns the core's.
    assert_eq!(get(&back, "id"), format!("I-{token}").as_str());
    assert_eq!(get(&back, "extras.invitation"), token.as_str());
    assert_eq!(get(&back, "extras.mode"), "online");
    assert_eq!(get(&back, "extras.source"), "code");
    // Another key's check fails with the reason in the problem's code.
    let err = intake_code(&[4u8; 32], &code, None).expect_err("refused");
    let problem = get(&err, "problems").dyn_into::<Array>().unwrap().get(0);
    assert_eq!(get(&problem, "code"), "foreign_token");
    // A batch's size: the number typed, or the refusal naming it and the range.
    assert_eq!(invitation_count(" 8 ").expect("eight"), 8);
    assert_eq!(max_invitations(), 200);
    let err = invitation_count("500").expect_err("too many");
    let problem = get(&err, "problems").dyn_into::<Array>().unwrap().get(0);
    assert_eq!(get(&problem, "code"), "out_of_range");
    assert_eq!(get(&problem, "field"), "count");
    assert_eq!(get(&problem, "value"), "500");
    assert_eq!(get(&problem, "expected"), "1–200");
    let qr = qr_code(&code).expect("qr");
    let size = num(&qr, "size");
    assert_eq!(
        Array::from(&get(&qr, "modules")).length() as f64,
        size * size
    );
}

#[wasm_bindgen_test]
fn the_device_store_crosses_the_boundary_as_bytes() {
    // A CSV imported into an empty device comes back as chunk bytes.
    let mut dev = DeviceStore::new();
    let mut incoming = Incoming::read(&file_kind("demo.csv"), &array(DEMO)).expect("demo reads");
    let plan = dev.plan_import(&incoming).expect("plan");
    assert_eq!(num(&plan, "new"), 366.0);
    let done = dev
        .apply_import(&mut incoming, JsValue::NULL, "demo.csv", "dev-1", "王芳")
        .expect("import");
    // Its rows moved into the device: it still says how many it held, and
    // refuses to be planned or imported again until read again.
    assert!(incoming.spent());
    assert_eq!(incoming.length(), 366);
    let err = dev.plan_import(&incoming).expect_err("spent");
    assert!(get(&err, "message")
        .as_string()
        .expect("a message")
        .contains("read it again"));
    let write = Array::from(&get(&done, "writes")).get(0);
    let fingerprint = get(&write, "fingerprint")
        .as_string()
        .expect("a fingerprint");
    let chunks = Array::from(&get(&write, "chunks"));
    assert_eq!(chunks.length(), 1);
    let bytes: Vec<u8> = chunks
        .get(0)
        .dyn_into::<js_sys::Uint8Array>()
        .expect("bytes")
        .to_vec();
    // A fresh device loads them, with one log record of another questionnaire
    // key (quarantined) and one of the built-in one (counted).
    let mut again = DeviceStore::new();
    again.add_chunk(&format!("{fingerprint}:0000"), &bytes);
    let codes = [0u8; 17];
    again.add_log(
        "W-1",
        "W-1",
        "",
        &codes,
        vec!["mode".into()],
        vec!["online".into()],
        vec![],
        false,
        false,
    );
    again.add_log(
        "W-2",
        "W-2",
        "i-unknown",
        &codes,
        vec![],
        vec![],
        vec![],
        false,
        false,
    );
    let summary = again.summary().expect("summary");
    let sets = Array::from(&get(&summary, "sets"));
    assert_eq!(sets.length(), 1);
    assert_eq!(num(&sets.get(0), "n"), 367.0);
    assert_eq!(num(&sets.get(0), "unexported"), 367.0);
    let quarantine = Array::from(&get(&summary, "quarantine"));
    assert_eq!(quarantine.length(), 1);
    assert_eq!(
        get(&quarantine.get(0), "id").as_string().as_deref(),
        Some("W-2")
    );
    // The report is the set's; exporting marks the chunk rows and names the log record.
    let ds = again.dataset(&fingerprint, false).expect("dataset");
    assert_eq!(ds.length(), 367);
    let marked = again.mark_exported(&fingerprint).expect("marked");
    assert_eq!(
        Array::from(&get(&marked, "logKeys")).to_vec(),
        vec![JsValue::from_str("W-1")]
    );
    let summary = again.summary().expect("summary");
    assert_eq!(
        num(&Array::from(&get(&summary, "sets")).get(0), "unexported"),
        0.0
    );
}

#[wasm_bindgen_test]
fn security_rules_cross_the_boundary() {
    // Where a page may read a questionnaire from (src/core/source.rs).
    assert_eq!(
        instrument_path("instruments/x.json").expect("allowed"),
        "instruments/x.json"
    );
    let err = instrument_path("http://evil.example/pin.json").expect_err("refused");
    let problem = get(&err, "problems").dyn_into::<Array>().unwrap().get(0);
    assert_eq!(get(&problem, "code"), "foreign_source");
    // The staff lock's rules (src/core/lock.rs).
    let rules = lock_rules().expect("rules");
    assert_eq!(num(&rules, "iterations"), 600_000.0);
    assert_eq!(num(&rules, "minChars"), 8.0);
    let delay: Vec<f64> = Array::from(&get(&rules, "delay"))
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect();
    assert_eq!(&delay[..5], &[0.0, 0.0, 0.0, 1.0, 2.0]);
    assert!(check_passphrase("a long enough one").is_ok());
    let weak = check_passphrase("short").expect_err("too short");
    let problem = get(&weak, "problems").dyn_into::<Array>().unwrap().get(0);
    assert_eq!(get(&problem, "code"), "weak_passphrase");
}

#[wasm_bindgen_test]
fn follow_up_cases_cross_the_boundary() {
    use manyi_wasm::merge_case_events;
    let mut csv = String::from("id,date");
    for q in 1..=17 {
        csv.push_str(&format!(",q{q}"));
    }
    // D-1 a detractor (Q17 = 2) dated Monday 2026-01-05, P-1 a promoter.
    csv.push_str("\nD-1,2026-01-05,A,A,A,A,A,A,A,A,A,B,A,A,A,A,A,A,2");
    csv.push_str("\nP-1,2026-01-05,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,10\n");
    let ds = Dataset::from_csv(&array(csv.as_bytes()), None).expect("imports");
    let none = JsValue::NULL;
    let view = ds
        .cases(none.clone(), none.clone(), "2026-01-08", "en", 10)
        .expect("cases");
    assert_eq!(num(&view, "count"), 1.0);
    let case = get(&view, "cases")
        .dyn_into::<Array>()
        .expect("array")
        .get(0);
    assert_eq!(get(&case, "id").as_string().as_deref(), Some("D-1"));
    // Due two working days later (Wednesday), overdue on Thursday.
    assert_eq!(get(&case, "due").as_string().as_deref(), Some("2026-01-07"));
    assert_eq!(get(&case, "overdue").as_bool(), Some(true));
    assert!(get(&case, "head").is_null());
    // A change in, an event out; the event back in, the case contacted.
    let change = js_sys::JSON::parse(
        r#"{"id": "00000000000000a1", "case": "D-1", "parent": null, "at": "2026-01-08T09:00:00Z", "who": "王芳", "status": "contacted"}"#,
    )
    .expect("json");
    let event = ds.next_case_event(none.clone(), change).expect("event");
    assert_eq!(
        get(&event, "status").as_string().as_deref(),
        Some("contacted")
    );
    let events: JsValue = Array::of1(&event).into();
    let view = ds
        .cases(events.clone(), none.clone(), "2026-01-08", "en", 10)
        .expect("cases");
    let case = get(&view, "cases")
        .dyn_into::<Array>()
        .expect("array")
        .get(0);
    assert_eq!(
        get(&case, "status").as_string().as_deref(),
        Some("contacted")
    );
    // Contacted → open is refused, with the problem's field.
    let back = js_sys::JSON::parse(
        r#"{"id": "00000000000000a2", "case": "D-1", "parent": "00000000000000a1", "at": "2026-01-08T10:00:00Z", "who": "王芳", "status": "open"}"#,
    )
    .expect("json");
    let err = ds
        .next_case_event(events.clone(), back)
        .expect_err("refused");
    let problem = get(&err, "problems")
        .dyn_into::<Array>()
        .expect("array")
        .get(0);
    assert_eq!(
        get(&problem, "field").as_string().as_deref(),
        Some("status")
    );
    // Merging: the same id with other content is refused; the same events add nothing.
    let merged = merge_case_events(events.clone(), events.clone()).expect("merged");
    assert_eq!(num(&merged, "added"), 0.0);
    assert_eq!(get(&merged, "new").dyn_into::<Array>().unwrap().length(), 0);
    let altered = js_sys::JSON::parse(
        &js_sys::JSON::stringify(&event)
            .unwrap()
            .as_string()
            .unwrap()
            .replace("contacted", "resolved"),
    )
    .expect("json");
    assert!(merge_case_events(events, Array::of1(&altered).into()).is_err());
}

#[wasm_bindgen_test]
fn double_entry_crosses_the_boundary() {
    use manyi_wasm::{edit_changes, entry_disagreements, entry_tally, verify_entry};
    let inst = manyi::Instrument::builtin().to_json();
    let first = [0u8; 17];
    let mut second = first;
    second[2] = 3;
    // Question indices, as numbers.
    assert_eq!(entry_disagreements(&first, &second, &inst).unwrap(), [2]);
    // A keying of another length is a located error.
    let e = entry_disagreements(&first[..3], &second, &inst).unwrap_err();
    assert_eq!(
        get(
            &get(&e, "problems").dyn_into::<Array>().unwrap().get(0),
            "field"
        )
        .as_string()
        .as_deref(),
        Some("first")
    );
    // The paper says A, as 张三 keyed.
    let v = verify_entry("X-1", "张三", &first, "李四", &second, &[0], &inst).unwrap();
    assert_eq!(num(&v, "codes.2"), 0.0);
    assert_eq!(
        get(&v, "verification.second").as_string().as_deref(),
        Some("李四")
    );
    assert_eq!(num(&v, "verification.disagreements.0.second"), 3.0);
    assert_eq!(get(&v, "same_operator"), false);
    let own = verify_entry("X-2", "张三", &first, " 张三", &first, &[], &inst).unwrap();
    assert_eq!(get(&own, "same_operator"), true);
    // The trail as the page stores it: the verification's detail, among other entries.
    let entry = js_sys::Object::new();
    Reflect::set(&entry, &"what".into(), &"verify".into()).unwrap();
    Reflect::set(&entry, &"detail".into(), &get(&v, "verification")).unwrap();
    let other = js_sys::JSON::parse(r#"{"what":"enter","detail":{"id":"X-1","pass":1}}"#).unwrap();
    let tally = entry_tally(Array::of2(&other, &entry).into(), &inst).unwrap();
    // 李四 keyed D where the paper says A: one error in 17 answers; 张三 none.
    assert_eq!(get(&tally, "1.who").as_string().as_deref(), Some("李四"));
    assert_eq!(num(&tally, "1.errors"), 1.0);
    assert_eq!(num(&tally, "1.error_rate"), 1.0 / 17.0);
    assert_eq!(num(&tally, "0.errors"), 0.0);
    assert_eq!(num(&tally, "0.own"), 0.0);
    let changes = edit_changes(&first, &second, &inst).unwrap();
    assert_eq!(
        get(&changes, "0.question").as_string().as_deref(),
        Some("q3")
    );
    assert_eq!(get(&changes, "0.to").as_string().as_deref(), Some("D"));
}

#[wasm_bindgen_test]
fn a_backups_waiting_forms_and_an_encrypted_backup_cross_the_boundary() {
    use manyi_wasm::{is_sealed_backup, read_sealed_backup, write_sealed_backup};
    // A device holding the demo's 366 responses, and a backup bringing two
    // forms keyed once: one counted here already (X2023-0001), one new.
    let mut dev = DeviceStore::new();
    let mut demo = Incoming::read(&file_kind("demo.csv"), &array(DEMO)).expect("demo reads");
    dev.apply_import(&mut demo, JsValue::NULL, "demo.csv", "dev-1", "王芳")
        .expect("import");
    let codes = "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,9]";
    let backup = format!(
        r#"{{"format":"manyi-backup","version":2,"created":"2026-12-04T09:00:00Z","sets":[],
        "entries":[{{"id":"X2023-0001","codes":{codes},"operator":"李四","at":"2026-12-04T09:00:00Z"}},
                   {{"id":"P-9","codes":{codes},"operator":"李四","at":"2026-12-04T09:00:00Z"}}]}}"#
    );
    let incoming = Incoming::read("backup", &array(backup.as_bytes())).expect("backup reads");
    // This device's own waiting forms come as the page keeps them: codes as bytes.
    let mine = js_sys::JSON::parse(r#"[{"id":"P-9","operator":"李四","at":"x"}]"#).unwrap();
    Reflect::set(
        &Array::from(&mine).get(0),
        &"codes".into(),
        &js_sys::Uint8Array::from(&[0u8, 1][..]),
    )
    .unwrap();
    let plan = dev.plan_entries(&incoming, mine).expect("planned");
    assert_eq!(Array::from(&get(&plan, "add")).length(), 0);
    assert_eq!(
        Array::from(&get(&plan, "counted"))
            .get(0)
            .as_string()
            .as_deref(),
        Some("X2023-0001")
    );
    assert_eq!(
        Array::from(&get(&plan, "kept"))
            .get(0)
            .as_string()
            .as_deref(),
        Some("P-9")
    );
    // An encrypted backup's envelope: written, recognised, read back as bytes.
    let file = write_sealed_backup(600_000, vec![7; 16], vec![9; 40]).expect("written");
    assert!(is_sealed_backup(&file[..60]));
    let back = read_sealed_backup(&file).expect("read");
    assert_eq!(num(&back, "iterations"), 600_000.0);
    let salt: js_sys::Uint8Array = get(&back, "salt").dyn_into().expect("bytes");
    assert_eq!(salt.to_vec(), vec![7; 16]);
    let refused = write_sealed_backup(u32::MAX, vec![7; 16], vec![9; 40]).expect_err("too many");
    assert_eq!(
        get(&Array::from(&get(&refused, "problems")).get(0), "field")
            .as_string()
            .as_deref(),
        Some("iterations")
    );
}
