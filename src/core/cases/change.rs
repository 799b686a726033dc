//! Changing cases: a person's change made into the next event of the log
//! ([`next_event`]), and two devices' logs merged ([`merge_events`]).

use super::check::event_problems;
use super::*;
/// Makes `change` an event, checked against `events` (this device's log):
/// the case must be a response of `responses`; the parent the person saw must
/// still be a head of the case (a case changed meanwhile is refused, to be
/// shown again); on a conflict the other heads are recorded as `merged`; the
/// status change must be allowed; and something must change.
pub fn next_event(responses: &Responses, events: &[Event], change: &Change) -> Result<Event> {
    if !responses.ids().contains(&change.case) {
        return Err(request(
            ProblemCode::UnknownName,
            "case",
            &change.case,
            "no response has this id",
        ));
    }
    if events.iter().any(|e| e.id == change.id) {
        return Err(request(
            ProblemCode::DuplicateId,
            "id",
            &change.id,
            "an event with this id is already stored",
        ));
    }
    let log = Log::new(events);
    let heads = log.heads(&change.case);
    let parent =
        match (&change.parent, heads.is_empty()) {
            (None, true) => None,
            (Some(p), false) if heads.iter().any(|h| h.id == *p) => {
                heads.iter().copied().find(|h| h.id == *p)
            }
            _ => {
                let now: Vec<&str> = heads.iter().map(|h| h.id.as_str()).collect();
                return Err(request(
                    ProblemCode::Conflict,
                    "parent",
                    change.parent.as_deref().unwrap_or("null"),
                    format!(
                    "the case changed since it was shown (its latest change is now {}); look again",
                    if now.is_empty() { "none".to_owned() } else { now.join(" or ") }
                ),
                ));
            }
        };
    let merged: Vec<String> = heads
        .iter()
        .filter(|h| Some(h.id.as_str()) != change.parent.as_deref())
        .map(|h| h.id.clone())
        .collect();
    let before = parent.map_or(START, |p| p.status);
    let status = change.status.unwrap_or(before);
    if !before.may_become(status) {
        return Err(request(
            ProblemCode::Invalid,
            "status",
            status.name(),
            format!("a {} case cannot become {}", before.name(), status.name()),
        ));
    }
    let text = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_owned);
    let holder = match text(&change.holder) {
        None => parent.and_then(|p| p.holder.clone()),
        Some(h) if h.is_empty() => None,
        Some(h) => Some(h),
    };
    let due = match text(&change.due) {
        None => parent.and_then(|p| p.due.clone()),
        Some(d) if d.is_empty() => None,
        Some(d) => Some(d),
    };
    let note = text(&change.note).filter(|n| !n.is_empty());
    let another_call = status == Status::Contacted && change.status.is_some();
    let changes = status != before
        || another_call
        || holder != parent.and_then(|p| p.holder.clone())
        || due != parent.and_then(|p| p.due.clone())
        || note.is_some()
        || !merged.is_empty();
    if !changes {
        return Err(request(
            ProblemCode::Invalid,
            "change",
            &change.case,
            "nothing changes: give a status, holder, due date or note",
        ));
    }
    let event = Event {
        id: change.id.clone(),
        case: change.case.clone(),
        parent: parent.map(|p| p.id.clone()),
        merged,
        at: change.at.clone(),
        who: change.who.trim().to_owned(),
        status,
        holder,
        note,
        due,
    };
    let problems = event_problems(&event, "");
    if !problems.is_empty() {
        let total = problems.len();
        return Err(Error::new(ErrorKind::Request, problems, total));
    }
    Ok(event)
}

/// Merges `theirs` into `mine`: the union by event id, checked as a whole
/// ([`check_log`]). An id in both with different content is refused, as is
/// any event that is not well-formed; nothing is merged then.
pub fn merge_events(mine: &[Event], theirs: &[Event]) -> Result<Merged> {
    let known: HashMap<&str, &Event> = mine.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut new = Vec::new();
    let mut problems = Vec::new();
    for (i, e) in theirs.iter().enumerate() {
        match known.get(e.id.as_str()) {
            Some(m) if *m == e => {}
            Some(_) => problems.push(
                Problem::new(
                    ProblemCode::Conflict,
                    format!(
                        "event {} of case {} differs between the two devices",
                        e.id, e.case
                    ),
                )
                .in_field(format!("cases[{i}]"))
                .with_value(e.id.as_str()),
            ),
            None => new.push(e.clone()),
        }
    }
    if !problems.is_empty() {
        let total = problems.len();
        return Err(Error::new(ErrorKind::Request, problems, total));
    }
    let events: Vec<Event> = mine.iter().chain(&new).cloned().collect();
    check_log(&events, "cases")?;
    let log = Log::new(&events);
    let mut conflicts: Vec<String> = log
        .by_case
        .keys()
        .filter(|c| log.heads(c).len() > 1)
        .map(|c| (*c).to_owned())
        .collect();
    conflicts.sort();
    Ok(Merged {
        events,
        added: new.len() as u64,
        new,
        conflicts,
    })
}
