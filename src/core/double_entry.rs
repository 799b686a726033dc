//! Double entry of paper forms: a second, blind keying verifies the first (as
//! EpiData Entry's "double entry verification" does).
//!
//! The rules:
//! - **Disagreements.** A second keying is compared with the first answer by
//!   answer; each question whose codes differ is a disagreement (an answer left
//!   blank in one keying and not in the other is one too).
//! - **Settling.** For each disagreement the operator types what the paper
//!   says; the verified form is the second keying with those answers put in.
//!   Every disagreement must be settled, with an answer its question has or
//!   "not answered".
//! - **Charging.** A disagreement is an error of each operator whose keying
//!   differs from the paper: of one operator when the paper agrees with the
//!   other keying, of both when it agrees with neither.
//! - **One operator, both passes.** Double entry finds an operator's
//!   misreadings only when someone else keys the second pass: the same person
//!   tends to misread the same mark twice. It is allowed (a branch may have one
//!   clerk), but a form whose two keyings were typed under the same name —
//!   equal once spaces around it are trimmed and Latin letter case (A–Z) is
//!   ignored
//!   ([`same_operator`]) — is said so when it is verified, and counted.
//! - **The tally** per operator, over every verification in the audit trail:
//!   forms keyed (in either pass), disagreements seen, errors charged, the
//!   error rate, errors per answer keyed: errors / (forms × questions), and
//!   the forms they verified against their own first keying. Operators are
//!   the same by [`same_operator`], listed under the name they first appear
//!   with in the trail, in that order.
//! - **Edits.** An edit of a saved form lists each question whose answer
//!   changed, from and to as marked on the paper ([`mark`]).
//!
//! A verification is written to the audit trail as an entry whose `what` is
//! `verify` and whose `detail` is a [`Verification`]; [`tally`] reads them back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorKind, Problem, ProblemCode, Result};
use crate::instrument::{Instrument, Question, MISSING};

/// One question on which the two keyings differ, and what the paper says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    /// The question's id.
    pub question: String,
    /// The first keying's code.
    pub first: u8,
    /// The second keying's code.
    pub second: u8,
    /// The paper's code, typed when settling.
    pub resolved: u8,
}

/// A verified form as the audit trail records it (the `detail` of a `verify` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The form's id.
    pub id: String,
    /// Who keyed it first.
    pub first: String,
    /// Who keyed it second.
    pub second: String,
    /// Where the keyings differed (empty when they agreed).
    pub disagreements: Vec<Disagreement>,
}

/// A form verified: its answers and the record of its verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The form's codes: the second keying, its disagreements settled.
    pub codes: Vec<u8>,
    /// What the audit trail records.
    pub verification: Verification,
    /// Whether one operator keyed both passes ([`same_operator`]).
    pub same_operator: bool,
}

/// One operator's keying accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    /// The operator's name as typed.
    pub who: String,
    /// Forms this operator keyed that have been verified (either pass).
    pub forms: u64,
    /// Disagreements on those forms, whoever was wrong.
    pub disagreements: u64,
    /// Disagreements where this operator's keying differs from the paper.
    pub errors: u64,
    /// Errors per answer keyed: errors / (forms × questions).
    pub error_rate: f64,
    /// Forms this operator keyed both times: verified, but not independently.
    pub own: u64,
}

/// Whether two operator names are one operator: equal once the spaces around
/// them are trimmed and the case of A–Z is ignored (`" Li Si"` is `"li si"`;
/// `"Li Sì"` is someone else). Only A–Z: Unicode's case tables would add 9 KB
/// to the worker's download for names that are mostly Chinese.
pub fn same_operator(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// One answer changed by an edit, as marked on the paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The question's id.
    pub question: String,
    /// The answer before.
    pub from: String,
    /// The answer after.
    pub to: String,
}

/// An answer as marked on the paper form: the option's letter or the scale's
/// number; `·` for not answered.
pub fn mark(question: &Question, code: u8) -> String {
    if code == MISSING {
        "·".to_owned()
    } else {
        question.code_text(code)
    }
}

fn request(code: ProblemCode, field: impl Into<String>, message: String) -> Error {
    Error::single(
        ErrorKind::Request,
        Problem::new(code, message).in_field(field),
    )
}

/// Checks that `codes` is one keying of `instrument`: one code per question,
/// each an answer the question has or [`MISSING`].
fn check_keying(instrument: &Instrument, codes: &[u8], which: &str) -> Result<()> {
    let questions = instrument.questions();
    if codes.len() != questions.len() {
        return Err(request(
            ProblemCode::Malformed,
            which,
            format!(
                "the {which} keying has {} answers for {} questions",
                codes.len(),
                questions.len()
            ),
        ));
    }
    for (q, &c) in questions.iter().zip(codes) {
        if c != MISSING && usize::from(c) >= q.len() {
            return Err(out_of_range(q, c, which));
        }
    }
    Ok(())
}

fn out_of_range(q: &Question, code: u8, which: &str) -> Error {
    Error::single(
        ErrorKind::Request,
        Problem::new(
            ProblemCode::OutOfRange,
            format!("the {which} keying's answer to {} is not one it has", q.id),
        )
        .in_field(format!("{which}.{}", q.id))
        .with_value(code.to_string())
        .expecting(q.expected()),
    )
}

/// The positions (question indices) where two keyings of a form differ.
pub fn disagreements(instrument: &Instrument, first: &[u8], second: &[u8]) -> Result<Vec<usize>> {
    check_keying(instrument, first, "first")?;
    check_keying(instrument, second, "second")?;
    Ok(first
        .iter()
        .zip(second)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, _)| i)
        .collect())
}

/// Verifies form `id`: `first` keyed by `first_operator`, `second` by
/// `second_operator`, and `paper` what the paper says at each disagreement,
/// in question order (empty when the keyings agree).
pub fn verify(
    instrument: &Instrument,
    id: &str,
    first_operator: &str,
    first: &[u8],
    second_operator: &str,
    second: &[u8],
    paper: &[u8],
) -> Result<Verified> {
    let differ = disagreements(instrument, first, second)?;
    let questions = instrument.questions();
    if paper.len() != differ.len() {
        let message = match differ.get(paper.len()) {
            Some(&open) if paper.len() < differ.len() => format!(
                "{} of {} disagreements settled: {} is not",
                paper.len(),
                differ.len(),
                questions[open].id
            ),
            _ => format!(
                "{} answers from the paper for {} disagreements",
                paper.len(),
                differ.len()
            ),
        };
        return Err(request(ProblemCode::Malformed, "paper", message));
    }
    let mut codes = second.to_vec();
    let mut list = Vec::with_capacity(differ.len());
    for (&i, &resolved) in differ.iter().zip(paper) {
        let q = &questions[i];
        if resolved != MISSING && usize::from(resolved) >= q.len() {
            return Err(out_of_range(q, resolved, "paper"));
        }
        codes[i] = resolved;
        list.push(Disagreement {
            question: q.id.clone(),
            first: first[i],
            second: second[i],
            resolved,
        });
    }
    Ok(Verified {
        codes,
        verification: Verification {
            id: id.to_owned(),
            first: first_operator.to_owned(),
            second: second_operator.to_owned(),
            disagreements: list,
        },
        same_operator: same_operator(first_operator, second_operator),
    })
}

/// Each operator's tally over the `verify` entries of an audit trail (a JSON
/// list of `{what, detail, …}`; other entries are passed over).
pub fn tally(instrument: &Instrument, trail: &Value) -> Result<Vec<Tally>> {
    let Some(entries) = trail.as_array() else {
        return Err(request(
            ProblemCode::Malformed,
            "trail",
            "the audit trail is not a list".to_owned(),
        ));
    };
    let questions = instrument.questions().len() as f64;
    let mut tallies: Vec<Tally> = Vec::new();
    for (n, entry) in entries.iter().enumerate() {
        if entry.get("what").and_then(Value::as_str) != Some("verify") {
            continue;
        }
        let v = entry
            .get("detail")
            .and_then(|d| Verification::deserialize(d).ok())
            .ok_or_else(|| {
                request(
                    ProblemCode::Malformed,
                    format!("trail[{n}].detail"),
                    format!("audit entry {n} is a verification without its details"),
                )
            })?;
        for (who, keyed) in [(&v.first, Pass::First), (&v.second, Pass::Second)] {
            let at = match tallies.iter().position(|t| same_operator(&t.who, who)) {
                Some(at) => at,
                None => {
                    tallies.push(Tally {
                        who: who.clone(),
                        forms: 0,
                        disagreements: 0,
                        errors: 0,
                        error_rate: 0.0,
                        own: 0,
                    });
                    tallies.len() - 1
                }
            };
            let t = &mut tallies[at];
            t.forms += 1;
            t.disagreements += v.disagreements.len() as u64;
            t.errors += v
                .disagreements
                .iter()
                .filter(|d| keyed.code(d) != d.resolved)
                .count() as u64;
            if matches!(keyed, Pass::Second) && same_operator(&v.first, &v.second) {
                t.own += 1;
            }
        }
    }
    for t in &mut tallies {
        t.error_rate = t.errors as f64 / (t.forms as f64 * questions);
    }
    Ok(tallies)
}

#[derive(Clone, Copy)]
enum Pass {
    First,
    Second,
}

impl Pass {
    fn code(self, d: &Disagreement) -> u8 {
        match self {
            Pass::First => d.first,
            Pass::Second => d.second,
        }
    }
}

/// The answers an edit changes, from `before` to `after`.
pub fn changes(instrument: &Instrument, before: &[u8], after: &[u8]) -> Result<Vec<Change>> {
    check_keying(instrument, before, "saved")?;
    check_keying(instrument, after, "edited")?;
    Ok(instrument
        .questions()
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (a, b))| a != b)
        .map(|(q, (&a, &b))| Change {
            question: q.id.clone(),
            from: mark(q, a),
            to: mark(q, b),
        })
        .collect())
}
