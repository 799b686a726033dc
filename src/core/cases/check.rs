//! Checking a case log: each event alone (ids, dates, lengths, status), ids
//! used once, parents and merged events present and of the same case, no
//! loops, and each change allowed from its parent's status (the transitions
//! of [`Status`]).

use super::*;
fn hex16(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The problems of one event taken alone, with `at` before each field.
pub(super) fn event_problems(e: &Event, at: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |field: &str, value: &str, message: String| {
        out.push(
            Problem::new(ProblemCode::Invalid, message)
                .in_field(format!("{at}{field}"))
                .with_value(value.chars().take(80).collect::<String>()),
        );
    };
    if !hex16(&e.id) {
        bad("id", &e.id, "an event id is 16 lowercase hex digits".into());
    }
    if e.case.trim().is_empty() || e.case.chars().count() > MAX_ID {
        bad(
            "case",
            &e.case,
            format!("a case is a response id of 1 to {MAX_ID} characters"),
        );
    }
    if let Some(p) = &e.parent {
        if !hex16(p) || *p == e.id {
            bad("parent", p, "a parent is another event's id".into());
        }
    }
    if !e.merged.is_empty() && e.parent.is_none() {
        bad(
            "merged",
            &e.merged.join(" "),
            "only a change with a parent settles a conflict".into(),
        );
    }
    for m in &e.merged {
        if !hex16(m) || Some(m) == e.parent.as_ref() || *m == e.id {
            bad("merged", m, "merged lists other events' ids".into());
        }
    }
    if day_number(&e.at).is_none() || e.at.chars().count() > MAX_ID {
        bad(
            "at",
            &e.at,
            "a time is ISO 8601, YYYY-MM-DDThh:mm:ssZ".into(),
        );
    }
    if e.who.trim().is_empty() || e.who.chars().count() > MAX_NAME {
        bad(
            "who",
            &e.who,
            format!("who made a change is a name of 1 to {MAX_NAME} characters"),
        );
    }
    if let Some(h) = &e.holder {
        if h.trim().is_empty() || h.chars().count() > MAX_NAME {
            bad(
                "holder",
                h,
                format!("a holder is a name of 1 to {MAX_NAME} characters"),
            );
        }
    }
    if let Some(n) = &e.note {
        if n.trim().is_empty() || n.chars().count() > MAX_TEXT {
            bad("note", n, format!("a note has 1 to {MAX_TEXT} characters"));
        }
    }
    if let Some(d) = &e.due {
        if d.len() != 10 || day_number(d).is_none() {
            bad("due", d, "a due date is written YYYY-MM-DD".into());
        }
    }
    out
}

/// Checks a whole log: each event alone, ids used once, parents and merged
/// events present and of the same case, no loops, and each change allowed
/// from its parent's status. `field` names the list in problems.
pub fn check_log(events: &[Event], field: &str) -> Result<()> {
    let mut problems = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        problems.extend(event_problems(e, &format!("{field}[{i}].")));
        if by_id.insert(e.id.as_str(), i).is_some() {
            problems.push(
                Problem::new(ProblemCode::DuplicateId, "the same event id twice")
                    .in_field(format!("{field}[{i}].id"))
                    .with_value(e.id.as_str()),
            );
        }
    }
    if problems.is_empty() {
        for (i, e) in events.iter().enumerate() {
            let at = |f: &str| format!("{field}[{i}].{f}");
            for (name, other) in e
                .parent
                .iter()
                .map(|p| ("parent", p))
                .chain(e.merged.iter().map(|m| ("merged", m)))
            {
                match by_id.get(other.as_str()).map(|&j| &events[j]) {
                    None => problems.push(
                        Problem::new(
                            ProblemCode::UnknownName,
                            "names an event that is not in the list",
                        )
                        .in_field(at(name))
                        .with_value(other.as_str()),
                    ),
                    Some(o) if o.case != e.case => problems.push(
                        Problem::new(ProblemCode::Invalid, "names an event of another case")
                            .in_field(at(name))
                            .with_value(other.as_str()),
                    ),
                    Some(_) => {}
                }
            }
            let from = e
                .parent
                .as_deref()
                .and_then(|p| by_id.get(p))
                .map_or(START, |&j| events[j].status);
            if !from.may_become(e.status) {
                problems.push(
                    Problem::new(
                        ProblemCode::Invalid,
                        format!(
                            "a case cannot go from {} to {}",
                            from.name(),
                            e.status.name()
                        ),
                    )
                    .in_field(at("status"))
                    .with_value(e.status.name()),
                );
            }
        }
    }
    if problems.is_empty() {
        // Following parents from any event must end: no loops.
        for (i, e) in events.iter().enumerate() {
            let mut steps = 0;
            let mut cur = e.parent.as_deref();
            while let Some(p) = cur {
                steps += 1;
                if steps > events.len() {
                    problems.push(
                        Problem::new(ProblemCode::Invalid, "its parents go round in a loop")
                            .in_field(format!("{field}[{i}].parent"))
                            .with_value(e.id.as_str()),
                    );
                    break;
                }
                cur = by_id.get(p).and_then(|&j| events[j].parent.as_deref());
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let total = problems.len();
        Err(Error::new(ErrorKind::Request, problems, total))
    }
}
