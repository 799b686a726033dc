#![cfg(not(target_arch = "wasm32"))]
//! The device store (`src/core/store.rs`) and whole-device backups (`src/core/backup.rs`),
//! by example: chunks, the log, quarantine, instruments known by fingerprint,
//! imports (provenance, contacts, merging twice), exports and backups.

use std::collections::HashMap;

use manyi::backup::{self, DeviceBackup};
use manyi::instrument::BUILTIN_JSON;
use manyi::store::{
    self, fingerprint, Applied, Contact, Device, LogRecord, Origin, Provenance, StoredSet,
};
use manyi::{ErrorKind, Instrument, Responses, MISSING};
use serde_json::json;

mod common;

const DEMO: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/www/demo/zg-x-branch-2023.csv"
));

/// The built-in instrument's id and version.
const BUILTIN_ID: &str = "zg-x-branch-2023";

const HEADER: &str = "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17";

/// A questionnaire of three questions (fewer than the built-in's 17).
const MINI_JSON: &str = r#"{
  "id": "mini-2026",
  "version": "1",
  "title": {"zh-CN": "小问卷", "en": "Mini"},
  "questions": [
    {"id": "q1", "kind": "single", "text": {"zh-CN": "满意吗"},
     "options": [{"code": "A", "label": {"zh-CN": "满意"}}, {"code": "B", "label": {"zh-CN": "不满意"}}]},
    {"id": "q2", "kind": "scale", "text": {"zh-CN": "推荐"}, "min": 0, "max": 10},
    {"id": "q3", "kind": "single", "text": {"zh-CN": "再来吗"},
     "options": [{"code": "A", "label": {"zh-CN": "会"}}, {"code": "B", "label": {"zh-CN": "不会"}},
                 {"code": "C", "label": {"zh-CN": "不知道"}}]}
  ]
}"#;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn builtin() -> Instrument {
    Instrument::builtin()
}

/// The built-in instrument with one option label changed: same id and version,
/// other content.
fn changed_json() -> String {
    let changed = BUILTIN_JSON.replacen("\"男\"", "\"男性\"", 1);
    assert_ne!(
        changed, BUILTIN_JSON,
        "the label to change is in the built-in file"
    );
    changed
}

fn no_resolutions() -> HashMap<String, manyi::merge::Resolution> {
    HashMap::new()
}

/// The demo file read as a device would read it.
fn demo_file() -> DeviceBackup {
    store::read_file("demo.csv", DEMO).expect("the demo CSV reads")
}

/// A device holding the demo file, imported without provenance.
fn demo_device() -> Device {
    let mut d = Device::new();
    let applied = d
        .apply_import(&mut demo_file(), &no_resolutions(), &Provenance::default())
        .expect("the demo imports");
    assert_eq!(applied.len(), 1);
    d
}

fn only_set(d: &Device) -> &StoredSet {
    assert_eq!(d.sets.len(), 1, "one set on the device");
    d.sets.values().next().expect("one set")
}

fn builtin_set(d: &Device) -> &StoredSet {
    d.sets
        .get(&fingerprint(&builtin()))
        .expect("a set of the built-in instrument")
}

/// The extra columns as (name, values), names as written.
fn extras(r: &Responses) -> Vec<(String, Vec<String>)> {
    r.extras()
        .iter()
        .map(|e| (e.name.clone(), e.values.to_vec()))
        .collect()
}

fn extra_names(r: &Responses) -> Vec<String> {
    r.extras().iter().map(|e| e.name.clone()).collect()
}

/// The values of the extra column `name` (exact name).
fn extra(r: &Responses, name: &str) -> Vec<String> {
    r.extras()
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no extra column {name:?} in {:?}", extra_names(r)))
        .values
        .to_vec()
}

fn row_of(set: &StoredSet, id: &str) -> usize {
    set.responses
        .ids()
        .iter()
        .position(|x| x == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

fn codes_at(set: &StoredSet, row: usize) -> Vec<u8> {
    (0..set.instrument.questions().len())
        .map(|q| set.responses.column(q)[row])
        .collect()
}

/// Asserts that two sets hold the same responses: instrument, ids, codes,
/// extra columns (names case-sensitively and values), exported flags and contacts.
fn assert_same_data(a: &StoredSet, b: &StoredSet) {
    assert_eq!(a.fingerprint, b.fingerprint);
    assert_eq!(a.instrument, b.instrument);
    assert_eq!(a.responses.ids(), b.responses.ids(), "ids");
    assert_eq!(
        a.responses.codes_by_row(),
        b.responses.codes_by_row(),
        "codes"
    );
    assert_eq!(extras(&a.responses), extras(&b.responses), "extra columns");
    assert_eq!(a.exported, b.exported, "exported flags");
    assert_eq!(a.contacts, b.contacts, "contacts");
}

/// A contact as a set holds it (boxed: most rows have none).
fn contact(name: &str, phone: &str, at: &str) -> Box<Contact> {
    Box::new(Contact {
        name: name.into(),
        phone: phone.into(),
        consent_at: at.into(),
    })
}

/// Codes that answer every built-in question (the first option, NPS 0).
fn zeros() -> Vec<u8> {
    vec![0; 17]
}

fn log(key: &str, id: &str, codes: Vec<u8>) -> LogRecord {
    LogRecord {
        key: key.into(),
        id: id.into(),
        codes,
        ..LogRecord::default()
    }
}

/// A small built-in set of `ids`, every answer the first option, in chunks.
fn small_set(ids: &[&str]) -> StoredSet {
    let inst = builtin();
    let mut r = Responses::new(&inst, &["mode"]).expect("columns");
    for id in ids {
        r.push(&inst, id, &zeros(), &["kiosk"]).expect("row");
    }
    let mut set = StoredSet::new(inst);
    set.exported = vec![false; ids.len()];
    set.contacts = vec![None; ids.len()];
    set.origin = manyi::store::Origins::chunks(ids.len());
    set.responses = r;
    set
}

/// A file of `responses` as another device would send it.
fn file_of(instrument: Instrument, responses: Responses) -> DeviceBackup {
    common::backup_of(instrument, responses)
}

/// A CSV of the built-in instrument: `HEADER` then `extra` header cells.
fn csv(extra: &str, rows: &[&str]) -> Vec<u8> {
    let mut s = format!("{HEADER}{extra}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

// ---------------------------------------------------------------------------
// The demo file, and chunks
// ---------------------------------------------------------------------------

#[test]
fn demo_imports_as_one_set_and_its_chunks_load_back_equal() {
    let file = demo_file();
    let mut d = Device::new();
    let plans = d.plan_import(&file).expect("plan");
    assert_eq!(plans.len(), 1);
    assert!(plans[0].new_set);
    assert_eq!(plans[0].instrument, format!("{BUILTIN_ID}@2"));
    assert_eq!(plans[0].plan.new.len(), 366);
    let applied = d
        .apply_import(&mut file.clone(), &no_resolutions(), &Provenance::default())
        .expect("imports");
    assert_eq!(
        applied,
        vec![(
            fingerprint(&builtin()),
            Applied {
                added: 366,
                replaced: 0,
                same: 0,
                drop_log: vec![]
            }
        )]
    );
    let set = only_set(&d);
    assert_eq!(set.len(), 366);
    assert_eq!(set.fingerprint, fingerprint(&builtin()));
    let direct = Responses::from_csv(&builtin(), DEMO).expect("demo");
    assert_eq!(set.responses, direct);
    assert_eq!(extra_names(&set.responses), ["mode"]);
    assert_eq!(set.responses.ids()[0], *"X2023-0001");
    assert!(set.exported.iter().all(|e| !e));
    assert!(set.origin.iter().all(|o| *o == Origin::Chunk));

    // Give some rows export flags and contacts, so the chunk carries them too.
    let mut set = set.clone();
    for r in 0..set.len() {
        set.exported[r] = r % 3 == 0;
        if r % 5 == 0 {
            set.contacts[r] = Some(contact(
                &format!("客户{r}"),
                "138 0000 0000",
                "2026-11-23T10:00:00Z",
            ));
        }
    }
    let chunks = set.chunks();
    assert_eq!(chunks.len(), 1, "366 rows fit one chunk");
    let mut fresh = Device::new();
    for (k, c) in chunks.iter().enumerate() {
        fresh.add_chunk(&format!("chunk-{k}"), c);
    }
    assert!(fresh.quarantine.is_empty(), "{:?}", fresh.quarantine);
    let back = only_set(&fresh);
    assert_same_data(back, &set);
    assert_eq!(back.responses, set.responses);
    assert!(back.origin.iter().all(|o| *o == Origin::Chunk));
    // The decoded set encodes to the same bytes.
    assert_eq!(back.chunks(), chunks);
}

#[test]
fn a_set_of_log_rows_only_gives_no_chunk_and_mixed_sets_chunk_only_chunk_rows() {
    let mut d = Device::new();
    d.add_log(log("l1", "A-1", zeros()));
    assert!(builtin_set(&d).chunks().is_empty());
    d.add_chunk("c", &small_set(&["C-1", "C-2"]).chunks()[0]);
    // The chunk came second: its rows are appended after the log row.
    let set = builtin_set(&d);
    assert_eq!(set.responses.ids(), ["A-1", "C-1", "C-2"]);
    let chunks = set.chunks();
    assert_eq!(chunks.len(), 1);
    let decoded = store::decode_chunk(&chunks[0]).expect("decodes");
    assert_eq!(decoded.responses.ids(), ["C-1", "C-2"]);
}

#[test]
fn a_later_chunk_with_new_ids_and_a_new_extra_column_keeps_its_values() {
    // The device holds a chunk of rows without extra columns; a later chunk
    // brings new ids with a `mode` column.
    let inst = builtin();
    let mut plain = StoredSet::new(inst.clone());
    plain
        .responses
        .push(&inst, "P-1", &zeros(), &[])
        .expect("row");
    plain.exported = vec![false];
    plain.contacts = vec![None];
    plain.origin = manyi::store::Origins::chunks(1);
    let mut d = Device::new();
    d.add_chunk("c-0", &plain.chunks()[0]);
    d.add_chunk("c-1", &small_set(&["C-1", "C-2"]).chunks()[0]);
    assert!(d.quarantine.is_empty(), "{:?}", d.quarantine);
    let set = only_set(&d);
    assert_eq!(set.responses.ids(), ["P-1", "C-1", "C-2"]);
    assert_eq!(extra(&set.responses, "mode"), ["", "kiosk", "kiosk"]);
}

#[test]
fn a_chunk_with_any_byte_flipped_is_quarantined_and_other_chunks_load() {
    let set = {
        let d = demo_device();
        only_set(&d).clone()
    };
    let good = set.chunks().remove(0);
    let before = small_set(&["B-1", "B-2"]).chunks().remove(0);
    let after = small_set(&["A-1"]).chunks().remove(0);
    let mut tried = 0;
    for at in (0..good.len()).step_by(97).chain([good.len() - 1]) {
        for mask in [0x01u8, 0x80, 0xFF] {
            let mut bad = good.clone();
            bad[at] ^= mask;
            let mut d = Device::new();
            d.add_chunk("before", &before);
            d.add_chunk("bad", &bad);
            d.add_chunk("after", &after);
            assert_eq!(
                d.quarantine.len(),
                1,
                "byte {at} ^ {mask:#x}: {:?}",
                d.quarantine
            );
            let q = &d.quarantine[0];
            assert_eq!(
                (q.what, q.key.as_str(), q.id.as_deref()),
                ("chunk", "bad", None)
            );
            assert!(q.reason.contains("damaged chunk"), "{}", q.reason);
            let s = only_set(&d);
            assert_eq!(s.responses.ids(), ["B-1", "B-2", "A-1"], "byte {at}");
            tried += 1;
        }
    }
    assert!(tried > 3 * (good.len() / 97), "{tried}");
}

#[test]
fn a_chunk_that_breaks_its_own_rules_is_quarantined() {
    // Codes outside the questionnaire the chunk carries: q2 answered E on a
    // questionnaire whose q2 has options A–D only.
    let mut json: serde_json::Value = serde_json::from_str(BUILTIN_JSON).expect("json");
    let options = json["questions"][1]["options"]
        .as_array_mut()
        .expect("q2 options");
    assert_eq!(options.pop().expect("E")["code"], "E");
    let fewer = Instrument::from_json(&json.to_string()).expect("loads");
    let inst = builtin();
    let mut r = Responses::new(&inst, &["mode"]).expect("columns");
    let mut codes = zeros();
    r.push(&inst, "A-1", &codes, &["kiosk"]).expect("row");
    codes[1] = 4;
    r.push(&inst, "A-2", &codes, &["kiosk"]).expect("row");
    let mut set = small_set(&["A-1", "A-2"]);
    set.responses = r;
    set.instrument = fewer;
    // The same id twice.
    let mut twice = small_set(&["B-1", "B-2"]);
    twice.responses = twice.responses.select(&[0, 0]).expect("rows");
    let mut d = Device::new();
    d.add_chunk("out-of-range", &store::encode_chunk(&set));
    d.add_chunk("repeated", &store::encode_chunk(&twice));
    d.add_chunk("good", &small_set(&["C-1"]).chunks()[0]);
    let got: Vec<(&str, &str)> = d
        .quarantine
        .iter()
        .map(|q| (q.what, q.key.as_str()))
        .collect();
    assert_eq!(got, [("chunk", "out-of-range"), ("chunk", "repeated")]);
    assert!(
        d.quarantine[0]
            .reason
            .contains("answer code 4 is not an answer to q2"),
        "{}",
        d.quarantine[0].reason
    );
    assert!(
        d.quarantine[1].reason.contains("\"B-1\""),
        "{}",
        d.quarantine[1].reason
    );
    assert_eq!(only_set(&d).responses.ids(), ["C-1"]);
}

#[test]
fn truncated_or_foreign_chunks_are_quarantined() {
    let good = small_set(&["A-1", "A-2"]).chunks().remove(0);
    let mut d = Device::new();
    for cut in 0..good.len() {
        d.add_chunk(&format!("cut-{cut}"), &good[..cut]);
    }
    d.add_chunk("foreign", b"PK\x03\x04 not a chunk at all");
    assert_eq!(d.quarantine.len(), good.len() + 1);
    assert!(d.quarantine.iter().all(|q| q.what == "chunk"));
    assert!(d.sets.is_empty());
    d.add_chunk("whole", &good);
    assert_eq!(only_set(&d).len(), 2);
}

// ---------------------------------------------------------------------------
// The log
// ---------------------------------------------------------------------------

#[test]
fn a_log_record_with_no_instrument_is_the_builtin_one() {
    let mut d = Device::new();
    let mut codes = zeros();
    codes[16] = 10; // NPS 10
    codes[3] = MISSING;
    let mut r = log("log-1", "  S-1 ", codes.clone());
    r.extras = vec![("mode".into(), "survey".into())];
    r.contact = Some(*contact("王芳", "139", "2026-11-23"));
    r.exported = true;
    d.add_log(r);
    assert!(d.quarantine.is_empty(), "{:?}", d.quarantine);
    let set = only_set(&d);
    assert_eq!(set.fingerprint, fingerprint(&builtin()));
    assert_eq!(set.instrument, builtin());
    assert_eq!(set.responses.ids(), ["S-1"], "the id is trimmed");
    assert_eq!(codes_at(set, 0), codes);
    assert_eq!(
        extras(&set.responses),
        [("mode".to_string(), vec!["survey".to_string()])]
    );
    assert_eq!(set.exported, [true]);
    assert_eq!(set.contacts, [Some(contact("王芳", "139", "2026-11-23"))]);
    assert_eq!(
        set.origin.iter().collect::<Vec<_>>(),
        [&Origin::Log("log-1".into())]
    );
    // The same instrument added under a key is the same set.
    d.add_instrument("inst-builtin", BUILTIN_JSON);
    let mut r = log("log-2", "S-2", zeros());
    r.instrument = "inst-builtin".into();
    d.add_log(r);
    assert_eq!(only_set(&d).responses.ids(), ["S-1", "S-2"]);
}

#[test]
fn a_log_record_replaces_the_chunk_row_with_its_id() {
    let demo = only_set(&demo_device()).clone();
    let mut d = Device::new();
    d.add_chunk("chunk-0", &demo.chunks()[0]);
    let at = row_of(&demo, "X2023-0002");
    assert_eq!(extra(&demo.responses, "mode")[at], "online");

    let mut codes = zeros();
    codes[16] = 7;
    let mut r = log("log-9", "X2023-0002", codes.clone());
    r.extras = vec![("note".into(), "回访过".into())];
    r.contact = Some(*contact("李四", "138", "2026-11-24T09:00:00Z"));
    d.add_log(r);
    assert!(d.quarantine.is_empty(), "{:?}", d.quarantine);

    let set = only_set(&d);
    assert_eq!(set.len(), 366, "replaced, not added");
    assert_eq!(
        set.responses.ids(),
        demo.responses.ids(),
        "same ids, same order"
    );
    assert_eq!(codes_at(set, at), codes);
    // The record has no mode: the row's mode is now empty; its note is set.
    assert_eq!(extra_names(&set.responses), ["mode", "note"]);
    assert_eq!(extra(&set.responses, "mode")[at], "");
    assert_eq!(extra(&set.responses, "note")[at], "回访过");
    assert_eq!(
        set.contacts[at],
        Some(contact("李四", "138", "2026-11-24T09:00:00Z"))
    );
    assert_eq!(set.origin[at], Origin::Log("log-9".into()));
    // Every other row is untouched.
    for r in (0..366).filter(|&r| r != at) {
        assert_eq!(codes_at(set, r), codes_at(&demo, r), "row {r}");
        assert_eq!(
            extra(&set.responses, "mode")[r],
            extra(&demo.responses, "mode")[r]
        );
        assert_eq!(extra(&set.responses, "note")[r], "");
        assert_eq!(set.origin[r], Origin::Chunk);
        assert_eq!(set.contacts[r], None);
    }

    // A later record for the same id, with its extra named in another case,
    // replaces it again and lands in the existing column.
    let mut r = log("log-10", "X2023-0002", zeros());
    r.extras = vec![("MODE".into(), "kiosk".into())];
    d.add_log(r);
    let set = only_set(&d);
    assert_eq!(extra_names(&set.responses), ["mode", "note"]);
    assert_eq!(extra(&set.responses, "mode")[at], "kiosk");
    assert_eq!(
        extra(&set.responses, "note")[at],
        "",
        "the note the record lacks is cleared"
    );
    assert_eq!(set.contacts[at], None);
    assert_eq!(set.origin[at], Origin::Log("log-10".into()));
    // Only chunk rows go into chunks; the log row stays out.
    let back = store::decode_chunk(&set.chunks()[0]).expect("decodes");
    assert_eq!(back.len(), 365);
    assert!(!back.responses.ids().iter().any(|id| id == "X2023-0002"));
}

#[test]
fn a_deleted_record_removes_the_row() {
    let demo = only_set(&demo_device()).clone();
    let mut d = Device::new();
    d.add_chunk("chunk-0", &demo.chunks()[0]);
    let mut del = log("log-d", " X2023-0003 ", vec![]);
    del.deleted = true;
    d.add_log(del);
    // Deleting an id no set holds, or under a set that does not exist, changes nothing.
    let mut none = log("log-e", "no-such-id", vec![]);
    none.deleted = true;
    d.add_log(none);
    d.add_instrument("mini", MINI_JSON);
    let mut other = log("log-f", "X2023-0004", vec![]);
    other.deleted = true;
    other.instrument = "mini".into();
    d.add_log(other);
    assert!(d.quarantine.is_empty(), "{:?}", d.quarantine);
    let set = builtin_set(&d);
    assert_eq!(set.len(), 365);
    let want: Vec<&str> = demo
        .responses
        .ids()
        .iter()
        .filter(|id| *id != "X2023-0003")
        .collect();
    let got: Vec<&str> = set.responses.ids().iter().collect();
    assert_eq!(got, want);
    let was = row_of(&demo, "X2023-0004");
    let now = row_of(set, "X2023-0004");
    assert_eq!(now, was - 1);
    assert_eq!(codes_at(set, now), codes_at(&demo, was));
    assert_eq!(
        extra(&set.responses, "mode")[now],
        extra(&demo.responses, "mode")[was]
    );
    assert_eq!(set.exported.len(), 365);
    assert_eq!(set.contacts.len(), 365);
    assert_eq!(set.origin.len(), 365);

    // A record written after a deletion adds the id again.
    d.add_log(log("log-g", "X2023-0003", zeros()));
    let set = builtin_set(&d);
    assert_eq!(set.len(), 366);
    assert_eq!(set.responses.ids()[365], *"X2023-0003");
    // And a deletion of a log row removes it too.
    let mut del = log("log-h", "X2023-0003", vec![]);
    del.deleted = true;
    d.add_log(del);
    assert_eq!(builtin_set(&d).len(), 365);
    assert!(!d.holds("X2023-0003"));
    assert!(d.holds(" X2023-0004"));
}

#[test]
fn bad_log_records_are_quarantined_with_a_reason_and_the_rest_loads() {
    let mut d = Device::new();
    d.add_chunk("chunk-0", &small_set(&["C-1", "C-2"]).chunks()[0]);
    d.add_instrument("broken", "{\"id\": \"x\"");
    d.add_log(log("ok-1", "N-1", zeros()));
    let mut q1_out = zeros();
    q1_out[0] = 2; // q1 has two options, A and B
    d.add_log(log("bad-range", "N-2", q1_out));
    let mut nps_out = zeros();
    nps_out[16] = 11; // NPS runs 0–10
    d.add_log(log("bad-nps", "N-3", nps_out));
    d.add_log(log("bad-count", "N-4", vec![0; 16]));
    d.add_log(log("bad-id", "   ", zeros()));
    let mut unknown = log("bad-inst", "N-5", zeros());
    unknown.instrument = "never-added".into();
    d.add_log(unknown);
    let mut broken = log("bad-broken", "N-6", zeros());
    broken.instrument = "broken".into();
    d.add_log(broken);
    // A bad record for a chunk row leaves the row as it was.
    let mut replace_bad = log("bad-replace", "C-1", vec![0; 18]);
    replace_bad.extras = vec![("mode".into(), "changed".into())];
    d.add_log(replace_bad);
    d.add_log(log("ok-2", "N-7", zeros()));

    let set = only_set(&d);
    assert_eq!(set.responses.ids(), ["C-1", "C-2", "N-1", "N-7"]);
    assert_eq!(extra(&set.responses, "mode"), ["kiosk", "kiosk", "", ""]);

    let got: Vec<(&str, &str, Option<&str>)> = d
        .quarantine
        .iter()
        .map(|q| (q.what, q.key.as_str(), q.id.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("instrument", "broken", None),
            ("log", "bad-range", Some("N-2")),
            ("log", "bad-nps", Some("N-3")),
            ("log", "bad-count", Some("N-4")),
            ("log", "bad-id", Some("   ")),
            ("log", "bad-inst", Some("N-5")),
            ("log", "bad-broken", Some("N-6")),
            ("log", "bad-replace", Some("C-1")),
        ]
    );
    let reason = |key: &str| {
        d.quarantine
            .iter()
            .find(|q| q.key == key)
            .map(|q| q.reason.clone())
            .expect("quarantined")
    };
    assert!(reason("bad-range").contains("answer code 2") && reason("bad-range").contains("q1"));
    assert!(reason("bad-nps").contains("answer code 11") && reason("bad-nps").contains("q17"));
    assert!(reason("bad-count").contains("16 answers") && reason("bad-count").contains("17"));
    assert!(reason("bad-id").contains("empty"), "{}", reason("bad-id"));
    assert!(
        reason("bad-inst").contains("never-added"),
        "{}",
        reason("bad-inst")
    );
    assert!(
        reason("bad-broken").contains("broken"),
        "{}",
        reason("bad-broken")
    );
    assert!(reason("broken").contains("line"), "{}", reason("broken"));
    // The summary as the page shows it serialises the quarantine.
    let text = serde_json::to_string(&d.quarantine).expect("serialises");
    assert!(text.contains("\"what\":\"instrument\""));
}

// ---------------------------------------------------------------------------
// Instruments by fingerprint
// ---------------------------------------------------------------------------

#[test]
fn an_instrument_reusing_id_and_version_with_other_content_is_kept_apart_and_refused() {
    let changed_text = changed_json();
    let changed = Instrument::from_json(&changed_text).expect("the changed instrument loads");
    assert_eq!((changed.id(), changed.version()), (BUILTIN_ID, "2"));
    assert_ne!(fingerprint(&changed), fingerprint(&builtin()));
    assert_eq!(fingerprint(&builtin()), fingerprint(&builtin()));
    assert_eq!(fingerprint(&builtin()).len(), 32);
    assert!(fingerprint(&changed).bytes().all(|b| b.is_ascii_hexdigit()));

    // Log records under each land in two different sets.
    let mut d = Device::new();
    d.add_instrument("inst-changed", &changed_text);
    d.add_log(log("l-1", "R-1", zeros()));
    let mut r = log("l-2", "R-2", zeros());
    r.instrument = "inst-changed".into();
    d.add_log(r);
    let mut r = log("l-3", "R-1", zeros());
    r.instrument = "inst-changed".into();
    d.add_log(r);
    assert!(d.quarantine.is_empty(), "{:?}", d.quarantine);
    assert_eq!(d.sets.len(), 2);
    assert_eq!(builtin_set(&d).responses.ids(), ["R-1"]);
    assert_eq!(
        d.sets[&fingerprint(&changed)].responses.ids(),
        ["R-2", "R-1"]
    );
    let summary = d.summary();
    assert_eq!(summary.len(), 2);
    assert!(summary.iter().all(|s| s.ambiguous), "{summary:?}");
    assert!(summary
        .iter()
        .all(|s| s.id == BUILTIN_ID && s.version == "2"));
    let mut fps: Vec<&str> = summary.iter().map(|s| s.fingerprint.as_str()).collect();
    fps.sort_unstable();
    let mut want = vec![fingerprint(&builtin()), fingerprint(&changed)];
    want.sort_unstable();
    assert_eq!(fps, want);

    // A device holding the built-in set refuses a file of the changed one.
    let mut d = demo_device();
    let before = d.sets.clone();
    let responses = Responses::from_csv(&changed, DEMO).expect("the demo reads with it too");
    let file = file_of(changed.clone(), responses);
    for e in [
        d.plan_import(&file).unwrap_err(),
        d.apply_import(&mut file.clone(), &no_resolutions(), &Provenance::default())
            .unwrap_err(),
    ] {
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("questionnaire {BUILTIN_ID} version 2")),
            "{msg}"
        );
        assert!(msg.contains(&fingerprint(&changed)), "{msg}");
        assert!(msg.contains(&fingerprint(&builtin())), "{msg}");
        assert_eq!(e.problems()[0].value.as_deref(), Some("zg-x-branch-2023@2"));
    }
    assert_eq!(d.sets, before, "the device is unchanged");
    assert!(d.summary().iter().all(|s| !s.ambiguous));

    // The same refusal for the file as it arrives: a backup of the changed one.
    let text = backup::write_device(
        &file.sets,
        &json!([]),
        &json!([]),
        &serde_json::Value::Null,
        "2026-11-23",
    )
    .expect("written");
    let read = store::read_file("other-branch.manyi", text.as_bytes()).expect("reads");
    assert!(d.plan_import(&read).is_err());
    assert_eq!(d.sets, before);
}

#[test]
fn an_instrument_with_fewer_questions_and_another_id_gets_its_own_set() {
    let mini = Instrument::from_json(MINI_JSON).expect("mini loads");
    assert_eq!(mini.questions().len(), 3);
    let mut d = demo_device();
    let responses = Responses::from_csv(
        &mini,
        b"id,q1,q2,q3,note\nM-1,A,10,C,\xe5\xa5\xbd\nX2023-0001,B,,A,\n",
    )
    .expect("mini csv");
    let file = file_of(mini.clone(), responses.clone());
    let plans = d.plan_import(&file).expect("planned");
    assert_eq!(plans.len(), 1);
    assert!(plans[0].new_set);
    assert_eq!(plans[0].fingerprint, fingerprint(&mini));
    assert_eq!(plans[0].instrument, "mini-2026@1");
    assert_eq!(plans[0].plan.new, [0, 1]);
    assert!(plans[0].plan.conflicts.is_empty());
    let applied = d
        .apply_import(&mut file.clone(), &no_resolutions(), &Provenance::default())
        .expect("imported");
    assert_eq!(applied[0].0, fingerprint(&mini));
    assert_eq!(applied[0].1.added, 2);
    assert_eq!(d.sets.len(), 2);
    assert_eq!(builtin_set(&d).len(), 366, "the built-in set is untouched");
    let set = &d.sets[&fingerprint(&mini)];
    assert_eq!(set.responses, responses);
    assert_eq!(codes_at(set, 0), [0, 10, 2]);
    assert_eq!(codes_at(set, 1), [1, MISSING, 0]);
    assert!(d.summary().iter().all(|s| !s.ambiguous));

    // Its chunk, and log records under it, load; 17 codes for it do not.
    let mut fresh = Device::new();
    fresh.add_chunk("mini-0", &set.chunks()[0]);
    fresh.add_instrument("mini", MINI_JSON);
    let mut r = log("l-1", "M-2", vec![1, 5, MISSING]);
    r.instrument = "mini".into();
    fresh.add_log(r);
    let mut r = log("l-2", "M-3", zeros());
    r.instrument = "mini".into();
    fresh.add_log(r);
    let mut r = log("l-3", "M-4", vec![0, 0, 3]);
    r.instrument = "mini".into();
    fresh.add_log(r);
    let set = only_set(&fresh);
    assert_eq!(set.responses.ids(), ["M-1", "X2023-0001", "M-2"]);
    let keys: Vec<&str> = fresh.quarantine.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["l-2", "l-3"]);
    assert!(fresh.quarantine[0]
        .reason
        .contains("17 answers for a questionnaire of 3"));
}

// ---------------------------------------------------------------------------
// Imports
// ---------------------------------------------------------------------------

#[test]
fn an_extra_column_matches_in_any_letter_case_and_constructor_is_just_a_column() {
    let mut d = demo_device();
    let row = |id: &str, extra: &str| format!("{id},{extra},A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9");
    let mut text = String::from("id,Mode,");
    text.push_str(&HEADER[3..]);
    text.push('\n');
    text.push_str(&row("N-1", "kiosk"));
    text.push('\n');
    text.push_str(&row("N-2", ""));
    text.push('\n');
    let file = store::read_file("more.csv", text.as_bytes()).expect("reads");
    let applied = d
        .apply_import(&mut file.clone(), &no_resolutions(), &Provenance::default())
        .expect("imports");
    assert_eq!(applied[0].1.added, 2);
    let set = only_set(&d);
    assert_eq!(extra_names(&set.responses), ["mode"], "one column");
    let mode = extra(&set.responses, "mode");
    assert_eq!(mode.len(), 368);
    assert_eq!(mode[366..], ["kiosk", ""]);
    assert_eq!(mode[0], "paper");
    assert_eq!(mode[1], "online");

    let mut text = String::from("id,constructor,");
    text.push_str(&HEADER[3..]);
    text.push('\n');
    text.push_str(&row("N-3", "function"));
    text.push('\n');
    let file = store::read_file("proto.csv", text.as_bytes()).expect("reads");
    d.apply_import(&mut file.clone(), &no_resolutions(), &Provenance::default())
        .expect("imports");
    let set = only_set(&d);
    assert_eq!(extra_names(&set.responses), ["mode", "constructor"]);
    let c = extra(&set.responses, "constructor");
    assert_eq!(c.len(), 369);
    assert!(c[..368].iter().all(String::is_empty));
    assert_eq!(c[368], "function");
    assert_eq!(extra(&set.responses, "mode")[368], "");

    // And the set still goes through a chunk.
    let mut fresh = Device::new();
    fresh.add_chunk("c", &set.chunks()[0]);
    assert_same_data(only_set(&fresh), set);
}

#[test]
fn importing_the_same_file_twice_is_importing_it_once() {
    let file = demo_file();
    let prov = Provenance {
        source: "demo.csv".into(),
        device: "tab-1".into(),
        operator: "王芳".into(),
    };
    let mut d = Device::new();
    let first = d
        .apply_import(&mut file.clone(), &no_resolutions(), &prov)
        .expect("first");
    assert_eq!(first[0].1.added, 366);
    let once = d.sets.clone();
    let set = only_set(&d);
    assert_eq!(
        extra_names(&set.responses),
        ["mode", "source", "device", "operator"]
    );

    let plans = d.plan_import(&file).expect("plan");
    assert!(!plans[0].new_set);
    assert_eq!(plans[0].plan.same.len(), 366);
    let second = d
        .apply_import(&mut file.clone(), &no_resolutions(), &prov)
        .expect("second");
    assert_eq!(
        second,
        vec![(
            fingerprint(&builtin()),
            Applied {
                added: 0,
                replaced: 0,
                same: 366,
                drop_log: vec![]
            }
        )]
    );
    assert_eq!(d.sets, once, "the set is unchanged");
    let (a, b) = (
        &d.sets[&fingerprint(&builtin())],
        &once[&fingerprint(&builtin())],
    );
    assert_eq!(a.responses, b.responses);
    assert_eq!(a.exported, b.exported);
    assert_eq!(a.contacts, b.contacts);
}

#[test]
fn an_import_with_a_conflict_needs_a_resolution_and_takes_over_a_log_row() {
    let mut d = demo_device();
    let mut r = log("log-1", "X2023-0001", zeros());
    r.extras = vec![("mode".into(), "survey".into())];
    d.add_log(r);
    let before = d.sets.clone();
    let file = demo_file();
    let plans = d.plan_import(&file).expect("plan");
    assert_eq!(plans[0].plan.conflicts.len(), 1);
    assert_eq!(plans[0].plan.conflicts[0].id, "X2023-0001");
    // The preview a person confirms: totals, and the question ids the
    // conflict's answers are listed by.
    let preview = store::ImportPreview::of(&plans, &file);
    assert_eq!((preview.rows, preview.new, preview.same), (366, 0, 365));
    assert_eq!(preview.conflicts, plans[0].plan.conflicts);
    assert_eq!(preview.questions.len(), 17);
    assert_eq!(preview.questions[16], "q17");
    assert_eq!((preview.sets[0].rows, preview.sets[0].conflicts), (366, 1));
    // Unresolved: refused before anything moves: neither the device nor the file changes.
    let mut file = file;
    let e = d
        .apply_import(&mut file, &no_resolutions(), &Provenance::default())
        .unwrap_err();
    assert_eq!(e.problems()[0].value.as_deref(), Some("X2023-0001"));
    assert_eq!(d.sets, before);
    assert_eq!(file, demo_file());
    // Taking the file's version: the row goes back to a chunk row and its log
    // record is to be dropped.
    let take = HashMap::from([(
        "X2023-0001".to_string(),
        manyi::merge::Resolution::TakeIncoming,
    )]);
    let applied = d
        .apply_import(&mut file, &take, &Provenance::default())
        .expect("applied");
    // The file's rows moved into the device (not copied); the rest of it stays.
    assert_eq!(file.sets[0].responses.len(), 0);
    assert_eq!(file.sets[0].instrument, demo_file().sets[0].instrument);
    assert_eq!(file.audit, demo_file().audit);
    assert_eq!(applied[0].1.replaced, 1);
    assert_eq!(applied[0].1.same, 365);
    assert_eq!(applied[0].1.drop_log, ["log-1"]);
    let total = Applied::total(applied.iter().map(|(_, a)| a));
    assert_eq!((total.added, total.replaced, total.same), (0, 1, 365));
    let set = only_set(&d);
    assert_eq!(set.origin[0], Origin::Chunk);
    assert_eq!(extra(&set.responses, "mode")[0], "paper");
    let demo = Responses::from_csv(&builtin(), DEMO).expect("demo");
    assert_eq!(set.responses, demo);
}

#[test]
fn provenance_fills_empty_cells_and_contact_columns_become_contacts() {
    let text = csv(
        ",source,contact_name,contact_phone,contact_consent_at",
        &[
            "r1,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9,,张三,138 0000 0001,2026-11-23T10:00:00Z",
            "r2,B,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,3,paper-box,,,",
            "r3,A,B,A,A,A,A,A,A,A,A,A,A,A,A,A,A,,,,139,",
        ],
    );
    let file = store::read_file("branch-7.csv", &text).expect("reads");
    let prov = Provenance {
        source: "branch-7.csv".into(),
        device: "tab-7".into(),
        operator: String::new(),
    };
    let mut d = Device::new();
    d.apply_import(&mut file.clone(), &no_resolutions(), &prov)
        .expect("imports");
    let set = only_set(&d);
    assert_eq!(
        extras(&set.responses),
        [
            (
                "source".to_string(),
                vec![
                    "branch-7.csv".to_string(),
                    "paper-box".into(),
                    "branch-7.csv".into()
                ]
            ),
            ("device".to_string(), vec!["tab-7".to_string(); 3]),
        ],
        "the file's source kept where given, device added, no operator column, \
         contact columns taken out"
    );
    assert_eq!(
        set.contacts,
        [
            Some(contact("张三", "138 0000 0001", "2026-11-23T10:00:00Z")),
            None,
            Some(contact("", "139", "")),
        ]
    );
    assert_eq!(d.summary()[0].contacts, 2);
    assert_eq!(d.summary()[0].unexported, 3);

    // Exported without contacts: as stored; with them: three columns at the end.
    assert_eq!(set.responses_with(false), set.responses);
    let with = set.responses_with(true);
    assert_eq!(
        extra_names(&with),
        [
            "source",
            "device",
            "contact_name",
            "contact_phone",
            "contact_consent_at"
        ]
    );
    assert_eq!(extra(&with, "contact_name"), ["张三", "", ""]);
    assert_eq!(extra(&with, "contact_phone"), ["138 0000 0001", "", "139"]);
    assert_eq!(
        extra(&with, "contact_consent_at"),
        ["2026-11-23T10:00:00Z", "", ""]
    );
    assert_eq!(with.codes_by_row(), set.responses.codes_by_row());

    // That export read by another device gives the contacts back.
    let exported = with.to_csv(&set.instrument, true).expect("csv");
    let again = store::read_file("export.csv", &exported).expect("reads");
    let mut other = Device::new();
    other
        .apply_import(
            &mut again.clone(),
            &no_resolutions(),
            &Provenance::default(),
        )
        .expect("imports");
    assert_same_data(only_set(&other), set);

    // A set without contacts exports without contact columns either way.
    let demo = demo_device();
    let s = only_set(&demo);
    assert_eq!(s.responses_with(true), s.responses);

    // An operator column present in any letter case is filled, not repeated.
    let text = csv(
        ",Operator",
        &[
            "o1,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9,",
            "o2,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9,赵六",
        ],
    );
    let file = store::read_file("ops.csv", &text).expect("reads");
    let prov = Provenance {
        source: String::new(),
        device: String::new(),
        operator: "钱七".into(),
    };
    let mut d = Device::new();
    d.apply_import(&mut file.clone(), &no_resolutions(), &prov)
        .expect("imports");
    assert_eq!(
        extras(&only_set(&d).responses),
        [(
            "Operator".to_string(),
            vec!["钱七".to_string(), "赵六".into()]
        )]
    );
    assert!(only_set(&d).contacts.iter().all(Option::is_none));
}

// ---------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------

#[test]
fn mark_exported_flags_every_row_and_returns_the_log_rows_keys() {
    let mut d = Device::new();
    d.add_chunk("c", &small_set(&["C-1", "C-2", "C-3"]).chunks()[0]);
    d.add_log(log("log-a", "C-2", zeros()));
    d.add_log(log("log-b", "N-1", zeros()));
    let mut exported = log("log-c", "N-2", zeros());
    exported.exported = true;
    d.add_log(exported);
    let fp = fingerprint(&builtin());
    let set = d.sets.get_mut(&fp).expect("set");
    assert_eq!(set.exported, [false, false, false, false, true]);
    let keys = store::mark_exported(set);
    assert_eq!(keys, ["log-a", "log-b", "log-c"]);
    assert_eq!(set.exported, [true; 5]);
    assert_eq!(d.summary()[0].unexported, 0);
    // Marking again gives the same keys and changes nothing else.
    let set = d.sets.get_mut(&fp).expect("set");
    let before = set.clone();
    assert_eq!(store::mark_exported(set), ["log-a", "log-b", "log-c"]);
    assert_eq!(*set, before);
    // A set of chunk rows only returns no key.
    let mut demo = only_set(&demo_device()).clone();
    assert!(store::mark_exported(&mut demo).is_empty());
    assert!(demo.exported.iter().all(|e| *e));
    // The flags survive a chunk.
    let back = store::decode_chunk(&demo.chunks()[0]).expect("decodes");
    assert!(back.exported.iter().all(|e| *e));
}

// ---------------------------------------------------------------------------
// Backups
// ---------------------------------------------------------------------------

/// A device with two sets, logs, contacts, exported flags and extra columns.
fn busy_device() -> Device {
    let mut d = demo_device();
    let fp = fingerprint(&builtin());
    let set = d.sets.get_mut(&fp).expect("set");
    set.exported[0] = true;
    set.exported[5] = true;
    set.contacts[2] = Some(contact("张三", "138 0000 0001", "2026-11-23T10:00:00Z"));
    let mut r = log("log-1", "S-1", zeros());
    r.extras = vec![
        ("note".into(), "说, \"引号\"\n换行".into()),
        ("Mode".into(), "survey".into()),
    ];
    r.contact = Some(*contact("李四", "", "2026-11-24"));
    d.add_log(r);
    let mut r = log("log-2", "X2023-0010", zeros());
    r.exported = true;
    d.add_log(r);
    d.add_instrument("mini", MINI_JSON);
    let mut r = log("log-3", "M-1", vec![1, 0, MISSING]);
    r.instrument = "mini".into();
    r.extras = vec![("mode".into(), "paper".into())];
    d.add_log(r);
    assert!(d.quarantine.is_empty(), "{:?}", d.quarantine);
    assert_eq!(d.sets.len(), 2);
    d
}

#[test]
fn a_device_backup_restores_every_set_and_everything_else() {
    let d = busy_device();
    let entries = json!([{"id": "P-1", "codes": [0, 1, 2], "keyed_by": "王芳"}]);
    let audit =
        json!([{"at": "2026-11-23T10:00:00Z", "who": "王芳", "what": "edit", "id": "X2023-0001"}]);
    let key: Vec<u8> = (0u8..32).map(|b| b.wrapping_mul(37)).collect();
    let branch = backup::branch_key_json(&key, "X支行", "2026-01-01T00:00:00Z").expect("key");
    let text = backup::write_device(&d.backup_sets(), &entries, &audit, &branch, "2026-11-25")
        .expect("written");
    let file = backup::read_device(&text).expect("reads");
    assert_eq!(file.created, "2026-11-25");
    assert_eq!(file.entries, entries);
    assert_eq!(file.audit, audit);
    assert_eq!(file.branch_key, branch);
    let k = backup::branch_key(&file.branch_key)
        .expect("checked")
        .expect("present");
    assert_eq!(
        (k.key, k.name.as_str(), k.created_at.as_str()),
        (key, "X支行", "2026-01-01T00:00:00Z")
    );
    assert_eq!(file.sets.len(), 2);
    // The same file read by its name.
    assert_eq!(
        store::read_file("device.MANYI", text.as_bytes()).expect("reads"),
        file
    );

    let mut restored = Device::new();
    let plans = restored.plan_import(&file).expect("plan");
    assert!(plans.iter().all(|p| p.new_set));
    restored
        .apply_import(&mut file.clone(), &no_resolutions(), &Provenance::default())
        .expect("restores");
    assert!(restored.quarantine.is_empty());
    assert_eq!(
        restored.sets.keys().collect::<Vec<_>>(),
        d.sets.keys().collect::<Vec<_>>()
    );
    for (fp, set) in &d.sets {
        assert_same_data(&restored.sets[fp], set);
        assert_eq!(restored.sets[fp].responses, set.responses);
    }
    // Restored rows live in chunks.
    assert!(restored
        .sets
        .values()
        .all(|s| s.origin.iter().all(|o| *o == Origin::Chunk)));
    let builtin_restored = builtin_set(&restored);
    assert_eq!(builtin_restored.exported.iter().filter(|e| **e).count(), 3);
    assert_eq!(
        builtin_restored
            .contacts
            .iter()
            .filter(|c| c.is_some())
            .count(),
        2
    );
    // Restoring it again changes nothing.
    let before = restored.sets.clone();
    let again = restored
        .apply_import(&mut file.clone(), &no_resolutions(), &Provenance::default())
        .expect("again");
    assert!(again.iter().all(|(_, a)| a.added == 0 && a.replaced == 0));
    assert_eq!(restored.sets, before);

    // Without a branch key the backup has none.
    let text = backup::write_device(&d.backup_sets(), &json!([]), &json!(null), &json!(null), "")
        .expect("written");
    assert!(!text.contains("branch_key"));
    let file = backup::read_device(&text).expect("reads");
    assert_eq!(file.branch_key, serde_json::Value::Null);
    assert_eq!(file.audit, json!([]));
    assert_eq!(backup::branch_key(&file.branch_key).expect("none"), None);
}

#[test]
fn a_version_1_backup_reads_as_one_set() {
    let inst = builtin();
    let r = Responses::from_csv(&inst, DEMO).expect("demo");
    let audit = json!([{"who": "王芳", "what": "import"}]);
    let text = backup::write(&inst, &r, &audit, "2025-06-01T08:00:00Z").expect("written");
    assert!(text.contains("\"version\":1"));
    let file = backup::read_device(&text).expect("reads");
    assert_eq!(file.created, "2025-06-01T08:00:00Z");
    assert_eq!(file.audit, audit);
    assert_eq!(file.entries, json!([]));
    assert_eq!(file.branch_key, serde_json::Value::Null);
    assert_eq!(file.sets.len(), 1);
    let s = &file.sets[0];
    assert_eq!(s.instrument, inst);
    assert_eq!(s.responses, r);
    assert_eq!(s.exported, vec![false; 366]);
    assert_eq!(s.contacts, vec![None; 366]);
    let mut d = Device::new();
    d.apply_import(&mut file.clone(), &no_resolutions(), &Provenance::default())
        .expect("restores");
    assert_eq!(only_set(&d).responses, r);
    assert_eq!(
        store::read_file("old.json", text.as_bytes()).expect("reads"),
        file
    );
}

#[test]
fn a_backup_with_a_damaged_branch_key_is_refused() {
    let d = busy_device();
    let key = [0xABu8; 32];
    let branch = backup::branch_key_json(&key, "X支行", "2026-01-01").expect("key");
    let text = backup::write_device(&d.backup_sets(), &json!([]), &json!([]), &branch, "")
        .expect("written");
    let hex = "ab".repeat(32);
    assert!(text.contains(&hex));
    let cases = [
        text.replace(&hex, &hex[..63]),
        text.replace(&hex, &format!("{}g", &hex[..63])),
        text.replace(&hex, &format!("{hex}a")),
        text.replace("\"name\":\"X支行\"", "\"name\":7"),
        text.replace("\"created_at\":\"2026-01-01\",", ""),
    ];
    for (i, bad) in cases.iter().enumerate() {
        assert!(*bad != text, "case {i} changes the file");
        let e = backup::read_device(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Backup);
        assert!(e.to_string().contains("branch key"), "{e}");
        assert!(store::read_file("b.manyi", bad.as_bytes()).is_err());
    }
    assert!(backup::branch_key_json(&key[..31], "X", "t").is_err());
    // The undamaged one reads.
    assert!(backup::read_device(&text).is_ok());
}

#[test]
fn a_damaged_device_backup_restores_nothing() {
    let d = busy_device();
    let text = backup::write_device(&d.backup_sets(), &json!([]), &json!([]), &json!(null), "")
        .expect("written");
    let cases = [
        (
            text.replacen("\"exported\":\"1", "\"exported\":\"2", 1),
            "exported",
        ),
        (
            text.replacen("\"exported\":\"1", "\"exported\":\"", 1),
            "exported",
        ),
        (
            text.replacen("\"row\":2", "\"row\":9999", 1),
            "contacts names row 9999",
        ),
        (
            text.replacen("\"audit\":[]", "\"audit\":{}", 1),
            "audit trail",
        ),
        (
            text.replacen("\"entries\":[]", "\"entries\":3", 1),
            "keyed forms",
        ),
        (text.replacen("manyi-backup", "other", 1), "format"),
    ];
    for (bad, says) in cases {
        assert!(bad != text, "{says}: the case changes the file");
        let e = backup::read_device(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Backup, "{says}");
        assert!(e.to_string().contains(says), "{says}: {e}");
    }
    // Cut short anywhere: refused (whatever the message says).
    for cut in [1, text.len() / 3, text.len() / 2, text.len() - 1] {
        let e = backup::read_device(&text[..cut]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Backup, "cut at {cut}");
    }
    let e = store::read_file("x.manyi", b"\xff\xfe").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Backup);
}

#[test]
fn a_device_backup_of_a_later_version_or_cut_short_says_so() {
    let d = busy_device();
    let text = backup::write_device(&d.backup_sets(), &json!([]), &json!([]), &json!(null), "")
        .expect("written");
    let later = text.replacen("\"version\":2", "\"version\":3", 1);
    let e = backup::read_device(&later).unwrap_err();
    assert!(e.to_string().contains("version 3"), "{e}");
    let e = backup::read_device(&text[..text.len() / 2]).unwrap_err();
    assert!(e.to_string().contains("EOF"), "{e}");
}

#[test]
fn a_log_extra_name_with_a_byte_order_mark_does_not_make_the_chunk_unreadable() {
    let mut d = Device::new();
    d.add_chunk("c", &small_set(&["C-1"]).chunks()[0]);
    let mut r = log("l-1", "L-1", zeros());
    r.extras = vec![("\u{feff}note".into(), "x".into())];
    d.add_log(r);
    let chunks = builtin_set(&d).chunks();
    let mut fresh = Device::new();
    fresh.add_chunk("c", &chunks[0]);
    assert!(fresh.quarantine.is_empty(), "{:?}", fresh.quarantine);
}

#[test]
fn a_branch_key_with_plus_signs_is_refused() {
    let d = busy_device();
    let branch = backup::branch_key_json(&[0x0A; 32], "X", "t").expect("key");
    let text = backup::write_device(&d.backup_sets(), &json!([]), &json!([]), &branch, "")
        .expect("written");
    let bad = text.replace(&"0a".repeat(32), &"+a".repeat(32));
    assert!(bad != text);
    assert!(backup::read_device(&bad).is_err());
}

// ---------------------------------------------------------------------------
// Compaction, the entry screen's query, records of before questionnaires were named
// ---------------------------------------------------------------------------

fn record(key: &str, id: &str, codes: Vec<u8>, extras: &[(&str, &str)]) -> LogRecord {
    LogRecord {
        key: key.into(),
        id: id.into(),
        codes,
        extras: extras
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..LogRecord::default()
    }
}

#[test]
fn compaction_folds_the_log_into_chunks_and_again_changes_nothing() {
    let mut d = demo_device();
    let chunks = only_set(&d).chunks();
    let mut loaded = Device::new();
    for (i, c) in chunks.iter().enumerate() {
        loaded.add_chunk(&format!("c{i}"), c);
    }
    // A new response, an edit of a chunk row, a deletion of another.
    loaded.add_log(record("W-1", "W-1", vec![0; 17], &[("mode", "online")]));
    let first = only_set(&loaded).responses.ids()[0].to_owned();
    let second = only_set(&loaded).responses.ids()[1].to_owned();
    loaded.add_log(record(&first, &first, vec![1; 17], &[("mode", "paper")]));
    loaded.add_log(LogRecord {
        deleted: true,
        ..record(&second, &second, Vec::new(), &[])
    });
    assert_eq!(loaded.log_rows(), 3);
    let writes = loaded.compact();
    assert_eq!(writes.len(), 1);
    let (fp, chunks, mut dropped) = writes[0].clone();
    dropped.sort();
    let mut want = vec!["W-1".to_string(), first.clone(), second.clone()];
    want.sort();
    assert_eq!(
        (fp.as_str(), dropped),
        (only_set(&d).fingerprint.as_str(), want)
    );
    assert_eq!(loaded.log_rows(), 0);
    assert!(
        loaded.compact().is_empty(),
        "a second compaction has nothing to do"
    );
    // The chunks alone load as the store did with its log.
    let mut again = Device::new();
    for (i, c) in chunks.iter().enumerate() {
        again.add_chunk(&format!("n{i}"), c);
    }
    let (a, b) = (only_set(&again), only_set(&loaded));
    assert_eq!(a.responses, b.responses);
    assert_eq!(a.len(), 366);
    assert!(!a.responses.ids().contains(&second));
    assert_eq!(
        a.responses.column(0)[a
            .responses
            .ids()
            .iter()
            .position(|x| *x == first)
            .expect("kept")],
        1
    );
    d.sets.clear();
}

#[test]
fn rows_where_finds_the_paper_forms_of_one_questionnaire() {
    let d = demo_device();
    let paper = d
        .rows_where(&builtin(), "MODE", "paper")
        .expect("the set has a mode column");
    let all = only_set(&d);
    let expected = (0..all.len())
        .filter(|&r| all.responses.extras()[0].values.get(r) == "paper")
        .count();
    assert!(expected > 0 && expected < all.len());
    assert_eq!(paper.len(), expected);
    let mini = Instrument::from_json(MINI_JSON).expect("mini");
    assert!(d.rows_where(&mini, "mode", "paper").is_none());
}

#[test]
fn an_old_record_naming_another_questionnaire_is_quarantined() {
    let mut d = Device::new();
    d.add_log(record(
        "a",
        "a",
        vec![0; 17],
        &[("instrument", BUILTIN_ID), ("instrument_version", "1")],
    ));
    d.add_log(record(
        "b",
        "b",
        vec![0; 17],
        &[("instrument", "gone-survey"), ("instrument_version", "1")],
    ));
    d.add_log(record(
        "c",
        "c",
        vec![0; 17],
        &[("instrument", BUILTIN_ID), ("instrument_version", "3")],
    ));
    assert_eq!(only_set(&d).responses.ids(), ["a"]);
    let why: Vec<(&str, &str)> = d
        .quarantine
        .iter()
        .map(|q| (q.id.as_deref().unwrap_or(""), q.reason.as_str()))
        .collect();
    assert_eq!(why.len(), 2);
    assert!(why[0].1.contains("gone-survey version 1"), "{why:?}");
    assert!(why[1].1.contains("zg-x-branch-2023 version 3"), "{why:?}");
}

#[test]
fn a_device_backup_carries_the_invitations() {
    let d = demo_device();
    let invs = json!([{"token": "T1", "issuedAt": "2026-12-03T09:00:00Z", "usedBy": "I-T1", "usedAt": "2026-12-03T10:00:00Z"}, {"token": "T2", "issuedAt": "2026-12-03T09:00:00Z"}]);
    let text = backup::write_device_with(
        &d.backup_sets(),
        &json!([]),
        &invs,
        &json!([]),
        &serde_json::Value::Null,
        "",
    )
    .expect("written");
    assert_eq!(backup::read_device(&text).expect("reads").invitations, invs);
    let mut bad: serde_json::Value = serde_json::from_str(&text).expect("json");
    bad["invitations"] = json!({"T1": "used"});
    let e = backup::read_device(&bad.to_string()).expect_err("not a list");
    assert!(
        e.to_string().contains("list of invitations is not a list"),
        "{e}"
    );
    // Older backups had none: an empty list.
    let plain = backup::write_device(
        &d.backup_sets(),
        &json!([]),
        &json!([]),
        &serde_json::Value::Null,
        "",
    )
    .expect("written");
    assert_eq!(
        backup::read_device(&plain).expect("reads").invitations,
        json!([])
    );
}

/// `read_file_pieces` over `bytes` handed over `piece` bytes at a time.
fn read_in_pieces(name: &str, bytes: &[u8], piece: usize) -> manyi::Result<DeviceBackup> {
    store::read_file_pieces(
        store::FileKind::of(name),
        bytes.len(),
        piece,
        |from, buf| {
            buf.extend_from_slice(&bytes[from..(from + piece).min(bytes.len())]);
        },
    )
}

#[test]
fn a_file_read_in_pieces_is_the_file_read_whole() {
    // The CSV a piece at a time (pieces that cut records, and one larger than
    // the file), a backup gathered first, and a bad CSV refused with the same
    // located problems: the page's worker reads every file this way.
    let whole = store::read_file("demo.csv", DEMO).expect("the demo CSV reads");
    for piece in [7, 4096, 1 << 20] {
        let read = read_in_pieces("demo.csv", DEMO, piece).expect("reads in pieces");
        assert_eq!(read, whole, "pieces of {piece}");
    }
    let text = backup::write_device(
        &whole.sets,
        &json!([]),
        &json!([]),
        &serde_json::Value::Null,
        "2026-12-04",
    )
    .expect("written");
    assert_eq!(
        read_in_pieces("branch.manyi", text.as_bytes(), 100).expect("reads"),
        store::read_file("branch.manyi", text.as_bytes()).expect("reads")
    );
    let mut bad = DEMO.to_vec();
    let at = bad.len() - 3;
    bad[at] = b'Z';
    let whole_err = store::read_file("bad.csv", &bad).expect_err("refused");
    let piece_err = read_in_pieces("bad.csv", &bad, 64).expect_err("refused");
    assert_eq!(piece_err.to_string(), whole_err.to_string());
    assert!(whole_err.to_string().contains("line 367"), "{whole_err}");
}

#[test]
fn a_file_kind_is_told_by_its_name_ending_in_any_case() {
    use store::FileKind;
    for (name, kind) in [
        ("branch.manyi", FileKind::Backup),
        ("BACKUP.JSON", FileKind::Backup),
        ("答卷.xlsx", FileKind::Workbook),
        ("Q3.XLSX", FileKind::Workbook),
        ("demo.csv", FileKind::Csv),
        ("no-ending", FileKind::Csv),
        ("notes.xlsx.csv", FileKind::Csv),
    ] {
        assert_eq!(FileKind::of(name), kind, "{name}");
        assert_eq!(FileKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(FileKind::parse("xlsx"), None);
    // Read by kind: the demo as a CSV whatever it is called.
    let file = store::read_kind(FileKind::Csv, DEMO).expect("reads");
    assert_eq!(file.sets[0].responses.len(), 366);
}

/// A waiting form as the page keeps it.
fn pending(id: &str, codes: Vec<u8>, operator: &str) -> store::PendingEntry {
    store::PendingEntry {
        id: id.into(),
        codes,
        operator: operator.into(),
        at: "2026-12-04T09:00:00Z".into(),
    }
}

#[test]
fn restoring_waiting_forms_adds_only_what_this_device_has_not_moved_past() {
    // Here: C-1 counted (in chunks), L-1 counted (in the log), W-1 and W-2 waiting.
    let mut d = Device::new();
    d.add_chunk("c", &small_set(&["C-1"]).chunks()[0]);
    d.add_log(log("l1", "L-1", zeros()));
    let mut corrected = zeros();
    corrected[16] = 3;
    let mine = [
        pending("W-1", zeros(), "李四"),
        pending("W-2", corrected, "李四"),
    ];
    let theirs = json!([
        {"id": "C-1", "codes": zeros(), "operator": "李四", "at": "2026-12-04T09:00:00Z"},
        {"id": "L-1", "codes": zeros(), "operator": "李四", "at": "2026-12-04T09:00:00Z"},
        {"id": "W-1", "codes": zeros(), "operator": "李四", "at": "2026-12-04T09:00:00Z"},
        {"id": "W-2", "codes": zeros(), "operator": "李四", "at": "2026-12-04T09:00:00Z"},
        {"id": "N-1", "codes": zeros(), "operator": "王五", "at": "2026-12-04T09:30:00Z"},
    ]);
    let plan = store::plan_entries(&theirs, &mine, &d).expect("planned");
    assert_eq!(
        plan.add,
        [pending("N-1", zeros(), "王五")].map(|mut e| {
            e.at = "2026-12-04T09:30:00Z".into();
            e
        })
    );
    assert_eq!(plan.same, 1);
    assert_eq!(plan.counted, ["C-1", "L-1"]);
    assert_eq!(plan.kept, ["W-2"]);
    // Another operator's keying of the same answers is not the same form either.
    let other = [pending("W-1", zeros(), "王五")];
    let plan = store::plan_entries(&json!([theirs[2]]), &other, &d).expect("planned");
    assert_eq!(
        (plan.same, plan.kept.as_slice()),
        (0, ["W-1".to_owned()].as_slice())
    );
    // A deleted response no longer counts: its waiting form comes back.
    d.add_log(LogRecord {
        deleted: true,
        ..log("l2", "L-1", Vec::new())
    });
    let plan = store::plan_entries(&json!([theirs[1]]), &[], &d).expect("planned");
    assert_eq!(plan.add.len(), 1);
}

#[test]
fn a_backups_waiting_forms_that_are_not_forms_are_named() {
    let d = Device::new();
    let field = |v: serde_json::Value| {
        let e = store::plan_entries(&v, &[], &d).expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Backup);
        e.problems()[0].field.clone().unwrap_or_default()
    };
    assert_eq!(field(json!({})), "entries");
    assert_eq!(
        field(json!([{"id": "A", "codes": [0]}, {"codes": [0]}])),
        "entries[1]"
    );
    assert_eq!(field(json!([{"id": " ", "codes": [0]}])), "entries[0].id");
    assert_eq!(
        field(json!([{"id": "A", "codes": [0]}, {"id": "A", "codes": [1]}])),
        "entries[1].id"
    );
    assert_eq!(field(json!([{"id": "A", "codes": [256]}])), "entries[0]");
}

#[test]
fn a_restored_audit_trail_brings_only_the_entries_this_device_lacks() {
    let theirs = json!([
        {"at": "2026-12-04T09:00:00Z", "what": "enter", "who": "李四", "detail": {"id": "P-1", "pass": 1}},
        {"at": "2026-12-04T09:05:00Z", "what": "verify", "who": "王五", "detail": {"id": "P-1", "disagreements": []}},
        {"at": "2026-12-04T09:10:00Z", "what": "delete", "who": "王五", "detail": {"id": "P-2"}},
    ]);
    // The device has the first as the page read it back: keys in another
    // order, its number as a float.
    let mine = json!([
        {"detail": {"pass": 1.0, "id": "P-1"}, "who": "李四", "what": "enter", "at": "2026-12-04T09:00:00Z"},
        {"at": "2026-12-04T09:10:00Z", "what": "delete", "who": "王五", "detail": {"id": "P-3"}},
    ]);
    let new = backup::audit_not_in(&theirs, &mine);
    assert_eq!(new, [theirs[1].clone(), theirs[2].clone()]);
    // The same backup again brings nothing; no trail brings nothing.
    let mut both = mine.as_array().unwrap().clone();
    both.extend(new);
    assert!(backup::audit_not_in(&theirs, &json!(both)).is_empty());
    assert!(backup::audit_not_in(&json!(null), &mine).is_empty());
    assert_eq!(backup::audit_not_in(&theirs, &json!([])).len(), 3);
}

#[test]
fn an_older_backup_leaves_out_what_was_deleted_here_since_it_was_made() {
    // A backup made at 10:00 of C-1, C-2 (responses) and W-1, W-2 (waiting).
    let mut set = small_set(&["C-1", "C-2", "C-3"]);
    set.exported = vec![true, false, true];
    let parts = backup::SetBackup {
        instrument: set.instrument.clone(),
        responses: set.responses.clone(),
        exported: set.exported.clone(),
        contacts: vec![None; 3],
    };
    let entries = json!([{"id": "W-1", "codes": zeros()}, {"id": "W-2", "codes": zeros()}]);
    let text = backup::write_device_full(
        &[parts],
        &entries,
        &json!([]),
        &json!([]),
        &[],
        &json!(null),
        "2026-12-04T10:00:00.000Z",
    )
    .unwrap();
    // Here: C-2 and W-1 deleted after it (W-2 before it, so re-keyed on the
    // other device later and kept); an entry that is not a deletion counts for nothing.
    let trail = json!([
        {"at": "2026-12-04T09:59:59.999Z", "what": "delete", "detail": {"id": "W-2"}},
        {"at": "2026-12-04T10:00:00.001Z", "what": "delete", "detail": {"id": "C-2"}},
        {"at": "2026-12-04T11:00:00Z", "what": "delete", "detail": {"id": "W-1", "was": "entry"}},
        {"at": "2026-12-04T11:00:00Z", "what": "edit", "detail": {"id": "C-3"}},
    ]);
    let mut file = backup::read_device(&text).unwrap();
    assert_eq!(file.leave_out_deleted(&trail), ["C-2", "W-1"]);
    let s = &file.sets[0];
    assert_eq!(s.responses.ids().to_vec(), ["C-1", "C-3"]);
    assert_eq!(s.exported, [true, true]);
    assert_eq!(s.contacts.len(), 2);
    assert_eq!(file.entries, json!([{"id": "W-2", "codes": zeros()}]));
    // Again: nothing more to leave out. A data file is never touched.
    assert!(file.leave_out_deleted(&trail).is_empty());
    let mut csv = demo_file();
    assert!(csv.leave_out_deleted(&json!([{"at": "2099-01-01T00:00:00Z", "what": "delete", "detail": {"id": "X2023-0001"}}])).is_empty());
    assert_eq!(csv.sets[0].responses.len(), 366);
    // Times to the second and to the millisecond are compared as times.
    assert_eq!(
        backup::deleted_since(&trail, "2026-12-04T10:00:00Z")
            .into_iter()
            .collect::<Vec<_>>(),
        ["C-2", "W-1"]
    );
}
