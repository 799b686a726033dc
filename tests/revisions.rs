#![cfg(not(target_arch = "wasm32"))]
//! Text revisions of an instrument (`revises`, src/core/instrument/) on the
//! device (src/core/store/): responses to the older wording are the newer one's,
//! whichever way they arrive (chunks, log records, imports, hand-off codes),
//! the newer version's rows win, and the older chunks are retired.
//!
//! The older instrument is `tests/fixtures/zg-x-branch-2023-v1.json`: the
//! built-in instrument as it was before version 2 added the English question
//! marks (a copy of the file at the commit before that change).

use std::collections::HashMap;

use manyi::store::{self, fingerprint, Device, LogRecord, Provenance, StoredSet};
use manyi::{Instrument, Responses};

mod common;
use common::backup_of;

const V1_JSON: &str = include_str!("fixtures/zg-x-branch-2023-v1.json");

fn v1() -> Instrument {
    Instrument::from_json(V1_JSON).expect("version 1 loads")
}

fn v2() -> Instrument {
    Instrument::builtin()
}

/// A set of `instrument` with the rows `(id, first answer)`, other answers the first option.
fn set_of(instrument: &Instrument, rows: &[(&str, u8)]) -> StoredSet {
    let mut r = Responses::new(instrument, &["mode"]).expect("columns");
    for (id, a) in rows {
        let mut codes = vec![0; instrument.questions().len()];
        codes[0] = *a;
        r.push(instrument, id, &codes, &["paper"]).expect("row");
    }
    let mut set = StoredSet::new(instrument.clone());
    set.exported = vec![false; rows.len()];
    set.contacts = vec![None; rows.len()];
    set.origin = manyi::store::Origins::chunks(rows.len());
    set.responses = r;
    set
}

/// One write of [`Device::compact`]: fingerprint, chunks, log keys to drop.
type Write = (String, Vec<Vec<u8>>, Vec<String>);

fn log(key: &str, instrument: &str, id: &str, first: u8) -> LogRecord {
    let mut codes = vec![0; 17];
    codes[0] = first;
    LogRecord {
        key: key.into(),
        id: id.into(),
        instrument: instrument.into(),
        codes,
        ..LogRecord::default()
    }
}

/// Per id (sorted), the first answer's code.
fn firsts(set: &StoredSet) -> Vec<(String, u8)> {
    let mut out: Vec<(String, u8)> = set
        .responses
        .ids()
        .iter()
        .enumerate()
        .map(|(r, id)| (id.to_owned(), set.responses.column(0)[r]))
        .collect();
    out.sort();
    out
}

fn pairs(p: &[(&str, u8)]) -> Vec<(String, u8)> {
    p.iter().map(|(i, c)| ((*i).to_owned(), *c)).collect()
}

fn only_set(d: &Device) -> &StoredSet {
    assert_eq!(
        d.sets.len(),
        1,
        "one set: {:?}",
        d.sets.keys().collect::<Vec<_>>()
    );
    d.sets.values().next().expect("one set")
}

#[test]
fn the_builtin_version_2_revises_version_1_and_only_adds_question_marks() {
    let (old, new) = (v1(), v2());
    assert_eq!((old.version(), new.version()), ("1", "2"));
    assert!(new.revises(&old));
    assert!(!old.revises(&new), "revision is one way");
    assert!(!new.revises(&new), "not of itself");
    let changed: Vec<(&str, &str)> = old
        .questions()
        .iter()
        .zip(new.questions())
        .filter(|(a, b)| a.text != b.text)
        .map(|(a, b)| (a.text.en.as_deref().unwrap(), b.text.en.as_deref().unwrap()))
        .collect();
    assert_eq!(changed.len(), 6, "q6 to q11");
    for (a, b) in changed {
        assert_eq!(format!("{a}?"), b);
    }
}

#[test]
fn v1_chunks_and_log_records_join_the_builtin_set_and_compaction_retires_them() {
    let old = v1();
    let old_fp = fingerprint(&old);
    let mut d = Device::new();
    d.add_instrument("i-old", V1_JSON);
    d.add_chunk(
        "old:0000",
        &store::encode_chunk(&set_of(&old, &[("A", 0), ("B", 0)])),
    );
    d.add_log(log("l1", "i-old", "C", 1)); // a survey answered on the version 1 page
    d.add_log(log("l2", "", "B", 1)); // edited on the version 2 page
    assert!(d.quarantine.is_empty(), "{:?}", d.quarantine);
    let set = only_set(&d);
    assert_eq!(set.fingerprint, fingerprint(&v2()));
    assert_eq!(set.instrument, v2(), "the newer texts are shown");
    assert_eq!(firsts(set), pairs(&[("A", 0), ("B", 1), ("C", 1)]));
    assert_eq!(d.retired(&set.fingerprint), std::slice::from_ref(&old_fp));
    assert!(d.should_compact(), "the old chunks are to go");

    let writes = d.compact();
    let by_fp: HashMap<&str, &Write> = writes.iter().map(|w| (w.0.as_str(), w)).collect();
    let old_write = by_fp[old_fp.as_str()];
    assert!(
        old_write.1.is_empty(),
        "no chunk is written under the old fingerprint"
    );
    let new_write = by_fp[fingerprint(&v2()).as_str()];
    let mut folded = new_write.2.clone();
    folded.sort();
    assert_eq!(folded, ["l1", "l2"], "both log records are folded");
    assert!(!d.should_compact());

    // What was written loads back alone, as the same data.
    let mut again = Device::new();
    for (i, c) in new_write.1.iter().enumerate() {
        again.add_chunk(&format!("new:{i}"), c);
    }
    assert_eq!(firsts(only_set(&again)), firsts(only_set(&d)));
}

#[test]
fn a_record_from_before_instruments_were_recorded_may_name_version_1() {
    let mut d = Device::new();
    let mut r = log("l1", "", "S-1", 0);
    r.extras = vec![
        ("instrument".into(), "zg-x-branch-2023".into()),
        ("instrument_version".into(), "1".into()),
    ];
    d.add_log(r.clone());
    assert!(d.quarantine.is_empty(), "{:?}", d.quarantine);
    r.key = "l2".into();
    r.id = "S-2".into();
    r.extras[1].1 = "9".into();
    d.add_log(r);
    assert_eq!(d.quarantine.len(), 1, "version 9 is not on this device");
    assert_eq!(only_set(&d).responses.ids(), ["S-1"]);
}

/// A three-question instrument at `version`, revising `revises`, with `extra`
/// spliced into q3's options.
fn mini(version: &str, revises: &str, title: &str, extra: &str) -> String {
    format!(
        r#"{{"id": "mini", "version": "{version}", "title": {{"zh-CN": "{title}"}},
  "questions": [
    {{"id": "q1", "kind": "single", "text": {{"zh-CN": "满意吗"}},
     "options": [{{"code": "A", "label": {{"zh-CN": "满意"}}}}, {{"code": "B", "label": {{"zh-CN": "不满意"}}}}]}},
    {{"id": "q2", "kind": "scale", "text": {{"zh-CN": "推荐"}}, "min": 0, "max": 10}},
    {{"id": "q3", "kind": "single", "text": {{"zh-CN": "再来吗"}},
     "options": [{{"code": "A", "label": {{"zh-CN": "会"}}}}, {{"code": "B", "label": {{"zh-CN": "不会"}}}}{extra}]}}
  ]{revises}}}"#
    )
}

#[test]
fn an_older_set_is_absorbed_when_the_newer_version_arrives_and_newer_rows_win() {
    let old = Instrument::from_json(&mini("1", "", "小问卷", "")).unwrap();
    let new =
        Instrument::from_json(&mini("2", r#", "revises": ["1"]"#, "小问卷（修订）", "")).unwrap();
    assert!(new.revises(&old));
    for old_first in [true, false] {
        let mut d = Device::new();
        let a = store::encode_chunk(&set_of(&old, &[("X", 0), ("Y", 0)]));
        let b = store::encode_chunk(&set_of(&new, &[("Y", 1), ("Z", 1)]));
        if old_first {
            d.add_chunk("a", &a);
            d.add_chunk("b", &b);
        } else {
            d.add_chunk("b", &b);
            d.add_chunk("a", &a);
        }
        let set = only_set(&d);
        assert_eq!(set.instrument, new, "old first: {old_first}");
        assert_eq!(
            firsts(set),
            pairs(&[("X", 0), ("Y", 1), ("Z", 1)]),
            "version 2's Y wins (old first: {old_first})"
        );
        assert_eq!(d.retired(&fingerprint(&new)), [fingerprint(&old)]);
    }
}

#[test]
fn a_changed_structure_is_not_a_revision_even_when_it_says_so() {
    let old = Instrument::from_json(&mini("1", "", "小问卷", "")).unwrap();
    let more = mini(
        "2",
        r#", "revises": ["1"]"#,
        "小问卷",
        r#", {"code": "C", "label": {"zh-CN": "不知道"}}"#,
    );
    let new = Instrument::from_json(&more).unwrap();
    assert!(!new.revises(&old), "an option was added");
    let mut d = Device::new();
    d.add_chunk("a", &store::encode_chunk(&set_of(&old, &[("X", 0)])));
    d.add_chunk("b", &store::encode_chunk(&set_of(&new, &[("Y", 1)])));
    assert_eq!(d.sets.len(), 2, "kept apart");
    assert!(!d.should_compact());
}

#[test]
fn revises_is_checked_when_the_instrument_loads() {
    for (revises, why) in [
        (r#", "revises": ["2"]"#, "its own version"),
        (r#", "revises": ["1", "1"]"#, "listed twice"),
        (r#", "revises": [""]"#, "1 to 64 characters"),
    ] {
        let err = Instrument::from_json(&mini("2", revises, "小问卷", "")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("revises[") && text.contains(why),
            "{revises}: {text}"
        );
    }
}

#[test]
fn a_version_1_file_imports_into_the_version_2_set_and_the_reverse() {
    let old = v1();
    // The device holds version 2 rows; a version 1 backup brings one new and one same.
    let mut d = Device::new();
    d.add_log(log("l1", "", "P-1", 0));
    let file = backup_of(
        old.clone(),
        set_of(&old, &[("P-1", 0), ("P-2", 1)]).responses,
    );
    let plans = d.plan_import(&file).expect("plans");
    assert_eq!(plans[0].fingerprint, fingerprint(&v2()));
    assert_eq!((plans[0].plan.new.len(), plans[0].plan.same.len()), (1, 1));
    d.apply_import(&mut file.clone(), &HashMap::new(), &Provenance::default())
        .expect("imports");
    assert_eq!(firsts(only_set(&d)), pairs(&[("P-1", 0), ("P-2", 1)]));
    assert_eq!(only_set(&d).instrument, v2());

    // A device still holding only version 1 chunks takes a version 2 file:
    // the v1 chunk is carried on load (the built-in is always known).
    let mut d = Device::new();
    d.add_chunk("a", &store::encode_chunk(&set_of(&old, &[("Q-1", 0)])));
    let file = backup_of(v2(), set_of(&v2(), &[("Q-1", 1), ("Q-2", 0)]).responses);
    let plans = d.plan_import(&file).expect("plans");
    assert_eq!(plans[0].plan.conflicts.len(), 1, "Q-1 differs");
    let take: HashMap<String, manyi::merge::Resolution> =
        [("Q-1".to_owned(), manyi::merge::Resolution::TakeIncoming)].into();
    d.apply_import(&mut file.clone(), &take, &Provenance::default())
        .expect("imports");
    assert_eq!(firsts(only_set(&d)), pairs(&[("Q-1", 1), ("Q-2", 0)]));
    assert_eq!(d.retired(&fingerprint(&v2())), [fingerprint(&old)]);
}
