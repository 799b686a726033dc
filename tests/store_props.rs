#![cfg(not(target_arch = "wasm32"))]
//! The device store (`src/core/store.rs`), property-tested.
//!
//! Random stores of the built-in instrument (ids from a small alphabet, so log
//! records repeat ids and replace or delete chunk rows; every answer code
//! including MISSING; zero to three extra columns with empty, Chinese and
//! CSV-hostile values; export flags; optional call-back contacts) are kept as
//! chunk rows and log records, loaded into a `Device`, and compared with what
//! a model computed in this file says the device must hold. Then: compaction
//! (chunks → load → chunks) is a fixed point, the chunk decoder never panics,
//! importing a file twice is importing it once, and a backup restores the data.

use std::collections::HashMap;

use manyi::backup;
use manyi::merge::Resolution;
use manyi::store::{self, fingerprint, Contact, Device, LogRecord, Origin, Provenance, StoredSet};
use manyi::{Instrument, Responses, MISSING};
use proptest::collection::vec;
use proptest::prelude::*;

/// Response ids: few, so that log records meet chunk rows and each other.
const IDS: [&str; 8] = ["a", "b", "c", "d", "e", "甲", "乙", "X-1"];
/// The chunk's extra columns are some of these (distinct in any letter case).
const CHUNK_NAMES: [&str; 4] = ["mode", "source", "备注", "constructor"];
/// A log record's extras are named from these: some match a chunk column in
/// another letter case or with spaces around, some are new, and `id`, `Q1` and
/// `q17` are names no extra column may have (the store ignores them).
const LOG_NAMES: [&str; 11] = [
    "mode",
    "MODE",
    " Mode ",
    "source",
    "备注",
    "constructor",
    "note",
    "Note",
    "id",
    "Q1",
    "q17",
];

fn builtin() -> Instrument {
    Instrument::builtin()
}

// ---------------------------------------------------------------------------
// What is generated
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct ChunkRow {
    id: String,
    codes: Vec<u8>,
    /// One value per chunk column.
    extras: Vec<String>,
    exported: bool,
    contact: Option<Contact>,
}

/// How a log record is broken, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broken {
    /// q1 (two options) answered with code 2.
    CodeOutOfRange,
    /// 16 codes for 17 questions.
    WrongCount,
    /// An id of spaces only.
    EmptyId,
    /// An instrument key the device does not hold.
    UnknownInstrument,
}

#[derive(Debug, Clone)]
struct Log {
    /// As written: may carry spaces around it.
    id: String,
    codes: Vec<u8>,
    extras: Vec<(String, String)>,
    exported: bool,
    contact: Option<Contact>,
    deleted: bool,
    broken: Option<Broken>,
    /// Names the built-in instrument by the key the page keeps it under
    /// (otherwise by "", as records written before instruments were kept).
    by_key: bool,
}

/// A device's storage: chunk rows (kept in one or two chunks), then the log.
#[derive(Debug, Clone)]
struct Stored {
    names: Vec<String>,
    rows: Vec<ChunkRow>,
    /// Where the chunk rows are split into two chunks.
    split: usize,
    logs: Vec<Log>,
}

fn code_strategies(inst: &Instrument) -> Vec<BoxedStrategy<u8>> {
    inst.questions()
        .iter()
        .map(|q| {
            let len = u8::try_from(q.len()).expect("small question");
            prop_oneof![1 => Just(MISSING), 4 => 0..len].boxed()
        })
        .collect()
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        2 => "[a-z0-9]{1,5}",
        2 => prop::sample::select(vec!["满意", "网点，排队", "回访过", "张三", "😀"])
            .prop_map(str::to_owned),
        1 => prop::sample::select(vec![",", "\"", "a\nb", " x ", "\r\n", "=1+1", "\t"])
            .prop_map(str::to_owned),
    ]
}

fn contact() -> impl Strategy<Value = Option<Contact>> {
    proptest::option::weighted(
        0.3,
        (value(), value(), value()).prop_map(|(name, phone, consent_at)| Contact {
            name,
            phone,
            consent_at,
        }),
    )
}

fn log_record() -> impl Strategy<Value = Log> {
    let broken = prop_oneof![
        12 => Just(None),
        1 => Just(Some(Broken::CodeOutOfRange)),
        1 => Just(Some(Broken::WrongCount)),
        1 => Just(Some(Broken::EmptyId)),
        1 => Just(Some(Broken::UnknownInstrument)),
    ];
    (
        prop::sample::select(IDS.to_vec()),
        any::<bool>(),
        code_strategies(&builtin()),
        vec((prop::sample::select(LOG_NAMES.to_vec()), value()), 0..3),
        any::<bool>(),
        contact(),
        prop::bool::weighted(0.2),
        broken,
        any::<bool>(),
    )
        .prop_map(
            |(id, pad, codes, extras, exported, contact, deleted, broken, by_key)| Log {
                id: if pad {
                    format!(" {id} ")
                } else {
                    id.to_owned()
                },
                codes,
                extras: extras.into_iter().map(|(n, v)| (n.to_owned(), v)).collect(),
                exported,
                contact,
                deleted: deleted && broken.is_none(),
                broken,
                by_key,
            },
        )
}

fn stored() -> impl Strategy<Value = Stored> {
    (
        prop::sample::subsequence(CHUNK_NAMES.to_vec(), 0..=3),
        prop::sample::subsequence(IDS.to_vec(), 0..=6).prop_shuffle(),
    )
        .prop_flat_map(|(names, ids)| {
            let k = names.len();
            let n = ids.len();
            let row = (
                code_strategies(&builtin()),
                vec(value(), k),
                any::<bool>(),
                contact(),
            );
            (
                Just(names),
                Just(ids),
                vec(row, n),
                0..=n,
                vec(log_record(), 0..12),
            )
        })
        .prop_map(|(names, ids, bodies, split, logs)| Stored {
            names: names.into_iter().map(str::to_owned).collect(),
            rows: ids
                .into_iter()
                .zip(bodies)
                .map(|(id, (codes, extras, exported, contact))| ChunkRow {
                    id: id.to_owned(),
                    codes,
                    extras,
                    exported,
                    contact,
                })
                .collect(),
            split,
            logs,
        })
}

// ---------------------------------------------------------------------------
// Writing it as the page keeps it, and loading it
// ---------------------------------------------------------------------------

/// One row as the test writes it: id, codes, extra values, exported, contact, origin.
type RowParts = (String, Vec<u8>, Vec<String>, bool, Option<Contact>, Origin);

/// Builds a set the way the test means it (through the public `Responses`
/// API, not the store's own code paths).
fn build_set(names: &[String], rows: &[RowParts]) -> StoredSet {
    let inst = builtin();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut responses = Responses::new(&inst, &name_refs).expect("valid column names");
    for (id, codes, extras, ..) in rows {
        let extras: Vec<&str> = extras.iter().map(String::as_str).collect();
        responses
            .push(&inst, id, codes, &extras)
            .expect("valid row");
    }
    let mut set = StoredSet::new(inst);
    set.responses = responses;
    set.exported = rows.iter().map(|r| r.3).collect();
    set.contacts = rows.iter().map(|r| r.4.clone().map(Box::new)).collect();
    set.origin = rows.iter().map(|r| r.5.clone()).collect();
    set
}

/// The chunk rows as one set.
fn chunk_set(s: &Stored) -> StoredSet {
    let rows: Vec<_> = s
        .rows
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                r.codes.clone(),
                r.extras.clone(),
                r.exported,
                r.contact.clone(),
                Origin::Chunk,
            )
        })
        .collect();
    build_set(&s.names, &rows)
}

fn record(k: usize, l: &Log) -> LogRecord {
    let mut r = LogRecord {
        key: format!("log-{k:03}"),
        id: l.id.clone(),
        instrument: if l.by_key {
            "builtin".into()
        } else {
            String::new()
        },
        codes: l.codes.clone(),
        extras: l.extras.clone(),
        contact: l.contact.clone(),
        exported: l.exported,
        deleted: l.deleted,
    };
    match l.broken {
        None => {}
        Some(Broken::CodeOutOfRange) => r.codes[0] = 2,
        Some(Broken::WrongCount) => {
            r.codes.pop();
        }
        Some(Broken::EmptyId) => r.id = "  ".into(),
        Some(Broken::UnknownInstrument) => r.instrument = "not-on-this-device".into(),
    }
    r
}

/// Loads the storage as the page does: instruments, chunks, then the log.
fn load(s: &Stored) -> Device {
    let set = chunk_set(s);
    let all: Vec<u32> = (0..set.len() as u32).collect();
    let (first, second) = all.split_at(s.split);
    let mut d = Device::new();
    d.add_instrument("builtin", manyi::instrument::BUILTIN_JSON);
    d.add_chunk("chunk-0", &store::encode_chunk(&set.select(first)));
    d.add_chunk("chunk-1", &store::encode_chunk(&set.select(second)));
    for (k, l) in s.logs.iter().enumerate() {
        d.add_log(record(k, l));
    }
    d
}

fn load_chunks(chunks: &[Vec<u8>]) -> Device {
    let mut d = Device::new();
    for (k, c) in chunks.iter().enumerate() {
        d.add_chunk(&format!("chunk-{k}"), c);
    }
    d
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

struct ModelRow {
    id: String,
    codes: Vec<u8>,
    extras: Vec<String>,
    exported: bool,
    contact: Option<Contact>,
    origin: Origin,
}

/// What loading `s` must give: the set, and the keys of the log records that
/// must be quarantined. A log record replaces the row with its (trimmed) id,
/// whose extra values it does not give become empty, or adds a row at the
/// end; a deletion removes the row; extra names match in any letter case.
fn expected(s: &Stored) -> (StoredSet, Vec<String>) {
    let questions: Vec<String> = builtin().questions().iter().map(|q| q.id.clone()).collect();
    let mut names = s.names.clone();
    let mut rows: Vec<ModelRow> = s
        .rows
        .iter()
        .map(|r| ModelRow {
            id: r.id.clone(),
            codes: r.codes.clone(),
            extras: r.extras.clone(),
            exported: r.exported,
            contact: r.contact.clone(),
            origin: Origin::Chunk,
        })
        .collect();
    let mut quarantined = Vec::new();
    for (k, l) in s.logs.iter().enumerate() {
        let key = format!("log-{k:03}");
        if l.broken.is_some() {
            quarantined.push(key);
            continue;
        }
        let id = l.id.trim();
        if l.deleted {
            rows.retain(|r| r.id != id);
            continue;
        }
        let at = match rows.iter().position(|r| r.id == id) {
            Some(i) => i,
            None => {
                rows.push(ModelRow {
                    id: id.to_owned(),
                    codes: Vec::new(),
                    extras: Vec::new(),
                    exported: false,
                    contact: None,
                    origin: Origin::Chunk,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[at];
        row.codes = l.codes.clone();
        row.extras = vec![String::new(); names.len()];
        row.exported = l.exported;
        row.contact = l.contact.clone();
        row.origin = Origin::Log(key);
        for (name, v) in &l.extras {
            let name = name.trim();
            let forbidden = name.is_empty()
                || name.eq_ignore_ascii_case("id")
                || questions.iter().any(|q| q.eq_ignore_ascii_case(name));
            if forbidden {
                continue;
            }
            let c = match names.iter().position(|n| n.eq_ignore_ascii_case(name)) {
                Some(c) => c,
                None => {
                    names.push(name.to_owned());
                    for r in rows.iter_mut() {
                        r.extras.push(String::new());
                    }
                    names.len() - 1
                }
            };
            rows[at].extras[c] = v.clone();
        }
    }
    let rows: Vec<RowParts> = rows
        .into_iter()
        .map(|r| (r.id, r.codes, r.extras, r.exported, r.contact, r.origin))
        .collect();
    (build_set(&names, &rows), quarantined)
}

// ---------------------------------------------------------------------------
// The chunk checksum, as src/core/store.rs computes it
// ---------------------------------------------------------------------------

/// A copy of the store's private chunk checksum, so that mutated chunks can be
/// given a valid one and reach the decoder's parsing. `checksum_copy_matches`
/// checks the copy against chunks the store writes.
fn checksum(bytes: &[u8]) -> u64 {
    const P: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = bytes.len() as u64 ^ 0x6D61_6E79_695F_6331;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        h = (h ^ v).wrapping_mul(P).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(P).rotate_left(29);
    }
    h ^ (h >> 32)
}

/// `body` with a valid checksum appended.
fn sealed(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend_from_slice(&checksum(body).to_le_bytes());
    out
}

#[test]
fn checksum_copy_matches() {
    let set = build_set(
        &["mode".to_string()],
        &[(
            "r1".to_string(),
            vec![0; 17],
            vec!["paper".to_string()],
            true,
            None,
            Origin::Chunk,
        )],
    );
    let bytes = store::encode_chunk(&set);
    let (body, _) = bytes.split_at(bytes.len() - 8);
    assert_eq!(
        sealed(body),
        bytes,
        "the store's chunk checksum changed: update `checksum` in this file"
    );
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Chunk rows and log records load into exactly what the model says: later
    /// writes win per id, deletions remove, bad records are quarantined.
    #[test]
    fn chunks_and_log_load_losslessly(s in stored()) {
        let d = load(&s);
        let (want, quarantined) = expected(&s);
        let got_q: Vec<&str> = d.quarantine.iter().map(|q| q.key.as_str()).collect();
        prop_assert_eq!(got_q, quarantined.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert!(d.quarantine.iter().all(|q| q.what == "log" && !q.reason.is_empty()));
        prop_assert_eq!(d.sets.len(), 1);
        let got = &d.sets[&fingerprint(&builtin())];
        prop_assert_eq!(got.responses.ids(), want.responses.ids());
        prop_assert_eq!(got.responses.codes_by_row(), want.responses.codes_by_row());
        prop_assert_eq!(got.responses.extras(), want.responses.extras());
        prop_assert_eq!(&got.exported, &want.exported);
        prop_assert_eq!(&got.contacts, &want.contacts);
        prop_assert_eq!(&got.origin, &want.origin);
        prop_assert_eq!(got, &want);
        for id in want.responses.ids() {
            prop_assert!(d.holds(id));
        }
    }

    /// Compaction is a fixed point: a loaded set written as chunks (all rows,
    /// or only its chunk rows) and loaded again gives the same set, and its
    /// chunks are the same bytes the second time.
    #[test]
    fn compaction_is_idempotent(s in stored()) {
        let d = load(&s);
        let fp = fingerprint(&builtin());
        let loaded = &d.sets[&fp];

        // Every row moved into chunks.
        let mut all = loaded.clone();
        all.origin = manyi::store::Origins::chunks(all.len());
        let first = all.chunks();
        if all.is_empty() {
            prop_assert!(first.is_empty());
        } else {
            let once = load_chunks(&first);
            prop_assert!(once.quarantine.is_empty(), "{:?}", once.quarantine);
            prop_assert_eq!(&once.sets[&fp], &all);
            let second = once.sets[&fp].chunks();
            prop_assert_eq!(&second, &first);
            let twice = load_chunks(&second);
            prop_assert_eq!(twice.sets[&fp].chunks(), second);
        }

        // Only the chunk rows, as the page rewrites them.
        let kept: Vec<u32> = (0..loaded.len() as u32)
            .filter(|&r| loaded.origin[r as usize] == Origin::Chunk)
            .collect();
        let first = loaded.chunks();
        prop_assert_eq!(first.len(), usize::from(!kept.is_empty()));
        if !kept.is_empty() {
            // Written from the set's rows in place: the bytes of a copy of those rows.
            prop_assert_eq!(&first, &vec![store::encode_chunk(&loaded.select(&kept))]);
            let once = load_chunks(&first);
            prop_assert!(once.quarantine.is_empty(), "{:?}", once.quarantine);
            prop_assert_eq!(&once.sets[&fp], &loaded.select(&kept));
            let second = once.sets[&fp].chunks();
            prop_assert_eq!(&second, &first);
        }
    }

    /// The decoder never panics: not on any bytes, not on a valid chunk cut
    /// short, not on a valid chunk with bytes changed and the checksum made
    /// right again (so the parser itself meets the damage). What it accepts
    /// is a set that writes and reads back equal.
    #[test]
    fn decode_chunk_never_panics(
        s in stored(),
        noise in vec(any::<u8>(), 0..300),
        edits in vec((any::<bool>(), any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let _ = store::decode_chunk(&noise);
        let mut headed = b"MNYC\x01".to_vec();
        headed.extend_from_slice(&noise);
        prop_assert!(store::decode_chunk(&headed).is_err());
        prop_assert!(store::decode_chunk(&sealed(&headed)).is_err());

        let chunk = store::encode_chunk(&chunk_set(&s));
        prop_assert!(store::decode_chunk(&chunk).is_ok());
        let body = &chunk[..chunk.len() - 8];
        // Cut short, with and without a checksum that matches what is left.
        let at = cut.index(chunk.len());
        prop_assert!(store::decode_chunk(&chunk[..at]).is_err());
        let at = cut.index(body.len());
        prop_assert!(store::decode_chunk(&sealed(&body[..at])).is_err());
        // Bytes changed, checksum made right.
        // Half the edits land past the instrument's JSON, among the columns.
        let json_len = u32::from_le_bytes(body[5..9].try_into().expect("4 bytes")) as usize;
        let data = 9 + json_len;
        let mut changed = body.to_vec();
        for (in_data, i, b) in &edits {
            let i = if *in_data {
                data + i.index(changed.len() - data)
            } else {
                i.index(changed.len())
            };
            changed[i] = *b;
        }
        if let Ok(set) = store::decode_chunk(&sealed(&changed)) {
            // Still a valid set: codes answer its questions, ids present,
            // trimmed and distinct, one flag and contact slot per row.
            let qs = set.instrument.questions();
            for (q, question) in qs.iter().enumerate() {
                let col = set.responses.column(q);
                prop_assert_eq!(col.len(), set.len());
                prop_assert!(col.iter().all(|&c| c == MISSING || usize::from(c) < question.len()));
            }
            let ids = set.responses.ids();
            prop_assert!(ids.iter().all(|id| !id.is_empty() && id.trim() == id));
            let distinct: std::collections::HashSet<&str> = ids.iter().collect();
            prop_assert_eq!(distinct.len(), ids.len());
            prop_assert_eq!(set.exported.len(), set.len());
            prop_assert_eq!(set.contacts.len(), set.len());
            prop_assert!(set.responses.extras().iter().all(|e| e.values.len() == set.len()));
            prop_assert_eq!(&set.fingerprint, &fingerprint(&set.instrument));
            let again = store::decode_chunk(&store::encode_chunk(&set));
            prop_assert_eq!(again.as_ref().ok(), Some(&set));
        }
        // A byte changed without fixing the checksum is always caught.
        let (_, i, b) = edits[0];
        let i = i.index(chunk.len());
        let mut flipped = chunk.clone();
        flipped[i] ^= b | 1;
        prop_assert!(store::decode_chunk(&flipped).is_err());
    }

    /// Importing the same file twice is importing it once: the second import
    /// adds and replaces nothing and leaves every set as the first left it.
    #[test]
    fn importing_a_file_twice_is_importing_it_once(
        s in stored(),
        file in stored(),
        take in vec(any::<bool>(), IDS.len()),
        prov in prop::sample::select(vec![("", "", ""), ("f.csv", "tab-1", ""), ("f.csv", "", "王芳")]),
    ) {
        let mut d = load(&s);
        // The file: another store's chunk rows, written as a backup.
        let incoming = chunk_set(&file);
        let text = backup::write_device(
            &[backup::SetBackup {
                instrument: incoming.instrument.clone(),
                responses: incoming.responses.clone(),
                exported: incoming.exported.clone(),
                contacts: incoming.contacts.clone(),
            }],
            &serde_json::json!([]),
            &serde_json::json!([]),
            &serde_json::Value::Null,
            "",
        )
        .expect("written");
        let file = store::read_file("other.manyi", text.as_bytes()).expect("reads");
        let resolutions: HashMap<String, Resolution> = IDS
            .iter()
            .zip(&take)
            .map(|(id, &t)| {
                let r = if t { Resolution::TakeIncoming } else { Resolution::KeepExisting };
                ((*id).to_owned(), r)
            })
            .collect();
        let prov = Provenance {
            source: prov.0.into(),
            device: prov.1.into(),
            operator: prov.2.into(),
        };
        let first = d.apply_import(&mut file.clone(), &resolutions, &prov).expect("first import");
        prop_assert_eq!(first.len(), 1);
        let once = d.sets.clone();
        let fp = fingerprint(&builtin());
        prop_assert!(incoming.responses.ids().iter().all(|id| once[&fp].responses.ids().contains(id)));
        let second = d.apply_import(&mut file.clone(), &resolutions, &prov).expect("second import");
        prop_assert_eq!(second.len(), 1);
        let a = &second[0].1;
        prop_assert_eq!((a.added, a.replaced), (0, 0));
        prop_assert!(a.drop_log.is_empty());
        prop_assert_eq!(a.same + first_conflicts_kept(&once[&fp], &incoming), incoming.len());
        prop_assert_eq!(&d.sets, &once);
    }

    /// A whole-device backup restores every set's data into an empty device.
    #[test]
    fn a_backup_restores_the_loaded_store(s in stored()) {
        let d = load(&s);
        let text = backup::write_device(
            &d.backup_sets(),
            &serde_json::json!([]),
            &serde_json::json!([]),
            &serde_json::Value::Null,
            "",
        )
        .expect("written");
        let file = backup::read_device(&text).expect("reads");
        let mut back = Device::new();
        back.apply_import(&mut file.clone(), &HashMap::new(), &Provenance::default()).expect("restores");
        prop_assert_eq!(back.sets.len(), d.sets.len());
        for (fp, set) in &d.sets {
            let b = &back.sets[fp];
            prop_assert_eq!(b.responses.ids(), set.responses.ids());
            prop_assert_eq!(b.responses.codes_by_row(), set.responses.codes_by_row());
            prop_assert_eq!(b.responses.extras(), set.responses.extras());
            prop_assert_eq!(&b.exported, &set.exported);
            prop_assert_eq!(&b.contacts, &set.contacts);
        }
    }
}

/// Incoming rows that still differ from the set after the first import (the
/// conflicts resolved by keeping the device's version).
fn first_conflicts_kept(set: &StoredSet, incoming: &StoredSet) -> usize {
    let codes = |s: &StoredSet, r: usize| -> Vec<u8> {
        (0..17).map(|q| s.responses.column(q)[r]).collect()
    };
    (0..incoming.len())
        .filter(|&r| {
            let id = &incoming.responses.ids()[r];
            let at = set
                .responses
                .ids()
                .iter()
                .position(|x| x == id)
                .expect("held");
            codes(set, at) != codes(incoming, r)
        })
        .count()
}

/// One change to a set's origins: push a row, set a row, or append others.
#[derive(Debug, Clone)]
enum OriginOp {
    Push(Option<u8>),
    Set(usize, Option<u8>),
    Extend(Vec<Option<u8>>),
    AllChunks,
}

fn origin_of(log: Option<u8>) -> Origin {
    log.map_or(Origin::Chunk, |k| Origin::Log(format!("log-{k}")))
}

proptest! {
    /// The sparse origins (only the log rows kept) behave as one `Origin` a row.
    #[test]
    fn sparse_origins_equal_one_origin_a_row(ops in vec(prop_oneof![
        proptest::option::of(any::<u8>()).prop_map(OriginOp::Push),
        (any::<usize>(), proptest::option::of(any::<u8>())).prop_map(|(r, o)| OriginOp::Set(r, o)),
        vec(proptest::option::of(any::<u8>()), 0..5).prop_map(OriginOp::Extend),
        Just(OriginOp::AllChunks),
    ], 0..40)) {
        let mut plain: Vec<Origin> = Vec::new();
        let mut sparse = store::Origins::default();
        for op in ops {
            match op {
                OriginOp::Push(o) => {
                    plain.push(origin_of(o));
                    sparse.push(origin_of(o));
                }
                OriginOp::Set(r, o) if !plain.is_empty() => {
                    let r = r % plain.len();
                    plain[r] = origin_of(o);
                    sparse.set(r, origin_of(o));
                }
                OriginOp::Set(..) => {}
                OriginOp::Extend(rows) => {
                    plain.extend(rows.iter().map(|&o| origin_of(o)));
                    sparse.extend(rows.iter().map(|&o| origin_of(o)).collect());
                }
                OriginOp::AllChunks => {
                    plain.iter_mut().for_each(|o| *o = Origin::Chunk);
                    sparse.all_chunks();
                }
            }
            prop_assert_eq!(sparse.len(), plain.len());
            prop_assert_eq!(sparse.iter().cloned().collect::<Vec<_>>(), plain.clone());
            let keys: Vec<&str> = plain
                .iter()
                .filter_map(|o| match o {
                    Origin::Log(k) => Some(k.as_str()),
                    Origin::Chunk => None,
                })
                .collect();
            prop_assert_eq!(sparse.log_keys().collect::<Vec<_>>(), keys.clone());
            prop_assert_eq!(sparse.log_rows(), keys.len());
        }
    }
}
