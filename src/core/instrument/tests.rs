//! Unit tests of [`super`]: the rules stated in its documentation, case by case.

use super::*;

/// Where each of an error's problems is (its field path, "" for none).
fn fields(e: &Error) -> Vec<String> {
    e.problems()
        .iter()
        .map(|p| p.field.clone().unwrap_or_default())
        .collect()
}

#[test]
fn builtin_matches_the_questionnaire() {
    let inst = Instrument::builtin();
    assert_eq!(inst.id(), "zg-x-branch-2023");
    assert_eq!(inst.questions().len(), 17);
    // Option counts per the table in docs/questionnaire.md.
    let lens: Vec<usize> = inst.questions().iter().map(Question::len).collect();
    assert_eq!(lens, [2, 5, 5, 8, 5, 7, 8, 7, 5, 3, 4, 3, 3, 3, 3, 3, 11]);
    assert_eq!(inst.satisfaction(), &[11, 12, 13, 14, 15]);
    assert_eq!(inst.nps(), Some(16));
    let q8 = &inst.questions()[7];
    assert_eq!(q8.options[3].label.get(Lang::ZhCn), "国债");
    assert_eq!(q8.options[3].label.get(Lang::En), "Treasury bonds");
}

#[test]
fn callback_is_off_unless_switched_on() {
    let inst = Instrument::builtin();
    assert!(!inst.callback());
    // Only the NPS question is required in the built-in instrument.
    let required: Vec<&str> = inst
        .questions()
        .iter()
        .filter(|q| q.required)
        .map(|q| q.id.as_str())
        .collect();
    assert_eq!(required, ["q17"]);
    assert!(!inst.to_json().contains("callback"));
    let on = BUILTIN_JSON.replacen(
        "\"version\": \"2\",",
        "\"version\": \"2\", \"callback\": true,",
        1,
    );
    let inst = Instrument::from_json(&on).expect("loads");
    assert!(inst.callback());
    assert_eq!(Instrument::from_json(&inst.to_json()), Ok(inst));
}

#[test]
fn round_trips_through_json() {
    let inst = Instrument::builtin();
    let again = Instrument::from_json(&inst.to_json()).expect("reloads");
    assert_eq!(inst, again);
}

#[test]
fn parses_answers() {
    let inst = Instrument::builtin();
    let q2 = &inst.questions()[1];
    assert_eq!(q2.parse_answer("A"), Ok(0));
    assert_eq!(q2.parse_answer(" e "), Ok(4));
    assert_eq!(q2.parse_answer(""), Ok(MISSING));
    assert_eq!(
        q2.parse_answer("F").map_err(|e| e.0),
        Err(ProblemCode::UnknownOption)
    );
    let q17 = &inst.questions()[16];
    assert_eq!(q17.parse_answer("0"), Ok(0));
    assert_eq!(q17.parse_answer("10"), Ok(10));
    assert_eq!(q17.parse_answer("-0"), Ok(0));
    // Labelled exports read back: an option's text stands for its letter.
    let q12 = &inst.questions()[11];
    assert_eq!(q12.parse_answer("不满意"), Ok(2));
    assert_eq!(q12.parse_answer("Satisfied"), Ok(0));
    assert_eq!(q17.parse_answer("+9"), Ok(9));
    assert_eq!(q17.code_text(10), "10");
    for bad in ["11", "-1", "999999999999999999999"] {
        assert_eq!(
            q17.parse_answer(bad).map_err(|e| e.0),
            Err(ProblemCode::OutOfRange),
            "{bad}"
        );
    }
    for bad in ["7.5", "seven", "7.0", "1e1", "-", "+"] {
        assert_eq!(
            q17.parse_answer(bad).map_err(|e| e.0),
            Err(ProblemCode::NotAnInteger),
            "{bad}"
        );
    }
}

#[test]
fn syntax_errors_name_line_and_column() {
    let e = Instrument::from_json("{\n  \"id\": \"x\",\n  \"version\": 1\n}").unwrap_err();
    let p = &e.problems()[0];
    assert_eq!(e.kind(), ErrorKind::Instrument);
    assert_eq!((p.code, p.line), (ProblemCode::Json, Some(3)));
    assert!(p.message.contains("expected a string"), "{}", p.message);
}

#[test]
fn rule_errors_name_the_path() {
    let mut v: serde_json::Value = serde_json::from_str(BUILTIN_JSON).expect("json");
    v["questions"][2]["options"][1]["code"] = "b".into();
    v["questions"][4]["id"] = "q1".into();
    v["nps"] = "q16".into();
    v["satisfaction"][0] = "q99".into();
    let e = Instrument::from_json(&v.to_string()).unwrap_err();
    let places = fields(&e);
    assert_eq!(
        places,
        [
            "questions[2].options[1].code",
            "questions[4].id",
            "satisfaction[0]",
            "nps"
        ]
    );
    assert!(e
        .to_string()
        .contains(r#"questions[4].id, value "q1": the same id as questions[0]"#));
}

#[test]
fn option_texts_must_tell_options_apart() {
    let mut v: serde_json::Value = serde_json::from_str(BUILTIN_JSON).expect("json");
    // Q12's "一般" renamed "满意" (A's text), Q1's "女" renamed "A" (A's letter).
    v["questions"][11]["options"][1]["label"]["zh-CN"] = "满意".into();
    v["questions"][0]["options"][1]["label"]["en"] = "a".into();
    let e = Instrument::from_json(&v.to_string()).unwrap_err();
    let places = fields(&e);
    assert_eq!(
        places,
        [
            "questions[0].options[1].label",
            "questions[11].options[0].label",
            "questions[11].options[1].label"
        ]
    );
}

#[test]
fn sizes_are_bounded_and_each_breach_named() {
    let builtin: serde_json::Value = serde_json::from_str(BUILTIN_JSON).expect("json");
    // 201 questions (copies of Q1 under new ids), each a satisfaction item.
    let mut v = builtin.clone();
    let q1 = v["questions"][0].clone();
    let many: Vec<serde_json::Value> = (0..=MAX_QUESTIONS)
        .map(|i| {
            let mut q = q1.clone();
            q["id"] = format!("x{i}").into();
            q
        })
        .collect();
    let ids: Vec<String> = (0..=MAX_QUESTIONS).map(|i| format!("x{i}")).collect();
    v["questions"] = many.clone().into();
    v["satisfaction"] = ids.clone().into();
    v["nps"] = serde_json::Value::Null;
    v.as_object_mut().expect("object").remove("follow_up");
    let e = Instrument::from_json(&v.to_string()).unwrap_err();
    let places: Vec<_> = e.problems().iter().map(|p| p.field.clone()).collect();
    assert_eq!(
        places,
        [Some("questions".into()), Some("satisfaction".into())]
    );
    assert!(
        e.to_string()
            .contains("questions: an instrument has at most 200 questions, not 201"),
        "{e}"
    );
    // The limit itself loads.
    v["questions"] = many[..MAX_QUESTIONS].to_vec().into();
    v["satisfaction"] = ids[..MAX_QUESTIONS].to_vec().into();
    let inst = Instrument::from_json(&v.to_string()).expect("200 questions load");
    assert_eq!(inst.satisfaction().len(), MAX_QUESTIONS);

    // Texts and names: each one too long is named by its path.
    let mut v = builtin;
    v["title"]["en"] = "t".repeat(MAX_TEXT + 1).into();
    v["questions"][1]["options"][2]["label"]["zh-CN"] = "选".repeat(MAX_TEXT + 1).into();
    v["questions"][16]["max_label"]["en"] = "m".repeat(10 * MAX_TEXT).into();
    v["version"] = "v".repeat(MAX_NAME + 1).into();
    v["follow_up"][0]["options"] = vec!["B"; MAX_ANSWERS + 1].into();
    let e = Instrument::from_json(&v.to_string()).unwrap_err();
    let places = fields(&e);
    assert_eq!(
        places,
        [
            "version",
            "title.en",
            "questions[1].options[2].label.zh-CN",
            "questions[16].max_label.en",
            "follow_up[0].options"
        ]
    );
    assert!(
        e.to_string()
            .contains("questions[16].max_label.en: at most 2000 characters, not 20000"),
        "{e}"
    );
    // Exactly at the limits is fine.
    let mut v: serde_json::Value = serde_json::from_str(BUILTIN_JSON).expect("json");
    v["title"]["en"] = "t".repeat(MAX_TEXT).into();
    v["id"] = "i".repeat(MAX_NAME).into();
    assert!(Instrument::from_json(&v.to_string()).is_ok());
}

#[test]
fn unknown_kind_is_refused() {
    let text = BUILTIN_JSON.replacen("\"single\"", "\"multiple\"", 1);
    let e = Instrument::from_json(&text).unwrap_err();
    assert!(
        e.problems()[0]
            .message
            .contains("unknown variant `multiple`"),
        "{e}"
    );
    assert!(e.problems()[0].line.is_some());
}
