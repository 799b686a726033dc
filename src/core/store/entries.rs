//! Restoring a backup's paper forms keyed once, which wait for their second
//! keying (the page's `entries` store), on a device that may have moved on
//! since the backup was taken.
//!
//! For each form the backup brings, by id:
//! - **counted here** — this device holds a response with that id (the form
//!   was keyed a second time since, or keyed with double entry off): left out,
//!   the response is the later state;
//! - **the same here** — it waits here with the same answers and operator:
//!   nothing to do;
//! - **different here** — it waits here with other answers or another
//!   operator (corrected since, say): this device's is kept, and its id listed
//!   so that the person restoring knows;
//! - otherwise it is **added**.
//!
//! Nothing is ever overwritten: the page adds a planned form only where its
//! id is still free when it writes.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Device;
use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};

/// A paper form keyed once, as the page keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEntry {
    /// The form's id.
    pub id: String,
    /// Its answer codes as keyed.
    pub codes: Vec<u8>,
    /// Who keyed it.
    #[serde(default)]
    pub operator: String,
    /// When (ISO 8601).
    #[serde(default)]
    pub at: String,
}

/// What restoring a backup's waiting forms does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EntryPlan {
    /// The forms to add, in the backup's order.
    pub add: Vec<PendingEntry>,
    /// How many wait here already, the same.
    pub same: u64,
    /// Ids counted here as responses already: left out.
    pub counted: Vec<String>,
    /// Ids waiting here with other answers or operator: this device's kept.
    pub kept: Vec<String>,
}

/// Plans restoring `theirs` (a backup's `entries`, a JSON list) on `device`,
/// whose own waiting forms are `mine`.
pub fn plan_entries(theirs: &Value, mine: &[PendingEntry], device: &Device) -> Result<EntryPlan> {
    let theirs = read_entries(theirs)?;
    let mut plan = EntryPlan::default();
    let mut unknown = Vec::new();
    for e in theirs {
        match mine.iter().find(|m| m.id == e.id) {
            Some(m) if m.codes == e.codes && m.operator == e.operator => plan.same += 1,
            Some(_) => plan.kept.push(e.id),
            None => unknown.push(e),
        }
    }
    // One pass over the device's ids, however many forms the backup brings.
    let wanted: HashSet<&str> = unknown.iter().map(|e| e.id.trim()).collect();
    let counted: HashSet<&str> = device
        .sets
        .values()
        .flat_map(|s| s.responses.ids.iter())
        .filter(|id| wanted.contains(id))
        .collect();
    let counted: HashSet<String> = counted.into_iter().map(str::to_owned).collect();
    for e in unknown {
        if counted.contains(e.id.trim()) {
            plan.counted.push(e.id);
        } else {
            plan.add.push(e);
        }
    }
    Ok(plan)
}

/// A backup's `entries` as forms, or where one is not.
fn read_entries(value: &Value) -> Result<Vec<PendingEntry>> {
    let Some(list) = value.as_array() else {
        return Err(bad("entries", "the list of keyed forms is not a list"));
    };
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let e = PendingEntry::deserialize(v).map_err(|why| {
            bad(
                &format!("entries[{i}]"),
                &format!("not a keyed form: {why}"),
            )
        })?;
        if e.id.trim().is_empty() {
            return Err(bad(
                &format!("entries[{i}].id"),
                "a keyed form without an id",
            ));
        }
        if !seen.insert(e.id.clone()) {
            return Err(bad(
                &format!("entries[{i}].id"),
                &format!("form {} is listed twice", e.id),
            ));
        }
        out.push(e);
    }
    Ok(out)
}

fn bad(field: &str, message: &str) -> Error {
    Error::single(
        ErrorKind::Backup,
        Problem::new(ProblemCode::Malformed, message).in_field(field),
    )
}
