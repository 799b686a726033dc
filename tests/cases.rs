//! Follow-up cases (issue 17, closing the loop): rules as data, due dates in
//! working days, the event log's transitions, heads and conflicts, merging two
//! devices, the figures, the CSV and the backup. Expected values are worked
//! out by hand in the comments, or recounted from the CSV text.

use manyi::backup;
use manyi::cases::{
    self, add_working_days, merge_events, next_event, CallBack, Change, Event, Status,
};
use manyi::followup::follow_up;
use manyi::instrument::BUILTIN_JSON;
use manyi::{ErrorKind, Instrument, Lang, ProblemCode, Responses};
use serde_json::{json, Value};

const DEMO: &str = "www/demo/zg-x-branch-2023.csv";

/// A response: `id`, `date`, answers Q10, Q11, Q12 and Q17 given, every other question A.
fn line(id: &str, date: &str, q10: &str, q11: &str, q12: &str, q17: &str) -> String {
    let mut cells = vec![id.to_owned(), date.to_owned()];
    for q in 1..=17 {
        cells.push(
            match q {
                10 => q10,
                11 => q11,
                12 => q12,
                17 => q17,
                _ => "A",
            }
            .to_owned(),
        );
    }
    cells.join(",")
}

fn responses(inst: &Instrument, lines: &[String]) -> Responses {
    let mut csv = String::from("id,date");
    for q in 1..=17 {
        csv.push_str(&format!(",q{q}"));
    }
    csv.push('\n');
    for l in lines {
        csv.push_str(l);
        csv.push('\n');
    }
    Responses::from_csv(inst, csv.as_bytes()).expect("valid responses")
}

/// The built-in instrument as JSON with `edit` applied, under another version.
fn instrument(edit: impl FnOnce(&mut Value)) -> manyi::Result<Instrument> {
    let mut v: Value = serde_json::from_str(BUILTIN_JSON).unwrap();
    v["version"] = "test".into();
    edit(&mut v);
    Instrument::from_json(&v.to_string())
}

fn with_rules(rules: Value) -> Instrument {
    instrument(|v| {
        v["follow_up"]
            .as_array_mut()
            .unwrap()
            .extend(rules.as_array().unwrap().clone());
    })
    .expect("valid rules")
}

fn rule(id: &str, when: Value) -> Value {
    json!({"id": id, "label": {"zh-CN": id, "en": id}, "when": when})
}

fn listed(inst: &Instrument, r: &Responses) -> Vec<(String, Vec<String>)> {
    follow_up(inst, r)
        .unwrap()
        .into_iter()
        .map(|f| (f.id, f.flags))
        .collect()
}

fn ids(list: &[(String, Vec<String>)], flag: &str) -> Vec<String> {
    list.iter()
        .filter(|(_, f)| f.iter().any(|x| x == flag))
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn rules_combine_all_any_nested_ranges_and_groups() {
    let inst = with_rules(json!([
        // A passive with no relationship manager.
        rule(
            "passive-no-manager",
            json!({"all": [{"nps_group": "passive"}, {"question": "q10", "options": ["B", "C"]}]})
        ),
        // Q12 dissatisfied (C scores 1 of 3), or scored 0–2.
        rule(
            "angry",
            json!({"any": [{"question": "q12", "min": 1, "max": 1}, {"question": "q17", "min": 0, "max": 2}]})
        ),
        // Nested: promoter and (Q11 D or (Q10 C and Q12 B)).
        rule(
            "nested",
            json!({"all": [{"nps_group": "promoter"}, {"any": [
                {"question": "q11", "options": ["D"]},
                {"all": [{"question": "q10", "options": ["C"]}, {"question": "q12", "options": ["B"]}]}
            ]}]})
        ),
    ]));
    let r = responses(
        &inst,
        &[
            line("p1", "", "B", "A", "A", "7"),  // passive, no manager
            line("p2", "", "A", "A", "A", "8"),  // passive with a manager: not listed
            line("d1", "", "A", "A", "C", "5"),  // detractor, Q12 C
            line("d2", "", "C", "D", "A", "1"),  // detractor scoring 1; old rules too
            line("x1", "", "A", "A", "C", "10"), // promoter, Q12 C: "angry" only
            line("n1", "", "A", "D", "A", "9"),  // promoter, Q11 D
            line("n2", "", "C", "A", "B", "9"),  // promoter, Q10 C and Q12 B
            line("n3", "", "C", "A", "A", "9"),  // promoter, Q10 C but Q12 A: not listed
            line("u1", "", "B", "D", "A", ""),   // no NPS answer: old rules do not apply
        ],
    );
    let list = listed(&inst, &r);
    let who: Vec<&str> = list.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(who, ["p1", "d1", "d2", "x1", "n1", "n2"]);
    assert_eq!(ids(&list, "passive-no-manager"), ["p1"]);
    assert_eq!(ids(&list, "angry"), ["d1", "d2", "x1"]);
    assert_eq!(ids(&list, "nested"), ["n1", "n2"]);
    // The first-form rules still mark detractors only.
    assert_eq!(ids(&list, "no-manager"), ["d2"]);
    assert_eq!(ids(&list, "little-contact"), ["d2"]);
    // Reasons: rule labels in order, then the detractor.
    let view = cases::cases(&inst, &r, &[], &[], "2026-12-03", Lang::En, 100).unwrap();
    let d2 = view.cases.iter().find(|c| c.id == "d2").unwrap();
    assert_eq!(
        d2.reasons,
        [
            "No relationship manager",
            "Almost never contacted",
            "angry",
            "detractor (scored 1)"
        ]
    );
    let x1 = view.cases.iter().find(|c| c.id == "x1").unwrap();
    assert_eq!(x1.reasons, ["angry"]);
}

#[test]
fn the_old_rules_mean_the_same_on_the_thesis_data() {
    // The built-in instrument's JSON is unchanged by the new optional fields,
    // so its fingerprint (of that JSON) is too.
    let builtin: Value = serde_json::from_str(&Instrument::builtin().to_json()).unwrap();
    assert_eq!(
        builtin,
        serde_json::from_str::<Value>(BUILTIN_JSON).unwrap()
    );
    assert_eq!(Instrument::builtin().follow_up_due_days(), 2);
    // The old "no-manager" rule is the new form "detractor and Q10 B or C".
    let inst = with_rules(json!([rule(
        "same",
        json!({"all": [{"nps_group": "detractor"}, {"question": "q10", "options": ["B", "C"]}]})
    )]));
    let bytes = std::fs::read(DEMO).unwrap();
    let r = Responses::from_csv(&inst, &bytes).unwrap();
    let list = listed(&inst, &r);
    assert_eq!(list.len(), 137, "the thesis's 137 detractors");
    assert_eq!(ids(&list, "same"), ids(&list, "no-manager"));
    // And both agree with a recount from the CSV text.
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let recount: Vec<String> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[col("q17")].parse::<u8>().unwrap() <= 6 && matches!(c[col("q10")], "B" | "C"))
        .map(|c| c[0].to_owned())
        .collect();
    assert_eq!(ids(&list, "same"), recount);
}

#[test]
fn bad_rules_are_refused_naming_where() {
    let refused = |rules: Value| {
        let e = instrument(|v| v["follow_up"] = rules).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Instrument);
        let p = e.problems()[0].clone();
        (
            p.field.unwrap_or_default(),
            p.value.unwrap_or_default(),
            p.message,
        )
    };
    let (f, v, _) = refused(json!([rule(
        "a",
        json!({"all": [{"question": "q99", "options": ["A"]}]})
    )]));
    assert_eq!(
        (f.as_str(), v.as_str()),
        ("follow_up[0].when.all[0].question", "q99")
    );
    let (f, v, m) = refused(json!([rule(
        "a",
        json!({"any": [{"question": "q10", "options": ["Z"]}]})
    )]));
    assert_eq!(
        (f.as_str(), v.as_str()),
        ("follow_up[0].when.any[0].options[0]", "Z")
    );
    assert!(m.contains("q10"), "{m}");
    let (f, _, m) = refused(json!([rule("a", json!({"all": [{"nps_group": "fans"}]}))]));
    assert_eq!(f, "follow_up[0].when.all[0].nps_group");
    assert!(m.contains("promoter"), "{m}");
    let (f, v, m) = refused(json!([rule(
        "a",
        json!({"all": [{"question": "q17", "min": 8, "max": 3}]})
    )]));
    assert_eq!(
        (f.as_str(), v.as_str()),
        ("follow_up[0].when.all[0]", "8–3")
    );
    assert!(m.contains("min is greater than max"), "{m}");
    let (f, _, m) = refused(json!([rule(
        "a",
        json!({"all": [{"question": "q17", "min": 0, "max": 11}]})
    )]));
    assert_eq!(f, "follow_up[0].when.all[0].max");
    assert!(m.contains("0 to 10"), "{m}");
    // Q2 (age) is not scored: no score range on it.
    let (f, _, m) = refused(json!([rule(
        "a",
        json!({"all": [{"question": "q2", "min": 1, "max": 2}]})
    )]));
    assert_eq!(f, "follow_up[0].when.all[0].question");
    assert!(m.contains("satisfaction item"), "{m}");
    // Four lists deep is one too many.
    let deep = json!({"all": [{"any": [{"all": [{"any": [{"nps_group": "detractor"}]}]}]}]});
    let (f, _, m) = refused(json!([rule("a", deep)]));
    assert_eq!(f, "follow_up[0].when.all[0].any[0].all[0].any");
    assert!(m.contains("at most 3"), "{m}");
    let (f, _, _) = refused(json!([rule("a", json!({"all": []}))]));
    assert_eq!(f, "follow_up[0].when.all");
    // `when` must be a list at the top, and the two forms do not mix.
    let (f, _, _) = refused(json!([rule("a", json!({"nps_group": "detractor"}))]));
    assert_eq!(f, "follow_up[0].when");
    let mut both = rule("a", json!({"all": [{"nps_group": "detractor"}]}));
    both["question"] = "q10".into();
    both["options"] = json!(["B"]);
    let (f, _, m) = refused(json!([both]));
    assert_eq!(f, "follow_up[0]");
    assert!(m.contains("either"), "{m}");
    let e = instrument(|v| v["follow_up_due_days"] = 99.into()).unwrap_err();
    assert_eq!(e.problems()[0].field.as_deref(), Some("follow_up_due_days"));
    // No NPS question, no NPS group.
    let e = instrument(|v| {
        v.as_object_mut().unwrap().remove("nps");
        v["follow_up"] = json!([rule("a", json!({"all": [{"nps_group": "detractor"}]}))]);
    })
    .unwrap_err();
    assert!(e.problems()[0].message.contains("no NPS question"), "{e}");
}

#[test]
fn due_dates_count_working_days_only() {
    // 2026-12-03 is a Thursday, 12-04 a Friday, 12-05 a Saturday, 12-06 a Sunday.
    assert_eq!(
        add_working_days("2026-12-03", 2).as_deref(),
        Some("2026-12-07")
    );
    assert_eq!(
        add_working_days("2026-12-04", 2).as_deref(),
        Some("2026-12-08")
    );
    assert_eq!(
        add_working_days("2026-12-05", 2).as_deref(),
        Some("2026-12-08")
    );
    assert_eq!(
        add_working_days("2026-12-06", 2).as_deref(),
        Some("2026-12-08")
    );
    assert_eq!(
        add_working_days("2026-12-31", 2).as_deref(),
        Some("2027-01-04")
    );
    assert_eq!(
        add_working_days("2028-02-28", 1).as_deref(),
        Some("2028-02-29")
    );
    let inst = Instrument::builtin();
    let r = responses(
        &inst,
        &[
            line("thu", "2026-12-03T16:00:00Z", "A", "A", "A", "3"),
            line("sat", "2026-12-05", "A", "A", "A", "3"),
            line("nodate", "", "A", "A", "A", "3"),
        ],
    );
    let view = cases::cases(&inst, &r, &[], &[], "2026-12-08", Lang::En, 10).unwrap();
    let case = |id: &str| view.cases.iter().find(|c| c.id == id).unwrap().clone();
    assert_eq!(
        (
            case("thu").opened.as_deref(),
            case("thu").due.as_deref(),
            case("thu").overdue
        ),
        (Some("2026-12-03"), Some("2026-12-07"), true)
    );
    assert_eq!(
        (case("sat").due.as_deref(), case("sat").overdue),
        (Some("2026-12-08"), false)
    );
    // No date: no due date, never overdue.
    assert_eq!(
        (
            case("nodate").opened,
            case("nodate").due,
            case("nodate").overdue
        ),
        (None, None, false)
    );
    // Overdue first, then by due date, unknown last.
    let order: Vec<&str> = view.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(order, ["thu", "sat", "nodate"]);
    // The instrument can give another number of days.
    let five = instrument(|v| v["follow_up_due_days"] = 5.into()).unwrap();
    let r = responses(&five, &[line("thu", "2026-12-03", "A", "A", "A", "3")]);
    let view = cases::cases(&five, &r, &[], &[], "2026-12-08", Lang::En, 10).unwrap();
    assert_eq!(view.cases[0].due.as_deref(), Some("2026-12-10"));
}

fn change(id: &str, case: &str, parent: Option<&str>, at: &str, status: Option<Status>) -> Change {
    Change {
        id: id.into(),
        case: case.into(),
        parent: parent.map(str::to_owned),
        at: at.into(),
        who: "王芳".into(),
        status,
        ..Change::default()
    }
}

const E1: &str = "00000000000000e1";
const E2: &str = "00000000000000e2";
const E3: &str = "00000000000000e3";
const E4: &str = "00000000000000e4";
const E5: &str = "00000000000000e5";

fn two() -> (Instrument, Responses) {
    let inst = Instrument::builtin();
    let r = responses(
        &inst,
        &[
            line("a", "2026-12-01", "B", "A", "A", "2"),
            line("b", "2026-12-01", "A", "A", "A", "9"),
        ],
    );
    (inst, r)
}

#[test]
fn changes_follow_the_allowed_transitions() {
    let (inst, r) = two();
    let mut log: Vec<Event> = Vec::new();
    let mut first = change(
        E1,
        "a",
        None,
        "2026-12-02T09:00:00Z",
        Some(Status::Contacted),
    );
    first.holder = Some("李雷".into());
    first.note = Some("called, will check the fee".into());
    let e1 = next_event(&r, &log, &first).unwrap();
    assert_eq!(
        (e1.parent.as_deref(), e1.status, e1.holder.as_deref()),
        (None, Status::Contacted, Some("李雷"))
    );
    log.push(e1);
    // Another call keeps "contacted"; the holder is kept when not given.
    let e2 = next_event(
        &r,
        &log,
        &change(
            E2,
            "a",
            Some(E1),
            "2026-12-02T15:00:00Z",
            Some(Status::Contacted),
        ),
    )
    .unwrap();
    assert_eq!(
        (e2.parent.as_deref(), e2.holder.as_deref()),
        (Some(E1), Some("李雷"))
    );
    log.push(e2);
    let view = cases::cases(&inst, &r, &log, &[], "2026-12-02", Lang::En, 10).unwrap();
    assert_eq!(
        view.cases[0].next,
        [
            Status::Contacted,
            Status::Resolved,
            Status::Unreachable,
            Status::Declined
        ],
        "another call, or close it"
    );
    // A stale view (parent no longer the head) is refused.
    let e = next_event(
        &r,
        &log,
        &change(
            E3,
            "a",
            Some(E1),
            "2026-12-03T09:00:00Z",
            Some(Status::Resolved),
        ),
    )
    .unwrap_err();
    assert_eq!(e.problems()[0].code, ProblemCode::Conflict);
    // So is a first event for a case that has events, and a case that is no response.
    assert!(next_event(
        &r,
        &log,
        &change(
            E3,
            "a",
            None,
            "2026-12-03T09:00:00Z",
            Some(Status::Resolved)
        )
    )
    .is_err());
    let e = next_event(
        &r,
        &log,
        &change(
            E3,
            "zz",
            None,
            "2026-12-03T09:00:00Z",
            Some(Status::Resolved),
        ),
    )
    .unwrap_err();
    assert_eq!(
        (e.problems()[0].code, e.problems()[0].value.as_deref()),
        (ProblemCode::UnknownName, Some("zz"))
    );
    let e3 = next_event(
        &r,
        &log,
        &change(
            E3,
            "a",
            Some(E2),
            "2026-12-03T09:00:00Z",
            Some(Status::Resolved),
        ),
    )
    .unwrap();
    log.push(e3);
    // The choices offered follow the same rules.
    let view = cases::cases(&inst, &r, &log, &[], "2026-12-03", Lang::En, 10).unwrap();
    let a = view.cases.iter().find(|c| c.id == "a").unwrap();
    assert_eq!(a.next, [Status::Open]);
    assert!(
        view.cases.iter().all(|c| c.id != "b"),
        "a promoter without events has no case"
    );
    // Closed → contacted is not allowed; closed → open is (reopened).
    let e = next_event(
        &r,
        &log,
        &change(
            E4,
            "a",
            Some(E3),
            "2026-12-04T09:00:00Z",
            Some(Status::Contacted),
        ),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("a resolved case cannot become contacted"),
        "{e}"
    );
    // Nothing changing is refused; a note alone keeps the status.
    let e = next_event(
        &r,
        &log,
        &change(E4, "a", Some(E3), "2026-12-04T09:00:00Z", None),
    )
    .unwrap_err();
    assert!(e.to_string().contains("nothing changes"), "{e}");
    let mut note = change(E4, "a", Some(E3), "2026-12-04T09:00:00Z", None);
    note.note = Some("customer thanked us".into());
    let e4 = next_event(&r, &log, &note).unwrap();
    assert_eq!(e4.status, Status::Resolved);
    log.push(e4);
    // An id already used, a bad id, a bad due date.
    assert!(next_event(
        &r,
        &log,
        &change(
            E1,
            "b",
            None,
            "2026-12-04T09:00:00Z",
            Some(Status::Declined)
        )
    )
    .is_err());
    let e = next_event(
        &r,
        &log,
        &change(
            "XYZ",
            "b",
            None,
            "2026-12-04T09:00:00Z",
            Some(Status::Declined),
        ),
    )
    .unwrap_err();
    assert_eq!(e.problems()[0].field.as_deref(), Some("id"));
    let mut due = change(E5, "b", None, "2026-12-04T09:00:00Z", None);
    due.due = Some("2026-02-30".into());
    assert_eq!(
        next_event(&r, &log, &due).unwrap_err().problems()[0]
            .field
            .as_deref(),
        Some("due")
    );
    due.due = Some("2026-12-20".into());
    log.push(next_event(&r, &log, &due).unwrap());
    // The state: "a" resolved when E3 was made (the later note does not move
    // it), with both notes; "b" open with its own due date.
    let view = cases::cases(&inst, &r, &log, &[], "2026-12-10", Lang::En, 10).unwrap();
    let a = view.cases.iter().find(|c| c.id == "a").unwrap();
    assert_eq!(
        (a.status, a.closed_at.as_deref(), a.head.as_deref()),
        (Status::Resolved, Some("2026-12-03T09:00:00Z"), Some(E4))
    );
    assert_eq!(
        a.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        ["called, will check the fee", "customer thanked us"]
    );
    assert_eq!(a.history.len(), 4);
    let b = view.cases.iter().find(|c| c.id == "b").unwrap();
    assert_eq!(
        (b.status, b.due.as_deref(), b.overdue),
        (Status::Open, Some("2026-12-20"), false)
    );
    // "b" is a promoter: listed only because it has events, with no reason.
    assert!(b.reasons.is_empty());
    assert_eq!(
        b.next,
        [
            Status::Contacted,
            Status::Resolved,
            Status::Unreachable,
            Status::Declined
        ]
    );
}

fn ev(id: &str, case: &str, parent: Option<&str>, at: &str, status: Status) -> Event {
    Event {
        id: id.into(),
        case: case.into(),
        parent: parent.map(str::to_owned),
        merged: Vec::new(),
        at: at.into(),
        who: "王芳".into(),
        status,
        holder: None,
        note: None,
        due: None,
    }
}

#[test]
fn two_devices_merge_and_a_person_settles_the_conflict() {
    let (inst, r) = two();
    let base = vec![ev(E1, "a", None, "2026-12-02T09:00:00Z", Status::Contacted)];
    // Device A resolves; device B, apart, marks unreachable.
    let mut mine = base.clone();
    mine.push(ev(
        E2,
        "a",
        Some(E1),
        "2026-12-03T09:00:00Z",
        Status::Resolved,
    ));
    let mut theirs = base.clone();
    theirs.push(ev(
        E3,
        "a",
        Some(E1),
        "2026-12-03T10:00:00Z",
        Status::Unreachable,
    ));
    // A later change whose ancestor is the earlier one simply wins.
    let later = merge_events(&base, &mine).unwrap();
    assert_eq!(
        (later.added, later.conflicts.len(), later.events.len()),
        (1, 0, 2)
    );
    let merged = merge_events(&mine, &theirs).unwrap();
    assert_eq!(
        (merged.added, merged.conflicts.clone()),
        (1, vec!["a".to_owned()])
    );
    assert_eq!(merged.events.len(), 3);
    // What this device stores: theirs that it lacked, and nothing else.
    let ids = |es: &[Event]| es.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&merged.new), [E3]);
    assert_eq!(ids(&later.new), [E2]);
    // Merging is the same either way round, and again changes nothing.
    let back = merge_events(&theirs, &mine).unwrap();
    assert_eq!(back.conflicts, merged.conflicts);
    assert_eq!(merge_events(&merged.events, &theirs).unwrap().added, 0);
    let view = cases::cases(&inst, &r, &merged.events, &[], "2026-12-04", Lang::En, 10).unwrap();
    let a = &view.cases.iter().find(|c| c.id == "a").unwrap();
    assert_eq!(a.conflict, [E2, E3]);
    assert_eq!(view.conflicts, ["a"]);
    // The latest head is shown meanwhile.
    assert_eq!(
        (a.head.as_deref(), a.status),
        (Some(E3), Status::Unreachable)
    );
    // A person picks device A's "resolved": a new event on it, merging the other.
    let pick = change(E4, "a", Some(E2), "2026-12-04T09:00:00Z", None);
    let settled = next_event(&r, &merged.events, &pick).unwrap();
    assert_eq!(
        (settled.status, settled.merged.clone()),
        (Status::Resolved, vec![E3.to_owned()])
    );
    let mut events = merged.events.clone();
    events.push(settled);
    let view = cases::cases(&inst, &r, &events, &[], "2026-12-04", Lang::En, 10).unwrap();
    let a = &view.cases.iter().find(|c| c.id == "a").unwrap();
    assert_eq!(
        (a.conflict.len(), a.head.as_deref(), a.status),
        (0, Some(E4), Status::Resolved)
    );
    // Closed when the chosen branch closed it.
    assert_eq!(a.closed_at.as_deref(), Some("2026-12-03T09:00:00Z"));
    // The same id with other content is refused, naming it; so is an orphan.
    let mut altered = theirs.clone();
    altered[1].note = Some("changed".into());
    altered[1].id = E2.into();
    let e = merge_events(&mine, &altered).unwrap_err();
    assert_eq!(
        (e.problems()[0].code, e.problems()[0].value.as_deref()),
        (ProblemCode::Conflict, Some(E2))
    );
    let orphan = vec![ev(
        E5,
        "a",
        Some("00000000000000ff"),
        "2026-12-03T09:00:00Z",
        Status::Resolved,
    )];
    let e = merge_events(&mine, &orphan).unwrap_err();
    assert_eq!(e.problems()[0].code, ProblemCode::UnknownName);
    // A transition that is not allowed is refused from a file too.
    let bad = vec![ev(
        E5,
        "a",
        Some(E2),
        "2026-12-05T09:00:00Z",
        Status::Contacted,
    )];
    assert!(merge_events(&mine, &bad)
        .unwrap_err()
        .to_string()
        .contains("from resolved to contacted"));
}

#[test]
fn figures_in_all_and_per_holder() {
    let inst = Instrument::builtin();
    let r = responses(
        &inst,
        &[
            // Monday 11-02 + 2 working days = Wednesday 11-04.
            line("A", "2026-11-02", "A", "A", "A", "1"),
            line("B", "2026-11-02", "A", "A", "A", "2"),
            // Friday 11-06 + 2 = Tuesday 11-10.
            line("C", "2026-11-06", "A", "A", "A", "3"),
            line("D", "", "A", "A", "A", "4"),
            line("E", "2026-11-09", "A", "A", "A", "5"),
        ],
    );
    let held = |mut e: Event, h: &str| {
        e.holder = Some(h.into());
        e
    };
    let events = vec![
        // A: closed 11-03, 1 day, within its due date.
        held(
            ev(E1, "A", None, "2026-11-03T10:00:00Z", Status::Resolved),
            "王芳",
        ),
        // B: closed 11-06, 4 days, after 11-04.
        held(
            ev(E2, "B", None, "2026-11-06T10:00:00Z", Status::Declined),
            "王芳",
        ),
        // D: no date: closed but in neither the median nor the %.
        held(
            ev(E3, "D", None, "2026-11-05T10:00:00Z", Status::Unreachable),
            "李雷",
        ),
        // E: contacted, due 11-11, not overdue on 11-11.
        held(
            ev(E4, "E", None, "2026-11-10T10:00:00Z", Status::Contacted),
            "李雷",
        ),
    ];
    let view = cases::cases(&inst, &r, &events, &[], "2026-11-11", Lang::ZhCn, 2).unwrap();
    let f = &view.figures;
    assert_eq!((f.opened, f.open, f.overdue, f.closed), (5, 2, 1, 3));
    // Closed within due: A of A and B (D has none) = 50%. Days: 1 and 4 → 2.5.
    assert_eq!(
        (f.closed_within_due_pct, f.median_days_to_close),
        (Some(50.0), Some(2.5))
    );
    assert_eq!(view.count, 5);
    // C is overdue (due 11-10), then E (due 11-11): the first two listed.
    let order: Vec<&str> = view.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(order, ["C", "E"]);
    type Row<'a> = (Option<&'a str>, u64, u64, u64, Option<f64>, Option<f64>);
    let holders: Vec<Row> = view
        .by_holder
        .iter()
        .map(|h| {
            (
                h.holder.as_deref(),
                h.open,
                h.overdue,
                h.closed,
                h.closed_within_due_pct,
                h.median_days_to_close,
            )
        })
        .collect();
    assert_eq!(
        holders,
        [
            (Some("李雷"), 1, 0, 1, None, None),
            (Some("王芳"), 0, 0, 2, Some(50.0), Some(2.5)),
            (None, 1, 1, 0, None, None),
        ]
    );
    // No closed case: null figures, never NaN.
    let none = cases::cases(&inst, &r, &[], &[], "2026-11-11", Lang::ZhCn, 0).unwrap();
    assert_eq!(
        (
            none.figures.closed_within_due_pct,
            none.figures.median_days_to_close
        ),
        (None, None)
    );
    assert!(serde_json::to_string(&none)
        .unwrap()
        .contains("\"median_days_to_close\":null"));
    // An odd count takes the middle: add C closed on 11-16 (10 days, late) → 1, 4, 10.
    let mut more = events.clone();
    more.push(ev(E5, "C", None, "2026-11-16T08:00:00Z", Status::Resolved));
    let view = cases::cases(&inst, &r, &more, &[], "2026-11-16", Lang::ZhCn, 0).unwrap();
    assert_eq!(view.figures.median_days_to_close, Some(4.0));
    assert!((view.figures.closed_within_due_pct.unwrap() - 100.0 / 3.0).abs() < 1e-12);
}

#[test]
fn the_csv_has_the_columns_statuses_and_no_formulas() {
    let (inst, r) = two();
    let mut e1 = ev(E1, "a", None, "2026-12-02T09:00:00Z", Status::Resolved);
    e1.holder = Some("@holder".into());
    e1.note = Some("=HYPERLINK(\"http://x\")".into());
    let contacts = vec![
        CallBack {
            id: "a".into(),
            name: "张三".into(),
            phone: "+86 138".into(),
            consent_at: "2026-12-01T08:00:00Z".into(),
        },
        CallBack {
            id: "b".into(),
            name: "no consent".into(),
            phone: "1".into(),
            consent_at: String::new(),
        },
    ];
    let csv = |lang, with| {
        String::from_utf8(
            cases::cases_csv(
                &inst,
                &r,
                &[e1.clone()],
                &contacts,
                "2026-12-04",
                lang,
                false,
                with,
            )
            .unwrap(),
        )
        .unwrap()
    };
    let en = csv(Lang::En, false);
    let lines: Vec<&str> = en.trim_end().split("\r\n").collect();
    assert_eq!(lines[0], "id,score,reasons,status,holder,opened,due,overdue,closed_at,last_change_at,last_change_by,notes");
    assert_eq!(lines.len(), 2, "one flagged response");
    assert_eq!(
        lines[1],
        "a,2,No relationship manager; detractor (scored 2),resolved,'@holder,2026-12-01,2026-12-03,no,2026-12-02T09:00:00Z,2026-12-02T09:00:00Z,王芳,\"2026-12-02T09:00:00Z 王芳: =HYPERLINK(\"\"http://x\"\")\""
    );
    assert!(!en.contains("张三"));
    let zh = csv(Lang::ZhCn, true);
    let lines: Vec<&str> = zh.trim_end().split("\r\n").collect();
    assert!(lines[0].ends_with(",notes,contact_name,contact_phone,contact_consent_at"));
    assert!(lines[1].contains(",已解决,"), "{}", lines[1]);
    assert!(
        lines[1].ends_with(",张三,'+86 138,2026-12-01T08:00:00Z"),
        "{}",
        lines[1]
    );
    // A note starting with "=" behind the time is not a formula; one that is a whole cell is.
    let mut e2 = ev(E2, "a", Some(E1), "2026-12-03T09:00:00Z", Status::Open);
    e2.holder = Some("=cmd".into());
    let zh = String::from_utf8(
        cases::cases_csv(
            &inst,
            &r,
            &[e1.clone(), e2],
            &[],
            "2026-12-04",
            Lang::ZhCn,
            true,
            false,
        )
        .unwrap(),
    )
    .unwrap();
    assert!(zh.starts_with('\u{feff}'));
    assert!(zh.contains(",待联系,'=cmd,"), "{zh}");
    assert!(zh.contains(",是,"), "overdue since 12-03: {zh}");
}

#[test]
fn backups_carry_the_cases_and_old_backups_still_read() {
    let inst = Instrument::builtin();
    let r = responses(&inst, &[line("a", "2026-12-01", "B", "A", "A", "2")]);
    let sets = vec![backup::SetBackup {
        instrument: inst.clone(),
        responses: r.clone(),
        exported: vec![false],
        contacts: vec![None],
    }];
    let mut e2 = ev(E2, "a", Some(E1), "2026-12-03T09:00:00Z", Status::Resolved);
    e2.note = Some("settled".into());
    let events = vec![
        ev(E1, "a", None, "2026-12-02T09:00:00Z", Status::Contacted),
        e2,
    ];
    let text = backup::write_device_full(
        &sets,
        &json!([]),
        &json!([]),
        &json!([]),
        &events,
        &Value::Null,
        "2026-12-04",
    )
    .unwrap();
    let back = backup::read_device(&text).unwrap();
    assert_eq!(back.cases, events);
    // Written without cases (as before cases existed): no `cases` key, none read.
    let old = backup::write_device(&sets, &json!([]), &json!([]), &Value::Null, "").unwrap();
    assert!(!old.contains("\"cases\""));
    assert!(backup::read_device(&old).unwrap().cases.is_empty());
    // Damaged case events restore nothing, naming the event.
    let damaged = text.replace(E1, "not-an-id");
    let e = backup::read_device(&damaged).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Backup);
    assert_eq!(e.problems()[0].field.as_deref(), Some("cases[0].id"));
}

/// Whether row `row` meets `c`, one row at a time: the reference for the
/// follow-up scan, which evaluates conditions a column at a time and combines
/// eight rows per word.
fn meets_at(c: &manyi::instrument::Condition, r: &Responses, row: usize) -> bool {
    use manyi::instrument::Condition;
    match c {
        Condition::All(all) => all.iter().all(|c| meets_at(c, r, row)),
        Condition::Any(any) => any.iter().any(|c| meets_at(c, r, row)),
        Condition::Answer { question, allowed } => {
            let code = r.column(*question)[row];
            code != manyi::MISSING && allowed.get(usize::from(code)).copied().unwrap_or(false)
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The follow-up list of a view (filtered or not; row counts that are not
    /// a multiple of eight) equals the list worked out row by row: kept
    /// detractors and those a widening rule flags, each rule's count, the
    /// flagged, and the first entries with their view rows and flags.
    #[test]
    fn the_follow_up_scan_equals_the_row_by_row_rule(
        n in 0usize..200,
        seed in proptest::prelude::any::<u64>(),
        filter_on in proptest::option::of(0u8..2),
        limit in 0usize..40,
    ) {
        let inst = with_rules(json!([
            rule("passive-no-manager",
                json!({"all": [{"nps_group": "passive"}, {"question": "q10", "options": ["B", "C"]}]})),
            rule("angry",
                json!({"any": [{"question": "q12", "min": 1, "max": 1}, {"question": "q17", "min": 0, "max": 2}]})),
        ]));
        let all = manyi::generate::generate(&inst, n, seed).expect("generated data");
        let mut view = manyi::view::View::new(all);
        if let Some(code) = filter_on {
            let filter = manyi::Filter {
                answers: [("q1".to_owned(), vec![["A", "B"][usize::from(code)].to_owned()])].into(),
                ..manyi::Filter::default()
            };
            view = view.filtered(&inst, &filter).expect("a valid filter");
        }
        let got = view.follow_up_list(&inst, limit).expect("the list");
        // Row by row over the view's own copy of its rows.
        let r = view.responses();
        let nps = r.column(inst.nps().expect("an NPS question"));
        let rules = inst.follow_up();
        let (mut count, mut flagged) = (0u64, 0u64);
        let mut by_flag = vec![0u64; rules.len()];
        let mut items = Vec::new();
        for (row, &score) in nps.iter().enumerate() {
            let detractor = score <= 6;
            let hits: Vec<bool> = rules
                .iter()
                .map(|rule| meets_at(&rule.when, r, row) && (detractor || !rule.detractors_only))
                .collect();
            let listed = detractor || hits.iter().zip(rules).any(|(&h, rule)| h && !rule.detractors_only);
            for (c, &h) in by_flag.iter_mut().zip(&hits) {
                *c += u64::from(h);
            }
            count += u64::from(listed);
            flagged += u64::from(hits.iter().any(|&h| h));
            if listed && items.len() < limit {
                let flags: Vec<String> = rules
                    .iter()
                    .zip(&hits)
                    .filter(|(_, &h)| h)
                    .map(|(rule, _)| rule.id.clone())
                    .collect();
                items.push((row as u32, r.ids()[row].to_owned(), detractor, flags));
            }
        }
        proptest::prop_assert_eq!(got.count, count);
        proptest::prop_assert_eq!(got.flagged, flagged);
        for (rule, &c) in rules.iter().zip(&by_flag) {
            proptest::prop_assert_eq!(got.by_flag[&rule.id], c, "{}", rule.id);
        }
        let got_items: Vec<(u32, String, bool, Vec<String>)> = got
            .items
            .iter()
            .map(|f| (f.row, f.id.clone(), f.detractor, f.flags.clone()))
            .collect();
        proptest::prop_assert_eq!(got_items, items);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Random detractors, dates and events (closed or not, with holders and
    /// due dates): the cases come in the documented order (overdue by due
    /// date, then open by due date with unknown ones last, then closed latest
    /// first, rows breaking ties); a shorter list is the first of the longer
    /// one; the figures and the count do not depend on how many are listed.
    #[test]
    fn cases_are_ordered_and_counted_whatever_is_listed(
        rows in proptest::collection::vec((0u8..5, 0u8..40, proptest::option::of((0u8..4, 0u8..40, 0u8..3))), 1..40),
        limit in 0usize..45,
    ) {
        let inst = Instrument::builtin();
        let lines: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, &(score, day, _))| {
                let date = if day >= 30 { String::new() } else { format!("2026-11-{:02}", day + 1) };
                line(&format!("R{i}"), &date, "A", "A", "A", &score.to_string())
            })
            .collect();
        let r = responses(&inst, &lines);
        let statuses = [Status::Contacted, Status::Resolved, Status::Unreachable, Status::Open];
        let mut events = Vec::new();
        for (i, &(_, _, event)) in rows.iter().enumerate() {
            if let Some((status, day, holder)) = event {
                let mut e = ev(
                    &format!("E{i:04}"),
                    &format!("R{i}"),
                    None,
                    &format!("2026-11-{:02}T09:00:00Z", day % 28 + 1),
                    statuses[usize::from(status)],
                );
                e.holder = (holder > 0).then(|| format!("h{holder}"));
                e.due = (day % 3 == 0).then(|| format!("2026-11-{:02}", day % 28 + 1));
                events.push(e);
            }
        }
        let all = cases::cases(&inst, &r, &events, &[], "2026-11-20", Lang::ZhCn, usize::MAX)
            .expect("cases");
        let some = cases::cases(&inst, &r, &events, &[], "2026-11-20", Lang::ZhCn, limit)
            .expect("cases");
        proptest::prop_assert_eq!(all.count as usize, all.cases.len());
        proptest::prop_assert_eq!(some.count, all.count);
        proptest::prop_assert_eq!(&some.figures, &all.figures);
        proptest::prop_assert_eq!(&some.by_holder, &all.by_holder);
        proptest::prop_assert_eq!(&some.conflicts, &all.conflicts);
        proptest::prop_assert_eq!(&some.cases[..], &all.cases[..limit.min(all.cases.len())]);
        let group = |c: &cases::Case| match (c.overdue, c.status.closed()) {
            (true, _) => 0,
            (false, false) => 1,
            (false, true) => 2,
        };
        for w in all.cases.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            proptest::prop_assert!(group(a) <= group(b));
            if group(a) == group(b) {
                let order = if group(a) == 2 {
                    b.closed_at.cmp(&a.closed_at)
                } else {
                    (a.due.is_none(), &a.due).cmp(&(b.due.is_none(), &b.due))
                };
                proptest::prop_assert!(order.then(a.row.cmp(&b.row)).is_lt(), "{:?} before {:?}", a.id, b.id);
            }
            // Overdue is an open case past its due date.
            let past = |c: &cases::Case| !c.status.closed()
                && c.due.as_deref().and_then(cases::day_number).is_some_and(|d| d < cases::day_number("2026-11-20").unwrap());
            proptest::prop_assert_eq!(a.overdue, past(a));
        }
    }
}
