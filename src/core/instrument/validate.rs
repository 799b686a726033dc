//! The checks an instrument file passes before it is an [`Instrument`]:
//! sizes first (so that nothing below can be made to allocate without limit),
//! then ids, options, scales, roles, follow-up rules and their condition
//! trees, and `revises`; every breach named by its JSON path.

use super::*;

/// The problems of lists longer than their limits: checked before anything
/// else, so a file of 40,000 questions costs no more than reading it.
fn too_many(file: &InstrumentFile) -> Vec<Problem> {
    let lists = [
        (
            "questions",
            file.questions.len(),
            MAX_QUESTIONS,
            "questions",
        ),
        (
            "satisfaction",
            file.satisfaction.len(),
            MAX_QUESTIONS,
            "satisfaction items",
        ),
        (
            "follow_up",
            file.follow_up.len(),
            MAX_FOLLOW_UP,
            "follow-up rules",
        ),
    ];
    lists
        .into_iter()
        .filter(|&(_, len, max, _)| len > max)
        .map(|(path, len, max, what)| {
            Problem::new(
                ProblemCode::Invalid,
                format!("an instrument has at most {max} {what}, not {len}"),
            )
            .in_field(path)
        })
        .collect()
}

/// A problem if `text` (at `path`) is longer than `max` characters.
fn too_long(path: &str, text: &str, max: usize) -> Option<Problem> {
    // Counting stops past the limit: a huge text costs no more than the limit.
    let chars = text.chars().take(max + 1).count();
    (chars > max).then(|| {
        Problem::new(
            ProblemCode::Invalid,
            format!("at most {max} characters, not {}", text.chars().count()),
        )
        .in_field(path)
    })
}

/// The problems of a bilingual text (at `path`) longer than [`MAX_TEXT`].
fn text_too_long(path: &str, text: &Text) -> Vec<Problem> {
    let zh = too_long(&format!("{path}.zh-CN"), &text.zh_cn, MAX_TEXT);
    let en = text
        .en
        .as_deref()
        .and_then(|en| too_long(&format!("{path}.en"), en, MAX_TEXT));
    zh.into_iter().chain(en).collect()
}

/// Every text, id and list of `file` that is longer than its limit, with its path.
fn sizes(file: &InstrumentFile) -> Vec<Problem> {
    let mut problems = too_many(file);
    if !problems.is_empty() {
        return problems;
    }
    problems.extend(too_long("id", &file.id, MAX_NAME));
    problems.extend(too_long("version", &file.version, MAX_NAME));
    problems.extend(text_too_long("title", &file.title));
    for (i, q) in file.questions.iter().enumerate() {
        let at = format!("questions[{i}]");
        problems.extend(too_long(&format!("{at}.id"), &q.id, MAX_NAME));
        problems.extend(text_too_long(&format!("{at}.text"), &q.text));
        for (label, text) in [("min_label", &q.min_label), ("max_label", &q.max_label)] {
            if let Some(text) = text {
                problems.extend(text_too_long(&format!("{at}.{label}"), text));
            }
        }
        // More than 26 options is refused below; their texts need no reading.
        for (j, o) in q.options.iter().enumerate().take(26) {
            problems.extend(too_long(
                &format!("{at}.options[{j}].code"),
                &o.code,
                MAX_NAME,
            ));
            problems.extend(text_too_long(&format!("{at}.options[{j}].label"), &o.label));
        }
    }
    for (k, id) in file.satisfaction.iter().enumerate() {
        problems.extend(too_long(&format!("satisfaction[{k}]"), id, MAX_NAME));
    }
    if let Some(nps) = &file.nps {
        problems.extend(too_long("nps", nps, MAX_NAME));
    }
    for (k, rule) in file.follow_up.iter().enumerate() {
        let at = format!("follow_up[{k}]");
        problems.extend(too_long(&format!("{at}.id"), &rule.id, MAX_NAME));
        if let Some(q) = &rule.question {
            problems.extend(too_long(&format!("{at}.question"), q, MAX_NAME));
        }
        problems.extend(text_too_long(&format!("{at}.label"), &rule.label));
        let options = rule.options.as_deref().unwrap_or_default();
        if options.len() > MAX_ANSWERS {
            problems.push(
                Problem::new(
                    ProblemCode::Invalid,
                    format!(
                        "a follow-up rule lists at most {MAX_ANSWERS} answers, not {}",
                        options.len()
                    ),
                )
                .in_field(format!("{at}.options")),
            );
        } else {
            for (j, o) in options.iter().enumerate() {
                problems.extend(too_long(&format!("{at}.options[{j}]"), o, MAX_NAME));
            }
        }
    }
    problems
}

/// What a follow-up rule's conditions are checked against.
struct Rules<'a> {
    questions: &'a [Question],
    index: &'a HashMap<String, usize>,
    satisfaction: &'a [usize],
    nps: Option<usize>,
}

/// A problem found in a follow-up rule: JSON path, value, message.
type Found = Vec<(String, Option<String>, String)>;

impl Rules<'_> {
    /// The question named `id` (at `path`), or a problem.
    fn question(&self, id: &str, path: &str, found: &mut Found) -> Option<usize> {
        let q = self.index.get(&id.trim().to_ascii_lowercase()).copied();
        if q.is_none() {
            found.push((
                path.into(),
                Some(id.into()),
                "no question has this id".into(),
            ));
        }
        q
    }

    /// `{"question", "options"}`: the answer is one of `options`.
    fn answers(
        &self,
        question: &str,
        options: &[String],
        at: &str,
        found: &mut Found,
    ) -> Option<Condition> {
        let q = self.question(question, &format!("{at}.question"), found)?;
        let question = &self.questions[q];
        let mut allowed = vec![false; question.len()];
        let before = found.len();
        if options.is_empty() {
            found.push((
                format!("{at}.options"),
                None,
                "list at least one answer".into(),
            ));
        }
        for (j, o) in options.iter().enumerate() {
            match question.parse_answer(o) {
                Ok(code) if code != MISSING => allowed[usize::from(code)] = true,
                _ => found.push((
                    format!("{at}.options[{j}]"),
                    Some(o.clone()),
                    format!("{} has no such answer", question.id),
                )),
            }
        }
        (found.len() == before).then_some(Condition::Answer {
            question: q,
            allowed,
        })
    }

    /// One condition of a `when` tree at `path`, `depth` lists deep.
    fn condition(
        &self,
        v: &serde_json::Value,
        path: &str,
        depth: usize,
        found: &mut Found,
    ) -> Option<Condition> {
        use serde_json::Value;
        let shape = "a condition is {\"all\": […]}, {\"any\": […]}, {\"nps_group\": …}, \
                     {\"question\", \"options\"} or {\"question\", \"min\", \"max\"}";
        fn fail(
            found: &mut Found,
            path: String,
            value: Option<String>,
            message: String,
        ) -> Option<Condition> {
            found.push((path, value, message));
            None
        }
        let Some(obj) = v.as_object() else {
            return fail(found, path.into(), Some(v.to_string()), shape.into());
        };
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        let text = |k: &str| obj.get(k).and_then(Value::as_str);
        match keys.as_slice() {
            ["all"] | ["any"] => {
                let key = keys[0];
                let at = format!("{path}.{key}");
                if depth > MAX_CONDITION_DEPTH {
                    return fail(
                        found,
                        at,
                        None,
                        format!("conditions nest at most {MAX_CONDITION_DEPTH} lists deep"),
                    );
                }
                let Some(list) = obj[key].as_array() else {
                    return fail(found, at, None, "a list of conditions".into());
                };
                if list.is_empty() || list.len() > MAX_CONDITIONS {
                    return fail(
                        found,
                        at,
                        None,
                        format!("list 1 to {MAX_CONDITIONS} conditions, not {}", list.len()),
                    );
                }
                let before = found.len();
                let parts: Vec<Option<Condition>> = list
                    .iter()
                    .enumerate()
                    .map(|(i, c)| self.condition(c, &format!("{at}[{i}]"), depth + 1, found))
                    .collect();
                if found.len() > before {
                    return None;
                }
                let parts = parts.into_iter().flatten().collect();
                Some(if key == "all" {
                    Condition::All(parts)
                } else {
                    Condition::Any(parts)
                })
            }
            _ if depth == 1 => fail(
                found,
                path.into(),
                None,
                "`when` is {\"all\": […]} or {\"any\": […]}".into(),
            ),
            ["nps_group"] => {
                let at = format!("{path}.nps_group");
                let group = text("nps_group").unwrap_or_default();
                let range = match group {
                    "detractor" => 0..=6,
                    "passive" => 7..=8,
                    "promoter" => 9..=10,
                    _ => {
                        return fail(
                            found,
                            at,
                            Some(obj["nps_group"].to_string()),
                            "an NPS group is \"detractor\", \"passive\" or \"promoter\"".into(),
                        )
                    }
                };
                let Some(q) = self.nps else {
                    return fail(
                        found,
                        at,
                        Some(group.into()),
                        "the instrument has no NPS question".into(),
                    );
                };
                let allowed = (0..=10u8).map(|v| range.contains(&v)).collect();
                Some(Condition::Answer {
                    question: q,
                    allowed,
                })
            }
            _ if obj.contains_key("options") => {
                if keys.len() != 2 || text("question").is_none() {
                    return fail(
                        found,
                        path.into(),
                        None,
                        "an answer condition is {\"question\": id, \"options\": [answers]}".into(),
                    );
                }
                let options: Option<Vec<String>> = obj["options"].as_array().and_then(|a| {
                    a.iter()
                        .map(|o| o.as_str().map(str::to_owned))
                        .collect::<Option<Vec<String>>>()
                });
                let Some(options) = options.filter(|o| o.len() <= MAX_ANSWERS) else {
                    return fail(
                        found,
                        format!("{path}.options"),
                        None,
                        format!("a list of at most {MAX_ANSWERS} answers, as text"),
                    );
                };
                self.answers(text("question").unwrap_or_default(), &options, path, found)
            }
            _ if obj.contains_key("min") || obj.contains_key("max") => {
                let known = ["question", "min", "max"];
                if keys.iter().any(|k| !known.contains(k)) || text("question").is_none() {
                    return fail(
                        found,
                        path.into(),
                        None,
                        "a score range is {\"question\": id, \"min\": n, \"max\": n}".into(),
                    );
                }
                let id = text("question").unwrap_or_default();
                let q = self.question(id, &format!("{path}.question"), found)?;
                let question = &self.questions[q];
                // The score of each answer code, and the lowest and highest.
                let scores: Vec<i64> = match question.kind {
                    QuestionKind::Scale => (0..question.len() as i64)
                        .map(|c| i64::from(question.min_value()) + c)
                        .collect(),
                    QuestionKind::Single if self.satisfaction.contains(&q) => {
                        let k = question.len() as i64;
                        (0..k).map(|c| k - c).collect()
                    }
                    QuestionKind::Single => {
                        return fail(
                            found,
                            format!("{path}.question"),
                            Some(id.into()),
                            "a score range needs a scale question or a satisfaction item".into(),
                        )
                    }
                };
                let (lo, hi) = (
                    scores.iter().copied().min().unwrap_or(0),
                    scores.iter().copied().max().unwrap_or(0),
                );
                let mut bound = |k: &str, default: i64| -> Option<i64> {
                    match obj.get(k) {
                        None => Some(default),
                        Some(v) => match v.as_i64().filter(|n| (lo..=hi).contains(n)) {
                            Some(n) => Some(n),
                            None => {
                                found.push((
                                    format!("{path}.{k}"),
                                    Some(v.to_string()),
                                    format!("a whole number from {lo} to {hi}"),
                                ));
                                None
                            }
                        },
                    }
                };
                let (min, max) = (bound("min", lo)?, bound("max", hi)?);
                if min > max {
                    found.push((
                        path.into(),
                        Some(format!("{min}–{max}")),
                        "min is greater than max".into(),
                    ));
                    return None;
                }
                let allowed = scores.iter().map(|s| (min..=max).contains(s)).collect();
                Some(Condition::Answer {
                    question: q,
                    allowed,
                })
            }
            _ => fail(found, path.into(), None, shape.into()),
        }
    }
}

pub(super) fn validate(file: InstrumentFile) -> Result<Instrument> {
    // Sizes first: the rules below look at every pair of options, every id.
    let problems = sizes(&file);
    if !problems.is_empty() {
        let total = problems.len();
        return Err(Error::new(ErrorKind::Instrument, problems, total));
    }
    let mut problems = Vec::new();
    let mut bad = |path: String, value: Option<&str>, message: String| {
        let mut p = Problem::new(ProblemCode::Invalid, message).in_field(path);
        if let Some(v) = value {
            p = p.with_value(v);
        }
        problems.push(p);
    };
    if file.id.trim().is_empty() {
        bad("id".into(), None, "the instrument id is empty".into());
    }
    if file.version.trim().is_empty() {
        bad(
            "version".into(),
            None,
            "the instrument version is empty".into(),
        );
    }
    if file.questions.is_empty() {
        bad(
            "questions".into(),
            None,
            "the instrument has no questions".into(),
        );
    }
    let mut index = HashMap::new();
    for (i, q) in file.questions.iter().enumerate() {
        let at = |field: &str| format!("questions[{i}]{field}");
        let key = q.id.to_ascii_lowercase();
        let id_ok = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && key != "id";
        if !id_ok {
            bad(
                at(".id"),
                Some(&q.id),
                "a question id is made of letters, digits, _ and -, and is not \"id\"".into(),
            );
        } else if let Some(first) = index.insert(key, i) {
            bad(
                at(".id"),
                Some(&q.id),
                format!("the same id as questions[{first}]"),
            );
        }
        match q.kind {
            QuestionKind::Single => {
                if q.min.is_some()
                    || q.max.is_some()
                    || q.min_label.is_some()
                    || q.max_label.is_some()
                {
                    bad(
                        at(""),
                        None,
                        "min, max and their labels belong to scale questions".into(),
                    );
                }
                if q.options.len() < 2 || q.options.len() > 26 {
                    bad(
                        at(".options"),
                        None,
                        format!(
                            "a single-choice question has 2 to 26 options, not {}",
                            q.options.len()
                        ),
                    );
                }
                let mut seen = Vec::new();
                for (j, o) in q.options.iter().enumerate() {
                    // Labels identify options in labelled exports read back, so no
                    // text may name two options or look like another option's letter.
                    let own = [Some(o.label.zh_cn.as_str()), o.label.en.as_deref()];
                    let clash = q.options.iter().enumerate().any(|(k, other)| {
                        let theirs = [Some(other.label.zh_cn.as_str()), other.label.en.as_deref()];
                        k != j
                            && own.iter().flatten().any(|t| {
                                theirs.contains(&Some(*t))
                                    || t.trim().eq_ignore_ascii_case(&other.code)
                            })
                    });
                    if clash {
                        bad(
                            at(&format!(".options[{j}].label")),
                            Some(&o.label.zh_cn),
                            "the same text as another option, or another option's letter".into(),
                        );
                    }
                    let letter =
                        o.code.len() == 1 && o.code.bytes().all(|b| b.is_ascii_uppercase());
                    if !letter {
                        bad(
                            at(&format!(".options[{j}].code")),
                            Some(&o.code),
                            "an option code is one capital letter A–Z".into(),
                        );
                    } else if seen.contains(&o.code) {
                        bad(
                            at(&format!(".options[{j}].code")),
                            Some(&o.code),
                            "the same code as an earlier option".into(),
                        );
                    }
                    seen.push(o.code.clone());
                }
            }
            QuestionKind::Scale => {
                if !q.options.is_empty() {
                    bad(
                        at(".options"),
                        None,
                        "a scale question has min and max, not options".into(),
                    );
                }
                match (q.min, q.max) {
                    (Some(lo), Some(hi)) if lo < hi && hi - lo <= 100 => {}
                    (Some(lo), Some(hi)) => bad(
                        at(""),
                        Some(&format!("{lo}–{hi}")),
                        "a scale needs min < max and at most 101 points".into(),
                    ),
                    _ => bad(at(""), None, "a scale question needs min and max".into()),
                }
            }
        }
    }
    let mut satisfaction = Vec::new();
    for (k, id) in file.satisfaction.iter().enumerate() {
        match index.get(&id.to_ascii_lowercase()) {
            Some(&i) if file.questions[i].kind == QuestionKind::Single => {
                if satisfaction.contains(&i) {
                    bad(
                        format!("satisfaction[{k}]"),
                        Some(id),
                        "listed twice".into(),
                    );
                }
                satisfaction.push(i);
            }
            Some(_) => bad(
                format!("satisfaction[{k}]"),
                Some(id),
                "a satisfaction item must be a single-choice question".into(),
            ),
            None => bad(
                format!("satisfaction[{k}]"),
                Some(id),
                "no question has this id".into(),
            ),
        }
    }
    let mut nps = None;
    if let Some(id) = &file.nps {
        match index.get(&id.to_ascii_lowercase()) {
            Some(&i) => {
                let q = &file.questions[i];
                if q.kind == QuestionKind::Scale && q.min == Some(0) && q.max == Some(10) {
                    nps = Some(i);
                } else {
                    bad(
                        "nps".into(),
                        Some(id),
                        "the NPS question must be a 0–10 scale".into(),
                    );
                }
            }
            None => bad("nps".into(), Some(id), "no question has this id".into()),
        }
    }
    let mut follow_up = Vec::new();
    for (k, rule) in file.follow_up.iter().enumerate() {
        let at = |field: &str| format!("follow_up[{k}]{field}");
        if rule.id.trim().is_empty() || follow_up.iter().any(|r: &FollowUpRule| r.id == rule.id) {
            bad(
                at(".id"),
                Some(&rule.id),
                "a follow-up rule needs its own non-empty id".into(),
            );
        }
        let rules = Rules {
            questions: &file.questions,
            index: &index,
            satisfaction: &satisfaction,
            nps,
        };
        let (when, detractors_only) = match (&rule.question, &rule.options, &rule.when) {
            (Some(question), Some(options), None) => {
                let mut found = Vec::new();
                let when = rules.answers(question, options, &at(""), &mut found);
                for (path, value, message) in found {
                    bad(path, value.as_deref(), message);
                }
                (when, true)
            }
            (None, None, Some(when)) => {
                let mut found = Vec::new();
                let when = rules.condition(when, &at(".when"), 1, &mut found);
                for (path, value, message) in found {
                    bad(path, value.as_deref(), message);
                }
                (when, false)
            }
            _ => {
                bad(
                    at(""),
                    Some(&rule.id),
                    "a follow-up rule has either `question` and `options`, or `when`".into(),
                );
                (None, false)
            }
        };
        if let Some(when) = when {
            follow_up.push(FollowUpRule {
                id: rule.id.clone(),
                label: rule.label.clone(),
                when,
                detractors_only,
            });
        }
    }
    if let Some(days) = file.follow_up_due_days {
        if days > MAX_DUE_DAYS {
            bad(
                "follow_up_due_days".into(),
                Some(&days.to_string()),
                format!("a follow-up case is due in 0 to {MAX_DUE_DAYS} working days"),
            );
        }
    }
    if file.revises.len() > MAX_REVISES {
        bad(
            "revises".into(),
            None,
            format!("an instrument revises at most {MAX_REVISES} earlier versions"),
        );
    }
    for (i, v) in file.revises.iter().enumerate() {
        let at = format!("revises[{i}]");
        if v.trim().is_empty() || v.chars().count() > MAX_NAME {
            bad(
                at,
                Some(v),
                format!("a version is 1 to {MAX_NAME} characters"),
            );
        } else if *v == file.version {
            bad(
                at,
                Some(v),
                "an instrument cannot revise its own version".into(),
            );
        } else if file.revises[..i].contains(v) {
            bad(at, Some(v), "this version is listed twice".into());
        }
    }
    if !problems.is_empty() {
        let total = problems.len();
        return Err(Error::new(ErrorKind::Instrument, problems, total));
    }
    Ok(Instrument {
        file,
        satisfaction,
        nps,
        follow_up,
        index,
    })
}
