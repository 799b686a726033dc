//! Merging responses from several devices or files without double counting.
//!
//! A response is known by its id. Merging an incoming set into an existing one:
//! - an id that is not there yet is **new** and is added;
//! - an id that is there with the same answer to every question is the
//!   **same** response met again and is skipped, so importing the same data
//!   twice changes nothing (what the existing copy holds is kept);
//! - an id that is there with any answer different is a **conflict**: it is
//!   never applied silently; a person chooses which version to keep.
//!
//! Extra columns (mode, device, operator, source, …) are not answers: they do
//! not make a conflict. Columns that only the incoming set has are added, empty
//! for the responses that came without them; columns match by name in any
//! letter case. A conflict resolved in favour of the incoming version takes its
//! answers and its extra values.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::Instrument;
use crate::responses::{ExtraColumn, Responses, Slot};

/// One id with two different sets of answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The response id.
    pub id: String,
    /// Its row in the existing set.
    pub existing_row: usize,
    /// Its row in the incoming set.
    pub incoming_row: usize,
    /// The ids of the questions answered differently.
    pub questions: Vec<String>,
    /// The existing answers, as written in the CSV (letters, scale values, "" for none).
    pub existing: Vec<String>,
    /// The incoming answers, likewise.
    pub incoming: Vec<String>,
}

/// What merging an incoming set would do, before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergePlan {
    /// Responses in the incoming set.
    pub rows: usize,
    /// Incoming rows whose id is new.
    pub new: Vec<usize>,
    /// Incoming rows already present with identical answers (skipped).
    pub same: Vec<usize>,
    /// Incoming rows whose id is present with different answers.
    pub conflicts: Vec<Conflict>,
}

/// How a person resolved one conflict (`"existing"` or `"incoming"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Resolution {
    /// Keep the existing version.
    #[serde(rename = "existing")]
    KeepExisting,
    /// Replace it with the incoming version.
    #[serde(rename = "incoming")]
    TakeIncoming,
}

fn codes_of(r: &Responses, row: usize) -> Vec<u8> {
    r.answers.iter().map(|col| col[row]).collect()
}

/// Compares `incoming` with `existing` (both read with `instrument`).
pub fn plan(
    instrument: &Instrument,
    existing: &Responses,
    incoming: &Responses,
) -> Result<MergePlan> {
    existing.check_instrument(instrument)?;
    incoming.check_instrument(instrument)?;
    let index: HashMap<&str, usize, crate::responses::Keyed> = existing
        .ids
        .iter()
        .enumerate()
        .map(|(r, id)| (id, r))
        .collect();
    let qs = instrument.questions();
    let mut out = MergePlan {
        rows: incoming.len(),
        new: Vec::new(),
        same: Vec::new(),
        conflicts: Vec::new(),
    };
    for (r, id) in incoming.ids.iter().enumerate() {
        let Some(&e) = index.get(id) else {
            out.new.push(r);
            continue;
        };
        let differing: Vec<usize> = (0..qs.len())
            .filter(|&q| existing.answers[q][e] != incoming.answers[q][r])
            .collect();
        if differing.is_empty() {
            out.same.push(r);
        } else {
            let text = |set: &Responses, row: usize| -> Vec<String> {
                qs.iter()
                    .zip(codes_of(set, row))
                    .map(|(q, c)| q.code_text(c))
                    .collect()
            };
            out.conflicts.push(Conflict {
                id: id.to_owned(),
                existing_row: e,
                incoming_row: r,
                questions: differing.iter().map(|&q| qs[q].id.clone()).collect(),
                existing: text(existing, e),
                incoming: text(incoming, r),
            });
        }
    }
    Ok(out)
}

/// Refuses, naming them, the conflicts of `plan` that `resolutions` does not
/// resolve (every conflict needs one before anything is merged).
pub fn check_resolved(plan: &MergePlan, resolutions: &HashMap<String, Resolution>) -> Result<()> {
    let unresolved: Vec<Problem> = plan
        .conflicts
        .iter()
        .filter(|c| !resolutions.contains_key(&c.id))
        .map(|c| {
            Problem::new(
                ProblemCode::Conflict,
                format!(
                    "answered differently in the two sets: {}",
                    c.questions.join(" ")
                ),
            )
            .in_field("id")
            .with_value(c.id.clone())
        })
        .collect();
    if !unresolved.is_empty() {
        let total = unresolved.len();
        return Err(Error::new(ErrorKind::Request, unresolved, total));
    }
    Ok(())
}

/// The existing set with the plan applied: new rows appended, conflicts
/// resolved as `resolutions` says (by id). Refuses, naming them, if any
/// conflict has no resolution: nothing is merged then.
pub fn apply(
    instrument: &Instrument,
    existing: &Responses,
    incoming: &Responses,
    plan: &MergePlan,
    resolutions: &HashMap<String, Resolution>,
) -> Result<Responses> {
    check_resolved(plan, resolutions)?;
    existing.check_instrument(instrument)?;
    let mut out = existing.clone();
    // Map each incoming extra column to one in the output, adding the missing ones.
    let mut extra_map = Vec::with_capacity(incoming.extras.len());
    for col in &incoming.extras {
        let found = out
            .extras
            .iter()
            .position(|e| e.name.eq_ignore_ascii_case(&col.name));
        let at = found.unwrap_or_else(|| {
            out.extras.push(ExtraColumn {
                name: col.name.clone(),
                values: crate::column::TextColumn::empty(out.ids.len()),
            });
            out.layout.push(Slot::Extra(out.extras.len() - 1));
            out.extras.len() - 1
        });
        extra_map.push(at);
    }
    let copy_extras = |out: &mut Responses, from_row: usize, to_row: Option<usize>| {
        for (col, &at) in incoming.extras.iter().zip(&extra_map) {
            let v = col.values.get(from_row);
            match to_row {
                Some(r) => out.extras[at].values.set(r, v),
                None => out.extras[at].values.push(v),
            }
        }
    };
    for c in &plan.conflicts {
        if resolutions.get(&c.id) == Some(&Resolution::TakeIncoming) {
            for (q, col) in out.answers.iter_mut().enumerate() {
                col[c.existing_row] = incoming.answers[q][c.incoming_row];
            }
            copy_extras(&mut out, c.incoming_row, Some(c.existing_row));
        }
    }
    for &r in &plan.new {
        out.ids.push(&incoming.ids[r]);
        for (q, col) in out.answers.iter_mut().enumerate() {
            col.push(incoming.answers[q][r]);
        }
        copy_extras(&mut out, r, None);
        let len = out.ids.len();
        for e in &mut out.extras {
            e.values.resize(len);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17";

    fn set(extra: &str, rows: &[&str]) -> Responses {
        let mut csv = format!("{HEADER}{extra}\n");
        for r in rows {
            csv.push_str(r);
            csv.push('\n');
        }
        Responses::from_csv(&Instrument::builtin(), csv.as_bytes()).expect("valid")
    }

    #[test]
    fn new_same_and_conflicting() {
        let inst = Instrument::builtin();
        let a = set(
            ",mode",
            &[
                "a,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9,paper",
                "b,B,,,,,,,,,,,,,,,,1,paper",
            ],
        );
        let b = set(
            ",device",
            &[
                "b,B,,,,,,,,,,,,,,,,1,tab-2",
                "a,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,B,10,tab-2",
                "c,A,,,,,,,,,,,,,,,,,tab-2",
            ],
        );
        let p = plan(&inst, &a, &b).expect("plan");
        assert_eq!(
            (p.rows, p.new.clone(), p.same.clone()),
            (3, vec![2], vec![0])
        );
        assert_eq!(p.conflicts.len(), 1);
        let c = &p.conflicts[0];
        assert_eq!(
            (c.id.as_str(), c.questions.clone()),
            ("a", vec!["q16".to_string(), "q17".to_string()])
        );
        assert_eq!(
            (c.existing[15].as_str(), c.incoming[15].as_str()),
            ("A", "B")
        );
        // Unresolved: refused, naming the id; nothing merged.
        let e = apply(&inst, &a, &b, &p, &HashMap::new()).unwrap_err();
        assert_eq!(e.problems()[0].value.as_deref(), Some("a"));
        // Keep the existing version: a gains c, and the device column.
        let keep = HashMap::from([("a".to_string(), Resolution::KeepExisting)]);
        let m = apply(&inst, &a, &b, &p, &keep).expect("merged");
        assert_eq!(m.ids(), ["a", "b", "c"]);
        assert_eq!(m.column(16), [9, 1, crate::MISSING]);
        let names: Vec<&str> = m.extras().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["mode", "device"]);
        assert_eq!(m.extras()[1].values, ["", "", "tab-2"]);
        assert_eq!(m.extras()[0].values, ["paper", "paper", ""]);
        // Take the incoming one instead.
        let take = HashMap::from([("a".to_string(), Resolution::TakeIncoming)]);
        let m = apply(&inst, &a, &b, &p, &take).expect("merged");
        assert_eq!(m.column(16), [10, 1, crate::MISSING]);
        assert_eq!(m.extras()[1].values, ["tab-2", "", "tab-2"]);
    }

    #[test]
    fn merging_the_same_data_twice_changes_nothing() {
        let inst = Instrument::builtin();
        let demo = include_bytes!("../../www/demo/zg-x-branch-2023.csv");
        let a = Responses::from_csv(&inst, demo).expect("demo");
        let p = plan(&inst, &a, &a).expect("plan");
        assert_eq!((p.new.len(), p.same.len(), p.conflicts.len()), (0, 366, 0));
        assert_eq!(
            apply(&inst, &a, &a, &p, &HashMap::new()).expect("merged"),
            a
        );
    }
}
