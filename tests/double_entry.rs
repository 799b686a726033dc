//! Double entry's rules (src/core/double_entry.rs) on the built-in
//! questionnaire: disagreements, settling, charging errors to operators and
//! the listing of an edit's changes. Expected values are worked by hand from
//! the rules stated in the module's documentation.

use manyi::double_entry::{self, Change, Disagreement, Verification};
use manyi::instrument::MISSING;
use manyi::Instrument;
use serde_json::json;

/// A keying of the 17 questions: every answer A (code 0) and q17 = 9.
fn keying() -> Vec<u8> {
    let mut codes = vec![0u8; 17];
    codes[16] = 9;
    codes
}

#[test]
fn the_disagreements_are_the_questions_whose_codes_differ() {
    let inst = Instrument::builtin();
    let first = keying();
    let mut second = keying();
    second[1] = 3; // q2: A vs D
    second[4] = MISSING; // q5: A vs not answered
    second[16] = 10; // q17: 9 vs 10
    assert_eq!(
        double_entry::disagreements(&inst, &first, &second).unwrap(),
        [1, 4, 16]
    );
    assert!(double_entry::disagreements(&inst, &first, &first)
        .unwrap()
        .is_empty());
}

#[test]
fn a_keying_that_is_not_one_of_this_questionnaire_is_refused() {
    let inst = Instrument::builtin();
    let e = double_entry::disagreements(&inst, &keying()[..16], &keying()).unwrap_err();
    assert!(e.to_string().contains("16 answers for 17 questions"), "{e}");
    let mut bad = keying();
    bad[0] = 2; // q1 has two options (A, B)
    let e = double_entry::disagreements(&inst, &keying(), &bad).unwrap_err();
    let p = &e.problems()[0];
    assert_eq!(
        (p.field.as_deref(), p.value.as_deref()),
        (Some("second.q1"), Some("2"))
    );
}

#[test]
fn a_verified_form_is_the_second_keying_with_what_the_paper_says() {
    let inst = Instrument::builtin();
    let first = keying();
    let mut second = keying();
    second[1] = 3;
    second[16] = 10;
    // The paper: q2 is B (neither keying), q17 is 10 (the second keying's).
    let v =
        double_entry::verify(&inst, "X-0001", "王芳", &first, "李雷", &second, &[1, 10]).unwrap();
    let mut expected = keying();
    expected[1] = 1;
    expected[16] = 10;
    assert_eq!(v.codes, expected);
    assert_eq!(
        v.verification,
        Verification {
            id: "X-0001".into(),
            first: "王芳".into(),
            second: "李雷".into(),
            disagreements: vec![
                Disagreement {
                    question: "q2".into(),
                    first: 0,
                    second: 3,
                    resolved: 1
                },
                Disagreement {
                    question: "q17".into(),
                    first: 9,
                    second: 10,
                    resolved: 10
                },
            ],
        }
    );
    // Agreeing keyings need nothing from the paper.
    let same = double_entry::verify(&inst, "X-0002", "王芳", &first, "李雷", &first, &[]).unwrap();
    assert_eq!(same.codes, first);
    assert!(same.verification.disagreements.is_empty());
    // "Not answered" is an answer the paper can give.
    let blank =
        double_entry::verify(&inst, "X-0001", "a", &first, "b", &second, &[MISSING, 9]).unwrap();
    assert_eq!((blank.codes[1], blank.codes[16]), (MISSING, 9));
}

#[test]
fn every_disagreement_must_be_settled_with_an_answer_the_question_has() {
    let inst = Instrument::builtin();
    let first = keying();
    let mut second = keying();
    second[1] = 3;
    second[16] = 10;
    let e = double_entry::verify(&inst, "X", "a", &first, "b", &second, &[1]).unwrap_err();
    assert!(
        e.to_string()
            .contains("1 of 2 disagreements settled: q17 is not"),
        "{e}"
    );
    let e = double_entry::verify(&inst, "X", "a", &first, "b", &second, &[1, 2, 3]).unwrap_err();
    assert!(
        e.to_string().contains("3 answers from the paper for 2"),
        "{e}"
    );
    // q17 runs 0–10: code 11 is no answer of it.
    let e = double_entry::verify(&inst, "X", "a", &first, "b", &second, &[1, 11]).unwrap_err();
    let p = &e.problems()[0];
    assert_eq!(
        (p.field.as_deref(), p.value.as_deref()),
        (Some("paper.q17"), Some("11"))
    );
}

fn verify_entry(first: &str, second: &str, d: &[(u8, u8, u8)]) -> serde_json::Value {
    let disagreements: Vec<_> = d
        .iter()
        .enumerate()
        .map(|(k, &(a, b, r))| json!({"question": format!("q{}", k + 2), "first": a, "second": b, "resolved": r}))
        .collect();
    json!({"at": "2026-12-04T09:00:00Z", "what": "verify", "who": second,
           "detail": {"id": "X", "first": first, "second": second, "disagreements": disagreements}})
}

#[test]
fn each_disagreement_is_charged_to_whoever_the_paper_contradicts() {
    let inst = Instrument::builtin();
    let trail = json!([
        {"at": "2026-12-04T08:00:00Z", "what": "enter", "who": "A", "detail": {"id": "X", "pass": 1}},
        // The paper agrees with A: B's error.
        verify_entry("A", "B", &[(0, 1, 0)]),
        // The paper agrees with neither: an error of both.
        verify_entry("B", "A", &[(0, 1, 2)]),
        // No disagreement.
        verify_entry("A", "C", &[]),
        {"at": "2026-12-04T10:00:00Z", "what": "delete", "who": "C", "detail": {"id": "Y"}},
    ]);
    let t = double_entry::tally(&inst, &trail).unwrap();
    let rows: Vec<_> = t
        .iter()
        .map(|t| (t.who.as_str(), t.forms, t.disagreements, t.errors))
        .collect();
    // Operators in the order they first appear.
    assert_eq!(rows, [("A", 3, 2, 1), ("B", 2, 2, 2), ("C", 1, 0, 0)]);
    // Errors per answer keyed: 1 / (3 forms × 17 questions), 2 / (2 × 17).
    assert_eq!(t[0].error_rate, 1.0 / 51.0);
    assert_eq!(t[1].error_rate, 2.0 / 34.0);
    assert_eq!(t[2].error_rate, 0.0);
    assert!(double_entry::tally(&inst, &json!([])).unwrap().is_empty());
}

#[test]
fn a_verification_without_its_details_is_named() {
    let inst = Instrument::builtin();
    let trail = json!([verify_entry("A", "B", &[]), {"what": "verify", "detail": {"id": "X"}}]);
    let e = double_entry::tally(&inst, &trail).unwrap_err();
    assert_eq!(e.problems()[0].field.as_deref(), Some("trail[1].detail"));
    assert!(double_entry::tally(&inst, &json!({})).is_err());
}

#[test]
fn an_edit_lists_each_changed_answer_as_marked_on_the_paper() {
    let inst = Instrument::builtin();
    let before = keying();
    let mut after = keying();
    after[3] = 7; // q4: A → H
    after[9] = MISSING; // q10: A → not answered
    after[16] = 0; // q17: 9 → 0
    assert_eq!(
        double_entry::changes(&inst, &before, &after).unwrap(),
        [
            Change {
                question: "q4".into(),
                from: "A".into(),
                to: "H".into()
            },
            Change {
                question: "q10".into(),
                from: "A".into(),
                to: "·".into()
            },
            Change {
                question: "q17".into(),
                from: "9".into(),
                to: "0".into()
            },
        ]
    );
    assert!(double_entry::changes(&inst, &before, &before)
        .unwrap()
        .is_empty());
}

#[test]
fn a_form_keyed_both_times_by_one_operator_is_named_and_counted_as_their_own() {
    // Double entry catches an operator's misreadings only when someone else
    // keys the second pass: the same person tends to misread the same mark
    // twice. Allowed (a branch may have one clerk), but said and counted.
    assert!(double_entry::same_operator("张三", "张三"));
    assert!(double_entry::same_operator(" Li Si ", "li si"));
    assert!(!double_entry::same_operator("张三", "李四"));
    assert!(!double_entry::same_operator("Li Si", "Li Sì"));
    let inst = Instrument::builtin();
    let one = keying();
    let v = double_entry::verify(&inst, "X", "张三", &one, " 张三", &one, &[]).unwrap();
    assert!(v.same_operator);
    let v = double_entry::verify(&inst, "X", "张三", &one, "李四", &one, &[]).unwrap();
    assert!(!v.same_operator);
    let trail = json!([
        verify_entry("A", "a ", &[(0, 1, 0)]),
        verify_entry("A", "B", &[]),
        verify_entry("B", "B", &[]),
        verify_entry("A", "A", &[]),
    ]);
    let t = double_entry::tally(&inst, &trail).unwrap();
    let rows: Vec<_> = t.iter().map(|t| (t.who.as_str(), t.forms, t.own)).collect();
    // "a " is A: one operator, named as first written; A checked their own keying twice, B once.
    assert_eq!(rows, [("A", 5, 2), ("B", 3, 1)]);
}
